"""A prepared process and its whole meeting over the real server, to its sealed plan:
no preparation note reaches any socket of the room or any page but the process's
facilitators'; the plan document records that the go/no-go was made, not its notes; a
purge (on the page, and `plandag purge --before`) leaves no conversation note,
contribution text or objection text outside the sealed plan, which still verifies."""

from __future__ import annotations

import io
import itertools
import json
import re
import sqlite3
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from tests.protocol.test_preparation import (
    Prep,
    add_person,
    flashed_error,
    ids,
    letter_links,
    party_link,
    prepared,
)
from tests.support import Client, Phone, Server, csrf_of, login

pytestmark = pytest.mark.protocol
_ids = itertools.count()

#: what only the process's facilitators may read
PRIVATE = {
    "contact": "PRIV-CONTACT-06-5555",
    "concerns": "PRIV-CONCERN bang voor wraak",
    "needs_to_know": "PRIV-NEEDS wil de cijfers zien",
    "reason": "PRIV-REASON durft niet",
    "assessment": "PRIV-ASSESS dreiging bekend bij politie",
}
CONTRIBUTION = "ROOM-CONTRIB het plein is van ons"
OBJECTION = "ROOM-OBJECTION dit kost te veel"


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-priv"[:64]


def ok(ack: dict[str, Any]) -> dict[str, Any]:
    assert ack["ok"], ack
    return ack


def recording(client: Client) -> list[str]:
    """Every snapshot, update and `you` this socket receives, as sent."""
    seen: list[str] = []
    for event, handler in (
        ("snapshot", client._snapshot),
        ("update", client._update),
        ("you", client._you),
    ):

        def record(data: Any, handler: Any = handler) -> None:
            seen.append(json.dumps(data, ensure_ascii=False))
            handler(data)

        client.sio.on(event, record)
    return seen


@dataclass
class Story:
    prep: Prep
    beamer_page: str
    member_link: str
    phone_sessions: list[requests.Session]
    seen: dict[str, list[str]] = field(default_factory=dict)
    docx: bytes = b""


def advance(console: Client, to: str, **extra: Any) -> None:
    while console.views["meeting"]["phase"] != to:
        ack = ok(console.call("phase.advance", {"client_id": cid("adv"), **extra}))
        console.wait_for(lambda v=ack["version"]: console.version >= v)


