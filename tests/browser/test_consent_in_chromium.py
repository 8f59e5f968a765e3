"""Consent in Chromium: an objection with a reason, an amendment, a new round, adopted."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_proposals_in_chromium import join
from tests.browser.test_room_in_chromium import BEAMER
from tests.support import Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser


def test_an_objection_is_integrated_and_the_plan_is_made(server: Server, browser, screenshots):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens")
    console = console_client(server, anna, meeting.id)
    for n in range(3):
        assert console.call("phase.advance", {"client_id": f"bc-{meeting.id}-{n}"[:64]})["ok"]
    beamer = browser.new_context(**BEAMER).new_page()
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")
    phones = [
        join(browser, server, meeting.code, name, group)
        for name, group in [
            ("Fatima", "Bewoners"),
            ("Joël", "Jongeren"),
            ("Wethouder Smit", "Gemeente"),
        ]
    ]
    phones[0].get_by_label("Titel").fill("Een buurtcafé op het plein")
    phones[0].get_by_label("Omschrijving").fill("Elke vrijdag open.")
    phones[0].get_by_role("button", name="Voorstel indienen").click()
    expect(phones[0].locator("#propose-status")).to_be_visible()
    pid = next(
        int(k.split(":")[1])
        for k in console.call("state.snapshot")["snapshot"]["views"]
        if k.startswith("proposal:")
    )
    assert console.call("shortlist.set", {"client_id": f"bc-sl-{meeting.id}"[:64], "ids": [pid]})[
        "ok"
    ]
    assert console.call("phase.advance", {"client_id": f"bc-{meeting.id}-c"[:64]})["ok"]
    assert console.call(
        "consent.open", {"client_id": f"bc-o1-{meeting.id}"[:64], "proposal_id": pid}
    )["ok"]

    objector = phones[1]
    # The phone reads the text the round asks about above its answer buttons.
    expect(objector.locator("#consent-subject h3")).to_have_text("Een buurtcafé op het plein")
    expect(objector.locator("#consent-subject")).to_contain_text("Elke vrijdag open.")
    objector.get_by_role("button", name="Ik heb bezwaar").click()
    objector.get_by_role("button", name="Antwoord versturen").click()
    expect(objector.locator("#consent-error")).to_contain_text("Een bezwaar heeft een reden nodig")
    reason = "Op vrijdagavond is er al overlast; dan wordt het te druk."
    objector.get_by_label("Je bezwaar: welke schade doet het").fill(reason)
    objector.screenshot(path=str(screenshots / "phone-objection.png"), full_page=True)
    objector.get_by_role("button", name="Antwoord versturen").click()
    expect(objector.locator("#consent-status")).to_contain_text("Bezwaar")
    for phone in (phones[0], phones[2]):
        phone.get_by_role("button", name="Ik stem in", exact=True).click()
        phone.get_by_role("button", name="Antwoord versturen").click()
        expect(phone.locator("#consent-status")).to_contain_text("Jouw antwoord")
    expect(beamer.locator("#round-count")).to_have_text("3 van 3 hebben geantwoord")
    expect(beamer.locator("#round-objections")).to_contain_text(reason)
    beamer.screenshot(path=str(screenshots / "beamer-consent.png"))
    closed = console.call("consent.close", {"client_id": f"bc-c1-{meeting.id}"[:64]})
    assert closed["outcome"] == "not_adopted"
    expect(beamer.locator("#round-outcome")).to_contain_text("Niet aangenomen")

    # The facilitator amends; a new round; everyone consents.
    assert console.call(
        "proposal.edit",
        {
            "client_id": f"bc-am-{meeting.id}"[:64],
            "id": pid,
            "title": "Een buurtcafé op het plein, op zaterdag",
            "description": "Elke zaterdagmiddag open.",
        },
    )["ok"]
    assert console.call(
        "consent.open", {"client_id": f"bc-o2-{meeting.id}"[:64], "proposal_id": pid}
    )["ok"]
    for phone in phones:
        # The new version, with what changed marked: "vrijdag" struck, "zaterdag" added.
        expect(phone.locator("#consent-subject h3")).to_have_text(
            "Een buurtcafé op het plein, op zaterdag"
        )
        expect(phone.locator("#consent-subject del")).to_contain_text(["vrijdag"])
        expect(phone.locator("#consent-subject ins").first).to_be_visible()
    expect(beamer.locator("#text-pages ins").nth(1)).to_have_text("zaterdagmiddag")
    expect(beamer.locator("#text-kicker")).to_contain_text("gewijzigd sinds versie 1")
    for phone in phones:
        phone.get_by_role("button", name="Ik stem in", exact=True).click()
        phone.get_by_role("button", name="Antwoord versturen").click()
        expect(phone.locator("#consent-status")).to_contain_text("Jouw antwoord")
    assert (
        console.call("consent.close", {"client_id": f"bc-c2-{meeting.id}"[:64]})["outcome"]
        == "adopted"
    )
    expect(beamer.locator("#round-outcome")).to_have_text("Aangenomen: niemand heeft bezwaar.")
    agreement = console.call("state.snapshot")["snapshot"]["views"]["agreements"]["items"][0]
    assert console.call(
        "agreement.edit",
        {
            "client_id": f"bc-ag-{meeting.id}"[:64],
            "id": agreement["id"],
            "who": "Jongerenwerk en bewonersvereniging",
            "when": "vanaf maart",
        },
    )["ok"]
    assert console.call(
        "plan.update",
        {
            "client_id": f"bc-pl-{meeting.id}"[:64],
            "followup": "De kerngroep, binnen twee weken.",
            "evaluation": "In juni, in het buurthuis.",
        },
    )["ok"]
    assert console.call(
        "consent.open", {"client_id": f"bc-o3-{meeting.id}"[:64], "whole_plan": True}
    )["ok"]
    expect(phones[0].locator("#consent-title")).to_have_text("Kan iedereen leven met dit plan?")
    expect(phones[0].locator("#plan")).to_contain_text("Een buurtcafé op het plein, op zaterdag")
    expect(phones[0].locator("#plan")).to_contain_text("Jongerenwerk en bewonersvereniging")
    phones[0].screenshot(path=str(screenshots / "phone-plan.png"), full_page=True)
    for phone in phones:
        phone.get_by_role("button", name="Ik stem in", exact=True).click()
        phone.get_by_role("button", name="Antwoord versturen").click()
        expect(phone.locator("#consent-status")).to_contain_text("Jouw antwoord")
    assert (
        console.call("consent.close", {"client_id": f"bc-c3-{meeting.id}"[:64]})["outcome"]
        == "adopted"
    )
    assert console.call("phase.advance", {"client_id": f"bc-{meeting.id}-s"[:64]})["ok"]
    expect(beamer.locator("#text-view")).to_be_visible()
    expect(beamer.locator("#text-pages")).to_contain_text("Een buurtcafé op het plein, op zaterdag")
    beamer.screenshot(path=str(screenshots / "beamer-plan.png"))
    assert beamer.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    console.close()
    for page in (beamer, *phones):
        page.context.close()
