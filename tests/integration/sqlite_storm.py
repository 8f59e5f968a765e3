"""Run under gevent in its own process (see test_sqlite_concurrency.py).

200 greenlets write at once through the app's engine while a ticker greenlet measures
how long the event loop is blocked. Prints one JSON line with the findings."""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402

from shared.accounts.service import add_user  # noqa: E402
from shared.core.db import Database  # noqa: E402
from shared.domain import MeetingDetails  # noqa: E402
from shared.meeting.service import create_meeting, join, move_phase  # noqa: E402
from shared.migrate import upgrade  # noqa: E402

url = sys.argv[1]
upgrade(url)
db = Database(url)
if "--naive" in sys.argv:
    # The trap, for contrast: an ordinary pool of several connections.
    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import sessionmaker

    db.engine = create_engine(url, pool_size=5, connect_args={"check_same_thread": False})

    @event.listens_for(db.engine, "connect")
    def _pragmas(conn, _record):  # type: ignore[no-untyped-def]
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
            conn.execute(f"PRAGMA {pragma}")

    db.sessions = sessionmaker(db.engine, expire_on_commit=False)
user = add_user(db, "storm@example.org", "Storm", "long enough password")
details = MeetingDetails.from_input(
    title="Storm",
    template="alle_hens",
    groups=["A", "B"],
    open_question="Q?",
    issue_statement="S.",
)
meeting = create_meeting(db, user.id, details)

lags: list[float] = []
done = False


def ticker() -> None:
    while not done:
        start = time.perf_counter()
        gevent.sleep(0.005)
        lags.append(time.perf_counter() - start - 0.005)


errors: list[str] = []


def phone(i: int) -> None:
    try:
        join(
            db,
            meeting_id=meeting.id,
            device_token=f"device-token-{i:05d}-xxxxxxxxxx",
            name=f"Person {i}",
            group="AB"[i % 2],
        )
    except Exception as exc:
        errors.append(repr(exc))


def facilitator() -> None:
    for n in range(3):
        try:
            move_phase(
                db,
                user_id=user.id,
                meeting_id=meeting.id,
                direction="advance",
                expected=None,
                client_id=f"storm-adv-{n}",
            )
        except Exception as exc:
            errors.append(repr(exc))
        gevent.sleep(0.01)


def yielding_writer(i: int) -> None:
    """A transaction that yields to the loop half-way (as any I/O inside it would)."""
    from shared.core.models import Intent

    try:
        with db.transaction() as session:
            session.add(
                Intent(
                    meeting_id=meeting.id,
                    actor=f"y:{i}",
                    client_id=f"yield-{i}",
                    action="test",
                    result={},
                )
            )
            session.flush()
            gevent.sleep(0.001)
    except Exception as exc:
        errors.append(type(exc).__name__)


tick = gevent.spawn(ticker)
started = time.perf_counter()
gevent.joinall(
    [gevent.spawn(phone, i) for i in range(200)]
    + [gevent.spawn(yielding_writer, i) for i in range(20)]
    + [gevent.spawn(facilitator)]
)
elapsed = time.perf_counter() - started
done = True
tick.join()

with db.engine.connect() as conn:
    pragmas = {
        name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
    }
    count = conn.exec_driver_sql("SELECT count(*) FROM participants").scalar()
    yielded = conn.exec_driver_sql("SELECT count(*) FROM intents WHERE action='test'").scalar()
    version = conn.exec_driver_sql("SELECT version FROM meeting_clocks").scalar()
    phase = conn.exec_driver_sql("SELECT phase FROM meetings").scalar()
print(
    json.dumps(
        {
            "participants": count,
            "yielding_writes": yielded,
            "version": version,
            "phase": phase,
            "errors": errors,
            "max_lag": max(lags),
            "elapsed": elapsed,
            "pragmas": pragmas,
            "pool_size": db.engine.pool.size(),  # type: ignore[attr-defined]
        }
    )
)
