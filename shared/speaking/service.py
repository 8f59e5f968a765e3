"""Use cases of who speaks: the queue and rounds in a fixed order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import Result, commit_change, facilitator_intent, participant_intent
from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    SpeakingRound,
    utcnow,
)
from shared.core.models import SpeakRequest as SpeakRow
from shared.core.screens import PersonRow, taking_part
from shared.domain import DomainError
from shared.domain.speaking import RequestStatus, Round, SpeakingQueue, SpeakRequest, round_order


def _queue(session: Session, meeting_id: str) -> tuple[SpeakingQueue, dict[int, SpeakRow]]:
    rows = list(
        session.scalars(
            select(SpeakRow)
            .where(
                SpeakRow.meeting_id == meeting_id,
                SpeakRow.status.in_([RequestStatus.WAITING, RequestStatus.SPEAKING]),
            )
            .order_by(SpeakRow.id)
        )
    )
    queue = SpeakingQueue(
        [
            SpeakRequest(id=r.id, participant_id=r.participant_id, status=RequestStatus(r.status))
            for r in rows
        ]
    )
    return queue, {r.id: r for r in rows}


def _queue_people(queue: SpeakingQueue) -> set[int]:
    return {r.participant_id for r in queue.requests}


def request_floor(db: Database, *, meeting_id: str, participant_id: int, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        queue, _rows = _queue(session, meeting_id)
        existing = next((r for r in queue.requests if r.participant_id == person.id), None)
        if existing is not None:
            return {"request_id": existing.id, "position": queue.position(person.id)}, None
        row = SpeakRow(
            meeting_id=meeting_id, participant_id=person.id, status=RequestStatus.WAITING
        )
        session.add(row)
        session.flush()
        queue.request(person.id, row.id)
        change = commit_change(session, meeting, {"queue"}, {person.id})
        return {
            "request_id": row.id,
            "position": queue.position(person.id),
        }, change

    # alone: a place in the queue depends on everyone else's request
    return participant_intent(
        db, participant_id, meeting_id, client_id, "queue.request", work, alone=True
    )


def cancel_floor(db: Database, *, meeting_id: str, participant_id: int, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        queue, rows = _queue(session, meeting_id)
        cancelled = queue.cancel(person.id)
        rows[cancelled.id].status = cancelled.status
        # Everyone behind moves up one place.
        change = commit_change(session, meeting, {"queue"}, _queue_people(queue))
        return {"request_id": cancelled.id}, change

    return participant_intent(
        db, participant_id, meeting_id, client_id, "queue.cancel", work, alone=True
    )


def give_floor(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    request_id: int,
    finish: bool,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        queue, rows = _queue(session, meeting_id)
        if request_id is None:
            raise DomainError("queue.unknown")
        people = _queue_people(queue)
        now = utcnow()
        changed = [queue.finish(request_id)] if finish else queue.start(request_id)
        for item in changed:
            row = rows[item.id]
            row.status = item.status
            if item.status is RequestStatus.SPEAKING:
                row.started_at = now
            else:
                row.finished_at = now
        change = commit_change(session, meeting, {"queue", "counts"}, people)
        return {"request_id": request_id}, change

    action = "queue.finish" if finish else "queue.start"
    return facilitator_intent(db, user_id, meeting_id, client_id, action, work)


def _round(session: Session, meeting: MeetingRow) -> tuple[SpeakingRound, Round]:
    row = session.get(SpeakingRound, meeting.round_id or 0)
    if row is None or row.ended:
        raise DomainError("round.ended")
    return row, Round(order=tuple(row.order), position=row.position, ended=row.ended)


def start_round(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        people = taking_part(session, meeting_id)
        order = round_order(people)
        previous = session.get(SpeakingRound, meeting.round_id or 0)
        if previous is not None:
            previous.ended = True
        row = SpeakingRound(meeting_id=meeting_id, order=list(order), position=0, spoke=[])
        session.add(row)
        session.flush()
        meeting.round_id = row.id
        change = commit_change(session, meeting, {"round"}, set(order))
        return {"round_id": row.id, "order": list(order)}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "round.start", work)


def step_round(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, action: str
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row, turn = _round(session, meeting)
        current = turn.current()
        if action == "end":
            turn.end()
        elif action == "skip":
            turn.skip()
        else:
            if current is not None and current not in row.spoke:
                row.spoke = [*row.spoke, current]
            turn.advance()
        row.position, row.ended = turn.position, turn.ended
        change = commit_change(session, meeting, {"round", "counts"}, set(turn.order))
        return {"current": turn.current(), "ended": turn.ended}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, f"round.{action}", work)
