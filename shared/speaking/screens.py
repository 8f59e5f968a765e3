"""What each audience sees of who speaks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.keys import SCREENS, view_key, you_part
from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    Participant,
    SpeakingRound,
    SpeakRequest,
)
from shared.core.screens import PersonRow, room_label, shown_name
from shared.domain.speaking import RequestStatus, SpeakingQueue
from shared.domain.speaking import SpeakRequest as SpeakRequestDomain


def queue_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any]:
    rows = session.execute(
        select(SpeakRequest, Participant)
        .join(Participant, Participant.id == SpeakRequest.participant_id)
        .where(
            SpeakRequest.meeting_id == meeting.id,
            SpeakRequest.status.in_([RequestStatus.WAITING, RequestStatus.SPEAKING]),
            Participant.removed_at.is_(None),
        )
        .order_by(SpeakRequest.id)
    ).all()
    if audience == "console":
        return {
            "requests": [
                {
                    "id": r.id,
                    "participant_id": p.id,
                    "name": shown_name(session, p),
                    "group": p.group,
                    "status": r.status,
                }
                for r, p in rows
            ]
        }
    speaking = next((p for r, p in rows if r.status == RequestStatus.SPEAKING), None)
    upcoming = [p for r, p in rows if r.status == RequestStatus.WAITING][:3]
    return {
        "speaking": room_label(session, meeting, speaking),
        "next": [room_label(session, meeting, p) for p in upcoming],
        "waiting": sum(1 for r, _ in rows if r.status == RequestStatus.WAITING),
    }


def round_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any] | None:
    rnd = session.get(SpeakingRound, meeting.round_id) if meeting.round_id else None
    if rnd is None or rnd.ended:
        return None
    people = {
        p.id: p
        for p in session.scalars(
            select(Participant).where(
                Participant.id.in_(rnd.order), Participant.removed_at.is_(None)
            )
        )
    }
    current = rnd.order[rnd.position] if rnd.position < len(rnd.order) else None
    if audience == "console":
        return {
            "id": rnd.id,
            "position": rnd.position,
            "order": [
                {
                    "participant_id": pid,
                    "name": shown_name(session, people[pid]),
                    "group": people[pid].group,
                }
                for pid in rnd.order
                if pid in people
            ],
        }
    following = rnd.order[rnd.position + 1 : rnd.position + 4]
    return {
        "current": room_label(session, meeting, people.get(current)) if current else None,
        "next": [room_label(session, meeting, people[pid]) for pid in following if pid in people],
        "left": max(0, len(rnd.order) - rnd.position),
    }


# --------------------------------------------------------------------------- keys


@view_key("queue", SCREENS, "the speaking queue; fields differ per audience")
def _queue_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return queue_view(session, row, audience)


@view_key("round", SCREENS, "the speaking round in progress, or null")
def _round_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return round_view(session, row, audience)


@you_part("speaking", "queue", "round")
def _own_turn(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its place in the queue and its turn in the round."""
    waiting = list(
        session.execute(  # columns, not objects: every phone that connects asks
            select(SpeakRequest.id, SpeakRequest.participant_id, SpeakRequest.status)
            .where(
                SpeakRequest.meeting_id == meeting.id,
                SpeakRequest.status.in_([RequestStatus.WAITING, RequestStatus.SPEAKING]),
            )
            .order_by(SpeakRequest.id)
        )
    )
    queue = SpeakingQueue(
        [SpeakRequestDomain(r.id, r.participant_id, RequestStatus(r.status)) for r in waiting]
    )
    requests = {r.participant_id: r for r in waiting}
    rnd = session.get(SpeakingRound, meeting.round_id) if meeting.round_id else None
    places = {pid: i for i, pid in enumerate(rnd.order)} if rnd and not rnd.ended else {}
    out: dict[int, dict[str, Any]] = {}
    for p in people:
        mine = requests.get(p.id)
        index = places.get(p.id)
        out[p.id] = {
            "queue": None
            if mine is None
            else {"status": mine.status, "position": queue.position(p.id)},
            "round": None
            if index is None or rnd is None
            else {
                "now": index == rnd.position,
                "ahead": max(0, index - rnd.position),
                "done": index < rnd.position,
            },
        }
    return out
