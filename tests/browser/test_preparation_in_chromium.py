"""A Nieuwe Route process prepared in Chromium, as a facilitator would: a core group with
one framework party (who comments on a phone), two statement drafts, the kaders
settled, twelve people on the list with conversations for eight, three information
needs with informants, invitation letters printed to PDF, six invited phones that scan
on the day and are in at once with their name and group, the informants' items in
framing, and a start with a no-go marked that asks to confirm."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_room_in_chromium import BEAMER, PHONE
from tests.support import Server, create_meeting, login

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 720}, "locale": "nl-NL"}

PEOPLE = [
    ("Fatima El Amrani", "Bewoners"),
    ("Henk de Boer", "Bewoners"),
    ("Sanne Visser", "Bewoners"),
    ("Mohamed Yilmaz", "Jongeren"),
    ("Lotte Jansen", "Jongeren"),
    ("Wijkagent Bos", "Gemeente"),
    ("Ambtenaar Kaya", "Gemeente"),
    ("Jeroen Smits", "Bewoners"),
    ("Ayla Demir", "Jongeren"),
    ("Petra Kok", "Bewoners"),
    ("Rob Mulder", "Gemeente"),
    ("Iris Bakker", "Bewoners"),
]
#: the eight who had a conversation, and what they said about taking part
CONVERSATIONS = {
    "Fatima El Amrani": "yes",
    "Henk de Boer": "yes",
    "Sanne Visser": "yes",
    "Mohamed Yilmaz": "yes",
    "Wijkagent Bos": "yes",
    "Ambtenaar Kaya": "yes",
    "Jeroen Smits": "no",
    "Ayla Demir": "",
}
NEEDS = [
    ("Cijfers over overlast", "Wijkagent Bos"),
    ("Plannen van de gemeente voor het plein", "Ambtenaar Kaya"),
    ("Wat jongeren 's avonds doen", "Mohamed Yilmaz"),
]


def section(page: Page, anchor: str) -> object:
    return page.locator(f"#{anchor}")


def add_person(page: Page, name: str, group: str) -> None:
    people = page.locator("#people")
    details = people.locator("details").last
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    people.get_by_label("Naam", exact=True).fill(name)
    people.get_by_label("Groep (daarmee doen ze mee)").select_option(group)
    people.get_by_label("Hoe ze te bereiken zijn").fill("via de bewonerscommissie")
    people.get_by_role("button", name="Toevoegen aan de lijst").click()
    expect(people.locator("tbody")).to_contain_text(name)


def test_a_nieuwe_route_process_is_prepared_and_the_day_starts_from_it(
    server: Server, browser, screenshots: Path, tmp_path: Path
) -> None:
    errors: list[str] = []
    anna = login(server, "anna@example.org")
    meeting = create_meeting(
        anna,
        server,
        title="Plandag Speelplein Oost",
        date=date.today().isoformat(),
        place="Buurthuis De Linde",
        groups="Bewoners\nJongeren\nGemeente",
    )
    ctx = browser.new_context(**DESKTOP)
    ctx.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"browser dialog: {d.message}"), d.dismiss()))

    # From the console to the preparation.
    page.goto(f"{server.url}/m/{meeting.id}")
    page.get_by_role("link", name="Open de voorbereiding").click()
    expect(page.get_by_label("Nieuwe Route-planbijeenkomst")).to_be_checked()
    page.get_by_role("button", name="Voorbereiding starten").click()
    expect(page.locator("h1")).to_contain_text("Voorbereiding: Plandag Speelplein Oost")
    expect(page.locator('[data-step="core_group"]')).to_have_attribute("data-state", "open")

    # The core group: one framework party, whose representative gets a personal link.
    core = page.locator("#core-group")
    core.locator("summary").click()
    core.get_by_label("Naam", exact=True).fill("Wethouder De Groot")
    core.get_by_label("Kaderstellende partij (organisatie)").fill("Gemeente Oost")
    core.get_by_role("button", name="Toevoegen aan de kerngroep").first.click()
    link = page.locator("#new-link").input_value()
    assert "/kg/" in link
    expect(page.locator('[data-step="core_group"]')).to_have_attribute("data-state", "done")

    # Two statement drafts.
    drafts = page.locator("#drafts")
    drafts.get_by_label("Titel").fill("Het speelplein")
    drafts.get_by_label("Tekst").fill("Sinds de zomer is er onrust rond het speelplein.")
    drafts.get_by_role("button", name="Concept opslaan").click()
    article = page.locator("article.draft").first
    article.get_by_text("Een nieuwe versie schrijven").click()
    article.get_by_label("Tekst").fill(
        "Sinds de zomer is er onrust rond het speelplein; bewoners, jongeren en de gemeente "
        "zien het elk anders."
    )
    article.get_by_role("button", name="Opslaan als versie 2").click()
    expect(page.locator("article.draft").first).to_contain_text("(versie 2)")

    # The representative reads and comments on a phone, and proposes the party's kader.
    phone_ctx = browser.new_context(**PHONE)
    member = phone_ctx.new_page()
    member.on("pageerror", lambda e: errors.append(str(e)))
    member.goto(link)
    expect(member.locator("h1")).to_contain_text("Hallo Wethouder De Groot")
    expect(member.locator("#drafts")).to_contain_text("zien het elk anders")
    member.get_by_label("Jouw commentaar").first.fill("Noem ook de ouders van de kleine kinderen.")
    member.get_by_role("button", name="Commentaar geven").first.click()
    expect(member.locator("#drafts")).to_contain_text("Noem ook de ouders")
    member.get_by_text("Een kader van Gemeente Oost voorstellen").click()
    member.get_by_label("Titel").last.fill("Budget")
    member.get_by_label("Tekst").last.fill("De gemeente draagt hooguit 40.000 euro bij.")
    member.get_by_role("button", name="Concept opslaan").click()
    expect(member.locator("#drafts")).to_contain_text("hooguit 40.000 euro")
    member.screenshot(path=str(screenshots / "core-group-phone.png"), full_page=False)

    # The facilitator settles statement version 2 and the kader.
    page.reload()
    expect(page.locator("article.draft").first).to_contain_text("Noem ook de ouders")
    for article in page.locator("article.draft").all():
        article.get_by_role("button", name="Vaststellen: naar de planbijeenkomst").click()
    for step in ("statement", "kaders"):
        expect(page.locator(f'[data-step="{step}"]')).to_have_attribute("data-state", "done")

    # Twelve people on the list; conversations with eight.
    for name, group in PEOPLE[:-1]:
        add_person(page, name, group)
    # A refused form keeps what was typed: a name of only spaces is refused, and the
    # contact details written beside it are still in their box.
    people = page.locator("#people")
    people.locator("details").last.locator("summary").click()
    people.get_by_label("Naam", exact=True).fill("   ")
    people.get_by_label("Hoe ze te bereiken zijn").fill("Via de buurvrouw op nummer 12")
    people.get_by_role("button", name="Toevoegen aan de lijst").click()
    expect(page.locator(".form-error")).to_contain_text("Geef de naam van de persoon")
    expect(page.locator("#people tbody tr")).to_have_count(11)
    expect(page.locator("#person-contact")).to_have_value("Via de buurvrouw op nummer 12")
    # Once a form is taken, its boxes are empty again.
    add_person(page, *PEOPLE[-1])
    expect(page.locator("#person-contact")).to_have_value("")
    expect(page.locator('[data-step="sought"]')).to_contain_text("Op de lijst: 12")
    for name, take_part in CONVERSATIONS.items():
        page.locator("#people").get_by_role("link", name=name).click()
        form = page.locator("#conversation-form")
        form.get_by_label("Belangrijkste zorgen").fill(f"Zorgen van {name}: veiligheid 's avonds.")
        form.get_by_label("Wat ze op de dag moeten weten").fill("Wat de gemeente al doet.")
        form.locator(f'input[name="take_part"][value="{take_part}"]').check()
        form.locator('input[name="named"][value="yes"]').check()
        form.get_by_role("button", name="Gesprek opslaan").click()
        expect(page.locator("#person-status")).not_to_have_text("Nog benaderen")
        page.get_by_role("link", name="Voorbereiding").first.click()
    rows = page.locator("#people tbody tr")
    expect(rows).to_have_count(12)
    expect(page.locator('#people tr[data-status="will_take_part"]')).to_have_count(6)
    expect(page.locator('#people tr[data-status="will_not_take_part"]')).to_have_count(1)
    expect(page.locator('[data-step="prepared"]')).to_have_attribute("data-state", "done")

    # Three information needs, each with its informant.
    needs = page.locator("#needs")
    for title, _informant in NEEDS:
        needs.locator("details").last.locator("summary").click()
        needs.get_by_label("Wat bekend moet zijn").fill(title)
        needs.locator("details").last.get_by_label("Fatima El Amrani").check()
        needs.get_by_role("button", name="Behoefte toevoegen").click()
        expect(page.locator("#needs")).to_contain_text(title)
    for n, (_title, informant) in enumerate(NEEDS):
        form = page.locator("form.need").nth(n)
        form.get_by_label("Informant").select_option(
            label=f"{informant} ({dict(PEOPLE)[informant]})"
        )
        form.get_by_role("button", name="Opslaan").click()
        expect(page.locator("form.need").nth(n)).to_contain_text("in Kadering")
    expect(page.locator('[data-step="information"]')).to_have_attribute("data-state", "done")

    # The go/no-go: one no-go condition marked.
    condition = page.locator('fieldset[data-key="not_too_soon"]')
    condition.get_by_label("Niet voldaan").check()
    condition.get_by_role("textbox").fill("Vorige week nog een vechtpartij.")
    page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page.locator("#verdict")).to_contain_text("Niet doorgaan")
    page.locator('fieldset[data-key="safe"]').scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "preparation-go-no-go.png"))

    # Invitations: the six who will take part are ticked; letters print to PDF.
    invitations = page.locator("#invitations")
    expect(invitations.locator("input:checked")).to_have_count(6)
    invitations.get_by_role("button", name="Uitnodigen en de brieven afdrukken").click()
    expect(page.locator("article.letter")).to_have_count(6)
    expect(page.locator("article.letter").first).to_contain_text("Buurthuis De Linde")
    pdf = tmp_path / "uitnodigingen.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert re.search(r"^Pages:\s+6$", info.stdout, re.M), info.stdout  # one A4 page each
    first = tmp_path / "letter"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(first)],
        check=True,
    )
    (screenshots / "invitation-letter.png").write_bytes(first.with_suffix(".png").read_bytes())
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Uitnodiging: Plandag Speelplein Oost" in text and "Buurthuis De Linde" in text
    links = page.locator(".letter-url").all_inner_texts()
    names = page.locator(".letter-to").all_inner_texts()
    assert len(links) == 6

    # On the day: six phones scan their letter and are in, with their name and group.
    for n, (url, name) in enumerate(zip(links, names, strict=True)):
        phone = browser.new_context(**PHONE).new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.goto(url)
        expect(phone.locator("#you-name")).to_have_text(name.splitlines()[0])
        expect(phone.locator("#you-group")).to_have_text(dict(PEOPLE)[name.splitlines()[0]])
        if n == 0:
            phone.screenshot(path=str(screenshots / "invited-phone.png"))
            first_phone = phone
    page.goto(f"{server.url}/m/{meeting.id}/process")
    expect(page.locator("#invitations")).to_contain_text("Uitgenodigd: 6 · gekomen: 6")
    expect(page.locator('[data-step="invited"]')).to_have_attribute("data-state", "done")
    page.screenshot(path=str(screenshots / "preparation.png"))
    page.set_viewport_size({"width": 320, "height": 568})
    page.locator("#people").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "preparation-people-phone.png"))
    page.set_viewport_size(DESKTOP["viewport"])

    # The console shows the go/no-go; starting asks to confirm, then framing has the
    # informants' items.
    page.goto(f"{server.url}/m/{meeting.id}")
    expect(page.locator("#preparation-card")).to_contain_text(
        "Het is niet te kort na een escalatie"
    )
    expect(page.locator("#connection")).to_contain_text("Verbonden")
    page.locator("#advance").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Starten ondanks een no-go?")
    page.screenshot(path=str(screenshots / "console-no-go.png"))
    dialog.get_by_role("button", name="Annuleren").click()
    expect(page.locator("#phase-now")).to_have_text("Inloop")
    page.locator("#advance").click()
    page.get_by_role("dialog").get_by_role("button", name="Toch starten").click()
    expect(page.locator("#phase-now")).to_have_text("Kadering")
    info_list = page.locator("#info-items")
    for title, informant in NEEDS:
        expect(info_list).to_contain_text(f"{title} · {informant}")
    expect(first_phone.locator("#info-card")).to_contain_text("Cijfers over overlast")
    expect(first_phone.locator("#info-card")).to_contain_text("Gepresenteerd door Wijkagent Bos")
    info_list.locator("li").first.get_by_role("button", name="Op de beamer").click()
    beamer = browser.new_context(**BEAMER).new_page()
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")
    expect(beamer.locator("body")).to_contain_text("Gepresenteerd door Wijkagent Bos")
    beamer.screenshot(path=str(screenshots / "beamer-informant.png"))
    # The informants joined under the informant role.
    for _title, informant in NEEDS:
        row = page.locator("#people li", has_text=informant)
        expect(row.locator("select")).to_have_value("informant")
    assert errors == [], errors
