"""What the benchmarks share: the two stacks, the client processes, the measurements.

- A *stack* is a server process on a free loopback port: Plandag (`plandag run` with
  PLANDAG_* settings, exactly as tests/support.py's `Server` starts it) or the bare
  reference (bench/bare_server.py). Each run gets a fresh database.
- Server CPU is utime + stime of the server process from /proc/<pid>/stat (all its
  threads; 10 ms ticks), read before a phase and after the server went idle at its end;
  RSS is VmRSS from /proc/<pid>/status, and VmHWM the peak.
- The phones run in separate processes (bench/phones.py, asyncio with python-socketio's
  AsyncClient); each reports its own CPU so a client bottleneck shows.
- The beamer (and Plandag's console) is a threaded python-socketio client in this
  process. It records when each message arrived and when its mirror first showed the
  expected state; `time.monotonic()` is one clock for all processes of the machine, so
  that time compares with the phones' ack times.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import socketio

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from tests.support import Client, Server, create_meeting, free_port, joined_phone, login  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
GROUPS = ["Bewoners", "Gemeente", "Jongeren"]
KINDS = ("consent", "concern", "objection")
TEXTS = {"consent": "", "concern": "Let op de buren.", "objection": "Te veel lawaai."}
now = time.monotonic


# --------------------------------------------------------------------------- processes


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


class Others:
    """How much CPU other processes of the machine took during a phase, in cores: the
    machine is shared, so this says how noisy a run was."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.pids = list(pids)
        self.t0, self.busy0 = now(), machine_busy()
        self.ours0 = sum(cpu_seconds(pid) for pid in self.pids)

    def cores(self) -> float:
        ours = sum(cpu_seconds(pid) for pid in self.pids) - self.ours0
        return ratio(machine_busy() - self.busy0 - ours, now() - self.t0)


def wait_idle(pid: int, timeout: float = 60.0, window: float = 0.25) -> float:
    """Wait until the process used at most one tick (1/TICK s) of CPU in `window`
    seconds; return when that quiet window began (or the timeout passed)."""
    deadline = now() + timeout
    last, at = cpu_seconds(pid), now()
    while now() < deadline:
        time.sleep(window)
        cpu = cpu_seconds(pid)
        if cpu - last <= 1.0 / TICK:
            return at
        last, at = cpu, now()
    return at


def mark_phase(name: str, stack: Stack) -> None:
    """With BENCH_MARK set, write "<phase> <server pid>" to that file as a timed phase
    starts, so a profiler (py-spy) can record exactly that phase."""
    path = os.environ.get("BENCH_MARK")
    if path:
        Path(path).write_text(f"{name} {stack.pid}\n")


def raise_open_files() -> int:
    """1,000 phones need more than the usual soft limit of 1,024 open files: in the
    server and in the client processes, which inherit it from here."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --------------------------------------------------------------------------- statistics


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(a: float, b: float) -> float:
    return a / b if b and b == b else float("nan")


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value != value:
            return "n/a"
        return f"{value:,.{digits}f}"
    return str(value)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


@dataclass
class Target:
    name: str
    passed: bool | None  # None: could not be measured
    detail: str

    def line(self) -> str:
        verdict = {True: "PASS", False: "FAIL", None: "FAIL"}[self.passed]
        return f"  {verdict}  {self.name}: {self.detail}"


def print_targets(
    targets: Sequence[Target],
    title: str = "issue 14; informational, every pair must meet a target for PASS",
) -> None:
    print(f"\nTargets ({title}):")
    for target in targets:
        print(target.line())


# --------------------------------------------------------------------------- screens


class Watcher:
    """When messages reached a screen, and when its mirror first met a goal."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.lock = threading.Lock()
        self.goal: Callable[[Any], bool] | None = None
        self.goal_at: float | None = None
        self.state: Any = None
        #: when the screen's socket was closed by the server or the network, and why
        self.drops: list[tuple[float, str]] = []

    def seen(self, state: Any) -> None:
        t = now()
        with self.lock:
            self.times.append(t)
            self.state = state
            if self.goal is not None and self.goal_at is None and self._holds(state):
                self.goal_at = t

    def _holds(self, state: Any) -> bool:
        try:
            return bool(self.goal and state is not None and self.goal(state))
        except (KeyError, TypeError, AttributeError, RuntimeError):
            # RuntimeError: the socket thread changed the mirror while we read it
            return False

    def expect(self, goal: Callable[[Any], bool]) -> None:
        with self.lock:
            self.goal = goal
            self.goal_at = now() if self._holds(self.state) else None

    def wait(self, timeout: float) -> float | None:
        deadline = now() + timeout
        while now() < deadline:
            if self.goal_at is not None:
                return self.goal_at
            time.sleep(0.005)
        return self.goal_at

    def count_between(self, t0: float, t1: float) -> int:
        with self.lock:
            return sum(1 for t in self.times if t0 <= t <= t1)


