"""The phones: a client process that drives many phones from one asyncio loop.

Started by bench/common.py (`PhoneProcs`), never by hand. It reads one JSON command per
line on stdin and answers each with one JSON line on stdout, so the benchmark can read
the server's CPU between the phases of a run. Times are `time.monotonic()`, which on
Linux is one clock for every process of the machine: the benchmark compares them with
its own (the beamer's) and gives start times in it.

Commands (`cmd`):
- `join`: each phone loads `GET /j/<code>` (device cookie), posts `/j/<code>/join` on
  the same kept-alive connection, opens its socket with the cookie and waits for its
  first `snapshot`. Both stacks (Plandag and bench/bare_server.py) speak exactly this.
- `burst`: send the given intents at the given times (open loop: a phone does not wait
  for one ack before its next send), record send and ack times.
- `drop`, `reconnect`: close every socket (the phones keep their cookie), then open them
  all again at once.
- `status`: how many sockets are open, the ones the server (or the network) closed, and
  how many events of each name the phones have received.
- `close`: hang up and exit.
Every answer carries this process's own CPU time (`getrusage`) for the phase, so the
benchmark can tell whether the client was the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import sys
import time
from typing import Any

import socketio

#: the language a phone page says it speaks, "nl" by default (PLANDAG_BENCH_LANG="" leaves
#: it out, to measure what recording it costs)
_LANG_CODE = os.environ.get("PLANDAG_BENCH_LANG", "nl")
_LANG = {"lang": _LANG_CODE} if _LANG_CODE else {}

now = time.monotonic


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class HttpError(Exception):
    pass


async def exchange(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes = b"",
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request on a kept-alive connection: (status, headers, body). A phone
    sends its two join requests on one connection, as a browser does. A tiny client,
    because an aiohttp session per phone cost the client process more CPU than the bare
    server spent on the whole join, and the client must not be the bottleneck."""
    host = "{}:{}".format(*writer.get_extra_info("peername")[:2])
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(head.encode() + b"\r\n" + body)
    status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    got: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            # several Set-Cookie headers: keep them all, one a line
            got[key] = f"{got[key]}\n{value.strip()}" if key in got else value.strip()
    if got.get("transfer-encoding", "").lower() == "chunked":
        data = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            data += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    else:
        data = await reader.readexactly(int(got.get("content-length", "0")))
    return int(status_line.split()[1]), got, data


def device_cookie(headers: dict[str, str]) -> str:
    for line in headers.get("set-cookie", "").splitlines():
        name, _, rest = line.partition("=")
        if name.strip() == "plandag_device":
            return rest.split(";", 1)[0]
    raise HttpError("no device cookie")


class Phone:
    def __init__(self, index: int, token: str) -> None:
        self.index, self.token = index, token
        self.sio: socketio.AsyncClient | None = None
        self.events: dict[str, int] = {}
        #: server-side or transport disconnects we did not ask for: (time, reason)
        self.drops: list[tuple[float, str]] = []
        self.hanging_up = False
        #: when `you` events arrived
        self.you_at: list[float] = []

    async def connect(self, url: str, code: str, transports: list[str]) -> None:
        sio = socketio.AsyncClient(reconnection=False)
        got = asyncio.Event()

        def snapshot(_data: Any) -> None:
            self.events["snapshot"] = self.events.get("snapshot", 0) + 1
            got.set()

        def other(event: str, *_args: Any) -> None:
            self.events[event] = self.events.get(event, 0) + 1
            if event == "you":
                self.you_at.append(now())

        def disconnected(*reason: Any) -> None:
            if not self.hanging_up:
                self.drops.append((now(), str(reason[0]) if reason else "?"))

        sio.on("snapshot", snapshot)
        sio.on("*", other)
        sio.on("disconnect", disconnected)
        self.hanging_up = False
        self.sio = sio
        await sio.connect(
            url,
            # as the phone page does: its language (the server records it for the console);
            # PLANDAG_BENCH_LANG="" leaves it out
            auth={"audience": "phone", "code": code, **_LANG},
            headers={"Cookie": f"plandag_device={self.token}"},
            transports=transports,
            wait_timeout=120,
        )
        await asyncio.wait_for(got.wait(), 120)

    async def hang_up(self) -> None:
        self.hanging_up = True
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()


