"""Join storm: a thousand phones join as fast as they can; Plandag beside the bare stack.

Each phone loads the join page (`GET /j/<code>`, which sets the device cookie), posts its
name and group (`POST /j/<code>/join`), opens its socket with the cookie and waits for
its first snapshot; `--concurrency` phones are in flight at a time. Measured: server CPU
per join (to the server going idle, so the presence updates the joins cause count too),
the time until every phone had its snapshot, when the beamer showed all of them online,
and the server's RSS with every phone connected. Runs alternate bare, Plandag (`--pairs`),
with the phones in separate client processes and a fresh server each run.

`--reconnect` adds a reconnect storm to each run: with everyone connected, every socket
closes (the phones keep their cookie, as after a network blip) and, once the server shows
nobody online, all reconnect at once; reported are the time until all have their snapshot
again, the CPU per reconnect and any socket the server dropped (watched `--hold` s more).

    .venv/bin/python bench/join_storm.py                 # 1,000 phones, 2 pairs
    .venv/bin/python bench/join_storm.py -n 200 --pairs 1 --reconnect
    .venv/bin/python bench/join_storm.py --async-mode eventlet
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    Joined,
    PhoneProcs,
    Reconnected,
    Target,
    alternate,
    bottleneck_note,
    fmt,
    join_phase,
    make_stack,
    mark_phase,
    median,
    memory_mb,
    pct,
    print_table,
    print_targets,
    raise_open_files,
    ratio,
    reconnect_phase,
    wait_idle,
)


@dataclass
class Run:
    pair: int
    stack: str
    rss_idle: float
    joined: Joined
    again: Reconnected | None

    @property
    def cpu_per_join(self) -> float:
        return self.joined.server_cpu / self.joined.phones * 1000


def one_run(pair: int, name: str, args: argparse.Namespace) -> Run:
    stack = make_stack(name, args.async_mode).start()
    procs = PhoneProcs(args.client_procs)
    try:
        wait_idle(stack.pid)
        rss_idle = memory_mb(stack.pid)
        mark_phase("join", stack)
        transports = ["polling", "websocket"] if args.polling else ["websocket"]
        joined = join_phase(stack, procs, args.phones, args.concurrency, transports)
        again = reconnect_phase(stack, procs, joined.joined, args.hold) if args.reconnect else None
        return Run(pair, name, rss_idle, joined, again)
    finally:
        procs.close()
        stack.stop()


def ms(values: list[float], p: float) -> str:
    return fmt((median(values) if p == 50 else pct(values, p)) * 1000, 0)


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print(
        f"\njoin storm: {args.phones} phones, {args.concurrency} joins in flight,"
        f" {args.client_procs} client process(es)"
    )
    rows = []
    for r in runs:
        j = r.joined
        rows.append(
            [
                r.pair,
                r.stack,
                f"{j.joined}/{j.phones}",
                len(j.errors),
                j.drops,
                fmt(j.wall, 2),
                fmt(r.cpu_per_join, 2),
                ms(j.totals, 50),
                ms(j.totals, 99),
                "never" if j.online_at is None else fmt(j.online_at, 2),
                j.beamer_msgs,
                fmt(r.rss_idle, 0),
                fmt(j.rss_after, 0),
                fmt(j.hwm, 0),
                fmt(j.client_share * 100, 0),
                fmt(j.others, 2),
            ]
        )
    print_table(
        [
            "pair",
            "stack",
            "joined",
            "errors",
            "dropped",
            "all joined s",
            "CPU ms/join",
            "phone p50 ms",
            "phone p99 ms",
            "beamer all online s",
            "beamer msgs",
            "RSS idle MB",
            "RSS joined MB",
            "peak MB",
            "client core%",
            "other load",
        ],
        rows,
    )
    print("\nPer phone, p50 of each step (ms): join page (cookie) / join post / socket+snapshot")
    for r in runs:
        steps = r.joined.steps
        print(
            f"  pair {r.pair} {r.stack:7s}: {ms(steps['page'], 50)} / {ms(steps['join'], 50)}"
            f" / {ms(steps['socket'], 50)};  p99 {ms(steps['page'], 99)}"
            f" / {ms(steps['join'], 99)} / {ms(steps['socket'], 99)};"
            f"  server CPU {r.joined.server_cpu:.2f} s over {r.joined.window:.1f} s"
        )
        for error in r.joined.errors[:3]:
            print(f"    error: {error}")
        for drop in r.joined.screen_drops:
            print(f"    !! a screen was dropped (it reconnected): {drop}")
        warning = bottleneck_note(r.joined.client_share)
        if warning:
            print("  " + warning)

    if args.reconnect:
        print("\nReconnect storm: every socket closed, then all reopened at once")
        rows = []
        for r in runs:
            a = r.again
            assert a is not None
            rows.append(
                [
                    r.pair,
                    r.stack,
                    f"{a.reconnected}/{a.phones}",
                    len(a.errors),
                    a.drops,
                    f"{a.connected}/{a.phones}",
                    fmt(a.wall, 2),
                    fmt(a.server_cpu / max(1, a.phones) * 1000, 2),
                    ms(a.totals, 50),
                    ms(a.totals, 99),
                    "never" if a.online_at is None else fmt(a.online_at, 2),
                    fmt(a.rss_after, 0),
                    fmt(a.client_share * 100, 0),
                    fmt(a.others, 2),
                ]
            )
            for error in a.errors[:3]:
                print(f"    pair {r.pair} {r.stack} error: {error}")
            for drop in a.screen_drops:
                print(f"    pair {r.pair} {r.stack}: !! a screen was dropped: {drop}")
        print_table(
            [
                "pair",
                "stack",
                "back",
                "errors",
                "dropped",
                f"open after {args.hold:g} s",
                "all back s",
                "CPU ms/reconnect",
                "phone p50 ms",
                "phone p99 ms",
                "beamer all online s",
                "RSS MB",
                "client core%",
                "other load",
            ],
            rows,
        )

    if {r.stack for r in runs} != {"bare", "plandag"}:
        return  # --only: no ratios, no targets
    by = {(r.pair, r.stack): r for r in runs}
    pairs = sorted({r.pair for r in runs})
    wall_ratios = [ratio(by[p, "plandag"].joined.wall, by[p, "bare"].joined.wall) for p in pairs]
    cpu_ratios = [ratio(by[p, "plandag"].cpu_per_join, by[p, "bare"].cpu_per_join) for p in pairs]
    print("\nRatios, Plandag / bare in the same pair:")
    ratio_rows = []
    for p, w, c in zip(pairs, wall_ratios, cpu_ratios, strict=True):
        row = [p, fmt(w, 1) + "×", fmt(c, 1) + "×"]
        if args.reconnect:
            plandag, bare = by[p, "plandag"].again, by[p, "bare"].again
            assert plandag is not None and bare is not None
            row.append(fmt(ratio(plandag.wall, bare.wall), 1) + "×")
        ratio_rows.append(row)
    headers = ["pair", "all joined", "CPU per join"]
    print_table([*headers, "all back"] if args.reconnect else headers, ratio_rows)

    plandag = [by[p, "plandag"] for p in pairs]
    targets = [
        Target(
            "server CPU per join ≤ 5 ms",
            all(r.cpu_per_join <= 5 for r in plandag),
            ", ".join(f"{r.cpu_per_join:.1f} ms" for r in plandag),
        ),
        Target(
            "all joined in ≤ 2× the bare stack's time",
            all(w == w and w <= 2 for w in wall_ratios),
            ", ".join(f"{w:.1f}×" for w in wall_ratios),
        ),
        Target(
            f"RSS with {args.phones} phones connected ≤ 200 MB",
            all(r.joined.rss_after <= 200 for r in plandag),
            ", ".join(f"{r.joined.rss_after:.0f} MB (peak {r.joined.hwm:.0f})" for r in plandag),
        ),
        Target(
            "every phone joined, no errors, no socket dropped (phones, beamer, console)",
            all(
                r.joined.joined == r.joined.phones
                and not r.joined.errors
                and not r.joined.drops
                and not r.joined.screen_drops
                for r in plandag
            ),
            "; ".join(
                f"{r.joined.joined} joined, {len(r.joined.errors)} errors,"
                f" {r.joined.drops} phones and {len(r.joined.screen_drops)} screens dropped"
                for r in plandag
            ),
        ),
    ]
    if args.reconnect:
        agains = [r.again for r in plandag if r.again is not None]
        targets.append(
            Target(
                "reconnect storm: every phone back, none dropped",
                all(
                    a.reconnected == a.phones
                    and not a.errors
                    and not a.drops
                    and not a.screen_drops
                    and a.connected == a.phones
                    for a in agains
                ),
                "; ".join(
                    f"{a.reconnected} back, {len(a.errors)} errors, {a.drops} dropped,"
                    f" {a.connected} open, {len(a.screen_drops)} screens dropped"
                    for a in agains
                ),
            )
        )
    print_targets(targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--phones", type=int, default=1000, help="phones")
    parser.add_argument("--pairs", type=int, default=2, help="bare/Plandag pairs, alternating")
    parser.add_argument("--concurrency", type=int, default=100, help="joins in flight at once")
    parser.add_argument("--reconnect", action="store_true", help="add a reconnect storm")
    parser.add_argument("--hold", type=float, default=5.0, help="seconds to watch for drops")
    parser.add_argument("--client-procs", type=int, default=1, help="client processes")
    parser.add_argument(
        "--polling", action="store_true", help="start sockets on long-polling like a browser"
    )
    parser.add_argument(
        "--async-mode", default="gevent", choices=["gevent", "eventlet"], help="Plandag's"
    )
    parser.add_argument("--only", choices=["bare", "plandag"], help="run one stack (no ratios)")
    args = parser.parse_args()
    files = raise_open_files()
    print(f"open files limit {files}; Plandag in {args.async_mode} mode", flush=True)
    runs = []
    for pair, name in alternate(args.pairs):
        if args.only and name != args.only:
            continue
        print(f"pair {pair}: {name} ...", flush=True)
        run = one_run(pair, name, args)
        print(
            f"  {run.joined.joined}/{run.joined.phones} joined in {run.joined.wall:.1f} s,"
            f" {run.cpu_per_join:.1f} ms CPU each",
            flush=True,
        )
        runs.append(run)
    report(runs, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
