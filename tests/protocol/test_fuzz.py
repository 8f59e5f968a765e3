"""Fuzz: malformed payloads to every registered intent from every audience, in every
phase of a meeting. No ack may be ``server.error``, the log must stay free of
tracebacks, and the other clients (another meeting's beamer, this meeting's beamer)
keep getting their updates. A seeded generator (PLANDAG_FUZZ_SEED to replay one run).
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import facilitator.events
import participant.events
import shared.realtime.sockets
from shared.realtime.sockets import INTENTS
from tests.protocol.test_frameworks import PartyDevice, invite
from tests.support import (
    Client,
    Server,
    beamer_client,
    console_client,
    create_meeting,
    joined_phone,
    login,
)

pytestmark = pytest.mark.protocol

SEED = int(os.environ.get("PLANDAG_FUZZ_SEED", "20261201"))
#: payloads per intent in each phase from the room (a phone, a framework party's device,
#: a beamer), and per intent from the console at the end; an intent an audience may not
#: send gets one per phase (the refusal does not depend on the payload)
PER_PHASE, CONSOLE_ROUNDS = 6, 25


def field_names() -> list[str]:
    """Every lower-case name the event handlers mention: the payload fields they read
    (and some words that are not fields, which a handler must ignore)."""
    names = set()
    for module in (facilitator.events, participant.events, shared.realtime.sockets):
        assert module.__file__ is not None
        source = Path(module.__file__).read_text()
        names |= set(re.findall(r'"([a-z][a-z_]{1,30})"', source))
    return sorted(names)


FIELDS = field_names()
TEXTS = [
    "",
    " ",
    "x",
    "a" * 1001,
    "a" * 6000,
    "b" * 40_000,  # beyond every payload limit but the signature's
    "\u0000",
    "\ud800",  # a lone surrogate
    "\u202egnp.exe",
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "../../etc/passwd",
    "{name} {0} %s %(x)s",
    "🙂" * 50,
    "objection",
    "consent",
    "named",
    "theme",
    "signed",
    "framing",
    "data:image/png;base64,AAAA",
]
NUMBERS = [0, 1, 2, 3, -1, 2**31, 2**31 + 1, -(2**63), 10**99, 0.5, -1e308, 1e308]


def value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.random()
    if kind < 0.35:
        return rng.choice(TEXTS)
    if kind < 0.65:
        return rng.choice(NUMBERS)
    if kind < 0.75:
        return rng.choice([None, True, False])
    if depth > 3:
        return None
    if kind < 0.82:
        return [value(rng, depth + 1) for _ in range(rng.choice([0, 1, 3]))]
    if kind < 0.88:
        return [rng.choice(NUMBERS) for _ in range(200)]  # a long list of ids
    return {rng.choice(FIELDS): value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def client_id(rng: random.Random, n: int) -> Any:
    kind = rng.random()
    if kind < 0.45:
        return f"fuzz-{SEED}-{n}"  # valid and fresh
    if kind < 0.55:
        return "fuzz-reused-1"  # valid, reused for other things
    return rng.choice([None, 42, "short", "x" * 65, "bad id!", ["fuzz-000001"], {}])


def payload(rng: random.Random, n: int, other_meeting: str) -> Any:
    """One malformed (or now and then valid) payload, small enough for the transport:
    beyond 256 kB the connection itself is closed, which another test covers."""
    while True:
        data = _payload(rng, n, other_meeting)
        if len(json.dumps(data)) < 200_000:
            return data


def _payload(rng: random.Random, n: int, other_meeting: str) -> Any:
    if rng.random() < 0.12:
        return rng.choice([None, [], [1, 2], "text", 7, True, ({"client_id": "x" * 8}, "extra")])
    data: dict[str, Any] = {rng.choice(FIELDS): value(rng) for _ in range(rng.randint(0, 6))}
    cid = client_id(rng, n)
    if cid is not None:
        data["client_id"] = cid
    if rng.random() < 0.08:
        data["meeting_id"] = rng.choice([other_meeting, "", 5, "nope"])
    return data


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        instance=Path(tmp_path_factory.mktemp("fuzz")),
        # The fuzz reaches the handlers, not the per-socket rate limit (tested elsewhere).
        env_extra={"PLANDAG_INTENT_RATE": "1000"},
    )
    srv.start()
    srv.add_user("anna@example.org", "Anna de Vries")
    srv.add_user("bram@example.org", "Bram Jansen")
    yield srv
    srv.stop()


class Bystander:
    """Another meeting's console sets its timer every half second; its beamer must see
    each change. Runs beside the fuzz."""

    def __init__(self, server: Server) -> None:
        bram = login(server, "bram@example.org")
        self.meeting = create_meeting(bram, server, title="Bystander")
        self.console = console_client(server, bram, self.meeting.id)
        self.beamer = beamer_client(server, self.meeting)
        self.beamer.wait_for(lambda: self.beamer.views.get("meeting"))
        self.delays: list[float] = []
        self.missed: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        minutes = 0
        while not self.stop.is_set():
            minutes = minutes % 500 + 1
            ack = self.console.call(
                "timer.set", {"client_id": f"by-{SEED}-{time.monotonic_ns()}", "minutes": minutes}
            )
            sent = time.monotonic()
            try:
                assert ack["ok"], ack
                self.beamer.wait_for(
                    lambda m=minutes: self.beamer.views["meeting"]["timebox_seconds"] == m * 60,
                    timeout=5,
                )
            except AssertionError as exc:
                self.missed.append(str(exc)[:200])
            else:
                self.delays.append(time.monotonic() - sent)
            time.sleep(0.5)


def test_malformed_payloads_to_every_intent_from_every_audience(server: Server):
    rng = random.Random(SEED)
    assert len(INTENTS) >= 60, sorted(INTENTS)
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    driver = console_client(server, anna, meeting.id)  # moves the meeting on; not fuzzed
    fuzzing_console = console_client(server, anna, meeting.id)
    watcher = beamer_client(server, meeting)
    link = invite(driver, "Gemeente Zuidstad")
    device = PartyDevice(server, link)
    assert device.claim("Mira Bos")["status"] == "approved"
    room: dict[str, Client] = {
        "phone": joined_phone(server, meeting.code, "Fatima"),
        "party": device.connect(meeting.code),
        "beamer": beamer_client(server, meeting),
    }
    other = create_meeting(anna, server, title="Another meeting").id
    bystander = Bystander(server)
    bystander.thread.start()
    log_start = len(server.read_log())
    acks: Counter[str] = Counter()
    bad: list[str] = []
    n = 0
    started = time.monotonic()

    def fuzz(who: str, audience: str, client: Client, rounds: int) -> None:
        nonlocal n
        for event in sorted(INTENTS):
            for _ in range(rounds if audience in INTENTS[event] else 1):
                n += 1
                data = payload(rng, n, other)
                ack = client.sio.call(event, data, timeout=15)
                if not isinstance(ack, dict) or not isinstance(ack.get("ok"), bool):
                    bad.append(f"{who} {event} {data!r:.200}: {ack!r:.200}")
                    continue
                if ack["ok"]:
                    acks["ok"] += 1
                    continue
                error = ack.get("error") or {}
                acks[error.get("code", "?")] += 1
                message = error.get("message")
                if error.get("code") == "server.error" or not message or "Traceback" in message:
                    bad.append(f"{who} {event} {data!r:.200}: {ack!r:.300}")

    walk = driver.views["meeting"]["walk"]
    for phase in walk:
        while driver.views["meeting"]["phase"] != phase:
            ack = driver.call("phase.advance", {"client_id": f"drive-{SEED}-{phase}"[:64]})
            if not ack["ok"]:
                break  # a phase that needs the room's work first (the check, signing)
            driver.wait_for(lambda v=ack["version"]: driver.version >= v)
        for who, client in room.items():
            audience = "beamer" if who == "beamer" else "phone"
            fuzz(f"{who}@{driver.views['meeting']['phase']}", audience, client, PER_PHASE)
    for who, client in room.items():
        assert client.sio.connected, (who, client.trouble)
    fuzz("console", "console", fuzzing_console, CONSOLE_ROUNDS)
    bystander.stop.set()
    bystander.thread.join(15)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    log = server.read_log()[log_start:]
    print(
        f"\nfuzz seed {SEED}: {n} calls to {len(INTENTS)} intents in {elapsed:.1f} s; "
        f"acks {dict(acks.most_common(12))}; bystander beamer max delay "
        f"{max(bystander.delays):.3f} s over {len(bystander.delays)} updates"
    )
    assert not bad, bad[:10]
    assert "Traceback" not in log and " failed" not in log, log[-3000:]
    assert not bystander.missed, bystander.missed
    assert len(bystander.delays) >= 10
    # This meeting's screens carry on too.
    assert watcher.sio.connected and fuzzing_console.sio.connected
    final = driver.call("state.snapshot")["snapshot"]["views"]["meeting"]
    shown = ("phase", "timebox_seconds", "title", "open_question")
    watcher.wait_for(lambda: all(watcher.views["meeting"][k] == final[k] for k in shown))
    assert watcher.call("state.snapshot")["ok"]
    for c in (driver, fuzzing_console, watcher, *room.values()):
        c.close()
    bystander.console.close()
    bystander.beamer.close()
