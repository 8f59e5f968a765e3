"""The socket layer refuses abuse before it costs anything: binary packets, malformed
packets, floods and join-code guessing, on gevent and on eventlet."""

from __future__ import annotations

import json
import random
import string
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import websocket

from tests.support import (
    Client,
    Phone,
    Server,
    beamer_client,
    console_client,
    create_meeting,
    login,
)

pytestmark = pytest.mark.protocol


@pytest.fixture(scope="module", params=["gevent", "eventlet"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    # 127.0.0.1 is a trusted proxy here, so each test can speak for its own client
    # address (X-Forwarded-For) and has a guess budget of its own.
    srv = Server(
        instance=Path(tmp_path_factory.mktemp(f"guard-{request.param}")),
        async_mode=request.param,
        env_extra={"PLANDAG_TRUSTED_PROXIES": "127.0.0.1"},
    )
    srv.start()
    srv.add_user("anna@example.org", "Anna de Vries")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def room(server: Server):
    anna = login(server, "anna@example.org")
    meeting = create_meeting(anna, server)
    phone = Phone(server, meeting.code)
    assert phone.join("Fatima").ok
    console = console_client(server, anna, meeting.id)
    yield {"anna": anna, "meeting": meeting, "phone": phone, "console": console}
    console.close()


def raw_socket(
    server: Server, address: str = "10.9.0.1", timeout: float = 5
) -> websocket.WebSocket:
    """A bare Engine.IO websocket, as a hostile client would open one."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        header=[f"X-Forwarded-For: {address}"],
        timeout=timeout,
    )
    assert ws.recv().startswith("0")  # Engine.IO OPEN
    return ws


def connect_phone(ws: websocket.WebSocket, room: dict) -> None:
    auth = {"audience": "phone", "code": room["meeting"].code, "device_token": room["phone"].token}
    ws.send("40" + json.dumps(auth))
    while not ws.recv().startswith("40"):  # the snapshot may come first
        pass


def closed_by_server(ws: websocket.WebSocket, timeout: float = 10) -> bool:
    """True once the server closed the connection (Engine.IO CLOSE, or the TCP end)."""
    deadline = time.monotonic() + timeout
    ws.settimeout(1)
    while time.monotonic() < deadline:
        try:
            message = ws.recv()
        except websocket.WebSocketTimeoutException:
            continue
        except (websocket.WebSocketConnectionClosedException, OSError):
            return True
        if message in ("1", ""):
            return True
    return False


def rss_mb(server: Server) -> float:
    assert server.proc is not None
    with open(f"/proc/{server.proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def log_since(server: Server, offset: int) -> str:
    return server.read_log()[offset:]


def online(console: Client) -> int:
    return console.call("state.snapshot")["snapshot"]["views"]["counts"]["online"]


@pytest.mark.parametrize(
    ("attack", "size"),
    [
        # the report's attack: a binary-event header, then megabyte attachments
        ("binary-event header", 1_000_000),
        # the same with frames under the transport limit (256 kB), so only the guard acts
        ("binary-event header", 250_000),
        ("binary frames", 250_000),
    ],
)
def test_a_binary_flood_closes_the_socket_and_memory_stays_bounded(server, room, attack, size):
    console: Client = room["console"]
    before_online = online(console)
    start, log_start = rss_mb(server), len(server.read_log())
    ws = raw_socket(server, timeout=3)
    connect_phone(ws, room)
    console.wait_for(lambda: online(console) == before_online + 1)
    if attack == "binary-event header":
        ws.send('451-["contribution.create",{"_placeholder":true,"num":0}]')
    frame, sent = b"\0" * size, 0
    try:
        for _ in range(200):
            ws.send_binary(frame)
            sent += 1
    except (websocket.WebSocketException, OSError):
        pass  # the server hung up (or stopped reading): the flood ends here
    assert closed_by_server(ws), f"socket still open after {sent} frames"
    grown = rss_mb(server) - start
    print(
        f"\n{server.async_mode} {attack}, {size} B frames: {sent} sent, RSS {start:.0f} MB "
        f"+{grown:.1f} MB"
    )
    # Before the guard: +186 MB after 200 frames, and the socket stayed open.
    assert grown < 100
    console.wait_for(lambda: online(console) == before_online)
    log = log_since(server, log_start)
    reason = "binary packet" if attack == "binary-event header" else "binary frame"
    assert log.count("closed a socket") == 1 and reason in log, log
    assert "ERROR" not in log
    assert "Traceback" not in log
    ws.close()


MALFORMED = [
    "42" + "[" * 1000 + "]" * 1000,  # nested 1,000 deep
    '42["phase.advance",{"client_id":',  # broken JSON
    '42["state.snapshot",' + "9" * 5000 + "]",  # a 5,000-digit number
    "42[]",
    "42{}",
    '42"state.snapshot"',
    "42[1]",
    '42[{"event":1}]',
    '42["connect",{}]',  # a reserved event name
    '42["timer.set",NaN]',
    '42/admin,["x"]',  # a namespace Plandag does not have
    '451-["x",{"_placeholder":true,"num":0}]',
    "4" + "[" * 100_000,  # deeper than Engine.IO's own parser can go
    "x",  # not even an Engine.IO packet
]


def test_2000_malformed_packets_cost_one_log_line_per_socket_and_the_beamer_keeps_up(server, room):
    meeting, console = room["meeting"], room["console"]
    beamer = beamer_client(server, meeting)
    beamer.wait_for(lambda: beamer.views.get("meeting"))
    log_start = len(server.read_log())
    sockets, per_socket = 40, 50
    done = threading.Event()
    failures: list[str] = []

    def attack() -> None:
        try:
            for n in range(sockets):
                ws = raw_socket(server, address=f"10.9.1.{n}")
                connect_phone(ws, room)
                try:
                    for i in range(per_socket):
                        ws.send(MALFORMED[(n + i) % len(MALFORMED)])
                except (websocket.WebSocketException, OSError):
                    pass  # closed by the server mid-way: the rest never leaves
                ws.close()
        except Exception as exc:  # reported by the main thread
            failures.append(repr(exc))
        finally:
            done.set()

    attacker = threading.Thread(target=attack, daemon=True)
    attacker.start()
    delays = []
    minutes = 10
    while not done.is_set() or len(delays) < 8:
        minutes += 1
        ack = console.call("timer.set", {"client_id": f"bystander-{minutes}", "minutes": minutes})
        assert ack["ok"], ack
        sent = time.monotonic()
        beamer.wait_for(lambda m=minutes: beamer.views["meeting"]["timebox_seconds"] == m * 60)
        delays.append(time.monotonic() - sent)
        time.sleep(0.1)
    attacker.join(60)
    assert not failures, failures
    time.sleep(1)
    log = log_since(server, log_start)
    lines = [line for line in log.splitlines() if line.strip()]
    print(
        f"\n{server.async_mode}: {sockets * per_socket} malformed packets on {sockets} sockets: "
        f"{len(log.encode())} bytes of log in {len(lines)} lines; beamer delay max "
        f"{max(delays):.3f} s over {len(delays)} updates"
    )
    assert "Traceback" not in log
    # One line per socket, whatever it sent after (eventlet adds a line of its own for
    # a connection that broke inside python-engineio: "socket shutdown error").
    assert 0 < log.count("closed a socket from 10.9.1.") <= sockets, lines[:5]
    assert len(log.encode()) < sockets * 300  # before the guard: 6.6 MB
    assert max(delays) < 1.0, delays
    assert beamer.sio.connected
    beamer.close()


def test_every_event_spends_the_sockets_rate_limit(server, room):
    for event in ("state.snapshot", "meeting.explode", "queue.cancel"):
        client = room["phone"].connect()  # a socket of its own: a full bucket
        client.wait_for(lambda c=client: c.views.get("meeting"))
        codes = [
            (client.call(event, {"client_id": f"rate-{event}-{i}"}).get("error") or {}).get("code")
            for i in range(50)
        ]
        assert "rate.limited" in codes, (event, codes)
        assert client.sio.connected  # refused, not thrown out
        client.close()


def test_a_packet_flood_that_ignores_the_limit_closes_the_socket(server, room):
    log_start = len(server.read_log())
    ws = raw_socket(server, address="10.9.2.1")
    connect_phone(ws, room)
    try:
        for i in range(400):
            ws.send(f'42{i}["state.snapshot",{{}}]')
    except (websocket.WebSocketException, OSError):
        pass
    assert closed_by_server(ws)
    assert "too many packets" in log_since(server, log_start)


def random_code(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))


def test_1000_join_code_guesses_over_the_socket_are_limited_after_the_budget(server, room):
    rng = random.Random(12)
    address, answers, sockets = "10.9.3.1", [], 0
    ws = None
    while len(answers) < 1000:
        if ws is None:
            ws, sockets = raw_socket(server, address=address), sockets + 1
        # Repeated namespace CONNECTs on one websocket: each one is a guess.
        ws.send("40" + json.dumps({"audience": "phone", "code": random_code(rng)}))
        try:
            reply = ws.recv()
            while reply.startswith("2"):  # a ping
                reply = ws.recv()
        except (websocket.WebSocketException, OSError):
            reply = "1"
        if reply == "1":  # the guard closed a socket that kept connecting
            ws.close()
            ws = None
            continue
        assert reply.startswith("44"), reply
        answers.append(json.loads(reply[2:])["data"]["code"])
    if ws is not None:
        ws.close()
    budget = 20  # PLANDAG_GUESS_LIMIT
    assert answers[:budget] == ["auth.not_joined"] * budget
    assert set(answers[budget:]) == {"rate.limited"}
    print(f"\n{server.async_mode}: 1000 socket guesses over {sockets} websockets")
    # Over budget, the real code with a real device learns nothing either ...
    ws = raw_socket(server, address=address)
    auth = {"audience": "phone", "code": room["meeting"].code, "device_token": room["phone"].token}
    ws.send("40" + json.dumps(auth))
    assert json.loads(ws.recv()[2:])["data"]["code"] == "rate.limited"
    ws.close()
    # ... and the page at /j/<code> shares the budget.
    page = requests.get(
        f"{server.url}/j/{room['meeting'].code}", headers={"X-Forwarded-For": address}
    )
    assert page.status_code == 429
    # Another address is not affected.
    ws = raw_socket(server, address="10.9.3.2")
    connect_phone(ws, room)
    ws.close()


def test_1000_qr_code_guesses_are_limited_after_the_budget(server, room):
    rng = random.Random(34)
    # A connection per request: gevent's keep-alive answers wait ~40 ms on delayed ACKs.
    address = {"X-Forwarded-For": "10.9.4.1", "Connection": "close"}
    http = requests
    statuses = [
        http.get(f"{server.url}/j/{random_code(rng)}/qr.svg", headers=address).status_code
        for _ in range(1000)
    ]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}
    real = f"{server.url}/j/{room['meeting'].code}/qr.svg"
    assert http.get(real, headers=address).status_code == 429  # no live/dead oracle
    assert http.get(real, headers={"X-Forwarded-For": "10.9.4.2"}).status_code == 200
    assert "Traceback" not in server.read_log()


def test_the_unknown_code_and_the_unjoined_device_look_the_same(server, room):
    answers = []
    for auth in (
        {"audience": "phone", "code": "QQQQQQ"},
        {"audience": "phone", "code": room["meeting"].code},
        {"audience": "phone", "code": room["meeting"].code, "device_token": "x" * 43},
    ):
        ws = raw_socket(server, address="10.9.5.1")
        ws.send("40" + json.dumps(auth))
        answers.append(json.loads(ws.recv()[2:])["data"])
        ws.close()
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["code"] == "auth.not_joined"


def test_the_server_is_still_healthy(server):
    assert server.alive()
    assert requests.get(f"{server.url}/healthz").json()["ok"] is True
    assert "Traceback" not in server.read_log()
