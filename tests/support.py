"""Helpers for tests that start the real server and talk to it like a person or a phone."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import socketio

REPO = Path(__file__).resolve().parent.parent
PLANDAG = str(Path(sys.executable).with_name("plandag"))
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A real `plandag run` in a subprocess on a free loopback port."""

    instance: Path
    async_mode: str = "gevent"
    port: int = field(default_factory=free_port)
    env_extra: dict[str, str] = field(default_factory=dict)
    #: the server's output, in the instance folder (workers of one instance: one each)
    log_name: str = "server.log"
    proc: subprocess.Popen[str] | None = None
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLANDAG_")}
        env.update(
            PLANDAG_INSTANCE_DIR=str(self.instance),
            PLANDAG_PUBLIC_URL=self.url,
            PLANDAG_ASYNC_MODE=self.async_mode,
            # Every test phone comes from 127.0.0.1; the limit has a test of its own.
            PLANDAG_JOIN_LIMIT="0",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env_extra)
        return env

    def cli(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PLANDAG, *args],
            env={**self.env(), **env},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    def start(self) -> Server:
        self.instance.mkdir(parents=True, exist_ok=True)
        self.cli("db", "upgrade")
        self.log = open(self.instance / self.log_name, "w")
        self.proc = subprocess.Popen(
            [PLANDAG, "run", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.read_log()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.read_log()}")

    def read_log(self) -> str:
        return (self.instance / self.log_name).read_text()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if getattr(self, "log", None):
            self.log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def add_user(self, email: str, name: str = "Facilitator") -> None:
        self.cli("user", "add", email, "--name", name, PLANDAG_NEW_PASSWORD=PASSWORD)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no csrf token on the page"
    return match.group(1)


def login(server: Server, email: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{server.url}/login")
    r = s.post(
        f"{server.url}/login",
        data={"csrf": csrf_of(page.text), "email": email, "password": PASSWORD},
    )
    assert r.ok and "/meetings" in r.url, r.text[:500]
    return s


@dataclass
class MeetingInfo:
    id: str
    code: str
    beamer_key: str


def create_meeting(session: requests.Session, server: Server, **fields: Any) -> MeetingInfo:
    form = {
        "title": "Plandag Zuidplein",
        "template": "nieuwe_route",
        "open_question": "Hoe wordt het plein weer van iedereen?",
        "issue_statement": "Sinds de zomer is er spanning rond het plein.",
        "groups": "Bewoners\nGemeente\nJongeren",
        "place": "Buurthuis",
        "date": "2026-12-05",
    }
    form.update(fields)
    page = session.get(f"{server.url}/meetings/new")
    r = session.post(f"{server.url}/meetings/new", data={**form, "csrf": csrf_of(page.text)})
    assert r.ok, r.text[:500]
    match = re.search(r"/m/([A-Za-z0-9_-]+)$", r.url)
    assert match, r.url
    beamer = re.search(r'/beamer/[^"?]+\?key=([A-Za-z0-9_-]+)', r.text)
    code = re.search(r'/j/([A-Z0-9]+)"', r.text)
    assert beamer and code
    return MeetingInfo(match.group(1), code.group(1), beamer.group(1))


class Client:
    """A python-socketio client that mirrors the state like the browser script does."""

    def __init__(self) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.views: dict[str, Any] = {}
        self.you: dict[str, Any] | None = None
        self.version = -1
        self.updates: list[dict[str, Any]] = []
        self.snapshots = 0
        self.gaps = 0
        #: updates older than an update already applied (out of order); one older than
        #: a snapshot is not counted (it was read before the snapshot: nothing is lost)
        self.older = 0
        self._at_snapshot = True
        self.early: list[dict[str, Any]] = []
        self.sio.on("snapshot", self._snapshot)
        self.sio.on("update", self._update)
        self.sio.on("you", self._you)
        self.refused: Any = None
        self.sio.on("connect_error", self._refused)
        #: what went wrong on this socket, for failure messages
        self.trouble: list[str] = []
        self.sio.on("disconnect", self._disconnected)

    def _disconnected(self, reason: Any = None) -> None:
        self.trouble.append(f"disconnected at {time.monotonic():.1f}: {reason}")

    def _refused(self, data: Any) -> None:
        self.refused = data

    def _snapshot(self, snap: dict[str, Any]) -> None:
        self.views = dict(snap["views"])
        self.version = snap["version"]
        self.you = snap.get("you", self.you)
        self.snapshots += 1
        self._at_snapshot = True
        # As live.js: updates that came before the first snapshot and are newer than it.
        queued, self.early = self.early, []
        for update in queued:
            if update["version"] > self.version:
                self._update(update)

    def _update(self, update: dict[str, Any]) -> None:
        if self.snapshots == 0:
            self.early.append(update)  # joined the room before the snapshot was read
            return
        self.updates.append(update)
        if update["version"] < self.version:
            self.older += 0 if self._at_snapshot else 1
            return
        if update["since"] > self.version:
            self.gaps += 1
            ack = self.sio.call("state.snapshot", {}, timeout=10)
            if not ack.get("ok"):
                self.trouble.append(f"snapshot refused: {ack}")
                return
            self._snapshot(ack["snapshot"])
            return
        for key, value in update["views"].items():
            if value is None:
                self.views.pop(key, None)
            else:
                self.views[key] = value
        self.version = update["version"]
        self._at_snapshot = False

    def _you(self, you: dict[str, Any]) -> None:
        # A partial `you` brings only the parts that changed, as the phone's page merges it.
        self.you = {**(self.you or {}), **you} if you.get("partial") else you

    def connect(
        self,
        server: Server,
        auth: dict[str, Any],
        headers: dict[str, str] | None = None,
        transports: list[str] | None = None,
    ) -> Client:
        try:
            self.sio.connect(
                server.url,
                auth=auth,
                headers=headers or {},
                transports=transports or ["websocket"],
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError as exc:
            # Carry the server's {code, message} into the exception tests look at.
            raise socketio.exceptions.ConnectionError(f"{exc} {self.refused}") from exc
        return self

    def call(self, event: str, data: Any = None, timeout: float = 10) -> Any:
        return self.sio.call(event, data, timeout=timeout)

    def wait_for(self, predicate: Any, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.02)
        raise AssertionError(
            f"condition not met in {timeout}s at {time.monotonic():.1f}; version {self.version}, "
            f"{self.gaps} gaps, trouble {self.trouble}; views={list(self.views)}"
        )

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


class Phone:
    """A phone: an HTTP session with the device cookie, then a socket."""

    def __init__(self, server: Server, code: str) -> None:
        self.server, self.code = server, code
        self.http = requests.Session()
        self.http.get(f"{server.url}/j/{code}").raise_for_status()
        self.client = Client()

    @property
    def token(self) -> str:
        return self.http.cookies["plandag_device"]

    def join(self, name: str, group: str = "Bewoners") -> requests.Response:
        return self.http.post(
            f"{self.server.url}/j/{self.code}/join", json={"name": name, "group": group}
        )

    def connect(self) -> Client:
        cookie = f"plandag_device={self.token}"
        self.client = Client()
        return self.client.connect(
            self.server, {"audience": "phone", "code": self.code}, headers={"Cookie": cookie}
        )


def console_client(server: Server, session: requests.Session, meeting_id: str) -> Client:
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    return Client().connect(
        server, {"audience": "console", "meeting": meeting_id}, headers={"Cookie": cookie}
    )


def beamer_client(server: Server, meeting: MeetingInfo) -> Client:
    return Client().connect(
        server, {"audience": "beamer", "meeting": meeting.id, "key": meeting.beamer_key}
    )


def joined_phone(server: Server, code: str, name: str, group: str = "Bewoners") -> Client:
    """A phone that joined and has its first snapshot."""
    phone = Phone(server, code)
    response = phone.join(name, group)
    assert response.ok, response.text
    client = phone.connect()
    client.wait_for(lambda: client.views.get("meeting") and client.you is not None)
    return client


async def async_phone(server: Server, code: str, token: str) -> socketio.AsyncClient:
    """A joined phone's socket for load tests that run many phones in one event loop."""
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        server.url,
        auth={"audience": "phone", "code": code},
        headers={"Cookie": f"plandag_device={token}"},
        transports=["websocket"],
        wait_timeout=60,
    )
    return sio


class Proxy:
    """A TCP relay in front of the server, to take a phone's network away for real:
    `cut()` drops every connection through it (an open WebSocket too, which a browser's
    offline emulation leaves alone) and refuses new ones until `restore()`."""

    def __init__(self, target_port: int) -> None:
        import threading

        self.target = target_port
        self.port = free_port()
        self.down = False
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        import threading

        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        self.down = True
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self.cut()
        self.listener.close()
