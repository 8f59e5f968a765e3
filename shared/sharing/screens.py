"""What each audience sees of sharing: every contribution for the console, the wall's cards
for the room.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.models import (
    Contribution,
    Participant,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import iso, room_label, shown_name


def contribution_view(
    session: Session, meeting: MeetingRow, c: Contribution, author: Participant, audience: str
) -> dict[str, Any] | None:
    if audience == "console":
        if c.status == "withdrawn":
            return None
        return {
            "id": c.id,
            "text": c.text,
            "status": c.status,
            "theme_id": c.theme_id,
            "author_id": author.id,
            "author": shown_name(session, author),
            "group": author.group,
            "prompt_id": c.prompt_id,
            "created_at": iso(c.created_at),
        }
    if c.status != "visible":
        return None  # pending, hidden or withdrawn never reach the room
    label = room_label(session, meeting, author) or {}
    return {
        "id": c.id,
        "text": c.text,
        "theme_id": c.theme_id,
        "author": label.get("name"),
        "group": label.get("group") if meeting.anonymity == "named" else None,
        "created_at": iso(c.created_at),
    }


def contributions_views(
    session: Session, meeting: MeetingRow, audience: str, ids: list[int] | None
) -> dict[str, Any]:
    """Views of the given contributions (None: all of the meeting's): ``contribution:<id>``
    for the console, ``card:<id>`` for the room."""
    prefix = "contribution" if audience == "console" else "card"
    query = select(Contribution, Participant).join(
        Participant, Participant.id == Contribution.participant_id
    )
    if ids is None:
        query = query.where(Contribution.meeting_id == meeting.id)
    else:
        query = query.where(Contribution.id.in_(ids))
    out: dict[str, Any] = {f"{prefix}:{i}": None for i in ids or ()}
    for c, author in session.execute(query):
        view = contribution_view(session, meeting, c, author, audience)
        if view is not None or ids is not None:
            out[f"{prefix}:{c.id}"] = view
    return out
