"""One client intent, one short transaction: run it once per client id, check who may do
it, give the change the meeting's next version and say which view keys changed. The hub
broadcasts after the commit and the ack.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.keys import audiences_for
from shared.core.models import (
    Intent,
    MeetingFacilitator,
    Participant,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.domain import DomainError


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Change:
    """What a committed intent changed, for the hub: which views to refresh."""

    meeting_id: str
    version: int
    #: view keys whose content changed, e.g. "meeting", "participant:12", "counts"
    keys: set[str] = field(default_factory=set)
    #: participants whose own view ("you") changed
    personal: set[int] = field(default_factory=set)
    #: participants who lost access (removed): their sockets are closed
    evicted: set[int] = field(default_factory=set)
    #: per audience, the version of the change before this one that it saw
    since: dict[str, int] = field(default_factory=dict)


def commit_change(
    session: Session,
    meeting: MeetingRow,
    keys: set[str],
    personal: Iterable[int] = (),
    evicted: Iterable[int] = (),
) -> Change:
    """Give this change the meeting's next version and record, per audience that sees
    it, which version it follows."""
    meeting.version += 1
    seen = dict(meeting.audience_versions or {})
    since = {}
    for audience in audiences_for(keys):
        since[audience] = int(seen.get(audience, 0))
        seen[audience] = meeting.version
    meeting.audience_versions = seen
    # No flush here: the commit flushes once, and a query in between autoflushes.
    return Change(meeting.id, meeting.version, set(keys), set(personal), set(evicted), since)


def load_for_update(session: Session, meeting_id: str) -> MeetingRow:
    row = session.scalar(select(MeetingRow).where(MeetingRow.id == meeting_id).with_for_update())
    if row is None:
        raise DomainError("meeting.unknown")
    return row


def can_facilitate(session: Session, user_id: int, meeting_id: str) -> bool:
    return (
        session.scalar(
            select(MeetingFacilitator.user_id).where(
                MeetingFacilitator.meeting_id == meeting_id,
                MeetingFacilitator.user_id == user_id,
            )
        )
        is not None
    )


def require_facilitator(session: Session, user_id: int, meeting_id: str) -> None:
    # Unknown and foreign meetings look the same: ids are not confirmed to outsiders.
    if not can_facilitate(session, user_id, meeting_id):
        raise DomainError("meeting.unknown")


def run_intent(
    db: Database,
    *,
    meeting_id: str,
    actor: str,
    client_id: str | None,
    action: str,
    work: Callable[[Session], tuple[dict[str, Any], Change | None]],
) -> tuple[dict[str, Any], Change | None]:
    """Carry out a client write once per client-made id. A retry of a write that was
    already committed returns the stored result and changes nothing. A refused write
    is not stored: a retry is judged afresh."""
    for attempt in range(2):
        try:
            with db.transaction() as session:
                if client_id is not None:
                    done = session.execute(
                        select(Intent.action, Intent.meeting_id, Intent.result).where(
                            Intent.actor == actor, Intent.client_id == client_id
                        )
                    ).first()
                    if done is not None:
                        if done.action != action or done.meeting_id != meeting_id:
                            raise DomainError("payload.client_id_reused")
                        return {**done.result, "duplicate": True}, None
                result, change = work(session)
                if client_id is not None:
                    # One statement, not a unit-of-work object: nothing reads it back.
                    session.execute(
                        insert(Intent).values(
                            meeting_id=meeting_id,
                            actor=actor,
                            client_id=client_id,
                            action=action,
                            result=result,
                            created_at=utcnow(),
                        )
                    )
            return result, change
        except IntegrityError:
            # The same id committed concurrently by another worker: read its result.
            if attempt or client_id is None:
                raise
    raise AssertionError("unreachable")


Result = tuple[dict[str, Any], Change | None]


Work = Callable[[Session, MeetingRow], Result]


def facilitator_intent(
    db: Database, user_id: int, meeting_id: str, client_id: str, action: str, work: Work
) -> Result:
    def run(session: Session) -> Result:
        require_facilitator(session, user_id, meeting_id)
        return work(session, load_for_update(session, meeting_id))

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action=action,
        work=run,
    )


def participant_intent(
    db: Database,
    participant_id: int,
    meeting_id: str,
    client_id: str,
    action: str,
    work: Callable[[Session, MeetingRow, Participant], Result],
) -> Result:
    def run(session: Session) -> Result:
        row = load_for_update(session, meeting_id)
        person = load_participant(session, meeting_id, participant_id)
        if person.removed_at is not None:
            raise DomainError("participant.removed")
        return work(session, row, person)

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"p:{participant_id}",
        client_id=client_id,
        action=action,
        work=run,
    )


def load_participant(session: Session, meeting_id: str, participant_id: int) -> Participant:
    if participant_id is None:
        raise DomainError("participant.unknown")
    p = session.get(Participant, participant_id)
    if p is None or p.meeting_id != meeting_id:
        raise DomainError("participant.unknown")
    return p
