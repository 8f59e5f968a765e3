"""Presence that heals: a dead worker's sockets go after three missed heartbeats, the
rooms it served resync once, and a worker that only stalled comes back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from shared.accounts.service import add_user
from shared.core.db import Database
from shared.core.models import Connection, Worker, utcnow
from shared.meeting.service import create_meeting, join
from shared.realtime.presence import connect, heartbeat, register_worker, sweep_dead_workers
from tests.integration.test_services import details


def _online(db: Database, worker: str) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).where(Connection.worker_id == worker)) or 0)


def test_a_silent_worker_is_swept_after_three_beats_and_a_stalled_one_comes_back(db: Database):
    anna = add_user(db, "anna@example.org", "Anna", "a long password")
    meeting = create_meeting(db, anna.id, details())
    person, _change, _new = join(
        db, meeting_id=meeting.id, device_token="d" * 30, name="Fatima", group="Bewoners"
    )
    for worker in ("w1", "w2"):
        register_worker(db, worker, beat=1.0, fingerprint="secret:x seal:y")
    connect(
        db,
        sid="s1",
        meeting_id=meeting.id,
        audience="phone",
        worker_id="w2",
        participant_id=person.id,
    )
    assert sweep_dead_workers(db, beat=1.0) == []  # both beat
    with db.transaction() as s:  # w2 last beat 2.5 s ago: two beats missed, not three
        s.execute(
            update(Worker)
            .where(Worker.id == "w2")
            .values(heartbeat_at=utcnow() - timedelta(seconds=2.5))
        )
    assert sweep_dead_workers(db, beat=1.0) == [] and _online(db, "w2") == 1
    with db.transaction() as s:
        s.execute(
            update(Worker)
            .where(Worker.id == "w2")
            .values(heartbeat_at=utcnow() - timedelta(seconds=3.5))
        )
    (change,) = sweep_dead_workers(db, beat=1.0)
    assert change.meeting_id == meeting.id and f"participant:{person.id}" in change.keys
    assert change.resync  # what w2 committed and never marked is not missed
    assert _online(db, "w2") == 0
    assert heartbeat(db, "w1") is False  # alive all along
    assert heartbeat(db, "w2", "secret:x seal:y") is True  # swept: record its sockets again
    with db.read() as s:
        assert s.get(Worker, "w2") is not None
