"""Nothing a person wrote is lost: a phone that reloads sees its own objection with its
reason; a phone whose network is gone for 90 s keeps its answer on the device (also
through a reload while offline), says it is waiting, and sends it once when the
network is back, with no error left on screen."""

from __future__ import annotations

import itertools
import sqlite3
import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_room_in_chromium import PHONE
from tests.support import Client, Proxy, Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser

_ids = itertools.count()


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-keep"


def ok(ack: dict) -> dict:
    assert ack.get("ok"), ack
    return ack


def to_round(server: Server, title: str) -> tuple[Client, int, str]:
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title=title)
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    return console, 0, meeting.code


def join(browser, base_url: str, code: str, name: str):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base_url}/j/{code}")
    page.get_by_label("Je naam").fill(name)
    page.get_by_text("Bewoners", exact=True).click()
    page.get_by_role("button", name="Meedoen").click()
    expect(page.locator("#phase")).to_be_visible()
    return page


def open_round(console: Client, phone) -> int:
    for _ in range(3):
        ok(console.call("phase.advance", {"client_id": cid("adv")}))
    phone.get_by_label("Titel").fill("Een hek om het grasveld")
    phone.get_by_role("button", name="Voorstel indienen").click()
    console.wait_for(lambda: any(k.startswith("proposal:") for k in console.views))
    pid = next(v["id"] for k, v in console.views.items() if k.startswith("proposal:"))
    ok(console.call("phase.advance", {"client_id": cid("adv")}))
    return ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pid}))["round_id"]


def test_a_phone_that_reloads_sees_its_objection_and_its_reason(server: Server, browser):
    console, _, code = to_round(server, "Plandag Herladen")
    phone = join(browser, server.url, code, "Noor")
    small = browser.new_context(viewport={"width": 320, "height": 568}, is_mobile=True).new_page()
    small.goto(f"{server.url}/j/{code}")
    small.get_by_label("Je naam").fill("Ilse")
    small.get_by_text("Bewoners", exact=True).click()
    small.get_by_role("button", name="Meedoen").click()
    open_round(console, phone)
    phone.get_by_role("button", name="Ik heb bezwaar").click()
    reason = "Een hek sluit de jongeren buiten."
    phone.get_by_label("Je bezwaar: welke schade doet het").fill(reason)
    phone.get_by_role("button", name="Antwoord versturen").click()
    expect(phone.locator("#consent-status")).to_contain_text("Bezwaar")
    # On a small phone, a question waiting below the fold is announced at the top.
    cue = small.locator("#question-cue")
    expect(cue).to_be_visible()
    cue.click()
    expect(small.locator("#consent-card")).to_be_in_viewport()
    expect(cue).to_be_hidden()
    small.context.close()
    phone.reload()
    expect(phone.locator("#consent-status")).to_contain_text(f"Jouw antwoord: Bezwaar: {reason}")
    expect(phone.get_by_role("button", name="Ik heb bezwaar")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(phone.get_by_label("Je bezwaar: welke schade doet het")).to_have_value(reason)
    console.close()
    phone.context.close()


def test_an_answer_given_offline_is_kept_through_a_reload_and_sent_once(
    server: Server, browser, screenshots
):
    console, _, code = to_round(server, "Plandag Zonder Netwerk")
    proxy = Proxy(server.port)  # the phone's network, which the test can take away
    phone = join(browser, proxy.url, code, "Sem")
    # The page and its assets are kept on the device by the service worker.
    phone.wait_for_function(
        "async () => !!(await caches.match(location.pathname))"
        " && !!navigator.serviceWorker.controller",
        timeout=20_000,
    )
    round_id = open_round(console, phone)
    expect(phone.get_by_role("button", name="Ik heb bezwaar")).to_be_visible()
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))

    proxy.cut()
    phone.context.set_offline(True)
    expect(phone.locator("#offline")).to_be_visible()
    time.sleep(90)  # a long outage: nothing gives up meanwhile
    phone.get_by_role("button", name="Ik heb bezwaar").click()
    reason = "Zonder uitleg aan de jongeren werkt een hek averechts."
    phone.get_by_label("Je bezwaar: welke schade doet het").fill(reason)
    phone.get_by_role("button", name="Antwoord versturen").click()
    expect(phone.locator("#consent-status")).to_contain_text("wacht op verbinding")
    # A reload while offline: the page comes from the device, the answer still waits.
    phone.reload()
    expect(phone.locator("#stale")).to_be_visible()
    expect(phone.locator("#consent-status")).to_contain_text("wacht op verbinding")
    expect(phone.get_by_role("button", name="Ik heb bezwaar")).to_have_attribute(
        "aria-pressed", "true"
    )
    phone.screenshot(path=str(screenshots / "phone-offline-waiting.png"), full_page=True)
    time.sleep(3)
    assert console.views["consent_tally"]["answered"] == 0  # nothing arrived meanwhile

    phone.context.set_offline(False)
    proxy.restore()
    expect(phone.locator("#consent-status")).to_contain_text(
        f"Jouw antwoord: Bezwaar: {reason}", timeout=30_000
    )
    expect(phone.locator("#stale")).to_be_hidden()
    for error_box in ("#consent-error", "#offline"):
        expect(phone.locator(error_box)).to_be_hidden()
    console.wait_for(lambda: console.views["consent_tally"]["answered"] == 1)
    assert console.views["consent_tally"]["objections"][0]["reason"] == reason
    # Stored exactly once, whatever was sent again on the way.
    db = sqlite3.connect(server.instance / "plandag.db")
    try:
        logged = db.execute(
            "SELECT count(*) FROM consent_log WHERE round_id = ? AND action = 'answer'",
            (round_id,),
        ).fetchone()[0]
    finally:
        db.close()
    assert logged == 1
    assert not errors, errors
    console.close()
    phone.context.close()
    proxy.close()
