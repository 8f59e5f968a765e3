"""The realtime hub: every broadcast leaves through here.

Services return a ``Change`` (view keys that changed, at which version). The hub marks
those keys dirty per meeting and flushes them to each audience's room at most once per
``coalesce_ms``: a vote storm costs the beamer a few updates a second, not one per vote.
A flush reads the *current* value of each dirty key in one read transaction, so an
update is the state at ``version``. Each update names the version of the previous
update to that room (``since``); a client whose version is older than ``since`` missed
something and asks for a snapshot.

Nothing is emitted synchronously from a handler: ``changed`` only schedules, so the ack
reaches the client before the broadcast does.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from shared.core.db import Database
from shared.core.intents import Change
from shared.core.keys import AUDIENCES, relevant
from shared.core.models import Connection
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import people_rows
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
    ) -> None:
        self.db = db
        #: the one function that sends broadcasts (tests may swap it)
        self.emit = emit
        self._disconnect = disconnect
        self._spawn = spawn
        self._sleep = sleep
        self._base_url = base_url
        self.interval = coalesce_ms / 1000
        self._dirty: dict[str, set[str]] = defaultdict(set)
        self._personal: dict[str, set[int]] = defaultdict(set)
        self._evicted: dict[str, set[int]] = defaultdict(set)
        #: per meeting: the parts of those people's own views to rebuild (None: all)
        self._you_parts: dict[str, set[str] | None] = {}
        self._scheduled: set[str] = set()
        #: per meeting and audience: the ``since`` of the oldest change not yet flushed
        self._since: dict[str, dict[str, int]] = defaultdict(dict)
        self._last_flush: dict[str, float] = {}
        #: emitted messages per event name, for tests and benchmarks
        self.stats: Counter[str] = Counter()

    # ------------------------------------------------------------------ intake

    def changed(self, change: Change | None) -> None:
        if change is None:
            return
        pending = self._since[change.meeting_id]
        for audience, since in change.since.items():
            pending[audience] = min(since, pending.get(audience, since))
        self.touch(change.meeting_id, change.keys)
        if change.personal or change.evicted:
            self._personal[change.meeting_id] |= change.personal
            self._evicted[change.meeting_id] |= change.evicted
            if change.personal:
                self._want_parts(change.meeting_id, change.you_parts)
            self._schedule(change.meeting_id)

    def _want_parts(self, meeting_id: str, parts: set[str] | None) -> None:
        if meeting_id not in self._you_parts:
            self._you_parts[meeting_id] = None if parts is None else set(parts)
            return
        held = self._you_parts[meeting_id]
        if held is not None:
            self._you_parts[meeting_id] = None if parts is None else held | parts

    def touch(self, meeting_id: str, keys: Iterable[str]) -> None:
        keys = set(keys)
        if not keys:
            return
        self._dirty[meeting_id] |= keys
        self._schedule(meeting_id)

    def _schedule(self, meeting_id: str) -> None:
        if meeting_id in self._scheduled:
            return
        self._scheduled.add(meeting_id)
        self._spawn(self._flush_later, meeting_id)

    def _flush_later(self, meeting_id: str) -> None:
        wait = self._last_flush.get(meeting_id, 0.0) + self.interval - time.monotonic()
        self._sleep(max(wait, 0))  # at least a switch: the handler's ack goes out first
        # One flush per meeting at a time, so updates leave in the order they were read.
        self._last_flush[meeting_id] = time.monotonic()
        try:
            self.flush(meeting_id)
        except Exception:
            log.exception("flush of meeting %s failed; retrying", meeting_id)
            self._sleep(1.0)
        finally:
            self._scheduled.discard(meeting_id)
        if self._dirty.get(meeting_id) or self._personal.get(meeting_id):
            self._schedule(meeting_id)

    # ------------------------------------------------------------------ output

    def flush(self, meeting_id: str) -> None:
        keys = self._dirty.pop(meeting_id, set())
        personal = self._personal.pop(meeting_id, set())
        evicted = self._evicted.pop(meeting_id, set())
        since = self._since.pop(meeting_id, {})
        parts = self._you_parts.pop(meeting_id, None)
        try:
            updates, yous, version, seen = self._read(meeting_id, keys, personal, parts)
        except Exception:
            self._dirty[meeting_id] |= keys
            self._personal[meeting_id] |= personal
            if personal:
                self._want_parts(meeting_id, parts)
            self._evicted[meeting_id] |= evicted
            for audience, value in since.items():
                pending = self._since[meeting_id]
                pending[audience] = min(value, pending.get(audience, value))
            raise
        if version is None:  # the meeting was deleted
            return
        for audience, views in updates.items():
            if not views:
                continue
            # ``since``: the version before the oldest change in this batch that this
            # audience sees. For presence alone (not versioned), the audience's last
            # versioned change: a client that has it misses nothing.
            self.emit(
                "update",
                {
                    "since": since.get(audience, seen.get(audience, 0)),
                    "version": version,
                    "views": views,
                },
                to=room(meeting_id, audience),
            )
            self.stats[f"update:{audience}"] += 1
        for pid, view in yous.items():
            self.emit("you", view, to=personal_room(pid))
            self.stats["you"] += 1
        if evicted:
            for sid in self._sids_of(evicted):
                self._disconnect(sid)

    def _read(
        self, meeting_id: str, keys: set[str], personal: set[int], parts: set[str] | None
    ) -> tuple[dict[str, dict[str, Any]], dict[int, dict[str, Any]], int | None, dict[str, int]]:
        base = self._base_url()
        with self.db.read() as session:
            row = session.get(MeetingRow, meeting_id)
            if row is None:
                return {}, {}, None, {}
            updates = {
                audience: build_views(
                    session, row, audience, [k for k in keys if relevant(audience, k)], base
                )
                for audience in AUDIENCES
            }
            yous: dict[int, dict[str, Any]] = {}
            if personal:
                yous = you_views(session, people_rows(session, personal), parts)
            return updates, yous, row.version, dict(row.audience_versions or {})

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
