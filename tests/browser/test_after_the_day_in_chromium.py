"""After the day, in Chromium: an anonymous meeting is sealed with a round on
publication; a participant's phone goes from its phone page to the plan page and marks
an agreement "under way" (the facilitator named her for it), another phone signals
"not working" with a reason, the facilitator's console shows the signal, the plan is
published and its public page (and feed) carry no names; without network the phone's
plan page shows the last loaded state with its time, and a signal typed offline is not
lost."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_proposals_in_chromium import join
from tests.browser.test_room_in_chromium import BEAMER
from tests.support import Phone, Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1280, "height": 720}, "locale": "nl-NL"}
SMALL = {"width": 320, "height": 568}
_ids = itertools.count()
NAMES = ["Fatima Yilmaz", "Kees Jansen", "Ayse Demir"]


def cid() -> str:
    return f"after-browser-{next(_ids)}"


def ok(ack: dict) -> dict:
    assert ack["ok"], ack
    return ack


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_the_plan_lives_on_after_the_day(server: Server, browser, screenshots: Path) -> None:
    errors: list[str] = []
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Havenkwartier")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    ok(console.call("sharing.settings", {"client_id": cid(), "anonymity": "anonymous"}))
    fatima = join(browser, server, meeting.code, "Fatima Yilmaz", "Bewoners")
    kees = join(browser, server, meeting.code, "Kees Jansen", "Jongeren")
    for page in (fatima, kees):
        page.on("pageerror", lambda e: errors.append(str(e)))
    ayse = Phone(server, meeting.code)
    assert ayse.join("Ayse Demir", "Gemeente").ok
    writer = ayse.connect()
    while console.views["meeting"]["phase"] != "proposals":
        ack = ok(console.call("phase.advance", {"client_id": cid()}))
        console.wait_for(lambda v=ack["version"]: console.version >= v)
    for title, what, who in [
        ("Speelplek bij de kade", "Een speelplek met bankjes", "Fatima Yilmaz en de school"),
        ("Buurtcafé op het plein", "Elke vrijdag open", "Werkgroep plein"),
    ]:
        ok(
            writer.call(
                "proposal.create", {"client_id": cid(), "title": title, "what": what, "who": who}
            )
        )
    ok(
        console.call(
            "plan.update",
            {
                "client_id": cid(),
                "followup": "Kees roept de groep bijeen",
                "evaluation": "De kerngroep, in het buurthuis",
                "followup_date": "2027-03-01",
                "evaluation_date": "2027-06-15",
                "evaluation_place": "Buurthuis De Kade",
            },
        )
    )
    ok(console.call("phase.advance", {"client_id": cid()}))
    console.wait_for(lambda: console.views["meeting"]["phase"] == "consent")
    proposals = sorted(int(k.split(":")[1]) for k in console.views if k.startswith("proposal:"))
    for payload in (*({"proposal_id": p} for p in proposals), {"whole_plan": True}):
        ok(console.call("consent.open", {"client_id": cid(), **payload}))
        assert ok(console.call("consent.close", {"client_id": cid()}))["outcome"] == "adopted"
    # The room is asked about publishing; the phones show the question.
    round_id = ok(console.call("consent.open", {"client_id": cid(), "publication": True}))[
        "round_id"
    ]
    beamer = browser.new_context(**BEAMER).new_page()
    beamer.on("pageerror", lambda e: errors.append(str(e)))
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")
    expect(beamer.locator("#text-kicker")).to_have_text("Mag het plan openbaar worden?")
    expect(beamer.locator("body")).to_contain_text("zonder namen")
    beamer.screenshot(path=str(screenshots / "beamer-publication-round.png"))
    beamer.context.close()
    expect(fatima.locator("#consent-title")).to_have_text("Mag het plan openbaar worden?")
    expect(fatima.locator("#consent-subject")).to_contain_text("zonder namen")
    fatima.locator("#consent-card [data-consent=consent]").click()
    ok(
        writer.call(
            "consent.answer", {"client_id": cid(), "round_id": round_id, "answer": "consent"}
        )
    )
    assert ok(console.call("consent.close", {"client_id": cid()}))["outcome"] == "adopted"
    ok(console.call("phase.advance", {"client_id": cid()}))
    console.wait_for(lambda: console.views["meeting"]["phase"] == "signing")
    ok(writer.call("signature.sign", {"client_id": cid(), "name": "Ayse Demir"}))
    ok(console.call("signing.close", {"client_id": cid()}))
    agreements = [a["id"] for a in console.views["agreements"]["items"]]
    writer.close()
    console.close()

    # The phone goes from its own page to the plan page.
    fatima.set_viewport_size(SMALL)
    expect(fatima.locator("#plan-after")).to_be_visible()
    fatima.get_by_role("link", name="Open de planpagina").click()
    expect(fatima.locator("h1")).to_have_text("Plandag Havenkwartier")
    expect(fatima.locator("#plan-fingerprint")).to_have_text(
        re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")
    )

    # The facilitator names Fatima for the first agreement.
    desk = browser.new_context(**DESKTOP)
    desk.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    facilitator = desk.new_page()
    facilitator.on("pageerror", lambda e: errors.append(str(e)))
    facilitator.goto(f"{server.url}/m/{meeting.id}/after")
    first = facilitator.locator(f"#agreement-{agreements[0]}")
    first.get_by_text("Wie is bij deze afspraak genoemd").click()
    first.get_by_label("Deelnemer").select_option(label="Fatima Yilmaz (Bewoners)")
    first.get_by_role("button", name="Noemen").click()
    expect(facilitator.locator(f"#agreement-{agreements[0]}")).to_contain_text(
        "Genoemd bij deze afspraak: Fatima Yilmaz"
    )

    # Fatima marks it "under way", with a note.
    fatima.reload()
    card = fatima.locator(f"#agreement-{agreements[0]}")
    card.get_by_label("Bezig").check()
    card.get_by_label("Notitie (niet verplicht)").fill(
        "De school doet mee; de bankjes komen in april."
    )
    card.get_by_role("button", name="Status opslaan").click()
    card = fatima.locator(f"#agreement-{agreements[0]}")
    expect(card.locator("[data-role=status]")).to_have_text("Bezig")
    expect(card.locator(".plan-history")).to_contain_text("de bankjes komen in april")
    no_sideways_scroll(fatima)
    fatima.screenshot(path=str(screenshots / "plan-page-phone.png"), full_page=True)

    # Kees cannot update it (no form for him), but signals that the café is not working.
    kees.set_viewport_size(SMALL)
    kees.goto(f"{server.url}/j/{meeting.code}/plan")
    expect(kees.locator(f"#agreement-{agreements[0]} form input[name=status]")).to_have_count(0)
    # An anonymous meeting: who is named for an agreement stays with the facilitators.
    expect(kees.locator(f"#agreement-{agreements[0]}")).not_to_contain_text(
        "Genoemd bij deze afspraak"
    )
    cafe = kees.locator(f"#agreement-{agreements[1]}")
    cafe.get_by_text("Laat weten: dit werkt niet").click()
    reason = "Het café is op vrijdag dicht: er zijn geen vrijwilligers."
    cafe.get_by_label("Wat werkt er niet, en waarom?").fill(reason)
    cafe.get_by_role("button", name="Verstuur het signaal").click()
    expect(kees.locator(f"#agreement-{agreements[1]} .plan-signals")).to_contain_text(reason)
    expect(kees.locator(f"#agreement-{agreements[1]} [data-role=signal-count]")).to_have_text(
        "1 signaal: werkt niet"
    )
    # Fatima is not in the reconvene group: she sees that there is a signal, not why.
    fatima.reload()
    expect(fatima.locator(f"#agreement-{agreements[1]} [data-role=signal-count]")).to_be_visible()
    expect(fatima.locator(f"#agreement-{agreements[1]}")).not_to_contain_text(reason)

    # The facilitator's console shows the signal and the statuses.
    facilitator.goto(f"{server.url}/m/{meeting.id}")
    summary = facilitator.locator("#after-summary")
    expect(summary).to_contain_text(reason)
    expect(summary).to_contain_text("Bezig: 1")
    facilitator.locator("#signing-panel").scroll_into_view_if_needed()
    facilitator.screenshot(path=str(screenshots / "console-after-the-day.png"), full_page=True)

    # Published after the room's consent: the public page shows no names.
    facilitator.goto(f"{server.url}/m/{meeting.id}/after#publication")
    publication = facilitator.locator("#publication")
    publication.get_by_label("Ik heb de voorbeeldweergave gelezen: publiceer precies dat.").check()
    publication.get_by_role("button", name="Publiceer").click()
    link = facilitator.locator("#public-link")
    expect(link).to_be_visible()
    facilitator.screenshot(path=str(screenshots / "plan-page-facilitator.png"), full_page=True)
    public = browser.new_context(**BEAMER).new_page()
    public.on("pageerror", lambda e: errors.append(str(e)))
    public.goto(f"{server.url}{link.get_attribute('href')}")
    expect(public.locator("h1")).to_have_text("Plandag Havenkwartier")
    text = public.locator("body").inner_text()
    assert "Speelplek bij de kade" in text and "Buurtcafé op het plein" in text
    for name in NAMES:
        for part in name.split():
            assert part not in text, part
    public.screenshot(path=str(screenshots / "published-plan.png"), full_page=True)
    feed = requests.get(f"{server.url}/plans.json").text
    assert "Fatima" not in feed and "Yilmaz" not in feed and "Plandag Havenkwartier" in feed

    # Without network the plan page still shows the plan, with when it was loaded.
    fatima.goto(f"{server.url}/j/{meeting.code}/plan")
    fatima.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null"
    )
    fatima.reload()  # now through the worker, which keeps the copy
    fatima.wait_for_timeout(300)
    fatima.context.set_offline(True)
    fatima.reload()
    banner = fatima.locator("#plan-offline")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Geen verbinding. Dit is het plan zoals het geladen is op")
    expect(fatima.locator(f"#agreement-{agreements[0]} [data-role=status]")).to_have_text("Bezig")
    # A signal typed without network is not sent, and its text stays.
    cafe = fatima.locator(f"#agreement-{agreements[1]}")
    cafe.get_by_text("Laat weten: dit werkt niet").click()
    cafe.get_by_label("Wat werkt er niet, en waarom?").fill("Ook op zaterdag dicht.")
    cafe.get_by_role("button", name="Verstuur het signaal").click()
    expect(fatima.locator(f"#reason-{agreements[1]}")).to_have_value("Ook op zaterdag dicht.")
    # ... in its own box only: the other agreement's box stays empty after a reload.
    fatima.reload()
    expect(fatima.locator(f"#reason-{agreements[1]}")).to_have_value("Ook op zaterdag dicht.")
    expect(fatima.locator(f"#reason-{agreements[0]}")).to_have_value("")
    fatima.screenshot(path=str(screenshots / "plan-page-offline.png"), full_page=True)
    fatima.context.set_offline(False)
    assert errors == []
