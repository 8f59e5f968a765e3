"""Join storm: N phones join one meeting as fast as they can.

Starts a real `plandag run` (gevent by default) on a free loopback port in its own
process, then drives N phones from this process with asyncio (python-socketio's
AsyncClient): each phone loads the join page (device cookie), posts its name and group,
opens its socket and waits for its snapshot. Prints p50/p99 latencies, the server's RSS,
and what the beamer saw.

    .venv/bin/python bench/join_storm.py -n 200
    .venv/bin/python bench/join_storm.py -n 1000 --async-mode eventlet
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support import Server, beamer_client, create_meeting, login


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def phone(url: str, code: str, i: int, gate: asyncio.Semaphore, out: dict) -> None:
    async with gate:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(f"{url}/j/{code}") as page:
                page.raise_for_status()
            token = next(c.value for c in jar if c.key == "plandag_device")
            t0 = time.perf_counter()
            async with http.post(
                f"{url}/j/{code}/join", json={"name": f"Buur {i}", "group": "Bewoners"}
            ) as response:
                body = await response.json()
            t1 = time.perf_counter()
            if not body.get("ok"):
                out["errors"].append(body)
                return
            got = asyncio.Event()
            sio = socketio.AsyncClient(reconnection=False)
            sio.on("snapshot", lambda _snap: got.set())
            await sio.connect(
                url,
                auth={"audience": "phone", "code": code},
                headers={"Cookie": f"plandag_device={token}"},
                transports=["websocket"],
                wait_timeout=30,
            )
            await asyncio.wait_for(got.wait(), 30)
            t2 = time.perf_counter()
            out["join"].append(t1 - t0)
            out["connect"].append(t2 - t1)
            out["total"].append(t2 - t0)
            out["clients"].append(sio)


async def storm(url: str, code: str, n: int, concurrency: int) -> dict:
    out: dict = {"join": [], "connect": [], "total": [], "errors": [], "clients": []}
    gate = asyncio.Semaphore(concurrency)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(phone(url, code, i, gate, out) for i in range(n)), return_exceptions=True
    )
    out["wall"] = time.perf_counter() - started
    out["errors"] += [repr(r) for r in results if isinstance(r, BaseException)]
    return out


async def hang_up(clients: list) -> None:
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200, help="phones")
    parser.add_argument("--concurrency", type=int, default=100, help="joins in flight at once")
    parser.add_argument("--async-mode", default="gevent", choices=["gevent", "eventlet"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        # Every phone here comes from 127.0.0.1: lift the per-address join limit.
        server = Server(
            instance=Path(tmp), async_mode=args.async_mode, env_extra={"PLANDAG_JOIN_LIMIT": "0"}
        ).start()
        try:
            server.add_user("bench@example.org", "Bench")
            session = login(server, "bench@example.org")
            meeting = create_meeting(session, server)
            beamer = beamer_client(server, meeting)
            rss_idle = rss_mb(server.proc.pid)
            updates_before = len(beamer.updates)
            cpu_before = cpu_seconds(server.proc.pid)

            loop = asyncio.new_event_loop()
            out = loop.run_until_complete(storm(server.url, meeting.code, args.n, args.concurrency))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if beamer.views.get("counts", {}).get("online") == len(out["clients"]):
                    break
                time.sleep(0.05)
            rss_full = rss_mb(server.proc.pid)
            server_cpu = cpu_seconds(server.proc.pid) - cpu_before
            online = beamer.views.get("counts", {}).get("online")
            beamer_updates = len(beamer.updates) - updates_before
            loop.run_until_complete(hang_up(out["clients"]))
            loop.close()
            beamer.close()
        finally:
            server.stop()

    ok = len(out["total"])
    print(f"join storm: {args.n} phones, {args.async_mode}, {args.concurrency} in flight")
    print(f"  connected: {ok}/{args.n}, errors: {len(out['errors'])}, wall {out['wall']:.1f} s")
    for name in ("join", "connect", "total"):
        values = out[name]
        if values:
            print(
                f"  {name:8s} p50 {statistics.median(values) * 1000:7.1f} ms"
                f"   p99 {pct(values, 99) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms"
            )
    print(f"  beamer: {online} online shown, {beamer_updates} updates received")
    print(f"  server RSS: {rss_idle:.0f} MB idle, {rss_full:.0f} MB with {ok} phones")
    print(
        f"  server CPU: {server_cpu:.1f} s during the storm"
        f" ({server_cpu / out['wall']:.0%} of one core)"
    )
    if out["errors"]:
        print("  first errors:", out["errors"][:3])
    sys.exit(0 if ok == args.n and online == args.n else 1)


if __name__ == "__main__":
    main()
