"""WCAG 2.2 A/AA, checked by axe-core on every screen of a whole meeting: the join page,
the phone in every phase, the framework party's screen, the console, the beamer, the
login page, the meeting form, /verify and the plan page, in Dutch and in Arabic, at a
phone's 320×568 and a laptop's 1280×720. Every violation axe finds fails the test; the
whole report is saved for CI (``test-artifacts/axe-report.json``).

axe-core comes from npm and is vendored under ``tests/browser/vendor`` for the tests
only: it is never served to users."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_kaders_in_chromium import claim_and_write_a_kader
from tests.support import Server, console_client, create_meeting, joined_phone, login

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(
    os.environ.get("PLANDAG_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
SIZES = {"phone": {"width": 320, "height": 568}, "laptop": {"width": 1280, "height": 720}}
LANGUAGES = ("nl", "ar")
#: every WCAG 2.0, 2.1 and 2.2 rule of level A and AA that axe has
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
_n = itertools.count()


def cid(meeting_id: str) -> str:
    return f"ax-{next(_n)}-{meeting_id}"[:64]


class Audit:
    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []

    def check(self, page: Page, screen: str, phase: str, url: str) -> None:
        """The screen at `url` in each language and size: axe's violations recorded."""
        for lang in LANGUAGES:
            sep = "&" if "?" in url else "?"
            page.set_viewport_size(SIZES["phone"])
            page.goto(f"{url}{sep}lang={lang}")
            page.wait_for_load_state("load")
            for size, viewport in SIZES.items():
                # one load per language; the other size is the same page resized (the
                # beamer lays its pages out again, the console its columns)
                page.set_viewport_size(viewport)
                page.wait_for_timeout(400)  # the live views render after the snapshot
                assert page.evaluate("document.documentElement.lang") == lang, url
                if lang == "ar":
                    assert page.evaluate("document.documentElement.dir") == "rtl", url
                if not page.evaluate("typeof axe !== 'undefined'"):
                    page.add_script_tag(path=str(AXE))
                violations = page.evaluate(
                    """async (tags) => {
                      const r = await axe.run(document, {
                        runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
                      return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => ({ target: n.target.join(" "),
                          html: n.html.slice(0, 240), summary: n.failureSummary })) }));
                    }""",
                    TAGS,
                )
                if size == "phone" and screen != "beamer":
                    # WCAG 1.4.10 (reflow): at 320 px (a laptop at 400 % zoom) nothing
                    # needs a sideways scroll; the beamer is a projection, not read zoomed
                    wide = page.evaluate(
                        "document.documentElement.scrollWidth - "
                        "document.documentElement.clientWidth"
                    )
                    if wide > 1:
                        violations.append(
                            {
                                "id": "reflow",
                                "impact": "serious",
                                "help": f"the page scrolls sideways by {wide} px at 320 px",
                                "nodes": [],
                            }
                        )
                self.runs.append(
                    {
                        "screen": screen,
                        "phase": phase,
                        "language": lang,
                        "size": size,
                        "url": url.split("?")[0],
                        "violations": violations,
                    }
                )

    def save(self) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "axe-report.json"
        path.write_text(json.dumps({"tags": TAGS, "runs": self.runs}, indent=1))
        return path

    def failures(self) -> list[str]:
        return [
            f"{r['screen']} ({r['phase']}, {r['language']}, {r['size']}): {v['id']}: "
            f"{v['help']} at {[n['target'] for n in v['nodes']][:4]}"
            for r in self.runs
            for v in r["violations"]
        ]


def test_every_screen_of_a_meeting_meets_wcag_aa_in_dutch_and_arabic(server: Server, browser):
    audit = Audit()
    try:
        hold_the_meeting(server, browser, audit)
    finally:
        report = audit.save()
    assert len(audit.runs) >= 100, len(audit.runs)
    problems = audit.failures()
    assert not problems, f"{len(problems)} WCAG violations (report: {report}):\n" + "\n".join(
        problems[:60]
    )


