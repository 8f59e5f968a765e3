"""What each audience sees of framing: the recognition check and its tally."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.keys import ALL, SCREENS, view_key, you_part
from shared.core.models import (
    InfoItem,
    Participant,
    RecognitionAnswer,
    RecognitionCheck,
    StatementVersion,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow, iso, shown_name


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


# --------------------------------------------------------------------------- keys


@view_key("info", ALL, "the information items")
def _info_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return [
        {"id": i.id, "title": i.title, "text": i.text, "informant": i.informant}
        for i in session.scalars(
            select(InfoItem).where(InfoItem.meeting_id == row.id).order_by(InfoItem.id)
        )
    ]


@view_key("recognition", ALL, "the current recognition check, or null")
def _recognition_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return recognition_view(session, row)


@view_key("recognition_tally", SCREENS, "its tally; consoles also get comments and history")
def _tally_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return recognition_tally_view(session, row, audience)


@you_part("recognition", "recognition")
def _own_recognition(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its answer to the current check."""
    answers: dict[int, dict[str, Any]] = {}
    if meeting.recognition_id is not None:
        for stored in session.scalars(
            select(RecognitionAnswer).where(
                RecognitionAnswer.check_id == meeting.recognition_id,
                RecognitionAnswer.participant_id.in_([p.id for p in people]),
            )
        ):
            answers[stored.participant_id] = {
                "check_id": stored.check_id,
                "answer": stored.answer,
                "comment": stored.comment,
            }
    return {p.id: {"recognition": answers.get(p.id)} for p in people}
