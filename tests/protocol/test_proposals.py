"""Proposals, tables and support voting over the real server."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from tests.support import (
    Client,
    Phone,
    Server,
    async_phone,
    beamer_client,
    console_client,
    create_meeting,
    joined_phone,
    login,
)

pytestmark = pytest.mark.protocol


def to_proposals(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, template="alle_hens")
    console = console_client(server, anna, meeting.id)
    for n in range(3):
        assert console.call("phase.advance", {"client_id": f"tp-{meeting.id}-{n}"[:64]})["ok"]
    return meeting, console


def propose(client: Client, title: str, n: int = 0) -> int:
    ack = client.call(
        "proposal.create", {"client_id": f"prop-{client.you['id']}-{n}", "title": title}
    )
    assert ack["ok"], ack
    return ack["id"]


def support(view: dict) -> dict[int, int]:
    return {r["id"]: r["support"] for r in view["ranking"]}


def test_500_phones_place_3_dots_each_with_retries_counted_once(server: Server):
    meeting, console = to_proposals(server)
    author = joined_phone(server, meeting.code, "Schrijver")
    ids = [propose(author, f"Voorstel {i}", i) for i in range(6)]
    assert console.call(
        "voting.configure",
        {"client_id": f"vc-{meeting.id}"[:64], "mode": "dots", "dots": 3, "max_per_proposal": 2},
    )["ok"]
    assert console.call("voting.open", {"client_id": f"vo-{meeting.id}"[:64]})["ok"]
    beamer = beamer_client(server, meeting)
    beamer.wait_for(lambda: beamer.views["meeting"]["voting"]["open"])
    tokens = []
    for i in range(500):
        phone = Phone(server, meeting.code)
        assert phone.join(f"Stemmer {i}", ["Bewoners", "Gemeente", "Jongeren"][i % 3]).ok
        tokens.append(phone.token)
    rng = random.Random(4)
    plans = [[rng.choice(ids) for _ in range(3)] for _ in tokens]
    # at most 2 dots on one proposal: the third dot goes elsewhere
    for plan in plans:
        if plan.count(plan[0]) == 3:
            plan[2] = next(i for i in ids if i != plan[0])
    expected: dict[int, int] = dict.fromkeys(ids, 0)
    for plan in plans:
        for pid in plan:
            expected[pid] += 1
    resenders = set(range(0, 500, 10))
    acks: list[dict] = []
    before = len(beamer.updates)

    async def connect(token: str) -> socketio.AsyncClient:
        return await async_phone(server, meeting.code, token)

    async def phone_votes(i: int, sio: socketio.AsyncClient) -> None:
        for n, pid in enumerate(plans[i]):
            body = {"client_id": f"dot-{i}-{n}-abc", "proposal_id": pid}
            acks.append(await sio.call("vote.give", body, timeout=30))
            if i in resenders and n == 1:
                # The ack "timed out": the phone sends the same write again.
                again = await sio.call("vote.give", body, timeout=30)
                assert again["ok"] and again.get("duplicate") is True

    async def storm() -> float:
        # The room is seated and connected; then voting: 500 phones, 3 dots each.
        phones = await asyncio.gather(*(connect(t) for t in tokens))
        start = asyncio.get_running_loop().time()
        await asyncio.gather(*(phone_votes(i, sio) for i, sio in enumerate(phones)))
        elapsed = asyncio.get_running_loop().time() - start
        await asyncio.gather(*(sio.disconnect() for sio in phones))
        return elapsed

    with ThreadPoolExecutor(max_workers=1) as pool:
        elapsed = pool.submit(lambda: asyncio.run(storm())).result()
    # How fast is printed (run with -s), not asserted: a timed assert fails on a slow CI
    # machine for no fault of the code. The figures go in the closing notes.
    assert len(acks) == 1500 and all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
    beamer.wait_for(lambda: support(beamer.views) == expected, timeout=15)
    received = len(beamer.updates) - before
    print(
        f"\n1500 dots (+{len(resenders)} resent) in {elapsed:.1f} s; "
        f"the beamer received {received} ranking updates"
    )
    snapshot = console.call("state.snapshot")["snapshot"]["views"]
    assert support(snapshot) == expected
    assert [r["support"] for r in snapshot["ranking"]] == sorted(expected.values(), reverse=True)
    author.close()
    beamer.close()
    console.close()


def test_refusals_change_nothing(server: Server):
    meeting, console = to_proposals(server)
    a = joined_phone(server, meeting.code, "Aisha")
    b = joined_phone(server, meeting.code, "Bert")
    first = propose(a, "Samen koken")
    second = propose(b, "Buurtbarbecue")
    third = propose(b, "Speelplek", 1)
    cfg = console.call(
        "voting.configure",
        {"client_id": f"vc2-{meeting.id}"[:64], "mode": "dots", "dots": 2, "max_per_proposal": 1},
    )
    assert cfg["ok"]

    def give(client: Client, pid: int, n: str) -> dict:
        return client.call(
            "vote.give", {"client_id": f"give-{client.you['id']}-{n}", "proposal_id": pid}
        )

    assert give(a, first, "closed")["error"]["code"] == "vote.closed"  # not open yet
    assert console.call("voting.open", {"client_id": f"vo2-{meeting.id}"[:64]})["ok"]
    ack = give(a, first, "1")
    assert ack["ok"], ack
    assert give(a, first, "2")["error"]["code"] == "vote.proposal_full"
    assert give(a, second, "3")["ok"]
    assert give(a, third, "4")["error"]["code"] == "vote.no_dots_left"
    # Withdrawn and merged proposals take no support; dots on them come back.
    assert (
        console.call(
            "proposal.withdraw", {"client_id": f"pw-{meeting.id}"[:64], "id": second, "reason": ""}
        )["error"]["code"]
        == "proposal.reason_required"
    )
    assert console.call(
        "proposal.withdraw",
        {"client_id": f"pw2-{meeting.id}"[:64], "id": second, "reason": "Valt buiten de kaders"},
    )["ok"]
    assert give(b, second, "5")["error"]["code"] == "proposal.closed"
    a.wait_for(lambda: a.you["dots_left"] == 1)
    assert console.call(
        "proposal.merge", {"client_id": f"pm-{meeting.id}"[:64], "id": third, "into": first}
    )["ok"]
    assert give(b, third, "6")["error"]["code"] == "proposal.closed"
    assert console.call("voting.close", {"client_id": f"vcl-{meeting.id}"[:64]})["ok"]
    assert give(b, first, "7")["error"]["code"] == "vote.closed"
    assert (
        a.call("vote.take_back", {"client_id": "undo-after-close", "proposal_id": first})["error"][
            "code"
        ]
        == "vote.closed"
    )
    console.wait_for(lambda: support(console.views) == {first: 1})
    # The rules cannot change under cast votes.
    locked = console.call(
        "voting.configure", {"client_id": f"vlk-{meeting.id}"[:64], "mode": "simple"}
    )
    assert locked["error"]["code"] == "voting.rules_locked"
    # A phone cannot act as the facilitator on proposals.
    assert (
        a.call("proposal.withdraw", {"client_id": "phone-withdraw", "id": first, "reason": "x"})[
            "error"
        ]["code"]
        == "auth.forbidden"
    )
    for c in (a, b, console):
        c.close()


def test_merging_keeps_supporters_counted_once(server: Server):
    meeting, console = to_proposals(server)
    voters = [joined_phone(server, meeting.code, f"V{i}") for i in range(3)]
    keep = propose(voters[0], "Buurtcafé")
    dup = propose(voters[0], "Een café voor de buurt", 1)
    console.call("voting.open", {"client_id": f"vo3-{meeting.id}"[:64]})
    for i, v in enumerate(voters):
        targets = [keep, dup] if i == 0 else ([dup] if i == 1 else [keep])
        for n, t in enumerate(targets):
            assert v.call("vote.give", {"client_id": f"m-{i}-{n}-xyz", "proposal_id": t})["ok"]
    ack = console.call(
        "proposal.merge", {"client_id": f"pm3-{meeting.id}"[:64], "id": dup, "into": keep}
    )
    assert ack["ok"]
    console.wait_for(lambda: support(console.views) == {keep: 3})
    ranking = console.views["ranking"][0]
    assert ranking["supporters"] == 3
    assert console.views[f"proposal:{dup}"]["status"] == "merged"
    # Editing keeps every version, with who changed it; the room sees only the current.
    edit = console.call(
        "proposal.edit",
        {
            "client_id": f"pe-{meeting.id}"[:64],
            "id": keep,
            "title": "Buurtcafé op vrijdag",
            "description": "x",
        },
    )
    assert edit["ok"] and edit["number"] == 2
    console.wait_for(lambda: len(console.views[f"proposal:{keep}"]["versions"]) == 2)
    versions = console.views[f"proposal:{keep}"]["versions"]
    assert [v["title"] for v in versions] == ["Buurtcafé", "Buurtcafé op vrijdag"]
    assert versions[0]["by"] == "V0" and versions[1]["by"] == "Anna de Vries"
    voters[1].wait_for(
        lambda: voters[1].views[f"proposal:{keep}"]["title"] == "Buurtcafé op vrijdag"
    )
    assert "versions" not in voters[1].views[f"proposal:{keep}"]
    for c in (*voters, console):
        c.close()


def test_tables_their_hosts_and_back_to_plenary(server: Server):
    meeting, console = to_proposals(server)
    people = [
        joined_phone(server, meeting.code, f"T{i}", ["Bewoners", "Gemeente"][i % 2])
        for i in range(6)
    ]
    split = console.call(
        "tables.split",
        {"client_id": f"ts-{meeting.id}"[:64], "strategy": "mixed", "count": 2, "four_years": True},
    )
    assert split["ok"] and len(split["tables"]) == 2
    console.wait_for(lambda: console.views["tables"]["active"])
    tables = console.views["tables"]["tables"]
    for t in tables:  # the groups are mixed over the tables
        assert {m["group"] for m in t["members"]} == {"Bewoners", "Gemeente"}
        assert t["question"].startswith("Where should this stand in four years")
    table = tables[0]
    host_id, other_id = table["members"][0]["id"], table["members"][1]["id"]
    host = next(p for p in people if p.you["id"] == host_id)
    other = next(p for p in people if p.you["id"] == other_id)
    refused = other.call("proposal.create", {"client_id": "not-host-1", "title": "Mijn idee"})
    assert refused["error"]["code"] == "table.not_host"
    assert console.call(
        "table.update",
        {"client_id": f"tu-{meeting.id}"[:64], "id": table["id"], "host_id": host_id},
    )["ok"]
    host.wait_for(lambda: host.views["tables"]["tables"][0]["host"] is not None)
    assert (
        other.call("proposal.create", {"client_id": "not-host-2", "title": "Nog een idee"})[
            "error"
        ]["code"]
        == "table.not_host"
    )
    made = host.call("proposal.create", {"client_id": "host-prop-1", "title": "Tafelvoorstel"})
    assert made["ok"]
    console.wait_for(
        lambda: (console.views.get(f"proposal:{made['id']}") or {}).get("table_id") == table["id"]
    )
    # Someone who arrives after the split gets a seat at the smallest table.
    late = joined_phone(server, meeting.code, "Laat", "Jongeren")
    late.wait_for(lambda: late.you["table_id"] is not None)
    assert console.call("tables.plenary", {"client_id": f"tpl-{meeting.id}"[:64]})["ok"]
    other.wait_for(lambda: other.you["table_id"] is None)
    assert propose(other, "In de plenaire zaal", 5)
    for c in (*people, console):
        c.close()


def test_framework_parties_vote_only_when_allowed(server: Server):
    meeting, console = to_proposals(server)
    author = joined_phone(server, meeting.code, "Auteur")
    first = propose(author, "Buurtapp")
    party = joined_phone(server, meeting.code, "Gemeente", "Gemeente")
    assert console.call(
        "participant.set_role",
        {
            "client_id": f"role-{meeting.id}"[:64],
            "participant_id": party.you["id"],
            "role": "framework_party",
        },
    )["ok"]
    assert console.call("voting.open", {"client_id": f"vo5-{meeting.id}"[:64]})["ok"]
    refused = party.call("vote.give", {"client_id": "party-vote-1", "proposal_id": first})
    assert refused["error"]["code"] == "vote.role"
    assert console.call(
        "voting.configure",
        {"client_id": f"vc5-{meeting.id}"[:64], "mode": "simple", "allow_framework": True},
    )["ok"]
    assert party.call("vote.give", {"client_id": "party-vote-2", "proposal_id": first})["ok"]
    console.wait_for(lambda: support(console.views) == {first: 1})
    # A voter whose role no longer votes no longer counts.
    assert console.call(
        "participant.set_role",
        {
            "client_id": f"role2-{meeting.id}"[:64],
            "participant_id": party.you["id"],
            "role": "observer",
        },
    )["ok"]
    console.wait_for(lambda: support(console.views) == {first: 0})
    for c in (author, party, console):
        c.close()
