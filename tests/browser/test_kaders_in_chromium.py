"""The kader check in Chromium: a framework party on a desktop browser checks a
three-agreement plan and marks one agreement as not fitting, with a reason; the beamer
shows the check filling in; the facilitator records a follow-up agreement."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.browser.test_room_in_chromium import BEAMER
from tests.support import Server, console_client, create_meeting, joined_phone, login

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "nl-NL"}
_n = itertools.count()


def cid(meeting_id: str) -> str:
    return f"bk-{next(_n)}-{meeting_id}"[:64]


def claim_and_write_a_kader(party, link: str) -> None:
    """The representative opens the personal link, gives a name and writes one kader."""
    party.goto(link)
    party.get_by_label("Je naam").fill("Wethouder Smit")
    party.get_by_role("button", name="Verder").click()
    expect(party.locator("#phase")).to_have_text("Inloop")
    party.get_by_label("Titel").fill("Budget")
    party.get_by_label("Omschrijving").fill("De gemeente draagt hooguit 50.000 euro bij.")
    party.get_by_role("button", name="Kader opslaan").click()
    expect(party.locator("#frameworks")).to_contain_text("1. Budget")


def test_a_party_checks_the_plan_and_the_room_sees_it(server: Server, browser, screenshots):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Lindeplein")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    invited = console.call("party.invite", {"client_id": cid(meeting.id), "name": "Gemeente"})
    assert invited["ok"], invited
    console.wait_for(lambda: bool(console.views.get("parties")))
    link = console.views["parties"][0]["link"]
    errors: list[str] = []

    # The representative opens the personal link on a laptop and writes the kader.
    party = browser.new_context(**DESKTOP).new_page()
    party.on("pageerror", lambda e: errors.append(str(e)))
    claim_and_write_a_kader(party, link)
    assert console.call("framework.lock", {"client_id": cid(meeting.id)})["ok"]
    expect(party.locator("#frameworks-state")).to_contain_text("vastgezet")
    expect(party.locator("#framework-form")).to_be_hidden()

    # The room makes a three-agreement plan (driven over the protocol to keep it short).
    while console.views["meeting"]["phase"] != "proposals":
        ack = console.call("phase.advance", {"client_id": cid(meeting.id)})
        assert ack["ok"], ack
        console.wait_for(lambda v=ack["version"]: console.version >= v)
    author = joined_phone(server, meeting.code, "Fatima")
    titles = ["Speelplek bij de Lindelaan", "Buurtcafé op het plein", "Betere verlichting"]
    ids = []
    for title in titles:
        ack = author.call("proposal.create", {"client_id": cid(meeting.id), "title": title})
        assert ack["ok"], ack
        ids.append(ack["id"])
    # The party flags a possible conflict on its own screen, before the consent round.
    expect(party.locator("#flag-card")).to_be_visible()
    cafe = party.locator("#party-proposals > li").filter(has_text="Buurtcafé op het plein")
    cafe.get_by_role("button", name="Mogelijke botsing markeren").click()
    cafe.get_by_label("Hoe zou het kunnen botsen?").fill("Een café past niet in het budget.")
    cafe.get_by_role("button", name="Mogelijke botsing markeren").click()
    expect(cafe.locator(".flag")).to_contain_text("Botst mogelijk met kader 1: Budget")
    expect(cafe.locator(".flag")).to_contain_text("Een café past niet in het budget.")
    console.wait_for(lambda: len(console.views.get("framework_flags") or []) == 1)
    ack = console.call("phase.advance", {"client_id": cid(meeting.id)})
    assert ack["ok"], ack
    for pid in [*ids, None]:
        payload = {"client_id": cid(meeting.id)}
        payload.update({"proposal_id": pid} if pid else {"whole_plan": True})
        assert console.call("consent.open", payload)["ok"]
        closed = console.call("consent.close", {"client_id": cid(meeting.id)})
        assert closed["outcome"] == "adopted", closed
    ack = console.call("phase.advance", {"client_id": cid(meeting.id)})
    assert ack["ok"], ack

    beamer = browser.new_context(**BEAMER).new_page()
    beamer.on("pageerror", lambda e: errors.append(str(e)))
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")
    expect(beamer.locator("#check-view")).to_be_visible()
    expect(beamer.locator("#check-progress")).to_have_text("0 van 3 toetsen vastgelegd")

    # The party checks agreement by agreement.
    expect(party.locator("#check-card")).to_be_visible()
    cards = party.locator(".agreement-check")
    expect(cards).to_have_count(3)
    cards.nth(0).get_by_role("button", name="Past", exact=False).first.click()
    cards.nth(0).get_by_role("button", name="Vastleggen").click()
    expect(cards.nth(0)).to_contain_text("Vastgelegd.")
    second = cards.nth(1)
    second.get_by_role("button", name="✗ Past niet").click()
    second.get_by_role("button", name="Vastleggen").click()
    expect(second.locator(".form-error")).to_contain_text("Leg uit waarom de afspraak niet")
    reason = "Een café kost meer dan de 50.000 euro die de gemeente bijdraagt."
    second.get_by_label("Toelichting (verplicht als het niet past)").fill(reason)
    second.get_by_role("button", name="Vastleggen").click()
    expect(second).to_contain_text("Vastgelegd.")
    cards.nth(2).get_by_role("button", name="✓ Past").click()
    cards.nth(2).get_by_role("button", name="Vastleggen").click()
    expect(party.locator("#check-result")).to_have_text("Niet elke afspraak past binnen de kaders.")
    party.screenshot(path=str(screenshots / "party-check.png"), full_page=True)

    # The beamer shows the check filled in, with the reason.
    expect(beamer.locator("#check-progress")).to_have_text("3 van 3 toetsen vastgelegd")
    expect(beamer.locator("#check-outcome")).to_have_text(
        "Niet elke afspraak past binnen de kaders."
    )
    expect(beamer.locator("#check-reasons")).to_contain_text(reason)
    expect(beamer.locator(".cell.does_not_fit")).to_have_count(1)
    expect(beamer.locator(".cell.fits")).to_have_count(2)

    # The facilitator records a follow-up agreement in the console; the beamer shows it.
    console_page = browser.new_context(**DESKTOP)
    console_page.add_cookies(
        [{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()]
    )
    page = console_page.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/m/{meeting.id}")
    expect(page.locator("#check-panel")).to_be_visible()
    expect(page.locator("#check-status")).to_contain_text("Niet elke afspraak past")
    expect(page.locator("#blocked")).to_contain_text("Buurtcafé op het plein")
    page.get_by_label("Over afspraak").select_option(label="2. Buurtcafé op het plein")
    page.get_by_label("Wat er gebeurt").fill("Een kleiner plan voor het café, binnen budget")
    page.get_by_label("Wie het doet").fill("Werkgroep plein met de gemeente")
    page.get_by_label("Uiterlijk wanneer").fill("1 maart 2027")
    page.get_by_role("button", name="Vervolgafspraak vastleggen").click()
    expect(page.locator("#followups")).to_contain_text("Werkgroep plein met de gemeente")
    expect(page.locator("#blocked")).to_have_text("")
    page.screenshot(path=str(screenshots / "console-check.png"), full_page=True)
    expect(beamer.locator("#check-followups")).to_contain_text("Een kleiner plan voor het café")
    # No scrolling on the beamer.
    assert beamer.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    beamer.screenshot(path=str(screenshots / "beamer-check.png"))
    assert not errors, errors
