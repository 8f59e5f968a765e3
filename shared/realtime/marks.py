"""What is waiting to be flushed, per meeting, and who flushes it.

One flusher per meeting at a time sends every update of that meeting, whichever worker
made the change: so each room hears one sequence of versions, each update naming the
one before it (``since``), with no gap and nothing out of order. Workers mark what
changed (view keys, people whose own view changed, people to disconnect); the flusher
takes the marks, reads the current state and sends it.

- `LocalMarks`: one process (the embedded SQLite server): the marks are in memory and
  this process flushes every meeting.
- `RedisMarks`: several workers (PostgreSQL and Redis): the marks are Redis sets, and
  the flusher of a meeting holds a lease (a key with an expiry) that it renews while
  it flushes. The worker that marks a meeting nobody flushes takes the lease; a flusher
  lets it go only when nothing is marked (atomically, so a mark is never stranded);
  the lease of a worker that died expires, and the next mark, or any worker's
  heartbeat (`orphans`), takes it over. The versions last sent to each room are kept
  in Redis too, so a new flusher continues the sequence.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Marks:
    #: view keys whose content changed
    keys: set[str] = field(default_factory=set)
    #: participants whose own view changed
    personal: set[int] = field(default_factory=set)
    #: participants to disconnect (removed)
    evicted: set[int] = field(default_factory=set)
    #: the parts of those people's own view to rebuild (None: all of them)
    parts: set[str] | None = field(default_factory=set)
    #: every client of the meeting takes a new snapshot (a worker died: what it had
    #: committed and not yet marked would otherwise be missed without a trace)
    resync: bool = False

    def empty(self) -> bool:
        return not (self.keys or self.personal or self.evicted or self.resync)

    def add(self, other: Marks) -> None:
        self.keys |= other.keys
        self.evicted |= other.evicted
        self.resync = self.resync or other.resync
        if other.personal:
            self.personal |= other.personal
            if self.parts is None or other.parts is None:
                self.parts = None
            else:
                self.parts |= other.parts


class Coordinator(Protocol):
    #: marks cost a round trip (the hub hands them over in batches)
    remote: bool

    def mark(self, meeting_id: str, marks: Marks) -> bool:
        """Add marks; True when this worker has just become the meeting's flusher (and
        should start flushing it)."""
        ...

    def take(self, meeting_id: str) -> Marks:
        """Everything marked for the meeting, removed (the flusher sends it)."""
        ...

    def done(self, meeting_id: str) -> None:
        """What was taken has been sent."""
        ...

    def restore(self, meeting_id: str, marks: Marks) -> None:
        """What was taken could not be sent: it is marked again, for the next flush."""
        ...

    def renew(self, meeting_id: str) -> bool:
        """Still this worker's meeting to flush (and for a while longer)?"""
        ...

    def release(self, meeting_id: str) -> bool:
        """Stop flushing the meeting if nothing is marked; False: something is."""
        ...

    def orphans(self) -> list[str]:
        """Meetings with marks and no flusher (it died), now this worker's to flush."""
        ...

    def last_sent(self, meeting_id: str) -> dict[str, int]:
        """Per audience, the version of the last update sent to its room."""
        ...

    def sent(self, meeting_id: str, versions: dict[str, int]) -> None: ...


class LocalMarks:
    """One process flushes every meeting; the marks are in memory."""

    remote = False

    def __init__(self) -> None:
        self._marks: dict[str, Marks] = {}
        self._flushing: set[str] = set()
        self._last: dict[str, dict[str, int]] = defaultdict(dict)

    def mark(self, meeting_id: str, marks: Marks) -> bool:
        held = self._marks.get(meeting_id)
        if held is None:
            self._marks[meeting_id] = held = Marks()
        held.add(marks)
        if meeting_id in self._flushing:
            return False
        self._flushing.add(meeting_id)
        return True

    def take(self, meeting_id: str) -> Marks:
        return self._marks.pop(meeting_id, None) or Marks()

    def done(self, meeting_id: str) -> None:
        pass

    def restore(self, meeting_id: str, marks: Marks) -> None:
        self.mark(meeting_id, marks)

    def renew(self, meeting_id: str) -> bool:
        return meeting_id in self._flushing

    def release(self, meeting_id: str) -> bool:
        held = self._marks.get(meeting_id)
        if held is not None and not held.empty():
            return False
        self._flushing.discard(meeting_id)
        return True

    def orphans(self) -> list[str]:
        return []

    def last_sent(self, meeting_id: str) -> dict[str, int]:
        return dict(self._last.get(meeting_id, {}))

    def sent(self, meeting_id: str, versions: dict[str, int]) -> None:
        self._last[meeting_id].update(versions)


# The marks of meeting {m}: plandag:m:{m}:keys, :personal, :evicted, :parts (with "*":
# every part); what a flusher took and has not sent yet: the same names with :taken:
# before them (a flusher that dies mid-flush leaves them to the next one); the lease
# :flusher (a worker id) and :sent (audience -> version). The set plandag:marked holds
# the meetings with marks or taken marks.
_PARTS_ALL = "*"
#: in the keys set: a resync (`Marks.resync`); no view key starts with "!"
_RESYNC = "!resync"
_SETS = ("keys", "personal", "evicted", "parts")