class Worker:
    def __init__(self) -> None:
        self.phones: dict[int, Phone] = {}
        self.url = self.code = ""
        self.transports = ["websocket"]

    def events(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for phone in self.phones.values():
            for event, n in phone.events.items():
                total[event] = total.get(event, 0) + n
        return total

    async def join(self, cmd: dict[str, Any]) -> dict[str, Any]:
        self.url, self.code = cmd["url"], cmd["code"]
        self.transports = cmd.get("transports") or ["websocket"]
        gate = asyncio.Semaphore(cmd.get("concurrency") or 10**6)
        timings: list[list[float]] = []
        errors: list[str] = []
        groups = cmd.get("groups") or ["Bewoners"]

        async def one(i: int) -> None:
            async with gate:
                try:
                    t0 = now()
                    token, t1 = await self.http_join(i, groups[i % len(groups)])
                    t2 = now()
                    phone = Phone(i, token)
                    await phone.connect(self.url, self.code, self.transports)
                    self.phones[i] = phone
                    timings.append([t0, t1, t2, now()])
                except Exception as exc:  # report, do not stop the others
                    errors.append(f"phone {i}: {exc!r}")

        started, cpu0 = now(), cpu()
        await asyncio.gather(*(one(i) for i in cmd["phones"]))
        return {
            "started": started,
            "done": now(),
            "cpu": cpu() - cpu0,
            "timings": timings,
            "errors": errors,
        }

    async def http_join(self, i: int, group: str) -> tuple[str, float]:
        """GET the join page (device cookie), then POST the join on the same connection.
        Returns the device token and when the page had arrived."""
        host, port = self.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            status, headers, _ = await exchange(reader, writer, "GET", f"/j/{self.code}", {})
            if status != 200:
                raise HttpError(f"join page: {status}")
            token, t1 = device_cookie(headers), now()
            body = json.dumps({"name": f"Buur {i}", "group": group}).encode()
            status, _, data = await exchange(
                reader,
                writer,
                "POST",
                f"/j/{self.code}/join",
                {"Content-Type": "application/json", "Cookie": f"plandag_device={token}"},
                body,
            )
            answer = json.loads(data or b"{}")
            if status != 200 or not answer.get("ok"):
                raise HttpError(f"join: {status} {answer}")
            return token, t1
        finally:
            writer.close()

    async def burst(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """cmd["intents"]: [intent number, phone, seconds after start_at, event, payload]."""
        start_at, timeout = cmd["start_at"], cmd.get("timeout", 120)
        results: list[list[Any]] = []
        events0 = self.events()

        async def send(number: int, index: int, offset: float, event: str, payload: Any) -> None:
            planned = start_at + offset
            await asyncio.sleep(max(0.0, planned - now()))
            sent = now()
            phone = self.phones.get(index)
            if phone is None or phone.sio is None:
                results.append([number, planned, sent, None, False, False, "not connected", False])
                return
            try:
                ack = await phone.sio.call(event, payload, timeout=timeout)
            except Exception as exc:
                results.append(
                    [number, planned, sent, None, False, False, type(exc).__name__, False]
                )
                return
            acked = now()
            ok = isinstance(ack, dict) and ack.get("ok") is True
            duplicate = ok and ack.get("duplicate") is True
            code = None
            if not ok:
                error = ack.get("error") if isinstance(ack, dict) else None
                code = str(error.get("code") if isinstance(error, dict) else ack)[:80]
            # Did this phone get a `you` while it waited for the ack?
            early = any(sent < t < acked for t in phone.you_at)
            results.append([number, planned, sent, acked, ok, duplicate, code, early])

        cpu0, wall0 = cpu(), now()
        await asyncio.gather(*(send(*intent) for intent in cmd["intents"]))
        return {"cpu": cpu() - cpu0, "wall": now() - wall0, "results": results, "events": events0}

    async def drop(self, _cmd: dict[str, Any]) -> dict[str, Any]:
        cpu0 = cpu()
        await asyncio.gather(*(p.hang_up() for p in self.phones.values()), return_exceptions=True)
        return {"cpu": cpu() - cpu0, "done": now()}

    async def reconnect(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """Every phone opens its socket again at once (no limit on how many in flight)."""
        errors: list[str] = []
        timings: list[list[float]] = []

        async def one(phone: Phone) -> None:
            t0 = now()
            try:
                await phone.connect(self.url, self.code, self.transports)
                timings.append([t0, now()])
            except Exception as exc:
                errors.append(f"phone {phone.index}: {exc!r}")

        for phone in self.phones.values():
            phone.drops.clear()
        await asyncio.sleep(max(0.0, cmd["start_at"] - now()))
        started, cpu0 = now(), cpu()
        await asyncio.gather(*(one(p) for p in self.phones.values()))
        return {
            "started": started,
            "done": now(),
            "cpu": cpu() - cpu0,
            "timings": timings,
            "errors": errors,
        }

    async def status(self, _cmd: dict[str, Any]) -> dict[str, Any]:
        drops = [[p.index, t, why] for p in self.phones.values() for t, why in p.drops]
        connected = sum(1 for p in self.phones.values() if p.sio is not None and p.sio.connected)
        return {"connected": connected, "drops": drops, "events": self.events()}

    async def close(self, cmd: dict[str, Any]) -> dict[str, Any]:
        return await self.drop(cmd)


async def serve() -> None:
    worker = Worker()
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        cmd = json.loads(line)
        try:
            answer = await getattr(worker, cmd["cmd"])(cmd)
        except Exception as exc:
            answer = {"failed": repr(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
        if cmd["cmd"] == "close":
            return


def main() -> None:
    raise_open_files()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve())


if __name__ == "__main__":
    main()
