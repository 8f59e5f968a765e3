"""Who speaks: the queue of people who asked for the floor, and rounds in turn.

Both are plain data rebuilt from stored rows, changed by one intent, and written back
by the caller; ids come from the caller because the database hands them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError

MESSAGES.update(
    {
        "queue.unknown": N_("That request to speak is not in this meeting's queue."),
        "queue.not_waiting": N_(
            "There is no waiting request to speak here: it was already given the floor, "
            "withdrawn or finished. Look at the queue as it is now."
        ),
        "queue.not_speaking": N_(
            "That request to speak does not have the floor, so it cannot be finished."
        ),
        "round.nobody": N_(
            "A round needs at least one participant in the meeting to give a turn to."
        ),
        "round.ended": N_("This round has ended. Start a new round to give everyone a turn."),
    }
)


class RequestStatus(StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    CANCELLED = "cancelled"


#: A request in these states still holds the participant's place in the queue.
_ACTIVE = (RequestStatus.WAITING, RequestStatus.SPEAKING)


@dataclass
class SpeakRequest:
    id: int
    participant_id: int
    status: RequestStatus


@dataclass
class SpeakingQueue:
    """Requests in the order people asked; the caller passes them ordered by id."""

    requests: list[SpeakRequest]

    def request(self, participant_id: int, new_id: int) -> tuple[SpeakRequest, bool]:
        """A tap on "I want to say something"; True when a new request was queued."""
        # A double tap, or a retry after a dropped connection, must not queue someone twice.
        for existing in self.requests:
            if existing.participant_id == participant_id and existing.status in _ACTIVE:
                return existing, False
        created = SpeakRequest(
            id=new_id, participant_id=participant_id, status=RequestStatus.WAITING
        )
        self.requests.append(created)
        return created, True

    def cancel(self, participant_id: int) -> SpeakRequest:
        for existing in self.requests:
            if (
                existing.participant_id == participant_id
                and existing.status is RequestStatus.WAITING
            ):
                existing.status = RequestStatus.CANCELLED
                return existing
        raise DomainError("queue.not_waiting")

    def start(self, request_id: int) -> list[SpeakRequest]:
        """Give the floor; whoever had it is done. Returns every request that changed."""
        chosen = self._find(request_id)
        if chosen.status is not RequestStatus.WAITING:
            raise DomainError("queue.not_waiting")
        changed: list[SpeakRequest] = []
        for existing in self.requests:
            if existing is chosen:
                existing.status = RequestStatus.SPEAKING
                changed.append(existing)
            elif existing.status is RequestStatus.SPEAKING:
                # One floor at a time: the facilitator moving on closes the previous turn.
                existing.status = RequestStatus.DONE
                changed.append(existing)
        return changed

    def finish(self, request_id: int) -> SpeakRequest:
        chosen = self._find(request_id)
        if chosen.status is not RequestStatus.SPEAKING:
            raise DomainError("queue.not_speaking")
        chosen.status = RequestStatus.DONE
        return chosen

    def waiting(self) -> list[SpeakRequest]:
        return [r for r in self.requests if r.status is RequestStatus.WAITING]

    def speaking(self) -> SpeakRequest | None:
        return next((r for r in self.requests if r.status is RequestStatus.SPEAKING), None)

    def upcoming(self, n: int = 3) -> list[SpeakRequest]:
        return self.waiting()[: max(n, 0)]

    def position(self, participant_id: int) -> int | None:
        """1-based place among the waiting, as a phone shows it ("you are 3rd")."""
        for place, waiting in enumerate(self.waiting(), start=1):
            if waiting.participant_id == participant_id:
                return place
        return None

    def _find(self, request_id: int) -> SpeakRequest:
        for existing in self.requests:
            if existing.id == request_id:
                return existing
        raise DomainError("queue.unknown")


def round_order(people: Sequence[tuple[int, str]]) -> tuple[int, ...]:
    """Everyone in turn, groups alternating: (participant_id, group) pairs in join order.

    Groups take turns in the order they first appeared, and within a group people keep
    their join order, so no group speaks for long stretches while another waits.
    """
    if not people:
        raise DomainError("round.nobody")
    by_group: dict[str, list[int]] = {}
    seen: set[int] = set()
    for participant_id, group in people:
        # Listed twice (a rejoin) still means one turn.
        if participant_id in seen:
            continue
        seen.add(participant_id)
        by_group.setdefault(group, []).append(participant_id)
    queues = list(by_group.values())
    order: list[int] = []
    for turn in range(max(len(q) for q in queues)):
        order.extend(q[turn] for q in queues if turn < len(q))
    return tuple(order)


@dataclass
class Round:
    """A round in progress: ``order[position]`` has the turn until the round ends."""

    order: tuple[int, ...]
    position: int = 0
    ended: bool = False

    def current(self) -> int | None:
        if self.ended or not 0 <= self.position < len(self.order):
            return None
        return self.order[self.position]

    def advance(self) -> int | None:
        """The next person's turn; passing the last person ends the round."""
        self._check_open()
        self.position += 1
        if self.position >= len(self.order):
            self.ended = True
        return self.current()

    def skip(self) -> int | None:
        """The person passes. Kept apart from ``advance`` so callers record intent."""
        return self.advance()

    def add(self, participant_id: int) -> bool:
        """A late joiner gets a turn at the end; True when they were added."""
        self._check_open()
        if participant_id in self.order:
            return False
        self.order = (*self.order, participant_id)
        return True

    def end(self) -> None:
        self._check_open()
        self.ended = True

    def remaining(self) -> tuple[int, ...]:
        if self.ended:
            return ()
        return self.order[self.position + 1 :]

    def _check_open(self) -> None:
        if self.ended:
            raise DomainError("round.ended")
