"""Every visible text on the beamer (1920×1080 and 1280×720) and on a joined phone
(320×568) reads against its background, in every phase of a meeting, in Dutch and in
Arabic: WCAG 2.x 1.4.3, at least 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).

One function in the page (CONTRAST_JS) walks the text nodes, takes the colour the text
is drawn in and composes it, and the background, through every ancestor's
background-colour (with its alpha) and opacity over the white canvas, as the browser
paints them; a background image on the way makes the pair unknown (reported, never
guessed). A page with known colours checks the checker itself."""

from __future__ import annotations

import itertools
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.support import Client, Server, console_client, create_meeting, joined_phone, login

pytestmark = pytest.mark.browser

ARTIFACTS = Path(
    os.environ.get("PLANDAG_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)
BEAMER_SIZES = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}
PHONE = {
    "viewport": {"width": 320, "height": 568},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "nl-NL",
}
#: WCAG 1.4.3: normal text, and large text (18 pt, or 14 pt bold, in CSS px)
NORMAL, LARGE = 4.5, 3.0

_ids = itertools.count()

# The checker, one function for page.evaluate (a CSP does not stop it). It returns
# {checked, failures, unknown, exempt, passes}: every entry names the text, the element
# (a selector path from the nearest ancestor with an id), the colour the CSS gives and
# the colours as painted (text and background, opaque, after alpha and opacity), the
# ratio, the font size and weight, and the ratio it needed. `exempt`: text of a
# disabled control below the ratio (WCAG 1.4.3 leaves inactive components out; listed,
# not failed). `passes` only with {passes: true}.
CONTRAST_JS = r"""
(options) => {
  const opts = Object.assign({ normal: 4.5, large: 3 }, options || {});
  const out = { checked: 0, failures: [], unknown: [], exempt: [], passes: [] };

  // Colours: Chromium computes rgb()/rgba(); anything else (a colour space, a keyword)
  // goes through a 1x1 canvas.
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const parse = (value) => {
    const text = String(value).trim();
    const m = /^rgba?\(([^)]*)\)$/i.exec(text);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map((v, i) =>
        v.endsWith("%") ? (i < 3 ? parseFloat(v) * 2.55 : parseFloat(v) / 100) : parseFloat(v));
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    if (text === "transparent") return [0, 0, 0, 0];
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0, 0, 0, 0)";
    ctx.fillStyle = text;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  // `top` painted over `bottom` (straight alpha, source-over)
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a <= 0) return [0, 0, 0, 0];
    const c = [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a);
    return [c[0], c[1], c[2], a];
  };
  const luminance = (c) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const hex = (c) =>
    "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const css = (c) => c[3] >= 1 ? hex(c) : `${hex(c)} at alpha ${Math.round(c[3] * 1000) / 1000}`;
  const path = (start) => {
    const parts = [];
    for (let e = start; e && e.nodeType === 1; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += "#" + e.id;
      const classes = [...e.classList].slice(0, 3);
      if (classes.length) s += "." + classes.join(".");
      for (const a of ["aria-pressed", "data-answer", "data-consent", "data-verdict"]) {
        if (e.hasAttribute(a)) s += `[${a}="${e.getAttribute(a)}"]`;
      }
      parts.unshift(s);
      if (e.id || e === document.body) break;
    }
    return parts.join(" > ");
  };

  // Visible: rendered (no display: none or visibility: hidden on the way, not in a
  // closed <details>), with a box of its own, not clipped away to nothing (the
  // screen-reader-only texts), and not fully transparent. aria-hidden text is seen
  // by everybody in the room: it counts.
  const ZERO_CLIP = /rect\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\)/;
  const visible = (node, parent) => {
    if (!parent.checkVisibility({ visibilityProperty: true })) return false;
    if (getComputedStyle(parent).visibility !== "visible") return false;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (![...range.getClientRects()].some((r) => r.width > 0 && r.height > 0)) return false;
    for (let e = parent; e && e !== document.documentElement; e = e.parentElement) {
      const cs = getComputedStyle(e);
      const box = e.getBoundingClientRect();
      const clipping = cs.overflowX !== "visible" || cs.overflowY !== "visible";
      if (clipping && (box.width <= 1 || box.height <= 1)) return false;
      if (/^(absolute|fixed)$/.test(cs.position) && ZERO_CLIP.test(cs.clip)) return false;
    }
    return true;
  };

  const disabled = (e) => e.closest(
    "button:disabled, input:disabled, select:disabled, textarea:disabled, option:disabled, " +
    "[aria-disabled='true']");

  const root = document.body || document.documentElement;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\s+/g, " ").trim();
    if (!text) continue;
    const parent = node.parentElement;
    if (!parent || /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|TITLE)$/.test(parent.tagName)) continue;
    if (!visible(node, parent)) continue;

    const style = getComputedStyle(parent);
    const fillColour = style.webkitTextFillColor || style.color;
    // The pixel of a glyph and the pixel just beside it, painted from the inside out:
    // each ancestor's background under what it holds, then its opacity on the whole.
    let glyph = parse(fillColour);
    let ground = [0, 0, 0, 0];
    let unknown = null;
    let groundFrom = "the canvas (white)";
    let opacityOf = 1;
    const guess = (e, what, value) => {
      unknown = unknown || { element: path(e), reason: `${what}: ${value}` };
    };
    for (let e = parent; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      // What paints under the text and is not a colour: unknown, unless an opaque
      // background nearer the text covers it already.
      const open = ground[3] < 1;
      const image = cs.backgroundImage, backdrop = cs.backdropFilter || "none";
      if (open && image !== "none") guess(e, "background-image", image.slice(0, 120));
      if (open && backdrop !== "none") guess(e, "backdrop-filter", backdrop);
      // What changes the colours of the text itself.
      if (cs.filter !== "none") guess(e, "filter", cs.filter);
      if (cs.mixBlendMode !== "normal") guess(e, "mix-blend-mode", cs.mixBlendMode);
      const bg = parse(cs.backgroundColor);
      if (bg[3] > 0 && open) groundFrom = `${path(e)} (background-color ${cs.backgroundColor})`;
      glyph = over(glyph, bg);
      ground = over(ground, bg);
      const opacity = parseFloat(cs.opacity);
      opacityOf *= opacity;
      glyph[3] *= opacity;
      ground[3] *= opacity;
    }
    if (opacityOf <= 0) continue;  // fully transparent: not visible
    const white = [255, 255, 255, 1];
    glyph = over(glyph, white);
    ground = over(ground, white);
    const l1 = luminance(glyph), l2 = luminance(ground);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize);
    const weight = parseInt(style.fontWeight, 10) || 400;
    const large = size >= 24 || (size >= 18.66 && weight >= 700);
    const need = large ? opts.large : opts.normal;
    const entry = {
      text: text.slice(0, 60),
      path: path(parent),
      color: style.color,
      fill: css(parse(fillColour)),
      text_painted: hex(glyph),
      background: hex(ground),
      background_from: groundFrom,
      opacity: Math.round(opacityOf * 1000) / 1000,
      ratio: Math.round(ratio * 100) / 100,
      raw_ratio: ratio,
      size: Math.round(size * 100) / 100,
      weight,
      large,
      need,
    };
    out.checked++;
    if (unknown) { out.unknown.push(Object.assign(entry, unknown)); continue; }
    if (ratio >= need) { if (opts.passes) out.passes.push(entry); continue; }
    if (disabled(parent)) { out.exempt.push(entry); continue; }  // WCAG: inactive controls
    out.failures.push(entry);
  }
  return out;
}
"""


def cid(tag: str) -> str:
    return f"ct-{tag}-{next(_ids)}"[:64]


def ok(ack: dict) -> dict:
    assert ack.get("ok"), ack
    return ack


# ------------------------------------------------------------------ the checker itself

KNOWN_PAGE = """<!doctype html><html lang="nl"><body style="margin:0;font: 16px sans-serif">
<p id="grey" style="color:#999">light grey on white: 2.85</p>
<p id="dark" style="color:#767676">dark enough grey on white: 4.54</p>
<p id="large-ok" style="color:#949494;font-size:24px">large grey: 3.03</p>
<p id="bold-ok" style="color:#949494;font-size:19px;font-weight:700">bold 19 px grey: 3.03</p>
<p id="bold-thin" style="color:#949494;font-size:19px;font-weight:400">thin 19 px grey</p>
<p id="alpha" style="color:rgba(0,0,0,.3)">translucent black text</p>
<p id="space" style="color:color(srgb 0.6 0.6 0.6)">#999 in another notation</p>
<div style="opacity:.3"><p id="faded">black text in a faded box</p></div>
<div style="background:rgba(0,0,0,.5)"><p id="half" style="color:#fff">white on half black</p></div>
<div style="background:#111418"><div style="background:rgba(255,255,255,.1)">
  <p id="dark-ok" style="color:#fff">white on dark with a veil</p></div></div>
<p id="gone" style="display:none;color:#eee">display none</p>
<p id="unseen" style="visibility:hidden;color:#eee">visibility hidden</p>
<p id="flat" style="height:0;overflow:hidden;margin:0;color:#eee">zero height</p>
<span id="sr" style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
  color:#eee">screen reader only</span>
<p id="hidden-aria" aria-hidden="true" style="color:#ccc">decorative but seen</p>
<p id="spaces">   </p>
<div style="background-image:linear-gradient(#000,#fff)">
  <p id="gradient" style="color:#777">on a gradient</p></div>
<div style="background:#fff;"><div style="background-image:linear-gradient(#000,#fff)">
  <p id="gradient-covered" style="background:#fff;color:#111">covered gradient</p></div></div>
<button id="off" disabled style="opacity:.45;color:#17408b;background:#fff;border:0">off</button>
<details><summary id="summary">open me</summary>
  <p id="closed" style="color:#eee">in a closed details</p></details>
</body></html>"""


def test_the_contrast_check_finds_low_contrast_and_only_visible_text(browser):
    page = browser.new_page()
    page.set_content(KNOWN_PAGE)
    result = page.evaluate(CONTRAST_JS, {"passes": True})
    failing = {f["path"].split(" > ")[-1].split(".")[0]: f for f in result["failures"]}
    passing = {f["path"].split(" > ")[-1].split(".")[0]: f for f in result["passes"]}
    assert set(failing) == {
        "p#grey",
        "p#space",
        "p#bold-thin",
        "p#alpha",
        "p#faded",
        "p#half",
        "p#hidden-aria",
    }, result["failures"]
    assert set(passing) == {
        "p#dark",
        "p#large-ok",
        "p#bold-ok",
        "p#dark-ok",
        "p#gradient-covered",
        "summary#summary",
    }, result["passes"]
    assert [u["path"] for u in result["unknown"]] == ["p#gradient"], result["unknown"]
    assert result["unknown"][0]["reason"].startswith("background-image: linear-gradient")
    assert [e["path"] for e in result["exempt"]] == ["button#off"], result["exempt"]
    # The ratios are WCAG's: #999 on white 2.85, #767676 4.54, #949494 3.03.
    assert failing["p#grey"]["ratio"] == 2.85 and failing["p#grey"]["text_painted"] == "#999999"
    assert passing["p#dark"]["ratio"] == 4.54
    assert passing["p#large-ok"]["ratio"] == 3.03 and passing["p#large-ok"]["large"]
    assert passing["p#bold-ok"]["large"] and not failing["p#bold-thin"]["large"]
    # Alpha and opacity are composed: black at 30 % on white is #b3b3b3; white on
    # black at 50 % over white is white on a grey of 127.5 (shown #808080): 3.98.
    assert failing["p#space"]["text_painted"] == "#999999"
    assert failing["p#alpha"]["text_painted"] == "#b3b3b3"
    assert failing["p#faded"]["text_painted"] == "#b3b3b3"
    assert failing["p#faded"]["opacity"] == 0.3
    assert failing["p#half"]["background"] == "#808080" and failing["p#half"]["ratio"] == 3.98
    # A white veil of 10 % over #111418 still leaves white text far above 4.5.
    assert passing["p#dark-ok"]["background"] == "#292c2f"
    page.close()


# ------------------------------------------------------------------ the meeting


class Audit:
    """Runs the checker on a screen and keeps what it finds."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.failures: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        self.unknown: list[str] = []
        self.exempt: list[str] = []
        self.checked = 0
        self.runs = 0
        self.shots: list[Path] = []
        self.record: list[dict[str, Any]] = []

    def save(self) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"contrast-report-{self.lang}.json"
        path.write_text(json.dumps(self.record, indent=1, ensure_ascii=False))
        return path

    def check(self, page: Page, screen: str, phase: str) -> None:
        settle(page)
        result = page.evaluate(CONTRAST_JS, {"passes": True})
        self.runs += 1
        closest = sorted(result["passes"], key=lambda e: e["raw_ratio"] / e["need"])[:5]
        self.record.append(
            {
                "screen": screen,
                "phase": phase,
                "language": self.lang,
                "checked": result["checked"],
                "failures": result["failures"],
                "unknown": result["unknown"],
                "exempt": result["exempt"],
                "closest_passes": closest,
            }
        )
        self.checked += result["checked"]
        assert result["checked"] > 3, f"{screen} in {phase}: hardly any text seen"
        where = f"{screen}, {phase}, {self.lang}"
        for f in result["failures"]:
            # The same element with the same colours in many places reads as one failure.
            key = (f["path"], f["text_painted"], f["background"], str(f["size"]), str(f["weight"]))
            self.failures[key].append({**f, "where": where})
        for u in result["unknown"]:
            self.unknown.append(
                f'{where}: {u["path"]} "{u["text"]}": {u["reason"]} at {u["element"]}'
            )
        for e in result["exempt"]:
            self.exempt.append(
                f'{where}: {e["path"]} "{e["text"]}" {e["text_painted"]} on {e["background"]} '
                f"= {e['ratio']} (disabled control)"
            )
        if result["failures"]:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = f"contrast-{self.lang}-{screen}-{phase}".replace(" ", "-").replace(":", "")
            shot = ARTIFACTS / f"{name[:120]}.png"
            page.screenshot(path=str(shot), full_page=True)
            self.shots.append(shot)

    def report(self) -> str:
        lines = []
        for (path, fg, bg, size, weight), seen in self.failures.items():
            f = seen[0]
            places = sorted({s["where"] for s in seen})
            lines.append(
                f'- {path} "{f["text"]}": text {fg} (color {f["color"]}, opacity '
                f"{f['opacity']}) on {bg} from {f['background_from']}: {f['ratio']}:1, needs "
                f"{f['need']}:1 ({size} px, weight {weight}); {len(seen)}× in: "
                + "; ".join(places[:6])
                + (f" and {len(places) - 6} more" if len(places) > 6 else "")
            )
        return "\n".join(lines)


def settle(page: Page) -> None:
    """Fonts loaded, layout done, no change in the text for a moment (the pager turns
    and the timer ticks once a second: a quiet 300 ms comes between)."""
    page.evaluate(
        """async () => {
          await document.fonts.ready;
          const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
          let last = document.body.innerText, quiet = 0;
          const until = Date.now() + 4000;
          while (quiet < 300 && Date.now() < until) {
            await frame(); await new Promise((r) => setTimeout(r, 50));
            const now = document.body.innerText;
            quiet = now === last ? quiet + 50 : 0;
            last = now;
          }
          await frame(); await frame();
        }"""
    )


def in_phase(page: Page, phase: str) -> None:
    page.wait_for_function(
        "(p) => window.plandagLive && plandagLive.views.meeting"
        " && plandagLive.views.meeting.phase === p",
        arg=phase,
    )


def shown(page: Page, selector: str, count: int = 1, text: bool = True) -> None:
    """At least `count` visible elements match `selector` (with text, unless told)."""
    try:
        page.wait_for_function(
            """([s, n, text]) => [...document.querySelectorAll(s)]
                 .filter((e) => e.checkVisibility() && (!text || e.textContent.trim()))
                 .length >= n""",
            arg=[selector, count, text],
            timeout=15_000,
        )
    except Exception as exc:
        found = page.evaluate(
            """(s) => [...document.querySelectorAll(s)]
                 .map((e) => [e.checkVisibility(), e.outerHTML.slice(0, 200)])""",
            selector,
        )
        raise AssertionError(f"{page.url}: no {count} of {selector!r} shown: {found}") from exc


def advance(console: Client, to: str) -> None:
    while console.views["meeting"]["phase"] != to:
        version = ok(console.call("phase.advance", {"client_id": cid("adv")}))["version"]
        console.wait_for(lambda v=version: console.version >= v)


def round_of(phone: Client, round_id: int) -> None:
    phone.wait_for(lambda: (phone.you.get("consent") or {}).get("round_id") == round_id)


@pytest.mark.parametrize("lang", ["nl", "ar"])
def test_every_text_on_the_beamer_and_the_phone_has_enough_contrast(
    server: Server, browser, lang: str
):
    audit = Audit(lang)
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, title="Plandag Lindeplein", template="nieuwe_route")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    kader = ok(
        console.call(
            "framework.save",
            {
                "client_id": cid("k"),
                "title": "Budget",
                "description": "De gemeente draagt hooguit 50.000 euro bij, over twee jaar.",
            },
        )
    )["id"]
    ok(console.call("framework.lock", {"client_id": cid("lock")}))

    # The beamer: the meeting speaks Dutch; in Arabic the room screen is asked for it.
    beamer_url = f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}"
    if lang != "nl":
        beamer_url += f"&lang={lang}"
    screens: dict[str, Page] = {}
    for size, (width, height) in BEAMER_SIZES.items():
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")
        page = ctx.new_page()
        page.goto(beamer_url)
        screens[f"beamer {size}"] = page
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/j/{meeting.code}" + ("" if lang == "nl" else f"?lang={lang}"))
    for page in [*screens.values(), phone]:
        assert page.evaluate("document.documentElement.lang") == lang
        assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    errors: list[str] = []
    for page in [*screens.values(), phone]:
        page.on("pageerror", lambda e: errors.append(str(e)))

    def every_screen(phase: str, phone_ready: str | None = None, **beamer_ready: Any) -> None:
        for name, page in screens.items():
            in_phase(page, console.views["meeting"]["phase"])
            for selector, count in beamer_ready.get("selectors", {}).items():
                shown(page, selector, count)
            audit.check(page, name, phase)
        in_phase(phone, console.views["meeting"]["phase"])
        if phone_ready:
            shown(phone, phone_ready)
        audit.check(phone, "phone 320x568", phase)

    # Welcome: the join form (and its error), then a joined phone and two more.
    shown(phone, "#join-view h1")
    audit.check(phone, "phone 320x568", "welcome: the join form")
    phone.locator("#join-button").click()
    shown(phone, "#join-error")
    audit.check(phone, "phone 320x568", "welcome: the join form with an error")
    phone.locator("#name").fill("Fatima")
    phone.locator("#groups .choice").first.click()
    phone.locator("#join-button").click()
    expect(phone.locator("#meeting-view")).to_be_visible()
    others = [
        joined_phone(server, meeting.code, "Joël", "Jongeren"),
        joined_phone(server, meeting.code, "Wethouder Smit", "Gemeente"),
    ]
    for page in screens.values():
        page.wait_for_function("() => (plandagLive.views.counts || {}).online >= 3")
    every_screen("welcome", "#phase", selectors={"#online": 1, "#code": 1})

    # Framing: the issue statement, the recognition check open and answered.
    advance(console, "framing")
    check = ok(console.call("recognition.open", {"client_id": cid("rec")}))["check_id"]
    for other, answer in zip(others, ("yes", "no"), strict=True):
        ok(
            other.call(
                "recognition.answer",
                {"client_id": cid("ra"), "check_id": check, "answer": answer, "comment": "Klopt."},
            )
        )
    shown(phone, "#recognition-card h2")
    phone.locator("#recognition-card [data-answer=partly]").click()
    phone.locator("#recognition-comment").fill("De jongeren komen er te weinig in voor.")
    phone.locator("#recognition-send").click()
    shown(phone, "#recognition-status")
    every_screen(
        "framing: issue statement, recognition check",
        "#statement",
        selectors={"#statement-pages": 1, "#bars .bar": 3, "#recognition-count": 1},
    )
    ok(console.call("framework.show", {"client_id": cid("show"), "id": kader}))
    every_screen("framing: a framework shown", "#kaders-list", selectors={"#framework-text": 1})
    ok(console.call("framework.show", {"client_id": cid("hide")}))

    # Sharing: contributions on the wall, one's own, the speaking queue, the spotlight.
    advance(console, "sharing")
    ok(
        console.call(
            "prompt.create",
            {"client_id": cid("prm"), "text": "Wat is er gebeurd, en wat deed het met je?"},
        )
    )
    contributions = []
    for other, text in zip(
        others,
        (
            "Ik voel me 's avonds niet veilig op het plein.",
            "Er is te weinig te doen voor jongeren; daarom hangen ze rond het grasveld.",
        ),
        strict=True,
    ):
        contributions.append(
            ok(other.call("contribution.create", {"client_id": cid("c"), "text": text}))
        )
    shown(phone, "#contribution", text=False)
    phone.locator("#contribution").fill("De lantaarns bij de speeltuin zijn al maanden kapot.")
    phone.locator("#write-send").click()
    shown(phone, "#mine .card")
    ok(others[0].call("queue.request", {"client_id": cid("q")}))
    phone.locator("#speak").click()
    shown(phone, "#speak-status")
    console.wait_for(lambda: len((console.views.get("queue") or {}).get("requests", [])) == 2)
    every_screen("sharing: the wall", "#phone-wall .card", selectors={".wall .note": 3})
    mine = console.views["queue"]["requests"][-1]["id"]
    ok(console.call("queue.start", {"client_id": cid("qs"), "id": mine}))
    phone.wait_for_function("() => ((plandagLive.you || {}).queue || {}).status === 'speaking'")
    every_screen("sharing: this phone speaks", "#speak-status", selectors={"#queue": 1})
    ok(console.call("queue.finish", {"client_id": cid("qf"), "id": mine}))
    ok(console.call("round.start", {"client_id": cid("round")}))
    shown(phone, "#turn-card")
    spot = contributions[1].get("id") or max(
        int(k.split(":")[1]) for k in console.views if k.startswith("contribution:")
    )
    ok(console.call("wall.spotlight", {"client_id": cid("spot"), "id": spot}))
    every_screen(
        "sharing: spotlight, a turn to speak", "#turn-card", selectors={"#spotlight-text": 1}
    )
    ok(console.call("wall.spotlight", {"client_id": cid("spot")}))
    ok(console.call("round.end", {"client_id": cid("round")}))

    # Proposals: written on phones, voting open, then a shortlist.
    advance(console, "proposals")
    pids = [
        ok(
            others[0].call(
                "proposal.create",
                {
                    "client_id": cid("p"),
                    "title": "Een buurtcafé op het plein",
                    "description": "Elke vrijdag open, met de jongeren achter de bar.",
                    "who": "Bewonersvereniging en jongerenwerk",
                    "where": "Het oude wijkgebouw",
                    "when": "Vanaf maart",
                },
            )
        )["id"],
        ok(
            others[1].call(
                "proposal.create",
                {"client_id": cid("p"), "title": "Nieuwe lantaarns rond de speeltuin"},
            )
        )["id"],
    ]
    shown(phone, "#proposal-title", text=False)
    phone.locator("#proposal-title").fill("Een sportveldje bij de Lindelaan")
    phone.locator("#proposal-description").fill("Met een hek en verlichting tot tien uur.")
    phone.locator("#propose-send").click()
    shown(phone, "#propose-status")
    ok(console.call("voting.open", {"client_id": cid("vo")}))
    for other in others:
        ok(other.call("vote.give", {"client_id": cid("v"), "proposal_id": pids[0]}))
    ok(others[1].call("vote.give", {"client_id": cid("v"), "proposal_id": pids[1]}))
    shown(phone, "#proposals .vote-row .btn-primary")
    phone.locator("#proposals .vote-row .btn-primary").first.click()
    shown(phone, "#proposals .dots")
    every_screen("proposals: voting open", "#proposals .card", selectors={"#ranking .rank": 3})
    ok(console.call("voting.close", {"client_id": cid("vc")}))
    ok(console.call("shortlist.set", {"client_id": cid("sl"), "ids": pids}))
    # This phone's proposal is withdrawn, with the reason the room is given.
    console.wait_for(lambda: sum(k.startswith("proposal:") for k in console.views) == 3)
    proposals = [v for k, v in console.views.items() if k.startswith("proposal:")]
    own = next(p["id"] for p in proposals if p["id"] not in pids)
    reason = "Samengevoegd met het buurtcafé."
    ok(console.call("proposal.withdraw", {"client_id": cid("w"), "id": own, "reason": reason}))
    every_screen(
        "proposals: a shortlist, one withdrawn",
        "#proposals .card.withdrawn",
        selectors={"#shortlist-items li": 2, "#ranking .rank.withdrawn": 1},
    )

    # Consent: a round open with an objection and a concern; closed, not adopted; a new
    # round adopted; the whole plan.
    advance(console, "consent")
    round_id = ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pids[0]}))[
        "round_id"
    ]
    for other in others:
        round_of(other, round_id)
    ok(
        others[0].call(
            "consent.answer",
            {
                "client_id": cid("a"),
                "round_id": round_id,
                "answer": "objection",
                "text": "Op vrijdagavond is er al overlast; dan wordt het te druk.",
            },
        )
    )
    ok(
        others[1].call(
            "consent.answer",
            {
                "client_id": cid("a"),
                "round_id": round_id,
                "answer": "concern",
                "text": "Wie betaalt de huur na het eerste jaar?",
            },
        )
    )
    shown(phone, "#consent-subject h3")
    phone.locator("#consent-card [data-consent=objection]").click()
    shown(phone, "#consent-text-label")
    phone.locator("#consent-text").fill("Te veel lawaai voor de buren.")
    every_screen(
        "consent: a round open",
        "#consent-subject h3",
        selectors={"#round-count": 1, "#round-objections li": 1, "#text-pages .item-title": 1},
    )
    assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "not_adopted"
    every_screen("consent: not adopted", None, selectors={"#round-outcome": 1})
    round_id = ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pids[0]}))[
        "round_id"
    ]
    for other in others:
        round_of(other, round_id)
        ok(
            other.call(
                "consent.answer", {"client_id": cid("a"), "round_id": round_id, "answer": "consent"}
            )
        )
    phone.wait_for_function(
        "(r) => (window.plandagLive.views.consent || {}).id === r", arg=round_id
    )
    phone.locator("#consent-card [data-consent=consent]").click()
    phone.locator("#consent-send").click()
    shown(phone, "#consent-status")
    every_screen("consent: everyone answered", "#consent-status", selectors={"#round-count": 1})
    assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    ok(
        console.call(
            "plan.update",
            {
                "client_id": cid("pl"),
                "followup": "De kerngroep komt binnen twee weken bij elkaar.",
                "evaluation": "In juni, in het buurthuis.",
            },
        )
    )
    plan_round = ok(console.call("consent.open", {"client_id": cid("o"), "whole_plan": True}))
    every_screen("consent: the whole plan", "#plan .card", selectors={"#text-pages .block": 2})
    for other in others:
        round_of(other, plan_round["round_id"])
        ok(
            other.call(
                "consent.answer",
                {"client_id": cid("a"), "round_id": plan_round["round_id"], "answer": "consent"},
            )
        )
    phone.wait_for_function(
        "(r) => (window.plandagLive.views.consent || {}).id === r", arg=plan_round["round_id"]
    )
    phone.locator("#consent-card [data-consent=consent]").click()
    phone.locator("#consent-send").click()
    shown(phone, "#consent-status")
    assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    every_screen("consent: the plan adopted", "#plan .card", selectors={"#round-outcome": 1})

    # The framework check.
    advance(console, "framework_check")
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
    every_screen("framework check", "#kader-result", selectors={"#check-board": 1})

    # Signing: one signs, one declines, this phone signs; then closed.
    advance(console, "signing")
    ok(others[0].call("signature.sign", {"client_id": cid("s"), "name": "Joël de Wit"}))
    ok(
        others[1].call(
            "signature.sign",
            {
                "client_id": cid("s"),
                "name": "Wethouder Smit",
                "sign": False,
                "reason": "Eerst de raad.",
            },
        )
    )
    every_screen("signing", "#sign-card h2", selectors={"#signing-of": 1, "#signing-names li": 1})
    phone.locator("#sign-name").fill("Fatima El Amrani")
    phone.locator("#sign-submit").click()
    shown(phone, "#sign-status")
    every_screen("signing: signed", "#sign-status", selectors={"#signing-names li": 2})
    ok(console.call("signing.close", {"client_id": cid("close")}))
    every_screen("signing: sealed", "#plan-after", selectors={"#signing-sealed": 1})
    advance(console, "closed")
    every_screen("closed", "#plan-after")

    for c in [*others, console]:
        c.close()
    for page in [*screens.values(), phone]:
        page.context.close()

    report = audit.save()
    assert audit.runs >= 50 and audit.checked > 1000, (audit.runs, audit.checked)
    assert not errors, errors
    message = [
        f"{len(audit.failures)} texts below WCAG 1.4.3 contrast ({lang}; report: {report}):",
        audit.report(),
    ]
    if audit.unknown:
        message.append("unknown (a background image): " + "\n".join(audit.unknown[:20]))
    if audit.shots:
        message.append("screenshots: " + ", ".join(str(s) for s in audit.shots[:10]))
    assert not audit.failures and not audit.unknown, "\n".join(message)
