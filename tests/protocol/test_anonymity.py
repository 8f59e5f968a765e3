"""Anonymity holds end to end: in an anonymous meeting no participant's id or name
reaches the room (beamer and phone sockets, their pages) unless it is that phone's own
view, also with tables, hosts and table proposals."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.support import Client, Phone, Server, console_client, create_meeting, login

pytestmark = pytest.mark.protocol

NAMES = ["Zeynep Quillfeather", "Bartholomew Oyelaran", "Wilhelmina Tjoeng", "Rasmus Vandeput"]
GROUPS = ["Bewoners", "Gemeente", "Bewoners", "Gemeente"]
#: keys that name a person in a payload
PERSON_KEYS = {"participant_id", "author_id", "host_id", "members", "people", "voters"}


class Recorder(Client):
    """A client that keeps every payload the server sent it."""

    def __init__(self) -> None:
        self.payloads: list[tuple[str, Any]] = []
        super().__init__()

    def _snapshot(self, snap: dict[str, Any]) -> None:
        self.payloads.append(("snapshot", snap))
        super()._snapshot(snap)

    def _update(self, update: dict[str, Any]) -> None:
        self.payloads.append(("update", update))
        super()._update(update)

    def _you(self, you: dict[str, Any]) -> None:
        self.payloads.append(("you", you))
        super()._you(you)


def leaks(value: Any, names: list[str], path: str = "") -> list[str]:
    """Where a payload names a person: a name, a person-id key, or a person's label
    (name and group) that carries an id."""
    found: list[str] = []
    if isinstance(value, dict):
        if {"id", "name", "group"} <= value.keys():
            found.append(f"{path} (a person with an id)")
        for key, item in value.items():
            here = f"{path}.{key}"
            if key in PERSON_KEYS and item not in (None, [], {}):
                found.append(here)
            if key == "host" and isinstance(item, dict) and "id" in item:
                found.append(f"{here}.id")
            found += leaks(item, names, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += leaks(item, names, f"{path}[{i}]")
    elif isinstance(value, str):
        found += [f"{path} says {name!r}" for name in names if name in value]
    return found


def room_payload_leaks(client: Recorder, own: dict[str, Any] | None, names: list[str]) -> list[str]:
    others = [n for n in names if own is None or n != own["name"]]
    found = []
    for kind, payload in client.payloads:
        if kind == "you":
            # A phone's own view may name the phone's person, and nobody else.
            assert own is not None and payload["id"] == own["id"]
            found += [f"you{x}" for x in leaks(payload, others) if "says" in x]
            continue
        body = {k: v for k, v in payload.items() if k != "you"}
        found += [f"{kind}{x}" for x in leaks(body, names)]
        if "you" in payload:
            assert own is not None and payload["you"]["id"] == own["id"]
            found += [f"{kind}.you{x}" for x in leaks(payload["you"], others) if "says" in x]
    return found


def run_meeting(server: Server, anonymity: str) -> dict[str, Any]:
    """A meeting with cards, a speaking queue, two tables with hosts, table proposals
    and votes, watched by a beamer and four phones from the start."""
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens", title=f"Anonymity {anonymity}")
    console = console_client(server, anna, meeting.id)

    def act(event: str, **data: Any) -> dict[str, Any]:
        act.n += 1  # type: ignore[attr-defined]
        ack = console.call(event, {"client_id": f"an-{meeting.id}-{act.n}"[:64], **data})  # type: ignore[attr-defined]
        assert ack["ok"], (event, ack)
        return ack

    act.n = 0  # type: ignore[attr-defined]
    act("sharing.settings", anonymity=anonymity)
    beamer = Recorder().connect(
        server, {"audience": "beamer", "meeting": meeting.id, "key": meeting.beamer_key}
    )
    phones = []
    for name, group in zip(NAMES, GROUPS, strict=True):
        phone = Phone(server, meeting.code)
        assert phone.join(name, group).ok
        client = Recorder().connect(
            server,
            {"audience": "phone", "code": meeting.code},
            headers={"Cookie": f"plandag_device={phone.token}"},
        )
        client.wait_for(lambda c=client: c.you is not None and c.views.get("meeting"))
        phones.append((phone, client))
    act("phase.advance")  # framing
    act("phase.advance")  # sharing
    for i, (_phone, client) in enumerate(phones):
        ack = client.call(
            "contribution.create",
            {"client_id": f"card-{i}-{meeting.id}"[:64], "text": f"Kaart {i}"},
        )
        assert ack["ok"], ack
        assert client.call("queue.request", {"client_id": f"queue-{i}-{meeting.id}"[:64]})["ok"]
    beamer.wait_for(lambda: sum(k.startswith("card:") for k in beamer.views) == 4)
    act("phase.advance")  # proposals
    split = act("tables.split", strategy="mixed", count=2)
    console.wait_for(lambda: len((console.views.get("tables") or {}).get("tables", [])) == 2)
    hosts = []
    for table in console.views["tables"]["tables"]:
        host_id = table["members"][0]["id"]
        act("table.update", id=table["id"], host_id=host_id)
        hosts.append(host_id)
    by_id = {client.you["id"]: client for _phone, client in phones}
    for n, host_id in enumerate(hosts):
        host = by_id[host_id]
        host.wait_for(lambda h=host: h.you.get("table_host") is True)
        ack = host.call(
            "proposal.create", {"client_id": f"tp-{n}-{meeting.id}"[:64], "title": f"Tafel {n}"}
        )
        assert ack["ok"], ack
    for client in by_id.values():
        if client.you["id"] not in hosts:
            assert client.you["table_host"] is False
    act("voting.open")
    console.wait_for(lambda: sum(k.startswith("proposal:") for k in console.views) == 2)
    proposal_ids = [int(k.split(":")[1]) for k in console.views if k.startswith("proposal:")]
    for i, client in enumerate(by_id.values()):
        client.wait_for(lambda c=client: any(k.startswith("proposal:") for k in c.views))
        client.call(
            "vote.give", {"client_id": f"v-{i}-{meeting.id}"[:64], "proposal_id": proposal_ids[0]}
        )
    beamer.wait_for(
        lambda: (
            all(
                t.get("host") is not None
                for t in (beamer.views.get("tables") or {}).get("tables", [])
            )
            and len([k for k in beamer.views if k.startswith("proposal:")]) == 2
        )
    )
    # Last, each screen's own full snapshot as well.
    for client in (beamer, *by_id.values()):
        client.payloads.append(("snapshot", client.call("state.snapshot")["snapshot"]))
    return {
        "meeting": meeting,
        "console": console,
        "beamer": beamer,
        "phones": phones,
        "hosts": hosts,
        "split": split,
    }


def test_an_anonymous_meeting_names_nobody_to_the_room(server: Server):
    run = run_meeting(server, "anonymous")
    beamer, meeting = run["beamer"], run["meeting"]
    # The room knows there are tables with hosts and table proposals ...
    tables = beamer.views["tables"]["tables"]
    assert len(tables) == 2 and all(t["host"] == {"name": None} for t in tables)
    proposals = [v for k, v in beamer.views.items() if k.startswith("proposal:")]
    assert {p["table_id"] for p in proposals} == {t["id"] for t in tables}
    # ... and nobody's name or id reaches it.
    assert room_payload_leaks(beamer, None, NAMES) == []
    for _phone, client in run["phones"]:
        assert room_payload_leaks(client, client.you, NAMES) == []
    # Nor the pages: the beamer's, and each phone's (which shows only its own name).
    page = requests.get(f"{server.url}/beamer/{meeting.id}?key={meeting.beamer_key}").text
    assert not [n for n in NAMES if n in page]
    for phone, client in run["phones"]:
        own = phone.http.get(f"{server.url}/j/{meeting.code}").text
        assert client.you["name"] in own
        assert not [n for n in NAMES if n in own and n != client.you["name"]]
    # The facilitator still sees everyone.
    console_tables = run["console"].views["tables"]["tables"]
    assert {t["host"]["id"] for t in console_tables} == set(run["hosts"])
    for c in (run["console"], beamer, *[c for _p, c in run["phones"]]):
        c.close()


def test_a_named_meeting_shows_the_hosts_names(server: Server):
    run = run_meeting(server, "named")
    names = {t["host"]["name"] for t in run["beamer"].views["tables"]["tables"]}
    assert names <= set(NAMES) and len(names) == 2
    # The checker is not blind: the names are found in the room's payloads.
    assert room_payload_leaks(run["beamer"], None, NAMES)
    # Going anonymous later reaches the beamer's tables at once.
    run["console"].call(
        "sharing.settings",
        {"client_id": f"late-anon-{run['meeting'].id}"[:64], "anonymity": "anonymous"},
    )
    run["beamer"].wait_for(
        lambda: all(t["host"] == {"name": None} for t in run["beamer"].views["tables"]["tables"])
    )
    for c in (run["console"], run["beamer"], *[c for _p, c in run["phones"]]):
        c.close()
