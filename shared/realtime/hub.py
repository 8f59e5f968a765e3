"""The realtime hub: every broadcast leaves through here.

Services return a ``Change`` (view keys that changed, with the version its commit gave
it). The hub marks those keys per meeting (`shared.realtime.marks`) and the meeting's
flusher sends them to each audience's room at most once per ``coalesce_ms``: a vote
storm costs the beamer a few updates a second, not one per vote. There is one flusher
per meeting at a time, whichever worker made the change, so every room hears one
sequence. A flush reads the meeting's version first and then the *current* value of
each marked key, so an update holds at least the state at ``version``. Each update
names the version of the previous update to that room (``since``); a client whose
version is older than ``since`` missed something and asks for a snapshot.

Nothing is emitted synchronously from a handler: ``changed`` only marks, so the ack
reaches the client before the broadcast does.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from shared.core.db import Database
from shared.core.intents import Change, clock_of
from shared.core.keys import AUDIENCES, relevant
from shared.core.models import Connection
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import people_rows
from shared.realtime.marks import Coordinator, LocalMarks, Marks
from shared.screens import build_views, you_views

log = logging.getLogger(__name__)

Emit = Callable[..., None]


def room(meeting_id: str, audience: str) -> str:
    return f"m:{meeting_id}:{audience}"


def personal_room(participant_id: int) -> str:
    return f"p:{participant_id}"


class Hub:
    def __init__(
        self,
        *,
        db: Database,
        emit: Emit,
        disconnect: Callable[[str], None],
        spawn: Callable[..., Any],
        sleep: Callable[[float], None],
        base_url: Callable[[], str],
        coalesce_ms: int = 250,
        marks: Coordinator | None = None,
    ) -> None:
        self.db = db
        #: the one function that sends broadcasts (tests may swap it)
        self.emit = emit
        self._disconnect = disconnect
        self._spawn = spawn
        self._sleep = sleep
        self._base_url = base_url
        self.interval = coalesce_ms / 1000
        #: what waits to be flushed, and which meetings this worker flushes
        self.marks: Coordinator = marks or LocalMarks()
        self._last_flush: dict[str, float] = {}
        #: meetings this worker is flushing now
        self._flushing: set[str] = set()
        #: marks made here, not yet handed to shared marks (several workers: Redis)
        self._outbox: dict[str, Marks] = {}
        self._handing = False
        #: emitted messages per event name, for tests and benchmarks
        self.stats: Counter[str] = Counter()

    # ------------------------------------------------------------------ intake

    def changed(self, change: Change | None) -> None:
        if change is None:
            return
        self._mark(
            change.meeting_id,
            Marks(
                set(change.keys),
                set(change.personal),
                set(change.evicted),
                None if change.you_parts is None else set(change.you_parts),
                change.resync,
            ),
        )

    def touch(self, meeting_id: str, keys: Iterable[str]) -> None:
        self._mark(meeting_id, Marks(keys=set(keys)))

    def _mark(self, meeting_id: str, marks: Marks) -> None:
        if marks.empty():
            return
        if not self.marks.remote:
            if self.marks.mark(meeting_id, marks):
                self._start_flushing(meeting_id)
            return
        # Shared marks cost a round trip: the marks of every intent answered meanwhile
        # go in one (per meeting), from a task of their own, so a handler never waits
        # on Redis and a Redis hiccup never costs an ack.
        held = self._outbox.get(meeting_id)
        if held is None:
            self._outbox[meeting_id] = held = Marks()
        held.add(marks)
        if not self._handing:
            self._handing = True
            self._spawn(self._hand_over)

    def _hand_over(self) -> None:
        try:
            while self._outbox:
                # Oldest first (a dict keeps the order): a meeting whose marks keep
                # failing goes behind the others, it does not hold them up.
                meeting_id = next(iter(self._outbox))
                marks = self._outbox.pop(meeting_id)
                try:
                    claimed = self.marks.mark(meeting_id, marks)
                except Exception:
                    log.exception("marks of meeting %s not shared; retrying", meeting_id)
                    self._outbox.setdefault(meeting_id, Marks()).add(marks)
                    self._sleep(0.5)
                    continue
                if claimed:
                    self._start_flushing(meeting_id)
        finally:
            self._handing = False

    def adopt(self) -> None:
        """Flush the meetings whose flusher died (called with the heartbeat)."""
        for meeting_id in self.marks.orphans():
            self._start_flushing(meeting_id)

    def _start_flushing(self, meeting_id: str) -> None:
        if meeting_id not in self._flushing:  # one loop per meeting in this worker
            self._flushing.add(meeting_id)
            self._spawn(self._flush_loop, meeting_id)

    def _flush_loop(self, meeting_id: str) -> None:
        """This worker is the meeting's flusher until nothing is marked: one flush at a
        time, so updates leave in the order they were read."""
        try:
            while True:
                wait = self._last_flush.get(meeting_id, 0.0) + self.interval - time.monotonic()
                self._sleep(max(wait, 0))  # at least a switch: the ack goes out first
                try:
                    if not self.marks.renew(meeting_id):
                        return  # stalled past the lease: another worker flushes it now
                    self._last_flush[meeting_id] = time.monotonic()
                    if not self.flush(meeting_id) and self.marks.release(meeting_id):
                        return
                except Exception:
                    log.exception("flush of meeting %s failed; retrying", meeting_id)
                    self._sleep(1.0)
        finally:
            self._flushing.discard(meeting_id)

    def drain(self, timeout: float) -> None:
        """Wait (at most ``timeout`` seconds) until this worker has sent what it marked."""
        deadline = time.monotonic() + timeout
        while (self._flushing or self._outbox or self._handing) and time.monotonic() < deadline:
            self._sleep(0.05)

    # ------------------------------------------------------------------ output

    def flush(self, meeting_id: str) -> bool:
        """Send what is marked; False when nothing was."""
        marks = self.marks.take(meeting_id)
        if marks.empty():
            self.marks.done(meeting_id)
            return False
        try:
            updates, yous, version = self._read(meeting_id, marks.keys, marks.personal, marks.parts)
        except Exception:
            self.marks.restore(meeting_id, marks)
            raise
        if version is None:  # the meeting was deleted
            self.marks.done(meeting_id)
            return True
        if not self.marks.renew(meeting_id):
            # The read outlasted the lease and another worker flushes the meeting now:
            # send nothing (what was taken stays for it), or two would send at once.
            return False
        last = self.marks.last_sent(meeting_id)
        sent: dict[str, int] = {}
        for audience, views in updates.items():
            if not views and not marks.resync:
                continue
            # ``since``: the version of the last update this room was sent; a client
            # that has it misses nothing. After a worker died, changes it committed may
            # never have been marked: ``since`` beyond any version asks every client of
            # the room for a snapshot (protocol §4.2, rule 4).
            since = version + 1 if marks.resync else last.get(audience, 0)
            self.emit(
                "update",
                {"since": since, "version": version, "views": views},
                to=room(meeting_id, audience),
            )
            sent[audience] = version
            self.stats[f"update:{audience}"] += 1
        self.marks.sent(meeting_id, sent)
        for pid, view in yous.items():
            self.emit("you", view, to=personal_room(pid))
            self.stats["you"] += 1
        if marks.evicted:
            for sid in self._sids_of(marks.evicted):
                self._disconnect(sid)
        self.marks.done(meeting_id)
        return True

    def _read(
        self, meeting_id: str, keys: set[str], personal: set[int], parts: set[str] | None
    ) -> tuple[dict[str, dict[str, Any]], dict[int, dict[str, Any]], int | None]:
        base = self._base_url()
        with self.db.read() as session:
            # The version first: what is read after it is at least that new.
            version = clock_of(session, meeting_id).version
            row = session.get(MeetingRow, meeting_id)
            if row is None:
                return {}, {}, None
            updates = {
                audience: build_views(
                    session, row, audience, [k for k in keys if relevant(audience, k)], base
                )
                for audience in AUDIENCES
            }
            yous: dict[int, dict[str, Any]] = {}
            if personal:
                yous = you_views(session, people_rows(session, personal), parts)
            return updates, yous, version

    def _sids_of(self, participant_ids: set[int]) -> list[str]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(Connection.sid).where(Connection.participant_id.in_(participant_ids))
                )
            )

    def disconnect(self, sid: str) -> None:
        self._disconnect(sid)

    def revoke_room(self, meeting_id: str, audience: str, sids: Iterable[str]) -> None:
        """Tell a room its credentials are gone (a renewed beamer link), then close it."""
        self.emit("revoked", {"reason": "auth.beamer_key_invalid"}, to=room(meeting_id, audience))
        for sid in sids:
            self._disconnect(sid)
