"""The phone in the languages of the neighbourhood: a person picks English, Arabic,
Turkish or Polish on the join screen of a Dutch meeting, joins, answers the recognition
check, objects with a reason (and is refused without one, in their language), and signs.
At every step no Dutch text of the catalog is left on the phone outside the room's
shared texts (marked with the meeting's language), the page speaks the person's
language, and Arabic is laid out right to left with nothing overflowing 320 px. The
console lists the languages in the room, and the sealed plan names them."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from docx import Document
from playwright.sync_api import Page, expect

from tests.support import Server, console_client, create_meeting, login

pytestmark = pytest.mark.browser

CATALOGS = Path(__file__).resolve().parents[2] / "shared" / "translations"
PHONE = {
    "viewport": {"width": 320, "height": 568},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "nl-NL",  # a Dutch phone: the person picks their language on the page
}
LANGS = ("en", "ar", "tr", "pl")
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")
_n = itertools.count()


def cid(meeting_id: str) -> str:
    return f"lg-{next(_n)}-{meeting_id}"[:64]


def strings(lang: str) -> list[str]:
    """Every text of a catalog (every plural form); English: the source texts."""
    if lang == "en":
        with (CATALOGS / "messages.pot").open("rb") as fh:
            found = [m.id for m in read_po(fh) if m.id]
    else:
        with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            found = [m.string for m in read_po(fh) if m.id]
    out: list[str] = []
    for s in found:
        out.extend(s if isinstance(s, tuple) else [s])
    return out


def dutch_fragments(lang: str, source: str = "nl") -> set[str]:
    """Pieces of Dutch (or, with `source="en"`, English) catalog text long enough to be
    unmistakable, which the other language's catalog does not also contain (a name,
    "QR", a number)."""
    theirs = " ".join(strings(lang))
    out = set()
    for text in strings(source):
        for piece in PLACEHOLDER.split(text):
            piece = piece.strip(" .,:;()“”\"'–-·…")
            if len(piece) >= 14 and " " in piece and piece not in theirs:
                out.add(piece)
    return out


#: the phone's text a person reads, without the room's shared texts (they stay in the
#: meeting's language and are marked so) and what people typed
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('body [lang="nl"], script, style, [hidden]')) continue;
    if (!el.checkVisibility()) continue;
    out.push(node.textContent);
  }
  return out.join(" ").replace(/\\s+/g, " ");
}"""

OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility()) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.closest(".visually-hidden")) continue;
    if (r.right > w + 1 || r.left < -1) bad.push(el.tagName + "#" + el.id + "." + el.className);
  }
  if (document.documentElement.scrollWidth > w + 1) bad.push("page scrolls sideways");
  return bad;
}"""


def check_screen(page: Page, lang: str, fragments: set[str], step: str) -> None:
    """`fragments`: Dutch catalog text, and for Arabic, Turkish and Polish English
    source text too (a string that fell back to the source)."""
    assert page.evaluate("document.documentElement.lang") == lang, step
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    text = page.evaluate(VISIBLE_TEXT)
    left = sorted(f for f in fragments if f in text)
    assert not left, f"{lang}, {step}: Dutch or English text left on the phone: {left[:5]}"
    if lang == "ar":
        assert not page.evaluate(OVERFLOW), (step, page.evaluate(OVERFLOW))


def test_a_phone_takes_part_in_its_own_language(server: Server, browser, screenshots):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Lindeplein", template="alle_hens")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    fragments = {
        lang: dutch_fragments(lang) | (dutch_fragments(lang, "en") if lang != "en" else set())
        for lang in LANGS
    }
    assert all(len(f) > 300 for f in fragments.values()), {k: len(v) for k, v in fragments.items()}
    errors: list[str] = []
    phones: dict[str, Page] = {}

    def advance_to(phase: str) -> None:
        while console.views["meeting"]["phase"] != phase:
            ack = console.call("phase.advance", {"client_id": cid(meeting.id)})
            assert ack["ok"], ack
            console.wait_for(lambda v=ack["version"]: console.version >= v)

    def each(step: str) -> None:
        for lang, page in phones.items():
            check_screen(page, lang, fragments[lang], step)
            if lang == "ar":
                page.screenshot(path=str(screenshots / f"phone-ar-{step}.png"), full_page=True)

    # Each person opens the Dutch join page and picks their language there.
    for lang in LANGS:
        page = browser.new_context(**PHONE).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server.url}/j/{meeting.code}")
        assert page.evaluate("document.documentElement.lang") == "nl"
        # the check sees Dutch where there is Dutch (the page before the choice)
        dutch = page.evaluate(VISIBLE_TEXT)
        assert [f for f in fragments[lang] if f in dutch], dutch
        page.locator(f'.lang-row a[hreflang="{lang}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("#room-language")).to_be_visible()  # the room speaks Dutch
        phones[lang] = page
    each("join")
    for n, page in enumerate(phones.values()):
        page.locator("#name").fill(f"Buur {n}")
        page.locator('#groups input[value="Bewoners"]').check()
        page.locator("#join-button").click()
        expect(page.locator("#phase")).to_be_visible()
    console.wait_for(lambda: len(console.views["counts"].get("languages", [])) == 4)
    assert {x["language"]: x["joined"] for x in console.views["counts"]["languages"]} == {
        lang: 1 for lang in LANGS
    }
    each("joined")
    # The facilitator sees who reads in which language, and is told to arrange a tolk.
    desk = browser.new_context(viewport={"width": 1280, "height": 720}, locale="nl-NL")
    desk.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    console_page = desk.new_page()
    console_page.on("pageerror", lambda e: errors.append(str(e)))
    console_page.goto(f"{server.url}/m/{meeting.id}")
    expect(console_page.locator("#room-languages")).to_contain_text("Talen in de zaal:")
    for name in ("Engels 1", "Arabisch 1", "Turks 1", "Pools 1"):
        expect(console_page.locator("#room-languages")).to_contain_text(name)
    expect(console_page.locator("#interpretation")).to_contain_text("tolk")
    expect(console_page.locator('#people li .lang-tag[title="Arabisch"]')).to_have_text("AR")
    console_page.locator("#room-languages").scroll_into_view_if_needed()
    console_page.screenshot(path=str(screenshots / "console-languages.png"))

    advance_to("framing")
    assert console.call("recognition.open", {"client_id": cid(meeting.id)})["ok"]
    for page in phones.values():
        expect(page.locator("#recognition-card")).to_be_visible()
        page.locator('#recognition-card [data-answer="partly"]').click()
        page.locator("#recognition-send").click()
        expect(page.locator("#recognition-status")).not_to_be_empty()
    each("recognition")
    console.wait_for(lambda: console.views["recognition_tally"]["answered"] == 4)

    advance_to("proposals")
    author = phones["en"]
    author.locator("#proposal-title").fill("Een speelplek bij de Lindelaan")
    author.locator("#propose-send").click()
    expect(author.locator("#propose-status")).not_to_be_empty()
    author.locator("#proposal-title").fill("Een buurtcafé op het plein")
    author.locator("#propose-send").click()
    console.wait_for(lambda: sum(k.startswith("proposal:") for k in console.views) == 2)
    first, second = sorted(int(k.split(":")[1]) for k in console.views if k.startswith("proposal:"))
    advance_to("consent")
    assert console.call("consent.open", {"client_id": cid(meeting.id), "proposal_id": first})["ok"]
    for page in phones.values():
        expect(page.locator("#consent-card")).to_be_visible()
        page.locator('#consent-card [data-consent="objection"]').click()
        page.locator("#consent-send").click()  # no reason: refused, in their language
        expect(page.locator("#consent-error")).to_be_visible()
    each("objection-refused")
    for n, page in enumerate(phones.values()):
        page.locator("#consent-text").fill(f"Te weinig ruimte voor de buren ({n}).")
        page.locator("#consent-send").click()
        expect(page.locator("#consent-status")).not_to_be_empty()
    each("objection")
    console.wait_for(lambda: console.views["consent_tally"]["answered"] == 4)
    assert console.call("consent.close", {"client_id": cid(meeting.id)})["outcome"] == (
        "not_adopted"
    )
    for payload in ({"proposal_id": second}, {"whole_plan": True}):
        assert console.call("consent.open", {"client_id": cid(meeting.id), **payload})["ok"]
        assert console.call("consent.close", {"client_id": cid(meeting.id)})["outcome"] == "adopted"

    advance_to("signing")
    for n, page in enumerate(phones.values()):
        expect(page.locator("#sign-card")).to_be_visible()
        page.locator("#sign-name").fill(f"Buur Nummer {n}")
        page.locator("#sign-submit").click()
        expect(page.locator("#sign-status")).to_contain_text(f"Buur Nummer {n}")
    each("signed")
    closed = console.call("signing.close", {"client_id": cid(meeting.id)})
    assert closed["ok"], closed
    assert not errors, errors

    # The console names the room's languages; the sealed plan lists them.
    docx = anna.get(f"{server.url}/m/{meeting.id}/plan.docx")
    assert docx.ok, docx.status_code
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Talen waarin de deelnemers hun scherm lazen:" in text, text[:2000]
    for name in ("Engels (1)", "Arabisch (1)", "Turks (1)", "Pools (1)"):
        assert name in text
    console.close()
