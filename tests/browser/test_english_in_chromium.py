"""`?lang=en` speaks English on every screen and in the document: a whole meeting is run
with the console, beamer, phones and a framework party's screen in English, and no word
that only the Dutch catalog has may be left on any of them (names and what people typed
are English here, so anything Dutch is the product's own wording)."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from docx import Document

from tests.support import Client, console_client, create_meeting, login

pytestmark = pytest.mark.browser

PO = Path(__file__).resolve().parents[2] / "shared/translations/nl/LC_MESSAGES/messages.po"
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
#: names of the processes, the product and the language switch ("Nederlands" is
#: the name Dutch has for itself): the same in every language
PROPER = {"plandag", "alle", "hens", "nieuwe", "route", "atkinson", "hyperlegible", "nederlands"}

FIT_CHECK = (Path(__file__).parent / "fit_check.js").read_text()

_ids = itertools.count()


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-en"


def ok(ack: dict) -> dict:
    assert ack.get("ok"), ack
    return ack


def dutch_only_words() -> set[str]:
    """Words the Dutch catalog uses that no English source text uses."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    dutch: set[str] = set()
    english: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in ids:
            english.update(w.lower() for w in WORD.findall(text))
        for text in strings:
            dutch.update(w.lower() for w in WORD.findall(re.sub(r"\{\w+\}", "", text)))
    return dutch - english - PROPER


def dutch_in(text: str, dutch: set[str]) -> list[str]:
    return sorted({w for w in (w.lower() for w in WORD.findall(text)) if w in dutch})


SCREEN_TEXT = """() => {
  const parts = [document.body.innerText, document.title];
  for (const e of document.querySelectorAll("[aria-label],[placeholder],[title],[alt]")) {
    for (const a of ["aria-label", "placeholder", "title", "alt"]) {
      if (e.getAttribute(a)) parts.push(e.getAttribute(a));
    }
  }
  // Everything the scripts can show (the values, not the keys they are found by).
  const strings = document.getElementById("strings");
  const leaves = (v) =>
    typeof v === "string" ? parts.push(v) : Object.values(v || {}).forEach(leaves);
  if (strings) leaves(JSON.parse(strings.textContent));
  return parts.join("\\n");
}"""


