"""Framing and sharing in Chromium: the recognition check, the wall, hostile and long
texts, the spotlight."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_room_in_chromium import BEAMER, PHONE
from tests.support import Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
# 1,000 characters of Dutch with diacritics
LONG = (
    "Wij, de bewoners van het Zuidplein, willen dat de jongeren én de ouderen "
    "zich weer thuis voelen; geen ruzie meer over geluidsoverlast, maar een café "
    "waar iedereen welkom is. Ook de coöperatie en de gemeente doen mee. "
) * 10
LONG = LONG[:1000]


def test_the_wall_shows_hostile_and_long_texts_as_plain_text(server: Server, browser, screenshots):
    assert len(LONG) == 1000
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens")
    console = console_client(server, anna, meeting.id)
    dialogs: list[str] = []

    beamer = browser.new_context(**BEAMER).new_page()
    beamer.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")

    phone = browser.new_context(**PHONE).new_page()
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    phone.goto(f"{server.url}/j/{meeting.code}")
    phone.get_by_label("Je naam").fill("Zoë")
    phone.get_by_text("Bewoners", exact=True).click()
    phone.get_by_role("button", name="Meedoen").click()
    expect(phone.locator("#phase")).to_have_text("Inloop")

    # Framing: the recognition check, answered on the phone, live on the beamer.
    assert console.call("phase.advance", {"client_id": "b3-adv-0001"})["ok"]
    assert console.call("recognition.open", {"client_id": "b3-rec-0001"})["ok"]
    expect(
        phone.get_by_role("heading", name="Herken je jezelf in de kwestieomschrijving?")
    ).to_be_visible()
    phone.get_by_role("button", name="Deels").click()
    phone.get_by_label("Toelichting (niet verplicht)").fill(
        "De jongeren komen er te weinig in voor."
    )
    phone.get_by_role("button", name="Antwoord versturen").click()
    expect(phone.locator("#recognition-status")).to_contain_text("opgeslagen")
    expect(beamer.locator(".bar.partly .num")).to_have_text("1")
    beamer.screenshot(path=str(screenshots / "beamer-recognition.png"))

    # Sharing: write on the phone.
    assert console.call("phase.advance", {"client_id": "b3-adv-0002"})["ok"]
    assert console.call(
        "prompt.create",
        {"client_id": "b3-prm-0001", "text": "Wat is er gebeurd, en wat deed het met je?"},
    )["ok"]
    box = phone.get_by_label("Jouw bijdrage")
    expect(box).to_be_visible()
    box.fill(HOSTILE)
    phone.get_by_role("button", name="Delen", exact=True).click()
    expect(phone.locator("#mine .card").first).to_contain_text(HOSTILE)
    box.fill(LONG)
    expect(phone.locator("#counter")).to_have_text("1000 / 1000")
    phone.screenshot(path=str(screenshots / "phone-writing.png"), full_page=True)
    # Acks arrive late (a busy room): the next text is typed while this share waits.
    phone.evaluate(
        """() => {
          const socket = window.plandagLive.socket, timeout = socket.timeout.bind(socket);
          socket.timeout = (ms) => {
            const sender = timeout(ms), emit = sender.emit.bind(sender);
            sender.emit = (event, body, done) =>
              emit(event, body, (err, ack) => setTimeout(() => done(err, ack), 700));
            return sender;
          };
        }"""
    )
    phone.get_by_role("button", name="Delen", exact=True).click()
    too_long = LONG + "!"
    box.fill(too_long)
    expect(phone.locator("#mine .card")).to_have_count(2)
    expect(phone.locator("#write-status")).to_have_text("Gedeeld. Je kunt nog meer schrijven.")
    assert box.input_value() == too_long  # the late ack left what was typed since
    phone.get_by_role("button", name="Delen", exact=True).click()
    error = phone.locator("#write-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile("1000 tekens.*1001"))
    assert box.input_value() == too_long  # nothing the person typed is lost
    expect(phone.locator("#mine .card")).to_have_count(2)

    # The beamer shows both as text; no element was injected, no dialog fired.
    expect(beamer.locator(".wall .note")).to_have_count(2)
    expect(beamer.locator(".wall .note").filter(has_text=HOSTILE)).to_have_count(1)
    expect(beamer.locator(".wall .note").filter(has_text="coöperatie")).to_have_count(1)
    assert (
        beamer.locator(".wall img").count() == 0 and phone.locator("#phone-wall img").count() == 0
    )
    expect(phone.locator("#phone-wall .card").filter(has_text=HOSTILE)).to_have_count(1)
    beamer.screenshot(path=str(screenshots / "beamer-wall.png"))

    # Spotlight one contribution in large type.
    long_id = max(
        int(k.split(":")[1])
        for k in console.call("state.snapshot")["snapshot"]["views"]
        if k.startswith("contribution:")
    )
    assert console.call("wall.spotlight", {"client_id": "b3-spot-001", "id": long_id})["ok"]
    expect(beamer.locator("#spotlight")).to_be_visible()
    expect(beamer.locator("#spotlight-text")).to_contain_text("Zuidplein")
    beamer.screenshot(path=str(screenshots / "beamer-spotlight.png"))
    assert beamer.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    assert dialogs == []
    console.close()
    beamer.context.close()
    phone.context.close()