def hold_the_meeting(server: Server, browser: Any, audit: Audit) -> None:
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Lindeplein")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)

    def context() -> Any:
        # bypass_csp: the page's CSP forbids the injected axe script (and only that)
        return browser.new_context(locale="nl-NL", bypass_csp=True)

    # Pages without a meeting: the login page and the meeting form.
    visitor = context().new_page()
    audit.check(visitor, "login", "-", f"{server.url}/login")
    desk = context()
    desk.add_cookies([{"name": k, "value": v, "url": server.url} for k, v in anna.cookies.items()])
    facilitator = desk.new_page()
    audit.check(facilitator, "meeting form", "-", f"{server.url}/meetings/new")
    audit.check(facilitator, "meetings", "-", f"{server.url}/meetings")

    # A framework party with one kader, locked.
    invited = console.call("party.invite", {"client_id": cid(meeting.id), "name": "Gemeente"})
    assert invited["ok"], invited
    console.wait_for(lambda: bool(console.views.get("parties")))
    link = console.views["parties"][0]["link"]
    party = context().new_page()
    claim_and_write_a_kader(party, link)
    assert console.call("framework.lock", {"client_id": cid(meeting.id)})["ok"]

    # The join page, before joining; then a joined phone.
    stranger = context().new_page()
    audit.check(stranger, "join", "welcome", f"{server.url}/j/{meeting.code}")
    phone_ctx = context()
    phone = phone_ctx.new_page()
    phone.goto(f"{server.url}/j/{meeting.code}")
    phone.get_by_label("Je naam").fill("Fatima")
    phone.get_by_text("Bewoners", exact=True).click()
    phone.get_by_role("button", name="Meedoen").click()
    expect(phone.locator("#phase")).to_be_visible()
    others = [joined_phone(server, meeting.code, n) for n in ("Joël", "Sanne")]
    screens = {
        "phone": (phone, f"{server.url}/j/{meeting.code}"),
        "party": (party, link),
        "console": (facilitator, f"{server.url}/m/{meeting.id}"),
        "beamer": (
            context().new_page(),
            f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}",
        ),
    }

    def audit_all(phase: str) -> None:
        for name, (page, url) in screens.items():
            audit.check(page, name, phase, url)

    def advance_to(phase: str) -> None:
        while console.views["meeting"]["phase"] != phase:
            ack = console.call("phase.advance", {"client_id": cid(meeting.id)})
            assert ack["ok"], ack
            console.wait_for(lambda v=ack["version"]: console.version >= v)

    audit_all("welcome")
    advance_to("framing")
    opened = console.call("recognition.open", {"client_id": cid(meeting.id)})
    assert opened["ok"], opened
    audit_all("framing")
    advance_to("sharing")
    for c, text in zip(
        others, ("Ik voel me niet veilig op het plein.", "Er is te weinig te doen."), strict=True
    ):
        assert c.call("contribution.create", {"client_id": cid(meeting.id), "text": text})["ok"]
    audit_all("sharing")
    advance_to("proposals")
    created = others[0].call(
        "proposal.create", {"client_id": cid(meeting.id), "title": "Een speelplek bij de Lindelaan"}
    )
    assert created["ok"], created
    audit_all("proposals")
    advance_to("consent")
    assert console.call(
        "consent.open", {"client_id": cid(meeting.id), "proposal_id": created["id"]}
    )["ok"]
    audit_all("consent")
    assert console.call("consent.close", {"client_id": cid(meeting.id)})["ok"]
    assert console.call("consent.open", {"client_id": cid(meeting.id), "whole_plan": True})["ok"]
    assert console.call("consent.close", {"client_id": cid(meeting.id)})["outcome"] == "adopted"
    advance_to("framework_check")
    audit_all("framework check")
    party.goto(link + "?lang=nl")
    card = party.locator(".agreement-check").first
    card.get_by_role("button", name="✓ Past").click()
    card.get_by_role("button", name="Vastleggen").click()
    expect(card).to_contain_text("Vastgelegd.")
    advance_to("signing")
    audit_all("signing")
    for c, name in zip(others, ("Joël de Wit", "Sanne Bakker"), strict=True):
        assert c.call("signature.sign", {"client_id": cid(meeting.id), "name": name})["ok"]
    closed = console.call("signing.close", {"client_id": cid(meeting.id)})
    assert closed["ok"], closed
    advance_to("closed")
    audit_all("closed")
    audit.check(phone, "plan page", "after", f"{server.url}/j/{meeting.code}/plan")
    audit.check(
        facilitator, "plan page (facilitator)", "after", f"{server.url}/m/{meeting.id}/after"
    )
    audit.check(visitor, "verify", "-", f"{server.url}/verify")
    for c in [*others, console]:
        c.close()


def test_the_audit_finds_violations_where_there_are_some(browser):
    """The checker itself: a page made wrong on purpose is caught, rule by rule."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_content(
        '<html><body><img src="x.png"><button></button>'
        '<p style="color:#bbb;background:#fff">grey on white</p>'
        '<input type="text"></body></html>'
    )
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => (await axe.run(document, { runOnly: { type: "tag", values: tags } }))
             .violations.map(v => v.id)""",
        TAGS,
    )
    for rule in ("image-alt", "button-name", "color-contrast", "html-has-lang", "label"):
        assert rule in found, (rule, found)