def test_every_screen_and_the_document_speak_english(server, browser):
    dutch = dutch_only_words()
    assert {"vergadering", "voorstel", "kader", "bezwaar"} & dutch  # the check has teeth
    seen: dict[str, list[str]] = {}

    def look(page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        found = dutch_in(page.evaluate(SCREEN_TEXT), dutch)
        if found:
            seen[name] = found

    anna = login(server, "anna@example.org")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    page = ctx.new_page()
    for path in ("/?lang=en", "/meetings?lang=en", "/meetings/new?lang=en", "/verify?lang=en"):
        page.goto(server.url + path)
        look(page, path)
    anonymous = browser.new_context(locale="en-GB").new_page()
    for path in ("/login?lang=en", "/j?lang=en"):
        anonymous.goto(server.url + path)
        look(anonymous, path)
    meeting = create_meeting(
        anna,
        server,
        title="Linden Square plan day",
        template="nieuwe_route",
        language="en",
        open_question="How does the square become everyone's again?",
        issue_statement="Since the summer there has been tension around the square.",
        groups="Residents\nCouncil\nYouth",
        place="Community centre",
    )
    console: Client = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    page.goto(f"{server.url}/m/{meeting.id}?lang=en")
    beamer = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    beamer.goto(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}&lang=en")
    phone = browser.new_context(viewport={"width": 320, "height": 568}).new_page()
    phone.goto(f"{server.url}/j/{meeting.code}?lang=en")
    look(phone, "phone join")
    phone.get_by_label("Your name").fill("Sam")
    phone.get_by_text("Residents", exact=True).click()
    phone.get_by_role("button", name="Join").click()
    phone.locator("#phase").wait_for()
    party_id = ok(console.call("party.invite", {"client_id": cid("i"), "name": "Town council"}))[
        "id"
    ]
    console.wait_for(lambda: any(p["id"] == party_id for p in console.views.get("parties", [])))
    link = next(p["link"] for p in console.views["parties"] if p["id"] == party_id)
    party = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    party.goto(link + "?lang=en")
    look(party, "party (unclaimed)")
    kader = ok(
        console.call(
            "framework.save",
            {"client_id": cid("k"), "title": "Budget", "description": "At most 50,000 euros."},
        )
    )["id"]
    ok(console.call("framework.lock", {"client_id": cid("l")}))

    too_small: dict[str, list[str]] = {}

    def every_screen(phase: str) -> None:
        console.wait_for(lambda: console.views["meeting"]["phase"] == phase)
        for screen, name in ((page, "console"), (beamer, "beamer"), (phone, "phone")):
            screen.locator("body").wait_for()
            look(screen, f"{name} in {phase}")
        # The back of the hall reads the beamer in every phase: 20 px at least at 720 lines.
        problems = beamer.evaluate(FIT_CHECK, 20)
        if problems["small"] or problems["over"]:
            too_small[phase] = problems["small"] + problems["over"]

    def advance(to: str) -> None:
        ok(console.call("phase.advance", {"client_id": cid("a")}))
        every_screen(to)

    every_screen("welcome")
    advance("framing")
    ok(console.call("recognition.open", {"client_id": cid("r")}))
    every_screen("framing")
    advance("sharing")
    phone.get_by_label("Your contribution").fill("It is too dark on the square at night.")
    phone.get_by_role("button", name="Share").click()
    every_screen("sharing")
    advance("proposals")
    phone.get_by_label("Title").fill("Lights on the square")
    phone.get_by_role("button", name="Submit proposal").click()
    console.wait_for(lambda: any(k.startswith("proposal:") for k in console.views))
    pid = next(v["id"] for k, v in console.views.items() if k.startswith("proposal:"))
    ok(console.call("voting.open", {"client_id": cid("vo")}))
    every_screen("proposals")
    ok(console.call("voting.close", {"client_id": cid("vc")}))
    ok(console.call("shortlist.set", {"client_id": cid("sl"), "ids": [pid]}))
    advance("consent")
    for whole in (False, True):
        payload = {"client_id": cid("o")}
        payload.update({"whole_plan": True} if whole else {"proposal_id": pid})
        round_id = ok(console.call("consent.open", payload))["round_id"]
        phone.wait_for_function(
            "(r) => (window.plandagLive.views.consent || {}).id === r", arg=round_id
        )
        phone.get_by_role("button", name="I object").click()
        phone.get_by_label("Your objection").fill("Too bright for the neighbours.")
        every_screen("consent")
        phone.get_by_role("button", name="I consent", exact=True).click()
        phone.get_by_role("button", name="Send my answer").click()
        console.wait_for(lambda r=round_id: console.views["consent_tally"]["answered"] == 1)
        ok(console.call("consent.close", {"client_id": cid("c")}))
    every_screen("consent")
    advance("framework_check")
    console.wait_for(lambda: console.views["agreements"]["items"])
    agreement = console.views["agreements"]["items"][0]["id"]
    ok(
        console.call(
            "check.record",
            {
                "client_id": cid("ch"),
                "agreement_id": agreement,
                "framework_id": kader,
                "verdict": "fits",
            },
        )
    )
    every_screen("framework_check")
    advance("signing")
    phone.get_by_label("Your full name").fill("Sam Jones")
    phone.get_by_role("button", name="Sign the plan").click()
    every_screen("signing")
    ok(console.call("signing.close", {"client_id": cid("cl")}))
    every_screen("signing")
    document = anna.get(f"{server.url}/m/{meeting.id}/plan.docx")
    assert document.status_code == 200
    doc = Document(io.BytesIO(document.content))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    found = dutch_in(text, dutch)
    if found:
        seen["the plan document"] = found
    assert not seen, seen
    assert not too_small, too_small
    console.close()
