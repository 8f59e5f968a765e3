"""Use cases of framing: information items, the issue statement's versions and the
recognition check.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import Result, commit_change, facilitator_intent, participant_intent
from shared.core.models import (
    InfoItem,
    RecognitionAnswer,
    RecognitionCheck,
    StatementVersion,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow
from shared.domain import DomainError
from shared.domain.framing import Recognition, validate_info_item, validate_statement
from shared.domain.framing import RecognitionCheck as CheckDomain


def add_info(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, title: object, text: object
) -> Result:
    clean_title, clean_text = validate_info_item(title, text)

    def work(session: Session, meeting: MeetingRow) -> Result:
        item = InfoItem(meeting_id=meeting_id, title=clean_title, text=clean_text)
        session.add(item)
        session.flush()
        change = commit_change(session, meeting, {"info"})
        return {"id": item.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "info.create", work)


def show_info(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, info_id: int | None
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if info_id is None:
            meeting.shown_info_id = None
        else:
            item = session.get(InfoItem, info_id)
            if item is None or item.meeting_id != meeting_id:
                raise DomainError("payload.invalid", detail="unknown information item")
            meeting.shown_info_id = item.id
        change = commit_change(session, meeting, {"meeting"})
        return {"shown_info_id": meeting.shown_info_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "info.show", work)


def _statement_number(session: Session, meeting: MeetingRow) -> int:
    """The current version of the issue statement, recording version 1 on first use."""
    latest = session.scalar(
        select(StatementVersion)
        .where(StatementVersion.meeting_id == meeting.id)
        .order_by(StatementVersion.number.desc())
        .limit(1)
    )
    if latest is None:
        latest = StatementVersion(meeting_id=meeting.id, number=1, text=meeting.issue_statement)
        session.add(latest)
        session.flush()
    return latest.number


def _close_open_check(session: Session, meeting: MeetingRow) -> bool:
    """Close the open recognition check, if any; says whether one was open."""
    if meeting.recognition_id is None:
        return False
    check = session.get(RecognitionCheck, meeting.recognition_id)
    if check is not None and check.closed_at is None:
        check.closed_at = utcnow()
        return True
    return False


def revise_statement(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, text: object
) -> Result:
    cleaned = validate_statement(text)

    def work(session: Session, meeting: MeetingRow) -> Result:
        number = _statement_number(session, meeting) + 1
        session.add(
            StatementVersion(meeting_id=meeting_id, number=number, text=cleaned, user_id=user_id)
        )
        meeting.issue_statement = cleaned
        # Answers were about the old words: an open check ends with them, and the room
        # is asked again about the new words (a closed check stays closed).
        was_open = _close_open_check(session, meeting)
        result: dict[str, Any] = {"statement_number": number, "asked_again": was_open}
        if was_open:
            check = RecognitionCheck(meeting_id=meeting_id, statement_number=number)
            session.add(check)
            session.flush()
            meeting.recognition_id = check.id
            result["check_id"] = check.id
        change = commit_change(session, meeting, {"meeting", "recognition", "recognition_tally"})
        return result, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "statement.revise", work)


def open_recognition(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if not meeting.issue_statement.strip():
            raise DomainError("phase.needs_issue_statement")
        _close_open_check(session, meeting)
        check = RecognitionCheck(
            meeting_id=meeting_id, statement_number=_statement_number(session, meeting)
        )
        session.add(check)
        session.flush()
        meeting.recognition_id = check.id
        change = commit_change(session, meeting, {"recognition", "recognition_tally"})
        return {"check_id": check.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "recognition.open", work)


def close_recognition(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        check = session.get(RecognitionCheck, meeting.recognition_id or 0)
        domain = CheckDomain(
            statement_version=check.statement_number if check else 0,
            open=check is not None and check.closed_at is None,
        )
        domain.close()  # refuses when there is no open check
        assert check is not None
        check.closed_at = utcnow()
        change = commit_change(session, meeting, {"recognition", "recognition_tally"})
        return {"check_id": check.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "recognition.close", work)


def answer_recognition(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    check_id: int,
    answer: object,
    comment: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        check = session.get(RecognitionCheck, check_id)
        if check is None or check.meeting_id != meeting_id or check.id != meeting.recognition_id:
            raise DomainError("recognition.closed")
        stored = session.scalar(
            select(RecognitionAnswer).where(
                RecognitionAnswer.check_id == check.id,
                RecognitionAnswer.participant_id == person.id,
            )
        )
        domain = CheckDomain(statement_version=check.statement_number, open=check.closed_at is None)
        if stored is not None:
            domain.answers[person.id] = (Recognition(stored.answer), stored.comment)
        if not domain.answer(person.id, answer, comment):
            return {"check_id": check.id}, None
        value, text = domain.answers[person.id]
        if stored is None:
            session.add(
                RecognitionAnswer(
                    check_id=check.id, participant_id=person.id, answer=value.value, comment=text
                )
            )
        else:
            stored.answer, stored.comment, stored.answered_at = value, text, utcnow()
        change = commit_change(
            session, meeting, {"recognition_tally"}, {person.id}, you_parts={"recognition"}
        )
        return {"check_id": check.id, "answer": value.value}, change

    return participant_intent(db, participant_id, meeting_id, client_id, "recognition.answer", work)
