"""A facilitator and three phones in Chromium, as people would use Plandag."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD, Server

pytestmark = pytest.mark.browser

# A Dutch venue: the browsers ask for Dutch, as most phones in the room will.
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "nl-NL",
}
BEAMER = {"viewport": {"width": 1920, "height": 1080}, "locale": "nl-NL"}


def test_facilitator_runs_a_room_that_three_phones_follow(server: Server, browser, screenshots):
    console_ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    console = console_ctx.new_page()
    errors: list[str] = []
    console.on("pageerror", lambda e: errors.append(str(e)))

    console.goto(f"{server.url}/login")
    console.get_by_label("E-mailadres").fill("anna@example.org")
    console.get_by_label("Wachtwoord").fill(PASSWORD)
    console.get_by_role("button", name="Inloggen").click()
    expect(console).to_have_url(re.compile(r"/meetings$"))

    console.get_by_role("link", name="Nieuwe bijeenkomst").click()
    console.get_by_label("Titel").fill("Plandag Zuidplein")
    console.get_by_label("Proces").select_option("alle_hens")
    console.get_by_label("Open vraag").fill("Hoe wordt het plein weer van iedereen?")
    console.get_by_label("Kwestieomschrijving").fill(
        "Sinds de zomer is er spanning rond het plein tussen jongeren en omwonenden."
    )
    console.get_by_label("Groepen in de zaal").fill("Bewoners\nJongeren\nGemeente")
    console.get_by_label("Plaats").fill("Buurthuis De Linde")
    console.get_by_role("button", name="Bijeenkomst aanmaken").click()
    expect(console.locator("#phase-now")).to_have_text("Inloop")

    beamer_ctx = browser.new_context(**BEAMER)
    beamer = beamer_ctx.new_page()
    beamer.on("pageerror", lambda e: errors.append(str(e)))
    with console.expect_popup() as popup:
        console.get_by_role("link", name="Beamerscherm openen").click()
    beamer_url = popup.value.url
    popup.value.close()
    beamer.goto(beamer_url)
    expect(beamer.locator("#phase")).to_have_text("Inloop")
    join_url = beamer.locator("#url").inner_text()
    assert join_url.startswith(server.url + "/j/")
    expect(beamer.locator("#qr")).to_be_visible()
    qr_box = beamer.locator("#qr").bounding_box()
    assert qr_box and qr_box["width"] > 350, "the QR code must be large on the beamer"
    expect(beamer.locator("#online")).to_have_text("0 deelnemers online")

    phones = []
    for name, group in [
        ("Fatima", "Bewoners"),
        ("Joël", "Jongeren"),
        ("Wethouder Smit", "Gemeente"),
    ]:
        ctx = browser.new_context(**PHONE)
        phone = ctx.new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.goto(join_url)
        phone.get_by_label("Je naam").fill(name)
        phone.get_by_text(group, exact=True).click()
        if not phones:
            phone.screenshot(path=str(screenshots / "phone-join.png"))
        phone.get_by_role("button", name="Meedoen").click()
        expect(phone.locator("#phase")).to_have_text("Inloop")
        expect(phone.locator("#you-name")).to_have_text(name)
        phones.append(phone)

    expect(beamer.locator("#online")).to_have_text("3 deelnemers online")
    expect(console.locator("#online-count")).to_have_text("3")
    expect(console.locator("#people .dot.on")).to_have_count(3)
    expect(console.locator("#beamer-count")).to_have_text("1")
    beamer.screenshot(path=str(screenshots / "beamer-welcome.png"))

    console.get_by_role("button", name="Volgende: Kadering").click()
    expect(console.locator("#phase-now")).to_have_text("Kadering")
    expect(beamer.locator("#phase")).to_have_text("Kadering")
    expect(beamer.locator("#online")).to_have_text("3 deelnemers online")
    for phone in phones:
        expect(phone.locator("#phase")).to_have_text("Kadering")
        expect(phone.locator("#statement")).to_contain_text("spanning rond het plein")
    expect(console.locator("#timer")).to_have_text(re.compile(r"^0:0\d$"))

    console.screenshot(path=str(screenshots / "console.png"), full_page=True)
    beamer.screenshot(path=str(screenshots / "beamer.png"))
    phones[0].screenshot(path=str(screenshots / "phone.png"), full_page=True)

    # Beamer never scrolls; phones fit 320 px without sideways scrolling.
    assert beamer.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    phones[1].set_viewport_size({"width": 320, "height": 640})
    assert phones[1].evaluate("document.documentElement.scrollWidth <= 320")
    assert errors == []
    for page in [console, beamer, *phones]:
        page.context.close()


def test_english_on_request(server: Server, browser):
    page = browser.new_page(locale="nl-NL")
    page.goto(f"{server.url}/login?lang=en")
    expect(page.get_by_role("heading", name="Log in as a facilitator")).to_be_visible()
    page.goto(f"{server.url}/j")  # the choice is remembered
    expect(page.get_by_role("heading", name="Join a meeting")).to_be_visible()
    page.close()
    english_phone = browser.new_page(locale="en-GB")
    english_phone.goto(f"{server.url}/j")
    expect(english_phone.get_by_role("heading", name="Join a meeting")).to_be_visible()
    english_phone.close()
    dutch = browser.new_page(locale="nl-NL")
    dutch.goto(f"{server.url}/j")
    expect(dutch.get_by_role("heading", name="Meedoen aan een bijeenkomst")).to_be_visible()
    dutch.close()
