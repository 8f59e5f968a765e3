"""What the room consents to is what it reads, signs and keeps: amending under an open
round, the record of how an objection was integrated, merge undo, namesakes, and a
phone that comes back to its own answer."""

from __future__ import annotations

import io
import itertools

import pytest
from docx import Document

from tests.support import Client, Phone, Server, console_client, create_meeting, login

pytestmark = pytest.mark.protocol

_ids = itertools.count()


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-amend"


def ok(ack: dict) -> dict:
    assert ack.get("ok"), ack
    return ack


def advance(console: Client, to: str) -> None:
    for _ in range(10):
        if console.views["meeting"]["phase"] == to:
            return
        version = ok(console.call("phase.advance", {"client_id": cid("adv")}))["version"]
        console.wait_for(lambda v=version: console.version >= v)
    assert console.views["meeting"]["phase"] == to


def phone(server: Server, code: str, name: str, group: str) -> Client:
    device = Phone(server, code)
    assert device.join(name, group).ok
    client = device.connect()
    client.wait_for(lambda: client.you is not None and "meeting" in client.views)
    client.device = device  # type: ignore[attr-defined]
    return client


def document_text(data: bytes) -> list[str]:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return parts


def test_amending_where_and_when_under_an_open_round_supersedes_it_and_the_record_tells_it(
    server: Server,
):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Wijkpark")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    fatima_a = phone(server, meeting.code, "Fatima", "Bewoners")
    fatima_b = phone(server, meeting.code, "Fatima", "Jongeren")
    jan = phone(server, meeting.code, "Jan", "Gemeente")
    sam = phone(server, meeting.code, "Sam", "Bewoners")  # eligible, never signs
    advance(console, "proposals")
    pid = ok(
        fatima_a.call(
            "proposal.create",
            {
                "client_id": cid("p"),
                "title": "Speelplek in het park",
                "description": "Een trapveldje met bankjes.",
                "where": "Grasveld voor de flats",
                "when": "Voor de zomer",
            },
        )
    )["id"]
    advance(console, "consent")
    first = ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pid}))
    for client in (fatima_a, fatima_b, jan, sam):
        client.wait_for(
            lambda c=client: (c.views.get("consent") or {}).get("id") == first["round_id"]
        )
    # Every phone reads the exact text the round asks about, above its answer buttons.
    asked = jan.views["consent"]["subject"]
    assert asked["version"] == 1 and asked["fields"]["where"] == "Grasveld voor de flats"
    reason = "Te dicht bij de slaapkamers van de benedenwoningen."
    ok(
        jan.call(
            "consent.answer",
            {
                "client_id": cid("a"),
                "round_id": first["round_id"],
                "answer": "objection",
                "text": reason,
            },
        )
    )
    ok(
        fatima_a.call(
            "consent.answer",
            {"client_id": cid("a"), "round_id": first["round_id"], "answer": "consent"},
        )
    )
    change = {
        "client_id": cid("e"),
        "id": pid,
        "where": "Grasveld achter de flats",
        "when": "Voor 1 mei, overdag open",
    }
    # Nothing changes under a running round by surprise: the console must confirm.
    refused = console.call("proposal.edit", change)
    assert refused["error"]["code"] == "consent.amend_round_open"
    console.wait_for(lambda: console.views["consent"]["subject"]["version"] == 1)
    amended = ok(
        console.call("proposal.edit", {**change, "client_id": cid("e"), "supersede": True})
    )
    assert amended["superseded"] == first["round_id"] and amended["number"] == 2
    second_id = amended["round_id"]
    console.wait_for(lambda: console.views["consent"]["id"] == second_id)
    rounds = console.views[f"proposal:{pid}"]["rounds"]
    assert [(r["version"], r["outcome"]) for r in rounds] == [(1, "superseded"), (2, None)]
    # The new round asks about version 2 and shows what changed, word by word.
    for client in (fatima_a, fatima_b, jan, sam):
        client.wait_for(lambda c=client: (c.views.get("consent") or {}).get("id") == second_id)
    view = jan.views["consent"]
    assert view["subject"]["version"] == 2
    assert view["subject"]["fields"]["where"] == "Grasveld achter de flats"
    assert view["previous"] == {"id": first["round_id"], "outcome": "superseded", "version": 1}
    where = view["changes"]["fields"]["where"]
    assert {"op": "removed", "text": "voor"} in where and {"op": "added", "text": "achter"} in where
    assert "title" not in view["changes"]["fields"]  # unchanged fields are not marked
    # The old answers stay with round 1; the phones answer afresh.
    jan.wait_for(lambda: (jan.you.get("consent") or {}).get("round_id") == second_id)
    assert jan.you["consent"]["answer"] is None
    late = jan.call(
        "consent.answer",
        {"client_id": cid("a"), "round_id": first["round_id"], "answer": "consent"},
    )
    assert late["error"]["code"] == "consent.closed"
    for client in (fatima_a, fatima_b, jan, sam):
        ok(
            client.call(
                "consent.answer",
                {"client_id": cid("a"), "round_id": second_id, "answer": "consent"},
            )
        )
    assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    console.wait_for(lambda: len(console.views["agreements"]["items"]) == 1)
    agreement = console.views["agreements"]["items"][0]
    assert agreement["where"] == "Grasveld achter de flats"
    assert agreement["when"] == "Voor 1 mei, overdag open"
    assert agreement["description"] == "Een trapveldje met bankjes."
    plan_round = ok(console.call("consent.open", {"client_id": cid("o"), "whole_plan": True}))
    for client in (fatima_a, fatima_b, jan, sam):
        client.wait_for(
            lambda c=client: (c.you.get("consent") or {}).get("round_id") == plan_round["round_id"]
        )
        ok(
            client.call(
                "consent.answer",
                {"client_id": cid("a"), "round_id": plan_round["round_id"], "answer": "consent"},
            )
        )
    ok(console.call("consent.close", {"client_id": cid("c")}))
    advance(console, "signing")
    ok(fatima_a.call("signature.sign", {"client_id": cid("s"), "name": "Fatima El Amrani"}))
    ok(fatima_b.call("signature.sign", {"client_id": cid("s"), "name": "Fatima Yılmaz"}))
    ok(
        jan.call(
            "signature.sign",
            {"client_id": cid("s"), "sign": False, "name": "Jan Bakker", "reason": "Later."},
        )
    )
    # The console tells the two Fatimas apart, with the names they signed with.
    console.wait_for(
        lambda: sum(1 for p in console.views["signing_tally"]["people"] if p["status"]) == 3
    )
    people = {p["name"]: p for p in console.views["signing_tally"]["people"]}
    assert people["Fatima (Bewoners)"]["signed_as"] == "Fatima El Amrani"
    assert people["Fatima (Jongeren)"]["signed_as"] == "Fatima Yılmaz"
    labels = {v["label"] for k, v in console.views.items() if k.startswith("participant:") and v}
    assert {"Fatima (Bewoners)", "Fatima (Jongeren)", "Jan", "Sam"} <= labels
    ok(console.call("signing.close", {"client_id": cid("cl")}))
    response = anna.get(f"{server.url}/m/{meeting.id}/plan.docx")
    assert response.status_code == 200, response.text[:300]
    texts = document_text(response.content)
    joined = "\n".join(texts)
    # Both rounds, the objection, how it ended, and the text before and after.
    assert "Ronde 1 · over voorstelversie 1" in joined
    assert "vervangen: de tekst werd aangepast terwijl de ronde liep" in joined
    assert "Ronde 2 · over voorstelversie 2" in joined
    assert f"Bezwaar: {reason}" in texts
    assert (
        "Afloop: verwerkt in voorstelversie 2, die in ronde 2 is aangenomen. Wie het bezwaar "
        "maakte, stemde daarna in."
    ) in texts
    assert "Was (waar): Grasveld voor de flats" in texts
    assert "Werd (waar): Grasveld achter de flats" in texts
    assert "Was (wanneer): Voor de zomer" in texts
    assert "Werd (wanneer): Voor 1 mei, overdag open" in texts
    # Signatures numbered without gaps; the one who never answered is listed too.
    assert "4 konden tekenen: 2 ondertekend, 1 zagen ervan af, 1 niet getekend." in texts
    assert "Fatima El Amrani\nin de zaal: Fatima (Bewoners)" in texts
    assert "Fatima Yılmaz\nin de zaal: Fatima (Jongeren)" in texts
    signed_numbers = [
        row.cells[0].text
        for table in Document(io.BytesIO(response.content)).tables
        if table.rows[0].cells[-1].text == "Handtekening"
        for row in table.rows[1:]
    ]
    assert signed_numbers == ["1", "2"]
    assert "Sam" in texts  # in the not-signed list
    for client in (fatima_a, fatima_b, jan, sam, console):
        client.close()


