"""A facilitator runs a whole meeting from the console with the keyboard only.

No mouse, no `.click()`, no `.focus()`: the test presses Tab, Shift+Tab, Enter and Space
and types text, as someone who cannot use a mouse (or a screen reader user) would. It
logs in, opens the meeting from the meetings list, walks every phase of an Alle Hens
meeting, opens and closes a consent round on a proposal and one on the whole plan, and
closes signing, through the in-page confirmation dialogs, until the plan is sealed.
Two phones take part over the protocol (they are not what this test is about).

Along the way it checks what a keyboard user depends on: after every "next phase" the
focus is still on a control (not dropped to <body>) and the live region says which phase
the meeting is in; a dialog takes the focus and gives it back; the focused control shows
a focus ring. A focus dropped to <body> after other actions is collected and reported at
the end (with where the next Tab goes), so one defect does not hide the next.
"""

from __future__ import annotations

import io
import itertools
import json
import re

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from tests.support import PASSWORD, Client, Server, create_meeting, joined_phone, login

pytestmark = pytest.mark.browser

TITLE = "Plandag Zuidplein met het toetsenbord"
WALK = ["Inloop", "Kadering", "Delen", "Voorstellen", "Instemming", "Ondertekenen", "Afgesloten"]
_n = itertools.count()


def cid(tag: str) -> str:
    return f"kb-{tag}-{next(_n)}"[:64]


# ------------------------------------------------------------------ keyboard helpers

#: What the focused element is, for failure messages: tag, id, text, role.
DESCRIBE = """() => {
  const el = document.activeElement;
  if (!el) return "nothing";
  if (el === document.body) return "<body>";
  const text = (el.getAttribute("aria-label") || el.textContent || el.value || "").trim();
  const box = el.parentElement && el.parentElement.closest("[id]");
  return "<" + el.tagName.toLowerCase() + (el.id ? " id=" + el.id : "") + ">"
    + (text ? " " + JSON.stringify(text.slice(0, 60)) : "") + (box ? " in #" + box.id : "");
}"""


def focused(page: Page) -> str:
    return page.evaluate(DESCRIBE)


def by_id(element_id: str) -> str:
    return f"el => el.id === {json.dumps(element_id)}"


def by_text(text: str, within: str | None = None) -> str:
    """A control whose visible text (or aria-label) is `text`, optionally inside `within`."""
    inside = f" && !!el.closest({json.dumps(within)})" if within else ""
    return (
        f"el => ((el.textContent || '').trim() === {json.dumps(text)}"
        f" || el.getAttribute('aria-label') === {json.dumps(text)}){inside}"
    )


def tab_to(page: Page, predicate_js: str, max_tabs: int = 200, *, back: bool = False) -> int:
    """Press Tab (Shift+Tab with `back`) until document.activeElement matches
    `predicate_js`, a JavaScript function of the element. Returns how many presses it
    took; fails, naming where the focus went, when the element is never reached."""
    check = f"() => {{ const el = document.activeElement; return !!(el && ({predicate_js})(el)); }}"
    key = "Shift+Tab" if back else "Tab"
    path: list[str] = []
    for presses in range(max_tabs + 1):
        if page.evaluate(check):
            return presses
        if presses < max_tabs:
            page.keyboard.press(key)
            path.append(focused(page))
    raise AssertionError(
        f"not reached with {max_tabs} × {key}: {predicate_js}\n"
        f"the focus went through: {' → '.join(dict.fromkeys(path))}"
    )


FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
           shadow: s.boxShadow, visible: el.matches(":focus-visible") };
}"""


def assert_focus_ring(page: Page, where: str) -> None:
    ring = page.evaluate(FOCUS_RING)
    assert ring is not None, f"{where}: the focus is on <body>, nothing shows a ring"
    has_outline = ring["outline"] != "none" and ring["width"] > 0
    has_shadow = ring["shadow"] not in ("", "none")
    assert has_outline or has_shadow, (
        f"{where}: {focused(page)} has no visible focus indicator: {ring}"
    )


def on_body(page: Page) -> bool:
    return page.evaluate(
        "document.activeElement === null || document.activeElement === document.body"
    )


# ------------------------------------------------------------------ the meeting


def test_a_facilitator_runs_a_whole_meeting_without_a_mouse(
    server: Server, browser, screenshots, tmp_path
):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title=TITLE)

    ctx = browser.new_context(
        viewport={"width": 1280, "height": 720}, locale="nl-NL", accept_downloads=True
    )
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_dialogs: list[str] = []
    page.on("dialog", lambda d: (browser_dialogs.append(d.message), d.dismiss()))
    #: focus dropped to <body> after an action other than "next phase" (reported at the end)
    lost: list[str] = []

    def focus_kept(after: str) -> None:
        if on_body(page):
            # Where a keyboard user lands with the next Tab (then back, to go on from there).
            page.keyboard.press("Tab")
            lands = focused(page)
            page.keyboard.press("Shift+Tab")
            lost.append(f"after {after}: focus fell to <body>; the next Tab goes to {lands}")

    # Log in: the e-mail field has the focus when the page opens.
    page.goto(f"{server.url}/login")
    expect(page.locator("#email")).to_be_focused()
    assert_focus_ring(page, "the e-mail field on the login page")
    page.keyboard.type("anna@example.org")
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/meetings$"))

    # The meetings list: Tab to the meeting's link, Enter opens its console.
    tab_to(page, f"el => el.tagName === 'A' && el.textContent.trim() === {json.dumps(TITLE)}")
    assert_focus_ring(page, "the meeting's link on the meetings list")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/m/{meeting.id}$"))
    phase_now = page.locator("#phase-now")
    announce = page.locator("#phase-announce")
    advance = page.locator("#advance")
    expect(phase_now).to_have_text("Inloop")
    expect(page.locator("#phasebar li")).to_have_text(WALK)
    assert announce.get_attribute("role") == "status"

    phones: list[Client] = [
        joined_phone(server, meeting.code, "Fatima", "Bewoners"),
        joined_phone(server, meeting.code, "Joël", "Jongeren"),
    ]
    expect(page.locator("#online-count")).to_have_text("2")

    def next_phase(expected: str) -> None:
        """Tab to "Next: …" (or Shift+Tab back up to it) and press Enter."""
        if not page.evaluate(f"({by_id('advance')})(document.activeElement)"):
            # The phase buttons are near the top: from further down, Shift+Tab is shorter.
            ahead = page.evaluate(
                "document.activeElement === document.body || "
                "!!(document.activeElement.compareDocumentPosition(document.getElementById('advance'))"
                " & Node.DOCUMENT_POSITION_FOLLOWING)"
            )
            tab_to(page, by_id("advance"), back=not ahead)
        expect(advance).to_have_text(f"Volgende: {expected}")
        expect(advance).not_to_have_attribute("aria-disabled", "true")
        page.keyboard.press("Enter")
        expect(phase_now).to_have_text(expected)
        expect(announce).to_have_text(f"De bijeenkomst is nu in de fase: {expected}")
        assert not on_body(page), f"after 'Volgende: {expected}' the focus fell to <body>"
        expect(advance).to_be_focused()

    # Inloop → Kadering → Delen → Voorstellen.
    next_phase("Kadering")
    assert_focus_ring(page, "'Volgende' after moving to Kadering")
    page.screenshot(path=str(screenshots / "console-keyboard.png"))
    next_phase("Delen")
    next_phase("Voorstellen")

    # A phone proposes; the facilitator puts it on the shortlist.
    title = "Een buurtcafé op het plein"
    ack = phones[0].call(
        "proposal.create",
        {"client_id": cid("p"), "title": title, "description": "Elke vrijdag open."},
    )
    assert ack["ok"], ack
    expect(page.locator("#proposal-list")).to_contain_text(title)
    tab_to(page, by_text("+ shortlist", within="#proposal-list"))
    assert_focus_ring(page, "'+ shortlist'")
    page.keyboard.press("Enter")
    expect(page.locator("#shortlist")).to_contain_text(title)
    focus_kept("'+ shortlist' (Enter)")

    next_phase("Instemming")

    # A round on the proposal: open it, both phones consent, close it through the dialog.
    rounds: list[int] = []

    def round_answered_and_closed(subject: str) -> None:
        def new_round() -> int | None:
            rid = ((phones[0].you or {}).get("consent") or {}).get("round_id")
            return rid if rid and rid not in rounds else None

        phones[0].wait_for(lambda: new_round() is not None)
        rounds.append(new_round())
        for phone in phones:
            phone.wait_for(
                lambda p=phone: ((p.you or {}).get("consent") or {}).get("round_id") == rounds[-1]
            )
            ack = phone.call(
                "consent.answer",
                {"client_id": cid("a"), "round_id": rounds[-1], "answer": "consent"},
            )
            assert ack["ok"], ack
        expect(page.locator("#consent-round")).to_contain_text("2 van 2")
        tab_to(page, by_id("consent-close"))
        assert_focus_ring(page, "'Ronde sluiten'")
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(subject)
        # The dialog has the focus, on its confirm button; Tab stays in the dialog.
        assert page.evaluate("!!document.activeElement.closest('dialog')"), focused(page)
        assert_focus_ring(page, "the close-round dialog")
        expect(dialog.get_by_role("button", name="Ronde sluiten")).to_be_focused()
        for _ in range(3):
            page.keyboard.press("Tab")
            if not on_body(page):
                assert page.evaluate("!!document.activeElement.closest('dialog')"), (
                    f"Tab left the modal dialog: {focused(page)}"
                )
        tab_to(page, by_text("Ronde sluiten", within="dialog"), max_tabs=6)
        page.keyboard.press("Enter")
        expect(dialog).to_have_count(0)
        expect(page.locator("#consent-close")).to_be_disabled()  # the round is closed
        focus_kept("closing a consent round (dialog confirmed)")

    open_round = by_text("Ronde openen", within="#consent-proposals")
    tab_to(page, open_round)
    assert_focus_ring(page, "'Ronde openen'")
    # Someone asks for the floor while the facilitator is on the button: an update that
    # has nothing to do with it must not take the focus away.
    ack = phones[1].call("queue.request", {"client_id": cid("q")})
    assert ack["ok"], ack
    expect(page.locator("#queue")).to_contain_text("Joël")
    focus_kept("an unrelated update (a phone asks for the floor) while on 'Ronde openen'")
    tab_to(page, open_round)
    page.keyboard.press("Enter")
    expect(page.locator("#consent-close")).to_be_enabled()
    focus_kept("'Ronde openen' (Enter)")
    round_answered_and_closed(title)
    expect(page.locator("#consent-round")).to_contain_text("Aangenomen")
    expect(page.locator("#agreements")).to_contain_text(title)

    # A round on the whole plan.
    tab_to(page, by_id("consent-plan"), back=True)
    page.keyboard.press("Enter")
    expect(page.locator("#consent-close")).to_be_enabled()
    expect(page.locator("#consent-plan")).to_be_disabled()  # the round is open
    focus_kept("'Ronde over het hele plan' (Enter)")
    round_answered_and_closed("plan")
    expect(page.locator("#consent-round")).to_contain_text("Aangenomen")

    next_phase("Ondertekenen")

    # Both phones sign; the facilitator closes signing through its dialog.
    for phone, name in zip(phones, ("Fatima El Amrani", "Joël de Wit"), strict=True):
        ack = phone.call("signature.sign", {"client_id": cid("s"), "name": name})
        assert ack["ok"], ack
    expect(page.locator("#signing-count")).to_contain_text("2 van 2 ondertekend")
    tab_to(page, by_id("signing-close"))
    assert_focus_ring(page, "'Ondertekenen sluiten en het plan verzegelen'")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("2 van 2 ondertekend")
    assert page.evaluate("!!document.activeElement.closest('dialog')"), focused(page)
    assert_focus_ring(page, "the close-signing dialog")
    # Escape cancels and gives the focus back to the button that opened it.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.locator("#signing-close")).to_be_focused()
    page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    tab_to(
        page, by_text("Ondertekenen sluiten en het plan verzegelen", within="dialog"), max_tabs=6
    )
    page.keyboard.press("Enter")
    expect(page.locator("#signing-downloads")).to_be_visible()
    expect(page.locator("#signing-fingerprint")).to_have_text(
        re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")
    )
    focus_kept("closing signing (dialog confirmed)")
    phones[0].wait_for(lambda: (phones[0].views.get("signing") or {}).get("closed_at"))

    next_phase("Afgesloten")
    expect(page.locator("#phasebar li.done")).to_have_count(len(WALK) - 1)
    # The sealed plan downloads from the keyboard too.
    tab_to(page, by_id("download-docx"))
    assert_focus_ring(page, "'Plan downloaden (.docx)'")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".docx"), download.value.suggested_filename
    path = tmp_path / "plan.docx"
    download.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    assert title in text and "Fatima El Amrani" in text and "Joël de Wit" in text
    assert not on_body(page), "after the download the focus fell to <body>"

    for phone in phones:
        phone.close()
    ctx.close()
    assert not errors, errors
    assert browser_dialogs == [], "the browser's own dialogs are not used"
    assert not lost, "the keyboard focus was lost:\n" + "\n".join(lost)