def document_text(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return " ".join(
            z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")
        )


@pytest.fixture(scope="module")
def story(server: Server) -> Story:
    prep = prepared(
        server,
        title="Plandag Stille Hoek",
        template="custom",
        phases=["framing", "sharing", "proposals", "consent", "signing"],
        date=date.today().isoformat(),
    )
    member_link = party_link(prep, "Wethouder De Groot", "Gemeente Zuidstad")
    prep.post("/drafts", kind="statement", title="De hoek", text="Spanning rond de hoek.")
    people = [
        add_person(prep, name, group, contact=PRIVATE["contact"])
        for name, group in (
            ("Mevrouw Noor", "Bewoners"),
            ("Dhr. Kok", "Gemeente"),
            ("Jongen Sem", "Jongeren"),
        )
    ]
    for person in people:
        prep.post(
            f"/people/{person}/conversations",
            held_on=date.today().isoformat(),
            held_by="Anna",
            concerns=PRIVATE["concerns"],
            needs_to_know=PRIVATE["needs_to_know"],
            take_part="yes",
            named="yes",
        )
    declined = add_person(prep, "Mevrouw Weg", contact=PRIVATE["contact"])
    prep.post(f"/people/{declined}/status", status="will_not_take_part", reason=PRIVATE["reason"])
    prep.post("/needs", title="Cijfers van de wijkagent", text="Meldingen per maand.")
    (need,) = ids(prep.page(), r'class="need" id="need-(\d+)"')
    prep.post(f"/needs/{need}", informant=people[1], raised_by=people[0])
    prep.post("/assessment", **{"state-safe": "met", "note-safe": PRIVATE["assessment"]})
    letters = prep.http.post(
        prep.url + "/invitations",
        data={"csrf": csrf_of(prep.page()), "person": people, "then": "print"},
    )
    links = letter_links(letters.text)

    # The day: the invited phones join by their letters, one more by the code.
    story = Story(prep, "", member_link, [])
    sockets: dict[str, Client] = {}
    for person in people:
        http = requests.Session()
        page = http.get(links[person])
        assert http.post(links[person], data={"csrf": csrf_of(page.text)}).ok
        story.phone_sessions.append(http)
    walk_in = Phone(server, prep.meeting.code)
    assert walk_in.join("Buurman Piet", "Bewoners").ok
    story.phone_sessions.append(walk_in.http)
    for n, http in enumerate(story.phone_sessions):
        client = Client()
        story.seen[f"phone {n}"] = recording(client)
        client.connect(
            server,
            {"audience": "phone", "code": prep.meeting.code},
            headers={"Cookie": f"plandag_device={http.cookies['plandag_device']}"},
        )
        client.wait_for(lambda c=client: c.views.get("meeting") and c.you is not None)
        sockets[f"phone {n}"] = client
    beamer = Client()
    story.seen["beamer"] = recording(beamer)
    beamer.connect(
        server,
        {"audience": "beamer", "meeting": prep.meeting.id, "key": prep.meeting.beamer_key},
    )
    console = Client()
    story.seen["console"] = recording(console)
    cookie = "; ".join(f"{k}={v}" for k, v in prep.http.cookies.items())
    console.connect(
        server, {"audience": "console", "meeting": prep.meeting.id}, headers={"Cookie": cookie}
    )
    console.wait_for(lambda: "meeting" in console.views)
    phones = [sockets[f"phone {n}"] for n in range(4)]

    advance(console, "framing")
    info = console.views["info"][0]["id"]
    ok(console.call("info.show", {"client_id": cid("i"), "id": info}))
    advance(console, "sharing")
    ok(phones[0].call("contribution.create", {"client_id": cid("c"), "text": CONTRIBUTION}))
    advance(console, "proposals")
    proposal = ok(
        phones[1].call(
            "proposal.create",
            {"client_id": cid("p"), "title": "Bankje", "description": "Een bankje", "what": "x"},
        )
    )["id"]
    advance(console, "consent")
    for attempt in range(2):
        round_id = ok(
            console.call("consent.open", {"client_id": cid("o"), "proposal_id": proposal})
        )["round_id"]
        for n, phone in enumerate(phones):
            answer: dict[str, Any] = {
                "client_id": cid("a"),
                "round_id": round_id,
                "answer": "consent",
            }
            if attempt == 0 and n == 2:
                answer.update(answer="objection", text=OBJECTION)
            ok(phone.call("consent.answer", answer))
        ok(console.call("consent.close", {"client_id": cid("x")}))
    round_id = ok(console.call("consent.open", {"client_id": cid("o"), "whole_plan": True}))[
        "round_id"
    ]
    for phone in phones:
        ok(
            phone.call(
                "consent.answer", {"client_id": cid("a"), "round_id": round_id, "answer": "consent"}
            )
        )
    assert ok(console.call("consent.close", {"client_id": cid("x")}))["outcome"] == "adopted"
    advance(console, "signing")
    for n, phone in enumerate(phones):
        ok(phone.call("signature.sign", {"client_id": cid("s"), "name": f"Deelnemer {n}"}))
    ok(console.call("signing.close", {"client_id": cid("cl")}))
    advance(console, "closed")
    response = prep.http.get(f"{server.url}/m/{prep.meeting.id}/plan.docx")
    assert response.status_code == 200
    story.docx = response.content
    story.beamer_page = requests.get(
        f"{server.url}/beamer/{prep.meeting.id}?key={prep.meeting.beamer_key}"
    ).text
    for client in [*phones, beamer, console]:
        client.close()
    return story


def test_no_preparation_note_reaches_the_room_or_any_other_page(
    server: Server, story: Story
) -> None:
    prep = story.prep
    # The facilitators' own pages hold them (so the check below can fail).
    process_page = prep.page()
    person_pages = "".join(
        prep.page(f"/people/{p}") for p in re.findall(r'<tr data-person="(\d+)"', process_page)
    )
    for key in ("contact", "concerns", "needs_to_know"):
        assert PRIVATE[key] in person_pages, key
    assert PRIVATE["assessment"] in process_page and PRIVATE["reason"] in process_page

    pages = {
        "beamer page": story.beamer_page,
        "core-group page": requests.get(story.member_link).text,
        "console page": prep.http.get(f"{server.url}/m/{prep.meeting.id}").text,
        "verify page": requests.get(f"{server.url}/verify").text,
        "plan document": document_text(story.docx),
        **{
            f"phone page {n}": http.get(f"{server.url}/j/{prep.meeting.code}").text
            for n, http in enumerate(story.phone_sessions)
        },
        **{f"socket of the {who}": "\n".join(seen) for who, seen in story.seen.items()},
    }
    assert all(story.seen.values()) and len(story.seen) == 6
    for where, text in pages.items():
        for key, secret in PRIVATE.items():
            assert secret not in text, f"{key} reached the {where}"
    # What the room is meant to see did reach it: the informant's item, named.
    beamer = "\n".join(story.seen["beamer"])
    assert "Cijfers van de wijkagent" in beamer and "Dhr. Kok" in beamer
    # Another facilitator sees no page of this process.
    bram = login(server, "bram@example.org")
    assert bram.get(prep.url).status_code == 404
    assert bram.get(f"{prep.url}/letters").status_code == 404


def test_the_plan_document_records_the_go_no_go_without_its_notes(story: Story) -> None:
    text = document_text(story.docx)
    assert "Voorbereiding" in text
    assert "De voorwaarden voor doorgaan (go/no-go) zijn vooraf beoordeeld" in text
    assert "doorgaan: aan alle voorwaarden is voldaan" not in text  # only one was assessed
    assert "niet alle voorwaarden zijn beoordeeld" in text
    assert PRIVATE["assessment"] not in text


def _rows_with(db_path: str, needles: list[str]) -> dict[str, list[str]]:
    """Every table and column where one of the needles is stored."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(db_path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for needle in needles:
                    hit = db.execute(
                        f'SELECT 1 FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ? LIMIT 1',
                        (f"%{needle}%",),
                    ).fetchone()
                    if hit:
                        found.setdefault(table, []).append(f"{column}: {needle}")
    return found


def test_a_purge_leaves_only_the_sealed_plan_which_still_verifies(
    server: Server, story: Story
) -> None:
    prep = story.prep
    db_path = str(server.instance / "plandag.db")
    needles = [*PRIVATE.values(), CONTRIBUTION, OBJECTION, "Mevrouw Noor"]
    before = _rows_with(db_path, needles)
    assert "preparations" in before and "contributions" in before and "consent_log" in before

    # Not before the chosen date; then only with the title typed.
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    prep.post("/retention", purge_after=tomorrow)
    assert 'id="purge"' not in prep.page()
    refused = prep.post("/purge", confirm_title="Plandag Stille Hoek").text
    assert "kan gewist worden vanaf" in (flashed_error(refused) or "")
    prep.post("/retention", purge_after=date.today().isoformat())
    wrong = prep.post("/purge", confirm_title="plandag").text
    assert "Typ de titel van de bijeenkomst precies over" in (flashed_error(wrong) or "")
    assert "preparations" in _rows_with(db_path, needles)
    done = prep.post("/purge", confirm_title="Plandag Stille Hoek").text
    assert "De voorbereiding is gewist." in done
    assert "Voorbereiding gewist" in done  # in its log

    after = _rows_with(db_path, needles)
    # Only the sealed plan (its canonical record holds the agreements, the objection
    # and how it was resolved, and the signers) keeps any of it.
    assert set(after) <= {"plan_seals"}, after
    for secret in PRIVATE.values():
        assert not any(secret in hit for hit in after.get("plan_seals", []))
    # The sealed plan still renders and verifies.
    again = prep.http.get(f"{server.url}/m/{prep.meeting.id}/plan.docx")
    assert again.status_code == 200
    for docx in (story.docx, again.content):
        verdict = requests.post(
            f"{server.url}/verify",
            files={"document": ("plan.docx", docx)},
            headers={"Accept-Language": "en"},
        )
        assert 'class="verdict-box valid"' in verdict.text
    # Irreversible and closed: nothing more can be added.
    refused = prep.post("/people", name="Nog iemand", group="Bewoners").text
    assert "gewist op" in (flashed_error(refused) or "")
    assert requests.get(story.member_link).status_code == 404
    # Every way into the meeting is closed: the old beamer link no longer opens it.
    beamer = requests.get(f"{server.url}/beamer/{prep.meeting.id}?key={prep.meeting.beamer_key}")
    assert beamer.status_code == 403


def test_plandag_purge_before_a_date_purges_processes_past_their_date(server: Server) -> None:
    held = (date.today() - timedelta(days=10)).isoformat()
    prep = prepared(server, title="Oud proces", date=held)
    person = add_person(prep, "Mevrouw Oud", contact="CLI-CONTACT-0612")
    prep.post(
        f"/people/{person}/conversations",
        held_on=date.today().isoformat(),
        held_by="Anna",
        concerns="CLI-CONCERN oud zeer",
    )
    kept = prepared(server, title="Nieuw proces", date=held)
    add_person(kept, "Mevrouw Nieuw", contact="CLI-KEEP-0613")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert flashed_error(prep.post("/retention", purge_after=yesterday).text) is None
    kept.post("/retention", purge_after=(date.today() + timedelta(days=30)).isoformat())

    result = server.cli("purge", "--before", date.today().isoformat())
    assert "purged process" in result.stdout and "Oud proces" in result.stdout
    assert "1 process(es) purged" in result.stdout
    found = _rows_with(
        str(server.instance / "plandag.db"), ["CLI-CONCERN", "CLI-CONTACT", "CLI-KEEP"]
    )
    assert found == {"involved_people": ["contact: CLI-KEEP"]}
    assert "Voorbereiding gewist" in prep.page()
    # Run again: nothing left to purge.
    assert (
        "0 process(es) purged" in server.cli("purge", "--before", date.today().isoformat()).stdout
    )
