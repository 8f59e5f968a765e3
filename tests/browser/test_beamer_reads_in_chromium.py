"""The room reads what it decides: in a consent round on the whole plan and in signing,
a plan of 8 agreements with long texts is on the beamer at 1920×1080 and 1280×720,
every agreement and both Alle Hens lines, page by page; nothing overflows its box and
no text is smaller than the back of the hall can read."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from tests.support import Client, Server, console_client, create_meeting, joined_phone, login

pytestmark = pytest.mark.browser

_ids = itertools.count()

SIZES = {"1920": (1920, 1080, 28), "1280": (1280, 720, 20)}

LONG = (
    "Bewoners, jongeren en de wijkagent komen elke eerste dinsdag van de maand bij elkaar in "
    "het buurthuis om te bespreken wat goed gaat en wat niet. Iedereen mag agendapunten "
    "aandragen; de agenda hangt een week vooraf in de hal en staat in de buurtapp. Wie niet "
    "kan komen, geeft een punt mee aan een buur. Het verslag komt binnen een week in de app "
    "en op papier bij de ingang, zodat ook wie geen telefoon heeft weet wat er is afgesproken."
)

FOLLOWUP = (
    "Als een afspraak niet werkt, roept het wijkteam binnen twee weken de kerngroep bij "
    "elkaar in het buurthuis; iedereen die ondertekende krijgt een uitnodiging."
)
EVALUATION = (
    "De kerngroep evalueert het plan op 12 december in Buurthuis De Schakel, met iedereen "
    "die wil aansluiten; de uitkomst komt in de buurtkrant."
)


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-read"


def ok(ack: dict) -> dict:
    assert ack.get("ok"), ack
    return ack


def advance(console: Client, to: str) -> None:
    while console.views["meeting"]["phase"] != to:
        version = ok(console.call("phase.advance", {"client_id": cid("adv")}))["version"]
        console.wait_for(lambda v=version: console.version >= v)


def titles(n: int) -> str:
    return f"Afspraak {n}: buurtoverleg en toezicht rond het grasveld aan de Lindelaan"


CHECK_JS = (Path(__file__).parent / "fit_check.js").read_text()


def read_all_pages(page, min_px: int) -> tuple[str, int]:
    """Every page's text of the beamer's text view (turning with the arrow key), checking
    each page for overflow and small text."""
    cue = page.locator("#text-cue")
    seen: list[str] = []
    pages = 1
    if cue.evaluate("e => e.style.visibility") == "visible":
        pages = int(cue.inner_text().split()[-1])
    for n in range(pages):
        problems = page.evaluate(CHECK_JS, min_px)
        assert not problems["small"], problems["small"]
        assert not problems["over"], problems["over"]
        seen.append(page.locator("#text-view").inner_text())
        if n + 1 < pages:
            before = page.locator("#text-pages").inner_text()
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(b) => document.getElementById('text-pages').innerText !== b", arg=before
            )
    return "\n".join(seen), pages


def test_a_long_plan_is_on_the_beamer_page_by_page_at_two_sizes(
    server: Server, browser, screenshots
):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Lindelaan")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    phone = joined_phone(server, meeting.code, "Fatima", "Bewoners")
    advance(console, "proposals")
    ids = []
    for n in range(1, 9):
        ids.append(
            ok(
                phone.call(
                    "proposal.create",
                    {
                        "client_id": cid("p"),
                        "title": titles(n),
                        "description": LONG,
                        "who": "Wijkteam, twee bewoners en de jongerenwerker van de stichting",
                        "where": "Buurthuis De Schakel, grote zaal op de eerste verdieping",
                        "when": f"Vanaf september, elke {n}e dinsdag van de maand om 19.30 uur",
                    },
                )
            )["id"]
        )
    ok(console.call("shortlist.set", {"client_id": cid("sl"), "ids": ids}))
    advance(console, "consent")
    for pid in ids:
        round_id = ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pid}))[
            "round_id"
        ]
        phone.wait_for(lambda r=round_id: (phone.you.get("consent") or {}).get("round_id") == r)
        ok(
            phone.call(
                "consent.answer", {"client_id": cid("a"), "round_id": round_id, "answer": "consent"}
            )
        )
        ok(console.call("consent.close", {"client_id": cid("c")}))
    ok(
        console.call(
            "plan.update", {"client_id": cid("pl"), "followup": FOLLOWUP, "evaluation": EVALUATION}
        )
    )
    ok(console.call("beamer.pace", {"client_id": cid("pace"), "seconds": 4}))
    plan_round = ok(console.call("consent.open", {"client_id": cid("o"), "whole_plan": True}))
    beamer_url = f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}"

    def check(phase: str) -> None:
        for name, (width, height, min_px) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(beamer_url)
            page.locator("#text-view").wait_for(state="visible")
            page.wait_for_function(
                "() => document.getElementById('text-pages').innerText.length > 50"
            )
            page.screenshot(path=str(screenshots / f"beamer-{phase}-{name}.png"))
            text, pages = read_all_pages(page, min_px)
            assert pages > 1  # 8 long agreements do not fit one screen: they page
            for n in range(1, 9):
                assert titles(n) in text, (name, n)
            assert FOLLOWUP in text.replace("\n", " ")
            assert EVALUATION in text.replace("\n", " ")
            # The pages also turn by themselves, at the pace the facilitator set.
            first = page.locator("#text-pages").inner_text()
            started = time.monotonic()
            page.wait_for_function(
                "(b) => document.getElementById('text-pages').innerText !== b",
                arg=first,
                timeout=9000,
            )
            assert time.monotonic() - started > 2
            context.close()

    check("consent")
    phone.wait_for(
        lambda: (phone.you.get("consent") or {}).get("round_id") == plan_round["round_id"]
    )
    ok(
        phone.call(
            "consent.answer",
            {"client_id": cid("a"), "round_id": plan_round["round_id"], "answer": "consent"},
        )
    )
    ok(console.call("consent.close", {"client_id": cid("c")}))
    advance(console, "signing")
    check("signing")
    phone.close()
    console.close()
