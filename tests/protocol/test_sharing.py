"""Sharing over the real server: contributions, moderation, the wall, the speaking queue."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support import (
    Client,
    Phone,
    Server,
    beamer_client,
    console_client,
    create_meeting,
    joined_phone,
    login,
)

pytestmark = pytest.mark.protocol


def open_sharing(server: Server, **fields):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server, **fields)
    console = console_client(server, anna, meeting.id)
    for n in range(2):
        assert console.call("phase.advance", {"client_id": f"to-sharing-{meeting.id}-{n}"[:64]})[
            "ok"
        ]
    return anna, meeting, console


def wall(client: Client) -> dict[int, dict]:
    return {
        int(k.split(":")[1]): v
        for k, v in client.views.items()
        if k.startswith(("card:", "contribution:"))
    }


def test_200_phones_post_two_contributions_each_and_the_beamer_gets_all_400_coalesced(
    server: Server,
):
    _anna, meeting, console = open_sharing(server)
    beamer = beamer_client(server, meeting)
    beamer.wait_for(lambda: beamer.views["meeting"]["phase"] == "sharing")
    before = len(beamer.updates)
    tokens = []
    for i in range(200):
        phone = Phone(server, meeting.code)
        assert phone.join(f"Buur {i}", ["Bewoners", "Gemeente", "Jongeren"][i % 3]).ok
        tokens.append(phone.token)
    joined_updates = len(beamer.updates) - before

    import socketio

    acks: list[dict] = []

    async def phone_writes(token: str, i: int) -> None:
        sio = socketio.AsyncClient(reconnection=False)
        await sio.connect(
            server.url,
            auth={"audience": "phone", "code": meeting.code},
            headers={"Cookie": f"plandag_device={token}"},
            transports=["websocket"],
            wait_timeout=30,
        )
        for n in range(2):
            ack = await sio.call(
                "contribution.create",
                {
                    "client_id": f"c-{i}-{n}-xyz",
                    "text": f"Bijdrage {n} van buur {i}: één, twee.",
                },
                timeout=30,
            )
            acks.append(ack)
        await sio.disconnect()

    async def storm() -> float:
        start = time.monotonic()
        await asyncio.gather(*(phone_writes(t, i) for i, t in enumerate(tokens)))
        return time.monotonic() - start

    updates_before = len(beamer.updates)
    # In a thread of its own: Playwright's sync API may own this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        elapsed = pool.submit(lambda: asyncio.run(storm())).result()
    # How fast is printed (run with -s), not asserted: a timed assert fails on a slow CI
    # machine for no fault of the code. The figures go in the closing notes.
    assert len(acks) == 400 and all(a["ok"] for a in acks), [a for a in acks if not a["ok"]][:3]
    assert len({a["id"] for a in acks}) == 400
    beamer.wait_for(lambda: len(wall(beamer)) == 400, timeout=15)
    received = len(beamer.updates) - updates_before
    print(
        f"\n400 contributions in {elapsed:.1f} s; the beamer received {received} updates "
        f"(and {joined_updates} while 200 people joined)"
    )
    assert received < 100
    assert all(v["author"] for v in wall(beamer).values())  # named by default
    snapshot = beamer.call("state.snapshot")["snapshot"]
    assert sum(1 for k in snapshot["views"] if k.startswith("card:")) == 400
    counts = {
        g["group"]: g
        for g in console.call("state.snapshot")["snapshot"]["views"]["counts"]["groups"]
    }
    assert sum(g["contributed"] for g in counts.values()) == 200
    beamer.close()
    console.close()


def test_a_hidden_contribution_leaves_the_beamer_and_every_phone_for_good(server: Server):
    _anna, meeting, console = open_sharing(server)
    beamer = beamer_client(server, meeting)
    author = joined_phone(server, meeting.code, "Fatima")
    reader = joined_phone(server, meeting.code, "Joël", "Jongeren")
    ack = author.call("contribution.create", {"client_id": "hide-me-01", "text": "Iets kwetsends"})
    cid = ack["id"]
    for client in (beamer, reader, author):
        client.wait_for(lambda c=client: f"card:{cid}" in c.views)
    console.wait_for(lambda: f"contribution:{cid}" in console.views)
    assert console.call("wall.spotlight", {"client_id": "spot-00001", "id": cid})["ok"]
    beamer.wait_for(lambda: beamer.views["meeting"]["spotlight_id"] == cid)

    assert console.call("contribution.hide", {"client_id": "hide-00001", "id": cid})["ok"]
    for client in (beamer, reader, author):
        client.wait_for(lambda c=client: f"card:{cid}" not in c.views)
    beamer.wait_for(lambda: beamer.views["meeting"]["spotlight_id"] is None)
    author.wait_for(lambda: author.you["contributions"][0]["status"] == "hidden")
    assert author.you["contributions"][0]["text"] == ""
    console.wait_for(lambda: console.views[f"contribution:{cid}"]["status"] == "hidden")
    for client in (beamer, reader, author):
        snap = client.call("state.snapshot")["snapshot"]
        assert f"card:{cid}" not in snap["views"]
        assert "Iets kwetsends" not in str(snap)
    # There is no way back for a hidden text.
    restore = console.call("contribution.restore", {"client_id": "restore-01", "id": cid})
    assert restore["error"]["code"] == "event.unknown"
    late = joined_phone(server, meeting.code, "Laatkomer")
    assert "Iets kwetsends" not in str(late.views) + str(late.you)
    for c in (beamer, author, reader, late, console):
        c.close()


def test_nobody_changes_someone_elses_contribution(server: Server):
    _anna, meeting, console = open_sharing(server)
    author = joined_phone(server, meeting.code, "Fatima")
    other = joined_phone(server, meeting.code, "Kees")
    cid = author.call("contribution.create", {"client_id": "mine-00001", "text": "Van mij"})["id"]
    edit = other.call("contribution.edit", {"client_id": "theirs-001", "id": cid, "text": "Nee"})
    assert edit["error"]["code"] == "contribution.not_yours"
    withdraw = other.call("contribution.withdraw", {"client_id": "theirs-002", "id": cid})
    assert withdraw["error"]["code"] == "contribution.not_yours"
    hide = other.call("contribution.hide", {"client_id": "theirs-003", "id": cid})
    assert hide["error"]["code"] == "auth.forbidden"
    console.wait_for(lambda: console.views.get(f"contribution:{cid}", {}).get("text") == "Van mij")
    assert console.views[f"contribution:{cid}"]["status"] == "visible"
    # The author can, while sharing is open.
    assert author.call(
        "contribution.edit", {"client_id": "mine-00002", "id": cid, "text": "Van mij, herschreven"}
    )["ok"]
    assert author.call("contribution.withdraw", {"client_id": "mine-00003", "id": cid})["ok"]
    console.wait_for(lambda: f"contribution:{cid}" not in console.views)
    for c in (author, other, console):
        c.close()


def test_pre_moderation_and_anonymity(server: Server):
    _anna, meeting, console = open_sharing(server)
    assert console.call(
        "sharing.settings",
        {"client_id": "settings-01", "moderation": "pre", "anonymity": "anonymous"},
    )["ok"]
    beamer = beamer_client(server, meeting)
    author = joined_phone(server, meeting.code, "Fatima")
    cid = author.call("contribution.create", {"client_id": "pre-000001", "text": "Eerst kijken"})[
        "id"
    ]
    console.wait_for(
        lambda: console.views.get(f"contribution:{cid}", {}).get("status") == "pending"
    )
    assert console.views[f"contribution:{cid}"]["author"] == "Fatima"  # the facilitator knows
    time.sleep(0.5)
    assert f"card:{cid}" not in beamer.views
    # The room is not even told that something waits for approval.
    assert not any(f"card:{cid}" in u["views"] for u in beamer.updates)
    assert console.call("contribution.approve", {"client_id": "approve-01", "id": cid})["ok"]
    beamer.wait_for(lambda: f"card:{cid}" in beamer.views)
    card = beamer.views[f"card:{cid}"]
    assert card["author"] is None and card["group"] is None and "Fatima" not in str(beamer.views)
    bad = console.call("sharing.settings", {"client_id": "settings-02", "moderation": "never"})
    assert bad["error"]["code"] == "setting.invalid"
    for c in (beamer, author, console):
        c.close()


def test_the_speaking_queue_keeps_the_order_of_concurrent_taps(server: Server):
    _anna, meeting, console = open_sharing(server)
    phones = [joined_phone(server, meeting.code, f"Spreker {i}") for i in range(12)]

    def tap(i: int) -> dict:
        return phones[i].call("queue.request", {"client_id": f"tap-{i}-0001"})

    with ThreadPoolExecutor(max_workers=12) as pool:
        acks = list(pool.map(tap, range(12)))
    assert all(a["ok"] for a in acks)
    # A double tap does not queue twice.
    again = phones[0].call("queue.request", {"client_id": "tap-0-0002"})
    assert again["ok"] and again["request_id"] == acks[0]["request_id"]
    console.wait_for(lambda: len(console.views["queue"]["requests"]) == 12)
    requests = console.views["queue"]["requests"]
    ids = [r["id"] for r in requests]
    assert ids == sorted(ids)  # the order the server accepted the taps
    by_request = sorted(acks, key=lambda a: a["request_id"])
    assert [a["position"] for a in by_request] == list(range(1, 13))
    first = requests[0]
    assert console.call("queue.start", {"client_id": "start-0001", "id": first["id"]})["ok"]
    console.wait_for(lambda: console.views["queue"]["requests"][0]["status"] == "speaking")
    second = console.views["queue"]["requests"][1]
    phone_of_second = next(p for p in phones if p.you["id"] == second["participant_id"])
    phone_of_second.wait_for(lambda: phone_of_second.you["queue"]["position"] == 1)
    # Someone removed from the meeting leaves the queue; those behind move up.
    third = console.views["queue"]["requests"][2]
    phone_of_third = next(p for p in phones if p.you["id"] == third["participant_id"])
    assert console.call(
        "participant.remove",
        {"client_id": "rm-queue-01", "participant_id": second["participant_id"]},
    )["ok"]
    phone_of_third.wait_for(lambda: phone_of_third.you["queue"]["position"] == 1)
    console.wait_for(
        lambda: (
            second["participant_id"]
            not in [r["participant_id"] for r in console.views["queue"]["requests"]]
        )
    )
    for c in (*phones, console):
        c.close()


def test_a_round_alternates_the_groups_in_a_fixed_order(server: Server):
    _anna, meeting, console = open_sharing(server)
    people = [
        ("A1", "Bewoners"),
        ("A2", "Bewoners"),
        ("B1", "Gemeente"),
        ("C1", "Jongeren"),
        ("B2", "Gemeente"),
    ]
    phones = [joined_phone(server, meeting.code, name, group) for name, group in people]
    ack = console.call("round.start", {"client_id": "round-0001"})
    assert ack["ok"]
    ids = {p.you["name"]: p.you["id"] for p in phones}
    assert ack["order"] == [ids["A1"], ids["B1"], ids["C1"], ids["A2"], ids["B2"]]
    console.wait_for(lambda: console.views.get("round") and console.views["round"]["position"] == 0)
    assert console.call("round.next", {"client_id": "round-0002"})["current"] == ids["B1"]
    b1 = phones[2]
    b1.wait_for(lambda: b1.you["round"] and b1.you["round"]["now"])
    for c in (*phones, console):
        c.close()


def test_framing_keeps_every_statement_version_and_its_answers(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    console = console_client(server, anna, meeting.id)
    assert console.call("phase.advance", {"client_id": f"fr-{meeting.id}"[:64]})["ok"]
    beamer = beamer_client(server, meeting)
    phones = [joined_phone(server, meeting.code, f"Buur {i}") for i in range(3)]

    first = console.call("recognition.open", {"client_id": f"fr-open-{meeting.id}"[:64]})
    assert first["ok"]
    for phone, answer in zip(phones, ["yes", "partly", "no"], strict=True):
        phone.wait_for(lambda p=phone: (p.views.get("recognition") or {}).get("open"))
        ack = phone.call(
            "recognition.answer",
            {
                "client_id": f"ans-{phone.you['id']}-1",
                "check_id": first["check_id"],
                "answer": answer,
            },
        )
        assert ack["ok"], ack
    # Changing one's answer while open: the last one counts.
    assert phones[2].call(
        "recognition.answer",
        {
            "client_id": f"ans-{phones[2].you['id']}-2",
            "check_id": first["check_id"],
            "answer": "partly",
            "comment": "Na uitleg wel deels.",
        },
    )["ok"]
    beamer.wait_for(
        lambda: (
            (beamer.views.get("recognition_tally") or {}).get("tally")
            == {"yes": 1, "partly": 2, "no": 0}
        )
    )
    assert "comments" not in beamer.views["recognition_tally"]  # who said what: console only
    console.wait_for(lambda: len(console.views["recognition_tally"]["comments"]) == 1)

    revised = console.call(
        "statement.revise",
        {
            "client_id": f"fr-rev-{meeting.id}"[:64],
            "text": "Sinds de zomer voelen jongeren en omwonenden zich niet gehoord.",
        },
    )
    assert revised["ok"] and revised["statement_number"] == 2
    # The open question was closed with its answers and asked again about the new words.
    assert revised["asked_again"] and revised["check_id"] != first["check_id"]
    late = phones[0].call(
        "recognition.answer",
        {
            "client_id": f"ans-{phones[0].you['id']}-3",
            "check_id": first["check_id"],
            "answer": "no",
        },
    )
    assert late["error"]["code"] == "recognition.closed"
    second = revised
    beamer.wait_for(lambda: beamer.views["recognition_tally"]["statement_number"] == 2)
    assert beamer.views["meeting"]["statement_number"] == 2
    # A phone's answer to the first check is not taken for an answer to the second.
    phones[1].wait_for(lambda: phones[1].views["recognition"]["id"] == second["check_id"])
    assert phones[1].you["recognition"]["check_id"] == first["check_id"]
    assert beamer.views["recognition_tally"]["answered"] == 0
    assert phones[0].call(
        "recognition.answer",
        {
            "client_id": f"ans-{phones[0].you['id']}-4",
            "check_id": second["check_id"],
            "answer": "yes",
        },
    )["ok"]
    console.wait_for(lambda: console.views["recognition_tally"]["answered"] == 1)
    history = console.views["recognition_tally"]["history"]
    assert [v["number"] for v in history] == [1, 2]
    assert history[0]["text"] == "Sinds de zomer is er spanning rond het plein."

    # Information items, shown one at a time.
    a = console.call(
        "info.create",
        {
            "client_id": f"info-a-{meeting.id}"[:64],
            "title": "Cijfers van de wijkagent",
            "text": "12 meldingen.",
        },
    )
    b = console.call(
        "info.create",
        {"client_id": f"info-b-{meeting.id}"[:64], "title": "Het bestemmingsplan", "text": ""},
    )
    assert a["ok"] and b["ok"]
    assert console.call("info.show", {"client_id": f"info-s-{meeting.id}"[:64], "id": a["id"]})[
        "ok"
    ]
    beamer.wait_for(lambda: beamer.views["meeting"]["shown_info_id"] == a["id"])
    assert console.call("info.show", {"client_id": f"info-t-{meeting.id}"[:64], "id": b["id"]})[
        "ok"
    ]
    beamer.wait_for(lambda: beamer.views["meeting"]["shown_info_id"] == b["id"])
    assert [i["title"] for i in phones[1].views["info"]] == [
        "Cijfers van de wijkagent",
        "Het bestemmingsplan",
    ]
    for c in (*phones, beamer, console):
        c.close()