class PlandagScreen(Client):
    """tests.support's mirroring client, reporting every snapshot and update. Unlike a
    test's, it reconnects after a drop (as live.js does; the new snapshot resyncs it),
    and the drop is reported."""

    def __init__(self) -> None:
        self.watcher = Watcher()
        self.closing = False
        super().__init__()
        self.sio.reconnection = True
        self.sio.reconnection_attempts = 5

    def _disconnected(self, reason: Any = None) -> None:
        super()._disconnected(reason)
        if not self.closing:
            self.watcher.drops.append((now(), str(reason)))

    def close(self) -> None:
        self.closing = True
        self.sio.reconnection = False
        super().close()

    def _snapshot(self, snap: dict[str, Any]) -> None:
        super()._snapshot(snap)
        self.watcher.seen(self.views)

    def _update(self, update: dict[str, Any]) -> None:
        super()._update(update)
        self.watcher.seen(self.views)


class BareBeamer:
    def __init__(self, url: str) -> None:
        self.watcher = Watcher()
        self.closing = False
        self.sio = socketio.Client(reconnection=True, reconnection_attempts=5)
        self.sio.on("tally", self.watcher.seen)
        self.sio.on("disconnect", self._disconnected)
        self.sio.connect(url, auth={"audience": "beamer"}, transports=["websocket"])

    def _disconnected(self, reason: Any = None) -> None:
        if not self.closing:
            self.watcher.drops.append((now(), str(reason)))

    def close(self) -> None:
        self.closing = True
        self.sio.reconnection = False
        if self.sio.connected:
            self.sio.disconnect()


# --------------------------------------------------------------------------- stacks


class Stack:
    """A server process under test, with a beamer watching it."""

    name = ""
    code = ""
    url = ""
    pid = 0
    beamer: Any = None
    console: PlandagScreen | None = None

    @property
    def pids(self) -> list[int]:
        """The server processes (several workers: `bench/scale_out.py`)."""
        return [self.pid]

    def url_for(self, shard: int) -> str:
        """Where the phones of client process ``shard`` connect."""
        return self.url

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def wait_idle(self) -> float:
        return max(wait_idle(pid) for pid in self.pids)

    def start(self) -> Stack:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def online_goal(self, n: int) -> Callable[[Any], bool]:
        raise NotImplementedError

    def screen_drops(self, t0: float, t1: float) -> list[str]:
        """The beamer's and console's drops between t0 and t1 (seconds after t0)."""
        out = []
        for name, screen in (("beamer", self.beamer), ("console", self.console)):
            if screen is not None:
                for t, why in list(screen.watcher.drops):
                    if t0 <= t <= t1:
                        out.append(f"{name} at +{t - t0:.1f} s ({why})")
        return out

    def stored_ids(self, action: str) -> set[str]:
        """Client ids of the phones' writes the database holds."""
        raise NotImplementedError


