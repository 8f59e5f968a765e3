"""Who is connected: one row per live socket, workers that heartbeat, and the cleanup after
a worker dies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import (
    Change,
    Result,
    commit_change,
    load_for_update,
    run_intent,
    write_later,
)
from shared.core.models import (
    Connection,
    Participant,
    Worker,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow

#: heartbeats a worker may miss before it counts as dead (its sockets as gone)
MISSED_BEATS = 3


def register_worker(
    db: Database,
    worker_id: str,
    *,
    only_worker: bool = False,
    beat: float = 2.0,
    fingerprint: str | None = None,
) -> list[Change]:
    """Start of a server process: clear connections of workers that stopped beating
    (a crash, kill -9), so presence is true again. With SQLite this process is the only
    worker, so every older connection is stale."""
    now = utcnow()
    with db.transaction() as session:
        if only_worker:
            session.execute(delete(Connection))
            session.execute(delete(Worker))
        session.add(Worker(id=worker_id, started_at=now, heartbeat_at=now, fingerprint=fingerprint))
    return sweep_dead_workers(db, beat=beat)


def heartbeat(db: Database, worker_id: str, fingerprint: str | None = None) -> bool:
    """True when this worker had been swept as dead (it stalled): its sockets' rows are
    gone and must be recorded again."""
    now = utcnow()
    with db.transaction() as session:
        done = session.execute(
            update(Worker).where(Worker.id == worker_id).values(heartbeat_at=now)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            # Swept while stalled: come back, or every sweep would drop our sockets.
            session.add(
                Worker(id=worker_id, started_at=now, heartbeat_at=now, fingerprint=fingerprint)
            )
            return True
    return False


def sweep_dead_workers(db: Database, *, beat: float = 2.0) -> list[Change]:
    """Remove workers (and their connections) silent for `MISSED_BEATS` heartbeats;
    returns the presence changes, one per meeting that had people on them."""
    cutoff = utcnow() - timedelta(seconds=MISSED_BEATS * beat)
    with db.transaction() as session:
        dead = list(session.scalars(select(Worker.id).where(Worker.heartbeat_at < cutoff)))
        orphaned = Connection.worker_id.in_(dead) | Connection.worker_id.not_in(
            select(Worker.id).where(Worker.heartbeat_at >= cutoff)
        )
        changes = _drop_connections(session, orphaned)
        if dead:
            session.execute(delete(Worker).where(Worker.id.in_(dead)))
        for change in changes:
            # A worker that died may have committed changes it never marked (a kill
            # between the commit and handing its marks to Redis): the rooms it served
            # take a new snapshot rather than miss them without a trace.
            change.resync = True
        return changes


def other_workers(db: Database, worker_id: str, *, beat: float = 2.0) -> int:
    """How many other workers are alive (beat within `MISSED_BEATS` heartbeats)."""
    cutoff = utcnow() - timedelta(seconds=MISSED_BEATS * beat)
    with db.read() as session:
        return len(
            list(
                session.scalars(
                    select(Worker.id).where(Worker.heartbeat_at >= cutoff, Worker.id != worker_id)
                )
            )
        )


def unregister_worker(db: Database, worker_id: str) -> list[Change]:
    """A worker that stops (SIGTERM, or the end of ``plandag run``): its sockets are
    gone; returns the presence changes, one per meeting that had people on it."""
    with db.transaction() as session:
        changes = _drop_connections(session, Connection.worker_id == worker_id)
        session.execute(delete(Worker).where(Worker.id == worker_id))
        return changes


def _drop_connections(session: Session, which: Any) -> list[Change]:
    keys: dict[str, set[str]] = defaultdict(set)
    for meeting_id, audience, pid in session.execute(
        select(Connection.meeting_id, Connection.audience, Connection.participant_id).where(which)
    ):
        keys[meeting_id] |= _presence_keys(audience, pid)
    if not keys:
        return []
    session.execute(delete(Connection).where(which))
    changes = []
    for meeting_id, touched in keys.items():
        row = session.get(MeetingRow, meeting_id)
        if row is not None:
            changes.append(commit_change(session, row, touched))
    return changes


_ADD_CONNECTION = insert(cast(Table, Connection.__table__))
_PARTICIPANTS = cast(Table, Participant.__table__)
_SET_LANGUAGE = (
    update(_PARTICIPANTS)
    .where(
        _PARTICIPANTS.c.id == bindparam("participant_id"),
        _PARTICIPANTS.c.language != bindparam("screen_language"),
    )
    .values(language=bindparam("screen_language"))
)
_DROP_CONNECTION = delete(cast(Table, Connection.__table__)).where(
    Connection.__table__.c.sid == bindparam("sid")
)


def connect(
    db: Database,
    *,
    sid: str,
    meeting_id: str,
    audience: str,
    worker_id: str,
    participant_id: int | None = None,
    user_id: int | None = None,
    language: str = "",
) -> Change:
    """Record a live socket (and, for a phone, the language its page speaks: the console
    shows the room's languages; a person who picks another language reconnects in it).
    Presence is versioned like any change, so an update read later always carries a
    version at least as new as the presence it shows. Committed with the meeting's other
    writes of the moment (a thousand phones connect at once after a restart)."""

    def work(session: Session) -> Result:
        row = load_for_update(session, meeting_id)
        write_later(  # a thousand phones reconnecting: one statement per batch
            session,
            _ADD_CONNECTION,
            {
                "sid": sid,
                "meeting_id": meeting_id,
                "audience": audience,
                "participant_id": participant_id,
                "user_id": user_id,
                "worker_id": worker_id,
                "connected_at": utcnow(),
            },
        )
        if language and participant_id is not None and audience == "phone":
            # a row only when it differs; the presence keys already re-send the person
            write_later(
                session,
                _SET_LANGUAGE,
                {"participant_id": participant_id, "screen_language": language},
            )
        return {}, commit_change(session, row, _presence_keys(audience, participant_id))

    _result, change = _presence_intent(db, meeting_id, sid, work)
    assert change is not None
    return change


def disconnect(db: Database, sid: str, meeting_id: str | None = None) -> Change | None:
    """Forget a socket. With the meeting known (the socket's principal), committed with
    the meeting's other writes of the moment."""

    def work(session: Session) -> Result:
        conn = session.execute(
            select(Connection.meeting_id, Connection.audience, Connection.participant_id).where(
                Connection.sid == sid
            )
        ).first()
        if conn is None:
            return {}, None
        session.execute(_DROP_CONNECTION, {"sid": sid})
        row = load_for_update(session, conn.meeting_id)
        return {}, commit_change(session, row, _presence_keys(conn.audience, conn.participant_id))

    if meeting_id is None:
        with db.transaction() as session:
            return work(session)[1]
    return _presence_intent(db, meeting_id, sid, work)[1]


def _presence_intent(db: Database, meeting_id: str, sid: str, work: Any) -> Result:
    """A socket's presence, committed with the meeting's other writes of the moment and
    beside them (``alone=False``: a thousand phones connect at once after a restart)."""
    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=sid,
        client_id=None,
        action="presence",
        work=work,
        alone=False,
    )


def _presence_keys(audience: str, participant_id: int | None) -> set[str]:
    if audience == "phone" and participant_id is not None:
        return {f"participant:{participant_id}", "counts"}
    return {"screens"}


def sids_of_participants(db: Database, participant_ids: Iterable[int]) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Connection.sid).where(Connection.participant_id.in_(list(participant_ids)))
            )
        )


def sids_of_audience(db: Database, meeting_id: str, audience: str) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Connection.sid).where(
                    Connection.meeting_id == meeting_id, Connection.audience == audience
                )
            )
        )


def console_sids_of_user(db: Database, user_id: int) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Connection.sid).where(
                    Connection.user_id == user_id, Connection.audience == "console"
                )
            )
        )
