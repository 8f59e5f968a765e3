"""Scale-out: 1,000 phones answer a consent round over 1, 2 and 3 workers on PostgreSQL
and Redis (issue 15), clients in separate processes (one per worker, phones of process k
on worker k). Reports the server CPU per answer summed over the workers, ack p50/p99,
beamer lag and messages, the beamer's and console's resyncs, RSS per worker, and what
the database holds (lost, duplicates). On two cores more workers are not faster: the
target is that the summed CPU per answer with 3 workers is at most 1.3 times that of 1,
with no resync.

    .venv/bin/python bench/scale_out.py \\
        --postgres postgresql://plandag_ci:plandag_ci@127.0.0.1:5432/postgres \\
        --redis redis://127.0.0.1:6379/0 [--workers 1 2 3] [-n 1000] [--repeat 1]

The PostgreSQL role must be allowed to create databases (one per run).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (
    PhoneProcs,
    PlandagStack,
    Target,
    burst_phase,
    fmt,
    join_phase,
    mark_phase,
    median,
    memory_mb,
    pct,
    print_table,
    print_targets,
    raise_open_files,
    ratio,
    with_resends,
)
from consent_burst import goal_for, intents_for, open_round, prepare, schedule

from tests.scaleout.conftest import Cluster, start_cluster


class ClusterStack(PlandagStack):
    """N workers on one PostgreSQL database and one Redis (and nginx, unused here)."""

    def __init__(self, workers: int) -> None:
        super().__init__()
        self.n = workers
        self.name = f"{workers} worker{'s' if workers > 1 else ''}"

    @property
    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.cluster.workers if w.proc is not None]

    def url_for(self, shard: int) -> str:
        return self.cluster.workers[shard % self.n].url

    def start(self) -> ClusterStack:
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-scale-")
        self.cluster: Cluster = start_cluster(Path(self.tmp.name), self.n, beat="2")
        self.server = self.cluster.workers[0]
        self.pid, self.url = self.pids[0], self.server.url
        self.open_meeting()
        return self

    def stop(self) -> None:
        for client in (self.author, self.console, self.beamer):
            if client is not None:
                client.close()
        self.cluster.stop()
        self.tmp.cleanup()

    def query(self, sql: str, *args: Any) -> list[tuple]:
        from sqlalchemy import create_engine, text

        engine = create_engine(
            self.server.env_extra["PLANDAG_DATABASE_URL"].replace(
                "postgresql://", "postgresql+psycopg://", 1
            )
        )
        params = {f"p{i}": a for i, a in enumerate(args)}
        for i in range(len(args)):
            sql = sql.replace("?", f":p{i}", 1)
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text(sql), params)]
        engine.dispose()
        return rows


def run(workers: int, phones: int, seed: int) -> dict[str, Any]:
    stack = ClusterStack(workers).start()
    procs = PhoneProcs(workers)
    try:
        ctx = prepare(stack, "consent")
        joined = join_phase(stack, procs, phones, 100, ["websocket"])
        notes = open_round(stack, "consent", ctx, phones)
        writes = schedule("consent", phones, 1.0, seed)
        intents = with_resends(intents_for(stack, "consent", writes, ctx), 0.1, random.Random(seed))
        assert stack.console is not None and stack.beamer is not None
        gaps0 = stack.beamer.gaps + stack.console.gaps
        mark_phase("burst", stack)
        burst = burst_phase(stack, procs, intents, goal_for(stack, "consent", writes, ctx))
        resyncs = stack.beamer.gaps + stack.console.gaps - gaps0
        stored = stack.stored_ids("consent.answer")
        answers = stack.query(
            "select count(*) from consent_answers where round_id = ?",
            ctx["round_id"],
        )
        return {
            "joined": joined.joined,
            "burst": burst,
            "resyncs": resyncs,
            "lost": len(burst.acked_ids - stored),
            "rows": answers[0][0] if answers else None,
            "rss": [memory_mb(pid) for pid in stack.pids],
            "notes": notes,
        }
    finally:
        procs.close()
        stack.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("PLANDAG_TEST_POSTGRES_URL"))
    parser.add_argument("--redis", default=os.environ.get("PLANDAG_TEST_REDIS_URL"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("-n", "--phones", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (args.postgres and args.redis):
        parser.error("--postgres and --redis (or PLANDAG_TEST_POSTGRES_URL/_REDIS_URL)")
    os.environ["PLANDAG_TEST_POSTGRES_URL"] = args.postgres
    os.environ["PLANDAG_TEST_REDIS_URL"] = args.redis
    print(f"open files limit {raise_open_files()}; {args.phones} phones, consent round in 1 s")
    results: list[tuple[int, dict[str, Any]]] = []
    for _ in range(args.repeat):
        for n in args.workers:
            print(f"{n} worker(s) ...", flush=True)
            results.append((n, run(n, args.phones, args.seed)))
    rows = []
    for n, r in results:
        b = r["burst"]
        rows.append(
            [
                n,
                f"{r['joined']}/{args.phones}",
                fmt(b.server_cpu / b.intents * 1000, 2),
                fmt(median(b.latencies) * 1000, 0),
                fmt(pct(b.latencies, 99) * 1000, 0),
                fmt(None if b.lag is None else b.lag * 1000, 0),
                fmt(b.beamer_msgs / b.intents, 3),
                r["resyncs"],
                r["lost"],
                (r["rows"] or 0) - b.intents,
                " / ".join(f"{x:.0f}" for x in r["rss"]),
            ]
        )
    print()
    print_table(
        [
            "workers",
            "joined",
            "CPU ms/answer (sum)",
            "ack p50 ms",
            "ack p99 ms",
            "beamer lag ms",
            "beamer msgs/answer",
            "resyncs",
            "lost",
            "duplicates",
            "RSS MB per worker",
        ],
        rows,
    )
    cpu = {n: [] for n in args.workers}
    for n, r in results:
        cpu[n].append(r["burst"].server_cpu / r["burst"].intents)
    targets = []
    if 1 in cpu and 3 in cpu:
        worst = max(ratio(c3, c1) for c3, c1 in zip(cpu[3], cpu[1], strict=True))
        targets.append(
            Target(
                "summed CPU per answer, 3 workers / 1 worker ≤ 1.3", worst <= 1.3, f"{worst:.2f}×"
            )
        )
    targets.append(
        Target(
            "no resync of the beamer or console",
            all(r["resyncs"] == 0 for _, r in results),
            ", ".join(str(r["resyncs"]) for _, r in results),
        )
    )
    targets.append(
        Target(
            "0 lost, 0 duplicates",
            all(r["lost"] == 0 and (r["rows"] or 0) == r["burst"].intents for _, r in results),
            "; ".join(f"{r['lost']} lost, {r['rows']} rows" for _, r in results),
        )
    )
    for n, r in results:
        for note in r["notes"]:
            print(f"  ! {n} worker(s): {note}")
    print_targets(targets, "issue 15; informational, every run must meet a target for PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