class BareStack(Stack):
    name = "bare"
    code = "BARE01"

    def start(self) -> BareStack:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-bare-")
        self.db = Path(self.tmp.name) / "bare.db"
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(Path(self.tmp.name) / "server.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH / "bare_server.py"), str(port), str(self.db)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.proc.pid
        deadline = now() + 30
        while now() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("bare server exited: " + self.read_log())
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            raise RuntimeError("bare server did not start: " + self.read_log())
        self.beamer = BareBeamer(self.url)
        return self

    def read_log(self) -> str:
        return (Path(self.tmp.name) / "server.log").read_text()[-2000:]

    def stop(self) -> None:
        if self.beamer is not None:
            self.beamer.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        self.tmp.cleanup()

    def online_goal(self, n: int) -> Callable[[Any], bool]:
        return lambda tally: tally["online"] == n

    def query(self, sql: str, *args: Any) -> list[tuple]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as con:
            return con.execute(sql, args).fetchall()

    def stored_ids(self, action: str) -> set[str]:
        return {row[0] for row in self.query("select client_id from answers")}


class PlandagStack(Stack):
    name = "plandag"

    def __init__(self, async_mode: str = "gevent", env: dict[str, str] | None = None) -> None:
        self.async_mode, self.env = async_mode, env or {}

    def start(self) -> PlandagStack:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-plandag-")
        self.server = Server(
            instance=Path(self.tmp.name) / "instance",
            async_mode=self.async_mode,
            env_extra=self.env,
        )
        self.server.start()
        assert self.server.proc is not None
        self.pid, self.url = self.server.proc.pid, self.server.url
        return self.open_meeting()

    def open_meeting(self) -> PlandagStack:
        """A facilitator, a meeting, and its console and beamer on ``self.server``."""
        self.server.add_user("bench@example.org", "Bench")
        self.session = login(self.server, "bench@example.org")
        self.meeting = create_meeting(self.session, self.server, template="alle_hens")
        self.code = self.meeting.code
        cookie = "; ".join(f"{k}={v}" for k, v in self.session.cookies.items())
        self.console = PlandagScreen().connect(
            self.server,
            {"audience": "console", "meeting": self.meeting.id},
            headers={"Cookie": cookie},
        )
        self.beamer = PlandagScreen().connect(
            self.server,
            {"audience": "beamer", "meeting": self.meeting.id, "key": self.meeting.beamer_key},
        )
        self.author: Client | None = None
        self.steps = 0
        return self

    def stop(self) -> None:
        for client in (self.author, self.console, self.beamer):
            if client is not None:
                try:
                    client.close()
                except Exception as exc:  # the server may already be gone
                    print(f"  (closing a screen: {exc!r})", file=sys.stderr)
        self.server.stop()
        self.tmp.cleanup()

    def call(self, event: str, **payload: Any) -> dict[str, Any]:
        assert self.console is not None
        self.steps += 1
        ack = self.console.call(event, {"client_id": f"bench-{self.steps:04d}", **payload})
        assert ack.get("ok"), (event, ack)
        return ack

    def advance(self, times: int) -> None:
        for _ in range(times):
            self.call("phase.advance")

    def author_phone(self) -> Client:
        if self.author is None:
            self.author = joined_phone(self.server, self.code, "Schrijver")
        return self.author

    def propose(self, titles: Sequence[str]) -> list[int]:
        author = self.author_phone()
        ids = []
        for n, title in enumerate(titles):
            ack = author.call("proposal.create", {"client_id": f"bench-prop-{n}", "title": title})
            assert ack.get("ok"), ack
            ids.append(ack["id"])
        return ids

    def online_goal(self, n: int) -> Callable[[Any], bool]:
        return lambda views: views["counts"]["online"] == n

    def query(self, sql: str, *args: Any) -> list[tuple]:
        path = self.server.instance / "plandag.db"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            return con.execute(sql, args).fetchall()

    def stored_ids(self, action: str) -> set[str]:
        rows = self.query(
            "select client_id from intents where meeting_id = ? and action = ?"
            " and actor like 'p:%'",
            self.meeting.id,
            action,
        )
        return {row[0] for row in rows}


def make_stack(name: str, async_mode: str = "gevent") -> Stack:
    return BareStack() if name == "bare" else PlandagStack(async_mode)


def alternate(pairs: int) -> list[tuple[int, str]]:
    """bare, plandag, bare, plandag, ...: (pair number from 1, stack name)."""
    return [(pair + 1, name) for pair in range(pairs) for name in ("bare", "plandag")]


# --------------------------------------------------------------------------- phones


class PhoneProcs:
    """The client processes (bench/phones.py); phone i lives in process i % k."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.errlog = tempfile.TemporaryFile(mode="w+")
        self.procs = [
            subprocess.Popen(
                [sys.executable, str(BENCH / "phones.py")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.errlog,
                text=True,
            )
            for _ in range(k)
        ]

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def shard(self, items: Sequence[Any], phone_of: Callable[[Any], int]) -> list[list[Any]]:
        shards: list[list[Any]] = [[] for _ in range(self.k)]
        for item in items:
            shards[phone_of(item) % self.k].append(item)
        return shards

    def ask(self, commands: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """One command per process (all sent first, so they run at the same time)."""
        for proc, command in zip(self.procs, commands, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(command) + "\n")
            proc.stdin.flush()
        answers = []
        for proc in self.procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                self.errlog.seek(0)
                raise RuntimeError(f"a client process died:\n{self.errlog.read()[-3000:]}")
            answer = json.loads(line)
            if "failed" in answer:
                raise RuntimeError(f"a client process failed: {answer['failed']}")
            answers.append(answer)
        return answers

    def ask_all(self, command: dict[str, Any]) -> list[dict[str, Any]]:
        return self.ask([command] * self.k)

    def close(self) -> None:
        try:
            self.ask_all({"cmd": "close"})
        except (RuntimeError, BrokenPipeError, ValueError) as exc:
            print(f"  (closing the client processes: {exc})", file=sys.stderr)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.errlog.close()


def client_load(answers: Sequence[dict[str, Any]], wall: float) -> tuple[float, float]:
    """(CPU seconds of all client processes, the busiest one's share of a core)."""
    total = sum(a["cpu"] for a in answers)
    busiest = max((a["cpu"] for a in answers), default=0.0)
    return total, ratio(busiest, wall)


# --------------------------------------------------------------------------- phases


@dataclass
class Joined:
    """What a join phase measured."""

    phones: int
    joined: int
    errors: list[str]
    wall: float  # first request to the last phone's snapshot
    server_cpu: float
    window: float  # seconds of the CPU window (to the server going idle)
    online_at: float | None  # seconds after the start until the beamer showed all online
    rss_before: float
    rss_after: float
    hwm: float
    client_cpu: float
    client_share: float
    beamer_msgs: int
    drops: int
    others: float  # cores other processes of the machine used meanwhile
    screen_drops: list[str]
    totals: list[float] = field(default_factory=list)  # per phone, seconds
    steps: dict[str, list[float]] = field(default_factory=dict)


def join_phase(
    stack: Stack, procs: PhoneProcs, n: int, concurrency: int, transports: list[str]
) -> Joined:
    """N phones join: HTTP page (cookie), HTTP join, socket, first snapshot."""
    stack.wait_idle()
    watcher: Watcher = stack.beamer.watcher
    watcher.expect(stack.online_goal(n))
    rss_before = memory_mb(stack.pid)
    others = Others([*stack.pids, os.getpid(), *procs.pids])
    cpu0 = stack.cpu()
    per = -(-concurrency // procs.k)
    shards = procs.shard(range(n), lambda i: i)
    answers = procs.ask(
        [
            {
                "cmd": "join",
                "url": stack.url_for(k),
                "code": stack.code,
                "phones": list(shard),
                "concurrency": per,
                "groups": GROUPS,
                "transports": transports,
            }
            for k, shard in enumerate(shards)
        ]
    )
    started = min(a["started"] for a in answers)
    done = max(a["done"] for a in answers)
    online_at = watcher.wait(60)
    idle = stack.wait_idle()
    server_cpu = stack.cpu() - cpu0
    other_cores = others.cores()
    timings = [t for a in answers for t in a["timings"]]
    status = procs.ask_all({"cmd": "status"})
    client_cpu, share = client_load(answers, done - started)
    return Joined(
        phones=n,
        joined=len(timings),
        errors=[e for a in answers for e in a["errors"]],
        wall=done - started,
        server_cpu=server_cpu,
        window=idle - started,
        online_at=None if online_at is None else online_at - started,
        rss_before=rss_before,
        rss_after=memory_mb(stack.pid),
        hwm=memory_mb(stack.pid, "VmHWM"),
        client_cpu=client_cpu,
        client_share=share,
        beamer_msgs=watcher.count_between(started, idle),
        drops=sum(len(s["drops"]) for s in status),
        others=other_cores,
        screen_drops=stack.screen_drops(started, now()),
        totals=[t[3] - t[0] for t in timings],
        steps={
            "page": [t[1] - t[0] for t in timings],
            "join": [t[2] - t[1] for t in timings],
            "socket": [t[3] - t[2] for t in timings],
        },
    )


@dataclass
class Intent:
    number: int  # the distinct write; a resend has the same number and client_id
    phone: int
    offset: float  # seconds after the start
    event: str
    payload: dict[str, Any]
    resend: bool = False


def with_resends(intents: list[Intent], share: float, rng: random.Random) -> list[Intent]:
    """A share of the writes is sent twice, 50 ms apart, with the same client_id: the
    phone's outbox retrying while the first is still on its way (it must count once)."""
    extra = [
        Intent(i.number, i.phone, i.offset + 0.05, i.event, i.payload, resend=True)
        for i in intents
        if rng.random() < share
    ]
    return intents + extra


@dataclass
class Burst:
    """What a burst of writes measured."""

    intents: int  # distinct writes
    sends: int  # with resends
    acked: int  # distinct writes acked ok
    errors: dict[str, int]
    latencies: list[float]  # first sends, seconds
    resend_duplicates: int  # resent writes of which one ack said duplicate
    slip: float  # p99 of (sent - planned), seconds: the client keeping its schedule
    sending: float  # first to last send, seconds
    last_ack: float
    exact_at: float | None
    server_cpu: float
    window: float
    rss_after: float
    hwm: float
    client_cpu: float
    client_share: float
    beamer_msgs: int
    console_msgs: int | None
    phone_events: dict[str, int]
    #: first sends whose phone got a `you` while it waited for the ack
    you_before_ack: int
    #: sockets closed by the server (or the network) since the phones joined
    drops: int
    acked_ids: set[str]
    others: float
    screen_drops: list[str]

    @property
    def lag(self) -> float | None:
        return None if self.exact_at is None else self.exact_at - self.last_ack


def burst_phase(
    stack: Stack, procs: PhoneProcs, intents: list[Intent], goal: Callable[[Any], bool]
) -> Burst:
    """Send the writes on schedule; wait for every ack, the beamer's exact state and the
    server going idle."""
    stack.wait_idle()
    watcher: Watcher = stack.beamer.watcher
    watcher.expect(goal)
    start_at = now() + 0.5
    others = Others([*stack.pids, os.getpid(), *procs.pids])
    cpu0 = stack.cpu()
    sends = [[n, i.phone, i.offset, i.event, i.payload] for n, i in enumerate(intents)]
    shards = procs.shard(sends, lambda s: s[1])
    answers = procs.ask(
        [
            {"cmd": "burst", "start_at": start_at, "intents": shard, "timeout": 300}
            for shard in shards
        ]
    )
    results = [r for a in answers for r in a["results"]]
    # When the last write was acknowledged: per write its first ok ack (the original's
    # or its resend's), then the latest of those.
    first_ok: dict[int, float] = {}
    for send, _planned, _sent, ack_at, ok, _dup, _code, _early in results:
        number = intents[send].number
        if ok and (number not in first_ok or ack_at < first_ok[number]):
            first_ok[number] = ack_at
    last_ack = max(first_ok.values(), default=now())
    exact_at = watcher.wait(max(5.0, 120.0 - (now() - last_ack)))
    idle = stack.wait_idle()
    server_cpu = stack.cpu() - cpu0
    other_cores = others.cores()
    end = max(idle, exact_at or 0.0)
    status = procs.ask_all({"cmd": "status"})

    errors: dict[str, int] = {}
    latencies: list[float] = []
    acked: set[int] = set()
    duplicate: set[int] = set()
    you_first = 0
    for send, _planned, sent, ack_at, ok, dup, code, early in results:
        intent = intents[send]
        if ok:
            acked.add(intent.number)
            if dup:
                duplicate.add(intent.number)
            if not intent.resend:
                latencies.append(ack_at - sent)
                you_first += bool(early)
        else:
            errors[code] = errors.get(code, 0) + 1
    resent = {i.number for i in intents if i.resend}
    events: dict[str, int] = {}  # what the phones received from the start to the window's end
    for before, after in zip(answers, status, strict=True):
        for event, count in after["events"].items():
            if count - before["events"].get(event, 0):
                events[event] = events.get(event, 0) + count - before["events"].get(event, 0)
    sent_times = [r[2] for r in results]
    client_cpu, share = client_load(answers, max(a["wall"] for a in answers))
    distinct = {i.number for i in intents}
    return Burst(
        intents=len(distinct),
        sends=len(intents),
        acked=len(acked),
        errors=errors,
        latencies=latencies,
        resend_duplicates=len(resent & duplicate),
        slip=pct([r[2] - r[1] for r in results], 99),
        sending=max(sent_times) - min(sent_times),
        last_ack=last_ack,
        exact_at=exact_at,
        server_cpu=server_cpu,
        window=end - start_at,
        rss_after=memory_mb(stack.pid),
        hwm=memory_mb(stack.pid, "VmHWM"),
        client_cpu=client_cpu,
        client_share=share,
        beamer_msgs=watcher.count_between(start_at, end),
        console_msgs=None
        if stack.console is None
        else stack.console.watcher.count_between(start_at, end),
        phone_events=events,
        you_before_ack=you_first,
        drops=sum(len(s["drops"]) for s in status),
        acked_ids={intents[r[0]].payload["client_id"] for r in results if r[4]},
        others=other_cores,
        screen_drops=stack.screen_drops(start_at, now()),
    )


def bottleneck_note(share: float) -> str:
    if share == share and share > 0.8:
        return (
            f"  ! a client process used {share:.0%} of a core: it may be the bottleneck;"
            " try --client-procs 2"
        )
    return ""


@dataclass
class Reconnected:
    """What a reconnect storm measured."""

    phones: int
    reconnected: int
    errors: list[str]
    wall: float  # all sockets asked to reconnect to the last snapshot
    server_cpu: float
    online_at: float | None
    drops: int  # sockets the server closed while or after they came back
    connected: int  # open at the end of the hold
    client_share: float
    rss_after: float
    hwm: float
    others: float
    screen_drops: list[str]
    totals: list[float] = field(default_factory=list)


def reconnect_phase(stack: Stack, procs: PhoneProcs, n: int, hold: float) -> Reconnected:
    """Every socket closes; once the server shows nobody online, all open again at once."""
    watcher: Watcher = stack.beamer.watcher
    watcher.expect(stack.online_goal(0))
    dropped_at = now()
    procs.ask_all({"cmd": "drop"})
    watcher.wait(60)
    wait_idle(stack.pid)
    watcher.expect(stack.online_goal(n))
    start_at = now() + 0.3
    others = Others([stack.pid, os.getpid(), *procs.pids])
    cpu0 = cpu_seconds(stack.pid)
    answers = procs.ask_all({"cmd": "reconnect", "start_at": start_at})
    done = max(a["done"] for a in answers)
    online_at = watcher.wait(60)
    wait_idle(stack.pid)
    server_cpu = cpu_seconds(stack.pid) - cpu0
    other_cores = others.cores()
    rss = memory_mb(stack.pid)
    time.sleep(hold)
    status = procs.ask_all({"cmd": "status"})
    timings = [t for a in answers for t in a["timings"]]
    _, share = client_load(answers, done - start_at)
    return Reconnected(
        phones=n,
        reconnected=len(timings),
        errors=[e for a in answers for e in a["errors"]],
        wall=done - start_at,
        server_cpu=server_cpu,
        online_at=None if online_at is None else online_at - start_at,
        drops=sum(len(s["drops"]) for s in status),
        connected=sum(s["connected"] for s in status),
        client_share=share,
        rss_after=rss,
        hwm=memory_mb(stack.pid, "VmHWM"),
        others=other_cores,
        screen_drops=stack.screen_drops(dropped_at, now()),
        totals=[t[1] - t[0] for t in timings],
    )
