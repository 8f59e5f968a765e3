"""What each audience sees of sharing: every contribution for the console, the wall's cards
for the room.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.db import read_once
from shared.core.keys import CONSOLE, ROOM, SCREENS, item_key, view_key, you_part
from shared.core.models import (
    Contribution,
    Prompt,
    Theme,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow, iso, meeting_people, room_label, shown_name
from shared.domain.sharing import Anonymity
from shared.domain.sharing import Status as ContributionStatus


def contribution_view(
    session: Session, meeting: MeetingRow, c: Card, author: PersonRow, audience: str
) -> dict[str, Any] | None:
    if audience == "console":
        if c.status == ContributionStatus.WITHDRAWN:
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
    if c.status != ContributionStatus.VISIBLE:
        return None  # pending, hidden or withdrawn never reach the room
    label = room_label(session, meeting, author) or {}
    return {
        "id": c.id,
        "text": c.text,
        "theme_id": c.theme_id,
        "author": label.get("name"),
        "group": label.get("group") if meeting.anonymity == Anonymity.NAMED else None,
        "created_at": iso(c.created_at),
    }


class Card(NamedTuple):
    """A contribution as columns: a flush after a burst of contributions builds hundreds
    of cards for three audiences."""

    id: int
    participant_id: int
    text: str
    status: ContributionStatus
    theme_id: int | None
    prompt_id: int | None
    created_at: datetime


_CARDS = select(
    Contribution.id,
    Contribution.participant_id,
    Contribution.text,
    Contribution.status,
    Contribution.theme_id,
    Contribution.prompt_id,
    Contribution.created_at,
)


def _cards(session: Session, meeting_id: str, ids: list[int] | None) -> list[Card]:
    """The cards, read once per transaction for every audience that shows them."""

    def load() -> list[Card]:
        query = _CARDS.where(Contribution.meeting_id == meeting_id)
        if ids is not None:
            query = query.where(Contribution.id.in_(ids))
        return [Card(*row) for row in session.execute(query)]

    key = ("cards", meeting_id, None if ids is None else tuple(sorted(ids)))
    return read_once(session, Contribution.__tablename__, key, load)


def contributions_views(
    session: Session, meeting: MeetingRow, audience: str, ids: list[int] | None
) -> dict[str, Any]:
    """Views of the given contributions (None: all of the meeting's): ``contribution:<id>``
    for the console, ``card:<id>`` for the room."""
    prefix = "contribution" if audience == "console" else "card"
    people = meeting_people(session, meeting.id)
    out: dict[str, Any] = {f"{prefix}:{i}": None for i in ids or ()}
    for c in _cards(session, meeting.id, ids):
        view = contribution_view(session, meeting, c, people[c.participant_id], audience)
        if view is not None or ids is not None:
            out[f"{prefix}:{c.id}"] = view
    return out


# --------------------------------------------------------------------------- keys


@view_key("themes", SCREENS, "the wall's themes")
def _themes_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return [
        {"id": t.id, "name": t.name}
        for t in session.scalars(select(Theme).where(Theme.meeting_id == row.id).order_by(Theme.id))
    ]


@view_key("prompts", CONSOLE, "every prompt of the meeting")
def _prompts_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return [
        {"id": p.id, "text": p.text}
        for p in session.scalars(
            select(Prompt).where(Prompt.meeting_id == row.id).order_by(Prompt.id)
        )
    ]


# The console moderates every contribution with its author; the room has its own key
# that exists only for visible ones.
item_key("contribution", CONSOLE, "one contribution with its author and status")(
    contributions_views
)
item_key("card", ROOM, "one contribution on the wall as the room sees it")(contributions_views)


@you_part("contributions", "contributions")
def _own_contributions(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its own contributions, also pending or hidden ones (without a hidden one's text)."""
    own: dict[int, list[dict[str, Any]]] = {p.id: [] for p in people}
    for c in session.execute(  # columns, not objects: every phone that connects asks
        select(
            Contribution.id,
            Contribution.participant_id,
            Contribution.status,
            Contribution.text,
            Contribution.created_at,
        )
        .where(
            Contribution.participant_id.in_(list(own)),
            Contribution.status != ContributionStatus.WITHDRAWN,
        )
        .order_by(Contribution.id.desc())
    ):
        own[c.participant_id].append(
            {
                "id": c.id,
                "status": c.status,
                "text": "" if c.status == ContributionStatus.HIDDEN else c.text,
                "created_at": iso(c.created_at),
            }
        )
    return {pid: {"contributions": items} for pid, items in own.items()}
