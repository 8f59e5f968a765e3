"""Facts the domain records. Services return them; the realtime hub turns them into
broadcasts for each audience. They are plain data: no I/O happens here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Event:
    pass


@dataclass(frozen=True, slots=True)
class PhaseChanged(Event):
    from_phase: str
    to_phase: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class TimerSet(Event):
    timebox_seconds: int | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingUpdated(Event):
    """Preparation fields changed (title, question, issue statement, groups, ...)."""


@dataclass(frozen=True, slots=True)
class ParticipantJoined(Event):
    participant_id: int


@dataclass(frozen=True, slots=True)
class ParticipantChanged(Event):
    participant_id: int


@dataclass(frozen=True, slots=True)
class ParticipantRemoved(Event):
    participant_id: int


@dataclass(frozen=True, slots=True)
class PresenceChanged(Event):
    participant_id: int
    online: bool
