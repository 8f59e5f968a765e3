"""Consent burst: a thousand phones answer within a second; Plandag beside the bare stack.

Each run starts a fresh server, lets the phones join (not timed here), then sends every
write on a fixed schedule spread over `--spread` seconds (open loop: a phone does not
wait for an ack before its next write) and measures the server's CPU per write, the
ack latency, when the beamer shows the exact final state, how many messages the beamer
got, what the database holds afterwards (lost, duplicates) and the server's memory.
Runs alternate bare, Plandag, bare, Plandag (`--pairs`), clients in separate processes.

    .venv/bin/python bench/consent_burst.py                      # 1,000 phones, consent
    .venv/bin/python bench/consent_burst.py --mode dots          # 1,500 dots, 500 phones
    .venv/bin/python bench/consent_burst.py --mode contributions # 1,000 from 500 phones

Modes (Plandag's intent; the bare stack always gets its one `answer` write, from the
same number of phones on the same schedule, so its cost is the per-answer reference):
- consent: `consent.answer` in an open round on a proposal, one per phone.
- dots: `vote.give` in open dot voting (3 dots each, at most 2 on one of 6 proposals).
- contributions: `contribution.create` in the sharing phase, 2 per phone.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    KINDS,
    TEXTS,
    BareStack,
    Burst,
    Intent,
    Joined,
    PhoneProcs,
    PlandagStack,
    Stack,
    Target,
    alternate,
    bottleneck_note,
    burst_phase,
    fmt,
    join_phase,
    make_stack,
    mark_phase,
    median,
    pct,
    print_table,
    print_targets,
    raise_open_files,
    ratio,
    with_resends,
)

MODES = {
    # mode: (default phones, writes per phone, Plandag's intent)
    "consent": (1000, 1, "consent.answer"),
    "dots": (500, 3, "vote.give"),
    "contributions": (500, 2, "contribution.create"),
}
PROPOSALS = 6


@dataclass
class Write:
    """One write of the schedule, the same for both stacks."""

    number: int
    phone: int
    nth: int  # this phone's first, second, ... write
    offset: float
    kind: str  # consent: the answer
    proposal: int  # dots: index of the proposal
    text: str


def schedule(mode: str, phones: int, spread: float, seed: int) -> list[Write]:
    """Writes spread evenly over `spread` seconds, phones in random order; a phone's
    writes come in turn (its second after everyone's first, and so on)."""
    rng = random.Random(seed)
    per = MODES[mode][1]
    order = list(range(phones))
    rng.shuffle(order)
    kinds = [rng.choice(["consent", "consent", "concern", "objection"]) for _ in range(phones)]
    dots: list[list[int]] = []
    for _ in range(phones):
        plan = [rng.randrange(PROPOSALS) for _ in range(3)]
        if plan.count(plan[0]) == 3:  # at most 2 dots on one proposal
            plan[2] = (plan[0] + 1) % PROPOSALS
        dots.append(plan)
    total = phones * per
    writes = []
    for j in range(total):
        phone, nth = order[j % phones], j // phones
        kind = kinds[phone] if mode == "consent" else "concern"
        text = TEXTS[kind] if mode == "consent" else f"Bijdrage {nth} van buur {phone}: één, twee."
        writes.append(Write(j, phone, nth, spread * j / total, kind, dots[phone][nth % 3], text))
    return writes


def intents_for(stack: Stack, mode: str, writes: list[Write], ctx: dict[str, Any]) -> list[Intent]:
    out = []
    for w in writes:
        payload: dict[str, Any] = {"client_id": f"bench-{w.number:05d}-{w.nth}"}
        if isinstance(stack, BareStack):
            event = "answer"
            payload.update(answer=w.kind, text=w.text)
        elif mode == "consent":
            event = "consent.answer"
            payload.update(round_id=ctx["round_id"], answer=w.kind, text=w.text)
        elif mode == "dots":
            event = "vote.give"
            payload.update(proposal_id=ctx["proposals"][w.proposal])
        else:
            event = "contribution.create"
            payload.update(text=w.text)
        out.append(Intent(w.number, w.phone, w.offset, event, payload))
    return out


def expected(mode: str, writes: list[Write], ctx: dict[str, Any]) -> dict[str, Any]:
    if mode == "consent":
        return {k: sum(1 for w in writes if w.kind == k) for k in KINDS}
    if mode == "dots":
        support = dict.fromkeys(ctx["proposals"], 0)
        for w in writes:
            support[ctx["proposals"][w.proposal]] += 1
        return support
    return {"contributions": len(writes)}


def goal_for(stack: Stack, mode: str, writes: list[Write], ctx: dict[str, Any]):
    """The beamer's exact final state."""
    want = expected(mode, writes, ctx)
    phones = len({w.phone for w in writes})
    if isinstance(stack, BareStack):
        counts = want if mode == "consent" else None
        return lambda t: (
            t["intents"] == len(writes)
            and t["answered"] == phones
            and (counts is None or t["counts"] == counts)
        )
    if mode == "consent":
        rid = ctx["round_id"]

        def consent_exact(views: dict[str, Any]) -> bool:
            tally = views.get("consent_tally") or {}
            return (
                tally.get("round_id") == rid
                and tally.get("answered") == phones
                and all(tally.get(k) == n for k, n in want.items())
            )

        return consent_exact
    if mode == "dots":
        return lambda views: {r["id"]: r["support"] for r in views["ranking"]} == want
    return lambda views: sum(1 for k in list(views) if k.startswith("card:")) == len(writes)


def prepare(stack: Stack, mode: str) -> dict[str, Any]:
    """Bring Plandag's meeting to where the phones write (before they join)."""
    if not isinstance(stack, PlandagStack):
        return {"proposals": list(range(PROPOSALS))}
    if mode == "contributions":
        stack.advance(2)  # welcome -> framing -> sharing
        return {}
    stack.advance(3)  # ... -> proposals
    if mode == "consent":
        (pid,) = stack.propose(["Buurtcafé op het plein"])
        stack.advance(1)  # -> consent
        return {"proposal": pid}
    ids = stack.propose([f"Voorstel {i}" for i in range(PROPOSALS)])
    stack.call("voting.configure", mode="dots", dots=3, max_per_proposal=2)
    stack.call("voting.open")
    return {"proposals": ids}


def open_round(stack: Stack, mode: str, ctx: dict[str, Any], phones: int) -> list[str]:
    """Consent: the round opens once the room is seated (it fixes who is eligible)."""
    notes: list[str] = []
    if isinstance(stack, PlandagStack) and mode == "consent":
        ack = stack.call("consent.open", proposal_id=ctx["proposal"])
        ctx["round_id"] = ack["round_id"]
        if ack["eligible"] != phones + 1:  # the phones and the proposal's author
            notes.append(f"round opened with {ack['eligible']} eligible, not {phones + 1}")
        rid = ack["round_id"]
        stack.beamer.watcher.expect(lambda v: (v.get("consent_tally") or {}).get("round_id") == rid)
        if stack.beamer.watcher.wait(30) is None:
            notes.append("the beamer never showed the new round")
    return notes


def verify(stack: Stack, mode: str, writes: list[Write], intents: list[Intent], ctx, burst):
    """What the database holds: (lost, duplicates, exact, acked but missing)."""
    ids = {i.payload["client_id"] for i in intents}
    action = intents[0].event
    stored = stack.stored_ids(action) & ids
    want = expected(mode, writes, ctx)
    if isinstance(stack, BareStack):
        total = stack.query("select count(*) from answers")[0][0]
        exact = total == len(writes)
        if mode == "consent":
            got = dict(stack.query("select answer, count(*) from answers group by answer"))
            exact = exact and all(got.get(k, 0) == n for k, n in want.items())
    elif mode == "consent":
        rid = ctx["round_id"]
        got = dict(
            stack.query(
                "select answer, count(*) from consent_answers where round_id = ? group by answer",
                rid,
            )
        )
        logged = stack.query(
            "select count(*) from consent_log where round_id = ? and action = 'answer'", rid
        )[0][0]
        total = max(sum(got.values()), logged)
        exact = all(got.get(k, 0) == n for k, n in want.items()) and logged == len(writes)
    elif mode == "dots":
        got = dict(
            stack.query(
                "select proposal_id, sum(count) from votes where meeting_id = ?"
                " group by proposal_id",
                stack.meeting.id,
            )
        )
        total = sum(got.values())
        exact = all(got.get(k, 0) == n for k, n in want.items())
    else:
        total = stack.query(
            "select count(*) from contributions where meeting_id = ?", stack.meeting.id
        )[0][0]
        exact = total == len(writes)
    lost = max(len(ids - stored), len(writes) - total)
    duplicates = max(0, total - len(writes))
    return lost, duplicates, exact, len(burst.acked_ids - stored)


@dataclass
class Run:
    pair: int
    stack: str
    joined: Joined
    burst: Burst
    lost: int
    duplicates: int
    exact: bool
    acked_missing: int
    notes: list[str]

    @property
    def cpu_per(self) -> float:
        return self.burst.server_cpu / self.burst.intents * 1000

    @property
    def p50(self) -> float:
        return median(self.burst.latencies) * 1000

    @property
    def p99(self) -> float:
        return pct(self.burst.latencies, 99) * 1000

    @property
    def lag(self) -> float | None:
        lag = self.burst.lag
        return None if lag is None else lag * 1000

    @property
    def beamer_per(self) -> float:
        return self.burst.beamer_msgs / self.burst.intents


def one_run(pair: int, name: str, args: argparse.Namespace) -> Run:
    phones = args.phones
    stack = make_stack(name, args.async_mode).start()
    procs = PhoneProcs(args.client_procs)
    try:
        ctx = prepare(stack, args.mode)
        transports = ["polling", "websocket"] if args.polling else ["websocket"]
        joined = join_phase(stack, procs, phones, args.concurrency, transports)
        notes = [f"join: {e}" for e in joined.errors[:3]]
        notes += open_round(stack, args.mode, ctx, phones)
        writes = schedule(args.mode, phones, args.spread, args.seed)
        intents = intents_for(stack, args.mode, writes, ctx)
        intents = with_resends(intents, args.resend, random.Random(args.seed))
        intents.sort(key=lambda i: i.offset)
        mark_phase("burst", stack)
        burst = burst_phase(stack, procs, intents, goal_for(stack, args.mode, writes, ctx))
        lost, dups, exact, missing = verify(stack, args.mode, writes, intents, ctx, burst)
        return Run(pair, name, joined, burst, lost, dups, exact, missing, notes)
    finally:
        procs.close()
        stack.stop()


def report(runs: list[Run], args: argparse.Namespace) -> None:
    intent = MODES[args.mode][2]
    print(
        f"\n{args.mode} burst: {args.phones} phones, {runs[0].burst.intents} writes"
        f" ({intent} on Plandag, `answer` on the bare stack) spread over {args.spread:g} s,"
        f" {args.resend:.0%} resent; {args.client_procs} client process(es)"
    )
    headers = [
        "pair",
        "stack",
        "CPU ms/write",
        "ack p50 ms",
        "ack p99 ms",
        "beamer lag ms",
        "beamer msg/write",
        "lost",
        "dup",
        "db exact",
        "errors",
        "RSS MB",
        "peak MB",
        "client core%",
        "send slip p99 ms",
        "other load",
    ]
    rows = []
    for r in runs:
        b = r.burst
        rows.append(
            [
                r.pair,
                r.stack,
                fmt(r.cpu_per, 2),
                fmt(r.p50),
                fmt(r.p99),
                "never" if r.lag is None else fmt(r.lag, 0),
                fmt(r.beamer_per, 3),
                r.lost,
                r.duplicates,
                "yes" if r.exact else "NO",
                sum(b.errors.values()),
                fmt(b.rss_after, 0),
                fmt(b.hwm, 0),
                fmt(b.client_share * 100, 0),
                fmt(b.slip * 1000),
                fmt(b.others, 2),
            ]
        )
    print_table(headers, rows)

    print("\nDetails:")
    for r in runs:
        b = r.burst
        phone_msgs = sum(v for k, v in b.phone_events.items())
        console = "" if b.console_msgs is None else f", console {b.console_msgs / b.intents:.3f}"
        print(
            f"  pair {r.pair} {r.stack:7s}: server CPU {b.server_cpu:.2f} s over a"
            f" {b.window:.1f} s window; sends took {b.sending:.2f} s; {b.acked}/{b.intents}"
            f" acked ok; resends acked duplicate {b.resend_duplicates}; msgs per write:"
            f" phones {phone_msgs / b.intents:.2f} {dict(sorted(b.phone_events.items()))}"
            f"{console}; client CPU {b.client_cpu:.2f} s"
        )
        j = r.joined
        print(
            f"    join (not timed here): {j.joined}/{j.phones} in {j.wall:.1f} s,"
            f" {j.server_cpu / max(1, j.phones) * 1000:.1f} ms server CPU each,"
            f" RSS {j.rss_after:.0f} MB with the phones connected"
        )
        if b.drops:
            print(f"    !! {b.drops} phone sockets were closed by the server or the network")
        for drop in r.joined.screen_drops + b.screen_drops:
            print(f"    !! a screen was dropped (it reconnected): {drop}")
        if args.mode == "consent" and b.you_before_ack:
            print(f"    {b.you_before_ack} phones got their `you` before their ack")
        if b.errors:
            print(f"    errors: {b.errors}")
        if r.acked_missing:
            print(f"    !! {r.acked_missing} acknowledged writes are not in the database")
        for note in r.notes:
            print(f"    note: {note}")
        warning = bottleneck_note(b.client_share)
        if warning:
            print("  " + warning)

    if {r.stack for r in runs} != {"bare", "plandag"}:
        return  # --only: no ratios, no targets
    pairs = sorted({r.pair for r in runs})
    by = {(r.pair, r.stack): r for r in runs}
    cpu_ratios, p99_ratios = [], []
    print("\nRatios, Plandag / bare in the same pair:")
    print_table(
        ["pair", "CPU per write", "ack p50", "ack p99"],
        [
            [
                p,
                fmt(ratio(by[p, "plandag"].cpu_per, by[p, "bare"].cpu_per), 2) + "×",
                fmt(ratio(by[p, "plandag"].p50, by[p, "bare"].p50), 1) + "×",
                fmt(ratio(by[p, "plandag"].p99, by[p, "bare"].p99), 1) + "×",
            ]
            for p in pairs
        ],
    )
    for p in pairs:
        cpu_ratios.append(ratio(by[p, "plandag"].cpu_per, by[p, "bare"].cpu_per))
        p99_ratios.append(ratio(by[p, "plandag"].p99, by[p, "bare"].p99))

    plandag = [by[p, "plandag"] for p in pairs]

    def every(values: list[float], limit: float) -> bool:
        return all(v == v and v <= limit for v in values)

    def listing(values: list[Any], unit: str = "") -> str:
        return ", ".join(fmt(v, 2) + unit for v in values)

    targets = []
    cpu_limit = 1.5 if args.mode == "consent" else 2.0
    what = "answer" if args.mode == "consent" else f"{MODES[args.mode][2]}"
    targets.append(
        Target(
            f"server CPU per {what} ≤ {cpu_limit:g}× the bare stack's per answer",
            every(cpu_ratios, cpu_limit),
            listing(cpu_ratios, "×"),
        )
    )
    if args.mode == "consent":
        targets.append(
            Target(
                "ack p99 ≤ 2× the bare stack's", every(p99_ratios, 2.0), listing(p99_ratios, "×")
            )
        )
    targets.append(
        Target(
            "0 lost, 0 duplicates, database exact",
            all(r.lost == 0 and r.duplicates == 0 and r.exact for r in plandag),
            "; ".join(f"lost {r.lost}, dup {r.duplicates}, exact {r.exact}" for r in plandag),
        )
    )
    if args.mode == "consent":
        lags = [r.lag for r in plandag]
        targets.append(
            Target(
                "beamer exact ≤ 300 ms after the last ack",
                all(lag is not None and lag <= 300 for lag in lags),
                ", ".join("never" if v is None else f"{v:.0f} ms" for v in lags),
            )
        )
    targets.append(
        Target(
            "beamer messages per write ≤ 0.1",
            every([r.beamer_per for r in plandag], 0.1),
            listing([r.beamer_per for r in plandag]),
        )
    )
    console = [
        r.burst.console_msgs / r.burst.intents for r in plandag if r.burst.console_msgs is not None
    ]
    targets.append(
        Target("console messages per write ≤ 0.1", every(console, 0.1), listing(console))
    )
    print_targets(targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=sorted(MODES), default="consent")
    parser.add_argument(
        "-n", "--phones", type=int, help="phones (default: 1,000; 500 for dots and contributions)"
    )
    parser.add_argument("--pairs", type=int, default=2, help="bare/Plandag pairs, alternating")
    parser.add_argument(
        "--spread", type=float, default=1.0, help="seconds the writes are spread over"
    )
    parser.add_argument(
        "--resend", type=float, default=0.1, help="share of writes sent twice (same client_id)"
    )
    parser.add_argument("--concurrency", type=int, default=100, help="joins in flight (join phase)")
    parser.add_argument("--client-procs", type=int, default=1, help="client processes")
    parser.add_argument(
        "--polling", action="store_true", help="start sockets on long-polling like a browser"
    )
    parser.add_argument(
        "--async-mode", default="gevent", choices=["gevent", "eventlet"], help="Plandag's"
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--only", choices=["bare", "plandag"], help="run one stack (no ratios)")
    args = parser.parse_args()
    args.phones = args.phones or MODES[args.mode][0]
    files = raise_open_files()
    print(f"open files limit {files}; Plandag in {args.async_mode} mode", flush=True)
    runs = []
    for pair, name in alternate(args.pairs):
        if args.only and name != args.only:
            continue
        print(f"pair {pair}: {name} ...", flush=True)
        run = one_run(pair, name, args)
        print(
            f"  {run.burst.intents} writes, {run.cpu_per:.2f} ms CPU each,"
            f" ack p99 {run.p99:.0f} ms",
            flush=True,
        )
        runs.append(run)
    report(runs, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
