"""The console and a phone in Chromium through nginx in front of two workers: what an
operator sees after following docs/deploy.md."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.scaleout.conftest import Cluster
from tests.support import PASSWORD

pytestmark = [pytest.mark.scaleout, pytest.mark.browser]


def test_a_console_and_phones_through_nginx_see_each_other(cluster: Cluster, browser, screenshots):
    cluster.revive()
    front = cluster.nginx.url
    # nginx serves the assets itself (its ETag is "<mtime>-<size>" in hex; a worker's
    # would have a third part), the workers the pages.
    css = requests.get(f"{front}/static/css/plandag.css", timeout=10)
    assert css.ok and "public" in css.headers.get("Cache-Control", "")
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', css.headers.get("ETag", "")), css.headers
    direct = requests.get(f"{cluster.workers[0].url}/static/css/plandag.css", timeout=10)
    assert direct.headers.get("ETag") != css.headers.get("ETag")
    errors: list[str] = []
    console_ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="nl-NL")
    console = console_ctx.new_page()
    console.on("pageerror", lambda e: errors.append(str(e)))
    console.goto(f"{front}/login")
    console.get_by_label("E-mailadres").fill("anna@example.org")
    console.get_by_label("Wachtwoord").fill(PASSWORD)
    console.get_by_role("button", name="Inloggen").click()
    expect(console).to_have_url(re.compile(r"/meetings$"))
    console.get_by_role("link", name="Nieuwe bijeenkomst").click()
    console.get_by_label("Titel").fill("Wijkplan Noord (via nginx)")
    console.get_by_label("Open vraag").fill("Hoe maken we de wijk samen veiliger?")
    console.get_by_label("Kwestieomschrijving").fill("Zorgen over het park na de winter.")
    console.get_by_label("Groepen in de zaal").fill("Bewoners\nGemeente")
    console.get_by_role("button", name="Bijeenkomst aanmaken").click()
    expect(console.locator("#phase-now")).to_have_text("Inloop")
    join = console.locator("#join-url").input_value()
    assert join.startswith(front + "/j/"), join  # the QR code names nginx, not a worker

    phones = []
    for i, name in enumerate(["Fatima", "Joël", "Wethouder Smit", "Sanne"]):
        ctx = browser.new_context(
            viewport={"width": 320, "height": 568}, is_mobile=True, has_touch=True, locale="nl-NL"
        )
        phone = ctx.new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.goto(join)
        phone.get_by_label("Je naam").fill(name)
        phone.get_by_text(["Bewoners", "Gemeente"][i % 2], exact=True).click()
        phone.get_by_role("button", name="Meedoen").click()
        expect(phone.locator("#phase")).to_have_text("Inloop")
        phones.append(phone)
    expect(console.locator("#online-count")).to_have_text("4")
    phones[0].screenshot(path=str(screenshots / "phone-through-nginx.png"))
    console.screenshot(path=str(screenshots / "console-through-nginx.png"))
    # The facilitator moves on; every phone follows, whichever worker it is on.
    console.locator("#advance").click()
    for phone in phones:
        expect(phone.locator("#phase")).not_to_have_text("Inloop")
    assert errors == []
