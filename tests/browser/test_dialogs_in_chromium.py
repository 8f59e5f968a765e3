"""Nothing irreversible on one click: merge, hide and remove ask in an in-page dialog
that names what happens and to whom; cancelling changes nothing; a merge can be undone
and restores both proposals with their supporters; the merged proposal's author is
told. Two people called Fatima are told apart on the console."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.browser.test_proposals_in_chromium import join
from tests.support import Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser

_ids = itertools.count()


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-dlg"


def ok(ack: dict) -> dict:
    assert ack.get("ok"), ack
    return ack


def test_merge_hide_and_remove_ask_first_and_merge_can_be_undone(
    server: Server, browser, screenshots
):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Dialogen")
    driver = console_client(server, anna, meeting.id)
    driver.wait_for(lambda: "meeting" in driver.views)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    ctx.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    console = ctx.new_page()
    browser_dialogs: list[str] = []
    console.on("dialog", lambda d: (browser_dialogs.append(d.message), d.dismiss()))
    console.goto(f"{server.url}/m/{meeting.id}")
    fatima = join(browser, server, meeting.code, "Fatima", "Bewoners")
    other = join(browser, server, meeting.code, "Fatima", "Jongeren")
    # Namesakes are told apart wherever the console shows people.
    people = console.locator("#people")
    expect(people).to_contain_text("Fatima (Bewoners)")
    expect(people).to_contain_text("Fatima (Jongeren)")

    ok(driver.call("phase.advance", {"client_id": cid("a")}))
    ok(driver.call("phase.advance", {"client_id": cid("a")}))  # sharing
    fatima.get_by_label("Jouw bijdrage").fill("Het is 's avonds te donker op het grasveld.")
    fatima.get_by_role("button", name="Delen").click()
    item = console.locator("#contributions li").filter(has_text="te donker")
    expect(item).to_be_visible()
    # Hide: the dialog quotes the text and says it is for good; cancel changes nothing.
    item.get_by_role("button", name="Verbergen").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("Het is 's avonds te donker op het grasveld.")
    expect(dialog).to_contain_text("komt niet terug")
    dialog.get_by_role("button", name="Annuleren").click()
    expect(dialog).to_be_hidden()
    expect(fatima.locator("#phone-wall")).to_contain_text("te donker")
    item.get_by_role("button", name="Verbergen").click()
    console.get_by_role("dialog").get_by_role("button", name="Definitief verbergen").click()
    expect(fatima.locator("#phone-wall")).not_to_contain_text("te donker")

    ok(driver.call("phase.advance", {"client_id": cid("a")}))  # proposals
    for page, title in ((fatima, "Lantaarnpalen bij het grasveld"), (other, "Meer licht")):
        page.get_by_label("Titel").fill(title)
        page.get_by_role("button", name="Voorstel indienen").click()
        expect(page.locator("#propose-status")).to_be_visible()
    ok(driver.call("voting.open", {"client_id": cid("vo")}))
    for page, title in ((fatima, "Meer licht"), (other, "Lantaarnpalen bij het grasveld")):
        page.get_by_role("button", name=f"Steunen: {title}").click()
        expect(page.get_by_role("button", name=f"Terughalen: {title}")).to_be_visible()
    ok(driver.call("voting.close", {"client_id": cid("vc")}))
    expect(console.locator("#voting-toggle")).to_have_text("Stemmen openen")

    def proposal(title: str):
        return console.locator("#proposal-list > li").filter(
            has=console.locator(":scope > span.grow", has_text=title)
        )

    source = proposal("Lantaarnpalen")
    expect(source).to_contain_text("1 steun")
    # Merge: picking the target opens the dialog; cancel leaves both proposals.
    source.get_by_role("combobox").select_option(label="Meer licht")
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("“Lantaarnpalen bij het grasveld” wordt samengevoegd met")
    expect(dialog).to_contain_text("tot het stemmen opengaat")
    console.screenshot(path=str(screenshots / "console-merge-dialog.png"))
    dialog.get_by_role("button", name="Annuleren").click()
    expect(console.locator("#proposal-list > li")).to_have_count(2)
    source.get_by_role("combobox").select_option(label="Meer licht")
    console.get_by_role("dialog").get_by_role("button", name="Samenvoegen").click()
    target = proposal("Meer licht")
    expect(source).to_have_count(0)
    expect(target).to_contain_text("is met dit voorstel samengevoegd")
    expect(target).to_contain_text("2 steun")
    # The author of the merged proposal is told on the phone.
    expect(fatima.locator("#proposal-notices")).to_contain_text(
        "Je voorstel “Lantaarnpalen bij het grasveld” is samengevoegd met “Meer licht”"
    )
    # Undo restores both proposals and their supporters.
    target.get_by_role("button", name="Samenvoegen ongedaan maken").click()
    console.get_by_role("dialog").get_by_role("button", name="Samenvoegen ongedaan maken").click()
    expect(console.locator("#proposal-list > li")).to_have_count(2)
    expect(proposal("Lantaarnpalen")).to_contain_text("1 steun")
    expect(proposal("Meer licht")).to_contain_text("1 steun")
    expect(fatima.locator("#proposal-notices")).to_be_hidden()

    # Remove: the dialog names the person (told apart from the namesake); cancel keeps them.
    row = console.locator("#people li").filter(has_text="Fatima (Jongeren)")
    row.get_by_role("button", name="Verwijderen Fatima (Jongeren)").click()
    dialog = console.get_by_role("dialog")
    expect(dialog).to_contain_text("Fatima (Jongeren)")
    dialog.get_by_role("button", name="Annuleren").click()
    expect(other.locator("#removed-view")).to_be_hidden()
    row.get_by_role("button", name="Verwijderen Fatima (Jongeren)").click()
    console.get_by_role("dialog").get_by_role(
        "button", name="Verwijderen uit de bijeenkomst"
    ).click()
    expect(other.locator("#removed-view")).to_be_visible()
    expect(fatima.locator("#removed-view")).to_be_hidden()
    assert browser_dialogs == []  # never the browser's own confirm or prompt
    driver.close()
    for page in (console, fatima, other):
        page.context.close()
