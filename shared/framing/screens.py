"""What each audience sees of framing: the recognition check and its tally."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    Participant,
    RecognitionAnswer,
    RecognitionCheck,
    StatementVersion,
)
from shared.core.screens import iso, shown_name


def recognition_view(session: Session, meeting: MeetingRow) -> dict[str, Any] | None:
    if meeting.recognition_id is None:
        return None
    check = session.get(RecognitionCheck, meeting.recognition_id)
    if check is None:
        return None
    return {
        "id": check.id,
        "statement_number": check.statement_number,
        "open": check.closed_at is None,
    }


def recognition_tally_view(
    session: Session, meeting: MeetingRow, audience: str
) -> dict[str, Any] | None:
    check = recognition_view(session, meeting)
    if check is None:
        return None
    tally = dict.fromkeys(("yes", "partly", "no"), 0)
    comments = []
    rows = session.execute(
        select(RecognitionAnswer, Participant)
        .join(Participant, Participant.id == RecognitionAnswer.participant_id)
        .where(RecognitionAnswer.check_id == check["id"])
        .order_by(RecognitionAnswer.answered_at)
    )
    for answer, person in rows:
        tally[answer.answer] += 1
        if answer.comment and audience == "console":
            comments.append(
                {
                    "answer": answer.answer,
                    "comment": answer.comment,
                    "name": shown_name(session, person),
                    "group": person.group,
                }
            )
    view = {**check, "tally": tally, "answered": sum(tally.values())}
    if audience == "console":
        view["comments"] = comments
        view["history"] = [
            {"number": v.number, "text": v.text, "created_at": iso(v.created_at)}
            for v in session.scalars(
                select(StatementVersion)
                .where(StatementVersion.meeting_id == meeting.id)
                .order_by(StatementVersion.number)
            )
        ]
    return view
