"""Kaders over the real server: framework parties by personal link, kaders with versions,
flags, and the kader check with its roles enforced per event."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
import requests
import socketio

from tests.support import (
    Client,
    MeetingInfo,
    Server,
    beamer_client,
    console_client,
    create_meeting,
    joined_phone,
    login,
)

pytestmark = pytest.mark.protocol
_ids = itertools.count()


def cid(tag: str) -> str:
    return f"{tag}-{next(_ids)}-kader"[:64]


class PartyDevice:
    """A browser that opened a party's personal link."""

    def __init__(self, server: Server, link: str) -> None:
        self.server, self.link = server, link
        self.http = requests.Session()
        self.page = self.http.get(link)

    def claim(self, name: str | None = None) -> dict:
        body = {} if name is None else {"name": name}
        return self.http.post(f"{self.link}/claim", json=body).json()

    def connect(self, code: str) -> Client:
        token = self.http.cookies["plandag_device"]
        client = Client().connect(
            self.server,
            {"audience": "phone", "code": code},
            headers={"Cookie": f"plandag_device={token}"},
        )
        client.wait_for(lambda: client.views.get("meeting") and client.you is not None)
        return client


@dataclass
class Room:
    meeting: MeetingInfo
    console: Client
    party: Client
    party_link: str
    author: Client
    beamer: Client


def ok(ack: dict) -> dict:
    assert ack["ok"], ack
    return ack


def advance(console: Client, to: str) -> None:
    while console.views["meeting"]["phase"] != to:
        ack = console.call("phase.advance", {"client_id": cid("adv")})
        assert ack["ok"], ack
        version = ack["version"]
        console.wait_for(lambda v=version: console.version >= v)


def invite(console: Client, name: str) -> str:
    party_id = ok(console.call("party.invite", {"client_id": cid("inv"), "name": name}))["id"]
    console.wait_for(lambda: any(p["id"] == party_id for p in console.views.get("parties", [])))
    return next(p["link"] for p in console.views["parties"] if p["id"] == party_id)


def setup_room(server: Server, email: str = "anna@example.org") -> Room:
    anna = login(server, email)
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    console.wait_for(lambda: "meeting" in console.views)
    link = invite(console, "Gemeente Zuidstad")
    device = PartyDevice(server, link)
    assert device.page.ok and "claim-form" in device.page.text
    assert device.claim("Mira Bos")["status"] == "approved"
    party = device.connect(meeting.code)
    author = joined_phone(server, meeting.code, "Schrijver")
    beamer = beamer_client(server, meeting)
    return Room(meeting, console, party, link, author, beamer)


def test_kaders_are_drafts_until_locked_then_every_change_is_a_new_version(server: Server):
    room = setup_room(server)
    party, console, beamer, phone = room.party, room.console, room.beamer, room.author
    own = ok(
        party.call(
            "framework.save",
            {"client_id": cid("k"), "title": "Budget", "description": "Hooguit 50.000 euro."},
        )
    )["id"]
    ok(
        console.call(
            "framework.save",
            {"client_id": cid("k"), "title": "Veiligheid", "description": "Geen verkeer."},
        )
    )
    # The party sees the drafts in its own view; the room sees nothing before the lock.
    party.wait_for(lambda: len((party.you or {}).get("party", {}).get("drafts") or []) == 2)
    console.wait_for(lambda: len(console.views["frameworks"]["items"]) == 2)
    assert beamer.views["frameworks"] == {
        "locked": False,
        "locked_at": None,
        "shown_id": None,
        "items": [],
    }
    assert phone.views["frameworks"]["items"] == []
    # A party writes only its own kaders.
    facilitators_kader = next(
        f for f in console.views["frameworks"]["items"] if f["party_id"] is None
    )
    refused = party.call(
        "framework.save",
        {"client_id": cid("k"), "id": facilitators_kader["id"], "title": "Anders"},
    )
    assert refused["error"]["code"] == "framework.not_own"
    # Editing a draft keeps version 1.
    ok(
        party.call(
            "framework.save",
            {"client_id": cid("k"), "id": own, "title": "Budget", "description": "60.000 euro."},
        )
    )
    ok(console.call("framework.lock", {"client_id": cid("lock")}))
    beamer.wait_for(lambda: len(beamer.views["frameworks"]["items"]) == 2)
    phone.wait_for(lambda: len(phone.views["frameworks"]["items"]) == 2)
    assert beamer.views["frameworks"]["items"][0]["version"] == 1
    # After the lock: the party can no longer change it; the facilitator makes version 2.
    locked = party.call(
        "framework.save", {"client_id": cid("k"), "id": own, "title": "Budget", "description": "x"}
    )
    assert locked["error"]["code"] == "framework.locked"
    ok(
        console.call(
            "framework.save",
            {"client_id": cid("k"), "id": own, "title": "Budget", "description": "40.000 euro."},
        )
    )
    console.wait_for(
        lambda: (
            next(f for f in console.views["frameworks"]["items"] if f["id"] == own)["version"] == 2
        )
    )
    kader = next(f for f in console.views["frameworks"]["items"] if f["id"] == own)
    assert [(v["number"], v["description"], v["after_lock"]) for v in kader["versions"]] == [
        (1, "60.000 euro.", False),
        (2, "40.000 euro.", True),
    ]
    beamer.wait_for(
        lambda: next(f for f in beamer.views["frameworks"]["items"] if f["id"] == own)[
            "changed_after_lock"
        ]
    )
    # A participant cannot write kaders at all.
    assert (
        phone.call("framework.save", {"client_id": cid("k"), "title": "Mijn kader"})["error"][
            "code"
        ]
        == "auth.forbidden"
    )


