"""Signing in Chromium: one phone signs with a drawn signature, one declines with a
reason; the beamer counts; the facilitator closes signing, downloads the sealed .docx,
and the verify page says it is valid."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.test_proposals_in_chromium import join
from tests.browser.test_room_in_chromium import BEAMER
from tests.support import Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "nl-NL"}
_n = itertools.count()


def cid(meeting_id: str) -> str:
    return f"bs-{next(_n)}-{meeting_id}"[:64]


def test_phones_sign_and_the_sealed_plan_verifies(server: Server, browser, screenshots, tmp_path):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Zuidplein")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    errors: list[str] = []
    phones = [
        join(browser, server, meeting.code, name, group)
        for name, group in [("Fatima", "Bewoners"), ("Joël", "Jongeren")]
    ]
    for page in phones:
        page.on("pageerror", lambda e: errors.append(str(e)))
    while console.views["meeting"]["phase"] != "proposals":
        ack = console.call("phase.advance", {"client_id": cid(meeting.id)})
        assert ack["ok"], ack
        console.wait_for(lambda v=ack["version"]: console.version >= v)
    phones[0].get_by_label("Titel").fill("Een buurtcafé op het plein")
    phones[0].get_by_label("Omschrijving").fill("Elke vrijdag open.")
    phones[0].get_by_role("button", name="Voorstel indienen").click()
    expect(phones[0].locator("#propose-status")).to_be_visible()
    console.wait_for(lambda: any(k.startswith("proposal:") for k in console.views))
    pid = next(int(k.split(":")[1]) for k in console.views if k.startswith("proposal:"))
    assert console.call("phase.advance", {"client_id": cid(meeting.id)})["ok"]
    for payload in ({"proposal_id": pid}, {"whole_plan": True}):
        assert console.call("consent.open", {"client_id": cid(meeting.id), **payload})["ok"]
        closed = console.call("consent.close", {"client_id": cid(meeting.id)})
        assert closed["outcome"] == "adopted", closed
    assert console.call("phase.advance", {"client_id": cid(meeting.id)})["ok"]

    beamer = browser.new_context(**BEAMER).new_page()
    beamer.on("pageerror", lambda e: errors.append(str(e)))
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}")
    expect(beamer.locator("#signing-of")).to_have_text("0 van 2 ondertekend")

    signer = phones[0]
    expect(signer.locator("#sign-card")).to_be_visible()
    signer.get_by_role("button", name="Plan ondertekenen").click()
    expect(signer.locator("#sign-error")).to_contain_text("volledige naam")
    signer.get_by_label("Je volledige naam").fill("Fatima El Amrani")
    pad = signer.locator("#sign-pad").bounding_box()
    assert pad is not None
    signer.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] * 0.7)
    signer.mouse.down()
    for step in range(1, 12):
        signer.mouse.move(
            pad["x"] + 20 + step * pad["width"] / 14,
            pad["y"] + pad["height"] * (0.3 if step % 2 else 0.7),
        )
    signer.mouse.up()
    signer.screenshot(path=str(screenshots / "phone-signing.png"), full_page=True)
    signer.get_by_role("button", name="Plan ondertekenen").click()
    expect(signer.locator("#sign-status")).to_have_text(
        "Je hebt het plan ondertekend als Fatima El Amrani."
    )
    decliner = phones[1]
    decliner.get_by_label("Je volledige naam").fill("Joël de Wit")
    decliner.get_by_role("button", name="Ik teken niet").click()
    decliner.get_by_label("Waarom teken je niet?").fill("Ik wil eerst met mijn ouders praten.")
    decliner.get_by_role("button", name="Ik teken niet").click()
    expect(decliner.locator("#sign-status")).to_contain_text("niet ondertekend")
    expect(beamer.locator("#signing-of")).to_have_text("1 van 2 ondertekend")
    expect(beamer.locator("#signing-declined")).to_have_text("1 zag af van ondertekenen")
    expect(beamer.locator("#signing-names")).to_contain_text("Fatima El Amrani")
    beamer.screenshot(path=str(screenshots / "beamer-signing.png"))

    ctx = browser.new_context(**DESKTOP, accept_downloads=True)
    ctx.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_dialogs: list[str] = []
    page.on("dialog", lambda d: (browser_dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/m/{meeting.id}")
    expect(page.locator("#signing-count")).to_contain_text("1 van 2 ondertekend")
    expect(page.locator("#signing-people")).to_contain_text("Joël")
    page.get_by_role("button", name="Ondertekenen sluiten en het plan verzegelen").click()
    # Nothing irreversible on one click: the dialog names who can no longer sign.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("1 van 2 ondertekend")
    dialog.get_by_role("button", name="Ondertekenen sluiten en het plan verzegelen").click()
    expect(page.locator("#signing-downloads")).to_be_visible()
    expect(page.locator("#signing-fingerprint")).to_have_text(
        re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")
    )
    expect(signer.locator("#sign-status")).to_contain_text("verzegeld")
    expect(signer.locator("#sign-form")).to_be_hidden()
    page.screenshot(path=str(screenshots / "console-signing.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("link", name="Plan downloaden (.docx)").click()
    path = tmp_path / "plan.docx"
    info.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    assert "Fatima El Amrani" in text and "Een buurtcafé op het plein" in text
    assert "Ik wil eerst met mijn ouders praten." in text

    verify = ctx.new_page()
    verify.goto(f"{server.url}/verify")
    verify.get_by_label("Plandocument").set_input_files(str(path))
    verify.get_by_role("button", name="Controleren").click()
    expect(verify.locator("#result")).to_contain_text("Geldig")
    expect(verify.locator("#result")).to_contain_text("Plandag Zuidplein")
    verify.screenshot(path=str(screenshots / "verify.png"), full_page=True)
    assert not errors, errors
    assert browser_dialogs == []  # in-page dialogs only
