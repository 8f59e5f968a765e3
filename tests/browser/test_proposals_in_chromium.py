"""Proposals in Chromium: a table host writes, the beamer shows tables, phones dot-vote
and the ranking on the beamer moves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_room_in_chromium import BEAMER, PHONE
from tests.support import Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser


def join(browser, server: Server, code: str, name: str, group: str):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{server.url}/j/{code}")
    page.get_by_label("Je naam").fill(name)
    page.get_by_text(group, exact=True).click()
    page.get_by_role("button", name="Meedoen").click()
    expect(page.locator("#phase")).to_be_visible()
    return page


def test_a_host_writes_for_the_table_and_the_room_votes(server: Server, browser, screenshots):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens")
    console = console_client(server, anna, meeting.id)
    for n in range(3):
        assert console.call("phase.advance", {"client_id": f"bp-{meeting.id}-{n}"[:64]})["ok"]
    beamer = browser.new_context(**BEAMER).new_page()
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")
    host = join(browser, server, meeting.code, "Fatima", "Bewoners")
    guest = join(browser, server, meeting.code, "Wethouder Smit", "Gemeente")
    expect(host.locator("#phase")).to_have_text("Voorstellen")

    assert console.call(
        "tables.split",
        {
            "client_id": f"bp-split-{meeting.id}"[:64],
            "strategy": "mixed",
            "count": 1,
            "four_years": True,
        },
    )["ok"]
    console.wait_for(lambda: console.views["tables"]["active"])
    table = console.views["tables"]["tables"][0]
    fatima = next(m for m in table["members"] if m["name"] == "Fatima")
    assert console.call(
        "table.update",
        {"client_id": f"bp-host-{meeting.id}"[:64], "id": table["id"], "host_id": fatima["id"]},
    )["ok"]
    expect(host.locator("#table-host")).to_contain_text("tafelhoofd")
    expect(host.locator("#table-question")).to_contain_text("over vier jaar")
    expect(guest.locator("#propose-card")).to_be_hidden()  # only the host writes for the table
    host.get_by_label("Titel").fill("Een buurtcafé op het plein")
    host.get_by_label("Omschrijving").fill(
        "Elke vrijdag open, gerund door jongeren en ouderen samen."
    )
    host.get_by_role("button", name="Voorstel indienen").click()
    expect(host.locator("#propose-status")).to_have_text("Je voorstel staat op de lijst.")
    card = beamer.locator(".beamer-table").filter(has_text="Tafel 1")
    expect(card).to_contain_text("Een buurtcafé op het plein")
    expect(card).to_contain_text("Fatima")
    beamer.screenshot(path=str(screenshots / "beamer-tables.png"))

    # Back to plenary: everyone may write; then dot voting.
    assert console.call("tables.plenary", {"client_id": f"bp-plen-{meeting.id}"[:64]})["ok"]
    guest.get_by_label("Titel").fill("Speelplek met toezicht")
    guest.get_by_role("button", name="Voorstel indienen").click()
    expect(guest.locator("#propose-status")).to_be_visible()
    assert console.call(
        "voting.configure",
        {"client_id": f"bp-vc-{meeting.id}"[:64], "mode": "dots", "dots": 3, "max_per_proposal": 2},
    )["ok"]
    assert console.call("voting.open", {"client_id": f"bp-vo-{meeting.id}"[:64]})["ok"]
    expect(beamer.locator(".rank")).to_have_count(2)
    expect(beamer.locator(".rank .num").first).to_have_text("0")

    def support(page, title):
        page.get_by_role("button", name=f"Steunen: {title}").click()

    support(guest, "Speelplek met toezicht")
    support(guest, "Speelplek met toezicht")
    expect(guest.locator("#vote-status")).to_contain_text("Stippen over: 1")
    expect(beamer.locator(".rank").first).to_contain_text("Speelplek met toezicht")
    expect(beamer.locator(".rank").first.locator(".num")).to_have_text("2")
    support(host, "Een buurtcafé op het plein")
    support(host, "Een buurtcafé op het plein")
    support(guest, "Een buurtcafé op het plein")
    expect(beamer.locator(".rank").first).to_contain_text("Een buurtcafé op het plein")
    expect(beamer.locator(".rank").first.locator(".num")).to_have_text("3")
    # A third dot on one proposal cannot be given, and the phone says why; undo works.
    expect(host.get_by_role("button", name="Steunen: Een buurtcafé op het plein")).to_be_disabled()
    expect(host.locator("#proposals")).to_contain_text("Meer kan één voorstel niet krijgen: 2")
    guest.get_by_role("button", name="Terughalen: Speelplek met toezicht").click()
    expect(beamer.locator(".rank").nth(1).locator(".num")).to_have_text("1")
    guest.screenshot(path=str(screenshots / "phone-voting.png"), full_page=True)
    beamer.screenshot(path=str(screenshots / "beamer-ranking.png"))
    assert beamer.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    console.close()
    for page in (beamer, host, guest):
        page.context.close()