def test_a_second_device_needs_the_facilitators_approval(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    link = invite(console, "Woningcorporatie")
    first = PartyDevice(server, link)
    assert first.claim("Kees")["status"] == "approved"
    first_socket = first.connect(meeting.code)
    second = PartyDevice(server, link)
    assert "pending-view" in second.page.text and "claim-form" not in second.page.text
    # Without approval the second device is not in the meeting at all.
    with pytest.raises(socketio.exceptions.ConnectionError, match=r"auth\.not_joined"):
        second.connect(meeting.code)
    assert second.claim()["status"] == "pending"
    assert second.http.get(f"{link}/status").json()["status"] == "pending"
    console.wait_for(
        lambda: any(
            d["status"] == "pending" for p in console.views["parties"] for d in p["devices"]
        )
    )
    request = next(
        d for p in console.views["parties"] for d in p["devices"] if d["status"] == "pending"
    )
    # Only a facilitator decides; the party itself cannot approve its second device.
    assert (
        first_socket.call("party.approve_device", {"client_id": cid("ap"), "id": request["id"]})[
            "error"
        ]["code"]
        == "auth.forbidden"
    )
    ok(console.call("party.approve_device", {"client_id": cid("ap"), "id": request["id"]}))
    assert second.http.get(f"{link}/status").json()["status"] == "approved"
    second_socket = second.connect(meeting.code)
    assert second_socket.you["id"] == first_socket.you["id"]  # the same representative
    assert second_socket.you["role"] == "framework_party"
    # A third device is refused.
    third = PartyDevice(server, link)
    assert third.claim()["status"] == "pending"
    approved = request["id"]
    console.wait_for(
        lambda: any(
            d["status"] == "pending" and d["id"] != approved
            for p in console.views["parties"]
            for d in p["devices"]
        )
    )
    request = next(
        d
        for p in console.views["parties"]
        for d in p["devices"]
        if d["status"] == "pending" and d["id"] != approved
    )
    ok(console.call("party.refuse_device", {"client_id": cid("rf"), "id": request["id"]}))
    assert "refused-view" in third.http.get(link).text
    with pytest.raises(socketio.exceptions.ConnectionError, match=r"auth\.not_joined"):
        third.connect(meeting.code)
    # An unknown or renewed link does not reveal anything.
    assert requests.get(f"{server.url}/k/not-a-real-key").status_code == 404


def to_check(server: Server) -> tuple[Room, list[int], dict[str, int]]:
    """A meeting in the consent phase with a three-agreement plan adopted as a whole."""
    room = setup_room(server)
    console, party = room.console, room.party
    kaders = {
        "budget": ok(
            party.call(
                "framework.save",
                {"client_id": cid("k"), "title": "Budget", "description": "Hooguit 50.000 euro."},
            )
        )["id"],
        "veiligheid": ok(
            console.call(
                "framework.save",
                {"client_id": cid("k"), "title": "Veiligheid", "description": "Brandweer vrij."},
            )
        )["id"],
    }
    ok(console.call("framework.lock", {"client_id": cid("lock")}))
    advance(console, "proposals")
    titles = ["Speelplek bij de Lindelaan", "Buurtcafé op het plein", "Verlichting"]
    proposals = [
        ok(room.author.call("proposal.create", {"client_id": cid("p"), "title": title}))["id"]
        for title in titles
    ]
    return room, proposals, kaders


def test_flags_roles_and_the_kader_check(server: Server):
    room, proposals, kaders = to_check(server)
    console, party, phone, beamer = room.console, room.party, room.author, room.beamer
    # Flags: the party and the facilitator flag while proposals are written and tested.
    flag = ok(
        party.call(
            "framework.flag",
            {
                "client_id": cid("f"),
                "proposal_id": proposals[1],
                "framework_id": kaders["budget"],
                "note": "Een café kost meer dan het budget.",
            },
        )
    )["id"]
    beamer.wait_for(lambda: any(f["id"] == flag for f in beamer.views["framework_flags"]))
    shown = next(f for f in beamer.views["framework_flags"] if f["id"] == flag)
    assert shown["by"] == "Gemeente Zuidstad" and shown["proposal_id"] == proposals[1]
    console.wait_for(lambda: any(f["id"] == flag for f in console.views["framework_flags"]))
    participant_flag = phone.call(
        "framework.flag",
        {"client_id": cid("f"), "proposal_id": proposals[0], "framework_id": 1, "note": "x"},
    )
    assert participant_flag["error"]["code"] == "auth.forbidden"
    empty = party.call(
        "framework.flag",
        {
            "client_id": cid("f"),
            "proposal_id": proposals[0],
            "framework_id": kaders["budget"],
            "note": " ",
        },
    )
    assert empty["error"]["code"] == "flag.note_required"
    # Consent on each proposal, then on the whole plan.
    advance(console, "consent")
    refused = console.call("phase.advance", {"client_id": cid("adv")})
    assert refused["error"]["code"] == "check.needs_plan"
    for pid in proposals:
        opened = ok(console.call("consent.open", {"client_id": cid("o"), "proposal_id": pid}))
        ok(
            phone.call(
                "consent.answer",
                {"client_id": cid("a"), "round_id": opened["round_id"], "answer": "consent"},
            )
        )
        assert ok(console.call("consent.close", {"client_id": cid("c")}))["outcome"] == "adopted"
    ok(console.call("consent.open", {"client_id": cid("o"), "whole_plan": True}))
    ok(console.call("consent.close", {"client_id": cid("c")}))
    console.wait_for(lambda: console.views["agreements"]["adopted"] is True)
    agreements = [a["id"] for a in console.views["agreements"]["items"]]
    assert len(agreements) == 3
    # The adopted plan's text no longer changes.
    frozen = console.call(
        "agreement.edit", {"client_id": cid("e"), "id": agreements[0], "who": "Iemand anders"}
    )
    assert frozen["error"]["code"] == "plan.adopted"
    advance(console, "framework_check")

    def record(client: Client, agreement: int, kader: int, verdict: str, why: str = "") -> dict:
        return client.call(
            "check.record",
            {
                "client_id": cid("r"),
                "agreement_id": agreement,
                "framework_id": kader,
                "verdict": verdict,
                "explanation": why,
            },
        )

    # A participant cannot record a check; a party only checks its own kaders.
    assert record(phone, agreements[0], kaders["budget"], "fits")["error"]["code"] == (
        "auth.forbidden"
    )
    assert record(party, agreements[0], kaders["veiligheid"], "fits")["error"]["code"] == (
        "check.not_your_kader"
    )
    assert record(party, agreements[1], kaders["budget"], "does_not_fit")["error"]["code"] == (
        "check.explanation_required"
    )
    ok(record(party, agreements[0], kaders["budget"], "fits"))
    ok(record(party, agreements[1], kaders["budget"], "does_not_fit", "Te duur voor de gemeente."))
    ok(record(party, agreements[2], kaders["budget"], "fits"))
    # The facilitator records the facilitators' kader; the record says who.
    for agreement in agreements:
        ok(record(console, agreement, kaders["veiligheid"], "fits"))
    beamer.wait_for(
        lambda: (
            beamer.views["framework_check"]["total"] == 6
            and beamer.views["framework_check"]["missing"] == 0
        )
    )
    check = beamer.views["framework_check"]
    assert check["status"] == "changes_needed" and check["unchanged"] is False
    assert [(n["agreement_id"], n["explanation"]) for n in check["not_fitting"]] == [
        (agreements[1], "Te duur voor de gemeente.")
    ]
    entries = {(e["agreement_id"], e["framework_id"]): e for e in check["entries"]}
    assert entries[(agreements[0], kaders["budget"])]["by"] == "Gemeente Zuidstad"
    assert entries[(agreements[0], kaders["budget"])]["on_behalf"] is False
    assert entries[(agreements[0], kaders["veiligheid"])]["on_behalf"] is True
    # The phase cannot be left before the agreement that does not fit has a follow-up.
    blocked = console.call("phase.advance", {"client_id": cid("adv")})
    assert blocked["error"]["code"] == "check.needs_followup"
    assert "Buurtcafé op het plein" in blocked["error"]["message"]
    ok(
        console.call(
            "followup.add",
            {
                "client_id": cid("fu"),
                "agreement_id": agreements[1],
                "what": "Kleiner plan voor het café, binnen budget",
                "who": "Werkgroep plein",
                "when": "1 maart 2027",
            },
        )
    )
    assert (
        party.call("followup.add", {"client_id": cid("fu"), "what": "x", "who": "y", "when": "z"})[
            "error"
        ]["code"]
        == "auth.forbidden"
    )
    beamer.wait_for(lambda: len(beamer.views["framework_check"]["followups"]) == 1)
    # The party reconsiders: once everything fits, the plan goes ahead unchanged.
    ok(record(party, agreements[1], kaders["budget"], "fits"))
    beamer.wait_for(lambda: beamer.views["framework_check"]["status"] == "unchanged")
    assert beamer.views["framework_check"]["unchanged"] is True
    advance(console, "signing")


def test_a_party_of_another_meeting_cannot_touch_this_one(server: Server):
    room, proposals, kaders = to_check(server)
    other = setup_room(server, "bram@example.org")
    stranger = other.party
    ack = stranger.call(
        "framework.flag",
        {
            "client_id": cid("x"),
            "proposal_id": proposals[0],
            "framework_id": kaders["budget"],
            "note": "Niet van mij",
        },
    )
    assert ack["error"]["code"] in ("proposal.unknown", "flag.phase_closed")
    ack = stranger.call(
        "framework.save",
        {
            "client_id": cid("x"),
            "id": kaders["budget"],
            "title": "Overgenomen",
            "meeting_id": room.meeting.id,
        },
    )
    assert ack["error"]["code"] == "auth.other_meeting"
    ack = stranger.call(
        "framework.save", {"client_id": cid("x"), "id": kaders["budget"], "title": "Overgenomen"}
    )
    assert ack["error"]["code"] == "framework.unknown"
    room.console.wait_for(lambda: room.console.views["frameworks"]["items"][0]["title"] == "Budget")


def test_a_removed_representative_is_replaced_by_renewing_the_link(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    link = invite(console, "Schoolbestuur")
    first = PartyDevice(server, link)
    assert first.claim("Oud")["status"] == "approved"
    rep = first.connect(meeting.code)
    rep_id = rep.you["id"]
    ok(console.call("participant.remove", {"client_id": cid("rm"), "participant_id": rep_id}))
    assert "removed-view" in first.http.get(link).text
    party_id = console.views["parties"][0]["id"]
    ok(console.call("party.renew", {"client_id": cid("rn"), "id": party_id}))
    console.wait_for(lambda: console.views["parties"][0]["link"] != link)
    assert console.views["parties"][0]["representative"] is None
    new_link = console.views["parties"][0]["link"]
    assert requests.get(link).status_code == 404  # the old link is gone
    second = PartyDevice(server, new_link)
    assert second.claim("Nieuw")["status"] == "approved"
    new_rep = second.connect(meeting.code)
    assert new_rep.you["id"] != rep_id and new_rep.you["role"] == "framework_party"


def test_a_device_already_in_the_room_cannot_become_a_second_party_device(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    link = invite(console, "Politie")
    assert PartyDevice(server, link).claim("Agent Jansen")["status"] == "approved"
    # Someone who joined by the QR code opens the (already used) personal link.
    http = requests.Session()
    http.get(f"{server.url}/j/{meeting.code}")
    assert http.post(
        f"{server.url}/j/{meeting.code}/join", json={"name": "Buur", "group": "Bewoners"}
    ).ok
    http.get(link)
    refused = http.post(f"{link}/claim", json={}).json()
    assert refused["error"]["code"] == "party.device_is_participant"
    assert "Buur" in refused["error"]["message"]


def test_checks_follow_ups_and_signatures_stay_true_to_what_was_signed(server: Server):
    room, proposals, kaders = to_check(server)
    console, party, phone = room.console, room.party, room.author
    advance(console, "consent")
    for pid in [*proposals, None]:
        payload = {"client_id": cid("o")}
        payload.update({"proposal_id": pid} if pid else {"whole_plan": True})
        ok(console.call("consent.open", payload))
        ok(console.call("consent.close", {"client_id": cid("c")}))
    too_early = console.call(
        "followup.add", {"client_id": cid("fu"), "what": "x", "who": "y", "when": "z"}
    )
    assert too_early["error"]["code"] == "followup.phase_closed"
    advance(console, "framework_check")
    console.wait_for(lambda: len(console.views["agreements"]["items"]) == 3)
    agreements = [a["id"] for a in console.views["agreements"]["items"]]

    def record(client: Client, agreement: int, kader: int, verdict: str, **extra) -> dict:
        payload = {
            "client_id": cid("r"),
            "agreement_id": agreement,
            "framework_id": kader,
            "verdict": verdict,
            "explanation": "Past niet." if verdict == "does_not_fit" else "",
        }
        return client.call("check.record", {**payload, **extra})

    # A verdict on words the party no longer sees is refused.
    stale = record(party, agreements[0], kaders["budget"], "fits", framework_version=7)
    assert stale["error"]["code"] == "check.kader_changed"
    for agreement in agreements:
        ok(record(party, agreement, kaders["budget"], "fits", framework_version=1))
        ok(record(console, agreement, kaders["veiligheid"], "fits"))
    advance(console, "signing")
    frozen = console.call(
        "framework.save",
        {"client_id": cid("k"), "id": kaders["budget"], "title": "Budget", "description": "x"},
    )
    assert frozen["error"]["code"] == "framework.frozen"
    ok(phone.call("signature.sign", {"client_id": cid("s"), "name": "Fatima El Amrani"}))
    ok(party.call("signature.sign", {"client_id": cid("s"), "name": "Mira Bos"}))
    room.beamer.wait_for(lambda: (room.beamer.views.get("signing_tally") or {}).get("signed") == 2)
    # Back to the check: the party changes a verdict, so the plan people signed changed.
    ack = console.call("phase.back", {"client_id": cid("back")})
    assert ack["ok"], ack
    console.wait_for(lambda: console.views["meeting"]["phase"] == "framework_check")
    ok(record(party, agreements[2], kaders["budget"], "does_not_fit"))
    ok(
        console.call(
            "followup.add",
            {
                "client_id": cid("fu"),
                "agreement_id": agreements[2],
                "what": "Goedkopere lampen zoeken",
                "who": "Gemeente",
                "when": "april",
            },
        )
    )
    advance(console, "signing")
    phone.wait_for(lambda: ((phone.you or {}).get("signature") or {}).get("stale") is True)
    room.beamer.wait_for(lambda: room.beamer.views["signing_tally"]["signed"] == 0)
    ok(phone.call("signature.sign", {"client_id": cid("s"), "name": "Fatima El Amrani"}))
    closed = ok(console.call("signing.close", {"client_id": cid("cl")}))
    assert closed["signatures"] == 1  # the party's signature was given on the old plan
    late = console.call(
        "followup.add", {"client_id": cid("fu"), "what": "x", "who": "y", "when": "z"}
    )
    assert late["error"]["code"] == "followup.phase_closed"