#: KEYS: the four sets, then the four taken sets. Moves the marks to the taken sets and
#: returns the taken sets (with what an earlier flusher took and never sent).
_TAKE = """
local out = {}
for i = 1, 4 do
  redis.call('SUNIONSTORE', KEYS[i + 4], KEYS[i + 4], KEYS[i])
  redis.call('DEL', KEYS[i])
  out[i] = redis.call('SMEMBERS', KEYS[i + 4])
end
return out
"""

#: KEYS: the four taken sets, plandag:marked, then the four sets. ARGV: the meeting.
_SENT = """
for i = 1, 4 do redis.call('DEL', KEYS[i]) end
for i = 6, 9 do
  if redis.call('SCARD', KEYS[i]) > 0 then return 0 end
end
redis.call('SREM', KEYS[5], ARGV[1])
return 1
"""

#: KEYS: the lease, then the four sets and the four taken sets. ARGV: this worker.
_RELEASE = """
for i = 2, 9 do
  if redis.call('SCARD', KEYS[i]) > 0 then return 0 end
end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class RedisMarks:
    """Several workers: marks in Redis sets, one flusher per meeting by lease."""

    remote = True

    def __init__(self, client: Any, worker_id: str, *, lease_ms: int = 5000) -> None:
        self._redis = client
        self._me = worker_id
        self._lease_ms = lease_ms
        self._take = client.register_script(_TAKE)
        self._sent = client.register_script(_SENT)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _sets(meeting_id: str, prefix: str = "") -> list[str]:
        return [f"plandag:m:{meeting_id}:{prefix}{name}" for name in _SETS]

    @staticmethod
    def _lease(meeting_id: str) -> str:
        return f"plandag:m:{meeting_id}:flusher"

    def mark(self, meeting_id: str, marks: Marks) -> bool:
        keys, personal, evicted, parts = self._sets(meeting_id)
        pipe = self._redis.pipeline(transaction=True)
        if marks.keys or marks.resync:
            pipe.sadd(keys, *marks.keys, *([_RESYNC] if marks.resync else []))
        if marks.personal:
            pipe.sadd(personal, *(str(p) for p in marks.personal))
            pipe.sadd(parts, *(marks.parts if marks.parts is not None else {_PARTS_ALL}))
        if marks.evicted:
            pipe.sadd(evicted, *(str(p) for p in marks.evicted))
        pipe.sadd("plandag:marked", meeting_id)
        pipe.execute()
        # After the marks: a flusher that lets go checks for marks atomically, so either
        # it sees these or its lease is gone and this worker takes it.
        return bool(self._redis.set(self._lease(meeting_id), self._me, nx=True, px=self._lease_ms))

    def take(self, meeting_id: str) -> Marks:
        keys, personal, evicted, parts = self._take(
            keys=[*self._sets(meeting_id), *self._sets(meeting_id, "taken:")]
        )
        taken_parts = {_text(p) for p in parts}
        taken_keys = {_text(k) for k in keys}
        return Marks(
            keys=taken_keys - {_RESYNC},
            personal={int(p) for p in personal},
            evicted={int(p) for p in evicted},
            parts=None if _PARTS_ALL in taken_parts else taken_parts,
            resync=_RESYNC in taken_keys,
        )

    def done(self, meeting_id: str) -> None:
        self._sent(
            keys=[
                *self._sets(meeting_id, "taken:"),
                "plandag:marked",
                *self._sets(meeting_id),
            ],
            args=[meeting_id],
        )

    def restore(self, meeting_id: str, marks: Marks) -> None:
        pass  # still in the taken sets: the next take returns them

    def renew(self, meeting_id: str) -> bool:
        return bool(self._renew(keys=[self._lease(meeting_id)], args=[self._me, self._lease_ms]))

    def release(self, meeting_id: str) -> bool:
        return bool(
            self._release(
                keys=[
                    self._lease(meeting_id),
                    *self._sets(meeting_id),
                    *self._sets(meeting_id, "taken:"),
                ],
                args=[self._me],
            )
        )

    def orphans(self) -> list[str]:
        adopted = []
        for raw in self._redis.smembers("plandag:marked"):
            meeting_id = _text(raw)
            if self._redis.set(self._lease(meeting_id), self._me, nx=True, px=self._lease_ms):
                adopted.append(meeting_id)
        return adopted

    def last_sent(self, meeting_id: str) -> dict[str, int]:
        found = self._redis.hgetall(f"plandag:m:{meeting_id}:sent")
        return {_text(k): int(v) for k, v in found.items()}

    def sent(self, meeting_id: str, versions: dict[str, int]) -> None:
        if versions:
            self._redis.hset(f"plandag:m:{meeting_id}:sent", mapping=versions)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