def test_a_merge_tells_the_author_and_can_be_undone_until_voting_opens(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Samen")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    author = phone(server, meeting.code, "Ilse", "Bewoners")
    voter = phone(server, meeting.code, "Kees", "Gemeente")
    advance(console, "proposals")
    a = ok(author.call("proposal.create", {"client_id": cid("p"), "title": "Bankjes"}))["id"]
    b = ok(voter.call("proposal.create", {"client_id": cid("p"), "title": "Meer bankjes"}))["id"]
    ok(console.call("shortlist.set", {"client_id": cid("sl"), "ids": [a, b]}))
    # Voting before the merge: the voter supports both.
    assert voter.views["meeting"]["voting"]["ever_opened"] is False
    ok(console.call("voting.open", {"client_id": cid("vo")}))
    for pid in (a, b):
        ok(voter.call("vote.give", {"client_id": cid("v"), "proposal_id": pid}))
    twice = voter.call("vote.give", {"client_id": cid("v"), "proposal_id": a})
    assert twice["error"]["code"] == "vote.already_supported"
    ok(console.call("voting.close", {"client_id": cid("vc")}))
    ok(console.call("proposal.merge", {"client_id": cid("m"), "id": a, "into": b}))
    author.wait_for(lambda: any(p["status"] == "merged" for p in author.you.get("proposals", [])))
    told = author.you["proposals"][0]
    assert told == {
        "id": a,
        "title": "Bankjes",
        "status": "merged",
        "merged_into": b,
        "reason": None,
    }
    console.wait_for(lambda: console.views["meeting"]["shortlist"] == [b])
    console.wait_for(lambda: console.views[f"proposal:{a}"].get("undo_merge") is True)
    undone = ok(console.call("proposal.unmerge", {"client_id": cid("u"), "id": a}))
    assert undone["restored_from"] == b
    console.wait_for(lambda: console.views[f"proposal:{a}"]["status"] == "open")
    console.wait_for(lambda: console.views["meeting"]["shortlist"] == [a, b])
    support = {r["id"]: r["support"] for r in console.views["ranking"]}
    assert support == {a: 1, b: 1}
    voter.wait_for(lambda: voter.you["votes"] == {str(a): 1, str(b): 1})
    author.wait_for(lambda: author.you["proposals"] == [])
    again = console.call("proposal.unmerge", {"client_id": cid("u"), "id": a})
    assert again["error"]["code"] == "merge.unknown"
    # Once voting has opened after a merge, it can no longer be undone.
    ok(console.call("proposal.merge", {"client_id": cid("m"), "id": a, "into": b}))
    ok(console.call("voting.open", {"client_id": cid("vo")}))
    late = console.call("proposal.unmerge", {"client_id": cid("u"), "id": a})
    assert late["error"]["code"] == "merge.voting_opened"
    ok(console.call("voting.close", {"client_id": cid("vc")}))
    # Voting opened after the merge: closed again, support may still have moved.
    after = console.call("proposal.unmerge", {"client_id": cid("u"), "id": a})
    assert after["error"]["code"] == "merge.voting_opened"
    console.wait_for(lambda: console.views[f"proposal:{a}"].get("undo_merge") is False)
    # A merge made while voting was open frees dots that may be spent: never undone.
    c = ok(author.call("proposal.create", {"client_id": cid("p"), "title": "Bloembakken"}))["id"]
    ok(console.call("voting.open", {"client_id": cid("vo")}))
    ok(console.call("proposal.merge", {"client_id": cid("m"), "id": c, "into": b}))
    ok(console.call("voting.close", {"client_id": cid("vc")}))
    during = console.call("proposal.unmerge", {"client_id": cid("u"), "id": c})
    assert during["error"]["code"] == "merge.voting_opened"
    for client in (author, voter, console):
        client.close()


def test_a_phone_that_comes_back_sees_its_objection_with_its_reason(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title="Plandag Terug")
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    objector = phone(server, meeting.code, "Noor", "Bewoners")
    advance(console, "proposals")
    pid = ok(objector.call("proposal.create", {"client_id": cid("p"), "title": "Hek"}))["id"]
    advance(console, "consent")
    round_id = ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pid}))[
        "round_id"
    ]
    objector.wait_for(lambda: (objector.you.get("consent") or {}).get("round_id") == round_id)
    reason = "Een hek sluit de jongeren buiten."
    ok(
        objector.call(
            "consent.answer",
            {"client_id": cid("a"), "round_id": round_id, "answer": "objection", "text": reason},
        )
    )
    objector.close()
    back = objector.device.connect()  # type: ignore[attr-defined]
    back.wait_for(lambda: back.you is not None)
    assert back.you["consent"]["answer"] == "objection"
    assert back.you["consent"]["text"] == reason
    back.close()
    console.close()
