"""Helpers every feature's screens use: timestamps, how a person is named (namesakes told
apart), who is online.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.db import read_once
from shared.core.models import (
    Connection,
    Participant,
)
from shared.core.models import Meeting as MeetingRow
from shared.domain.meeting import Role
from shared.domain.sharing import Anonymity
from shared.domain.wording import distinct_names


class Person(Protocol):
    """What naming a person needs: a participant row, or a `PersonRow` read as columns
    where a screen lists a whole room (no objects per person)."""

    @property
    def id(self) -> int: ...
    @property
    def meeting_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str: ...


class PersonRow(NamedTuple):
    """A person as columns: where a screen lists a whole room (a tally of a thousand
    answers) or builds hundreds of phones' own views at once (a flush, a reconnect
    storm), without an object per person."""

    id: int
    meeting_id: str
    name: str
    group: str
    role: Role
    removed_at: datetime | None
    table_id: int | None


_PEOPLE = select(
    Participant.id,
    Participant.meeting_id,
    Participant.name,
    Participant.group,
    Participant.role,
    Participant.removed_at,
    Participant.table_id,
)


def people_rows(session: Session, ids: Iterable[int], *, lock: bool = False) -> list[PersonRow]:
    """These people (unknown ids are left out): the phones a flush or a snapshot is for.
    ``lock``: their rows locked for the transaction, in the order of their ids (so two
    transactions that lock some of the same people cannot deadlock)."""
    statement = _PEOPLE.where(Participant.id.in_(list(ids)))
    if lock:
        statement = statement.order_by(Participant.id).with_for_update()
    return [PersonRow(*row) for row in session.execute(statement)]


def meeting_people(session: Session, meeting_id: str) -> dict[int, PersonRow]:
    """Everyone who joined the meeting (the removed too), as columns, read once per
    transaction (`read_once`): a screen that lists the room (a tally of a thousand
    answers) names everyone without an object or a query per person."""

    def load() -> dict[int, PersonRow]:
        found = session.execute(_PEOPLE.where(Participant.meeting_id == meeting_id))
        return {row.id: PersonRow(*row) for row in found}

    return read_once(session, Participant.__tablename__, ("people", meeting_id), load)


def shown_names(session: Session, meeting_id: str) -> dict[int, str]:
    """How each person of the meeting is shown where names appear (two people called
    Fatima are told apart); computed once per transaction."""
    return read_once(
        session,
        Participant.__tablename__,
        ("shown_names", meeting_id),
        lambda: distinct_names(
            (p.id, p.name, p.group) for p in meeting_people(session, meeting_id).values()
        ),
    )


def shown_name(session: Session, p: Person) -> str:
    return shown_names(session, p.meeting_id).get(p.id, p.name)


def iso(value: datetime | None) -> str | None:
    """The one timestamp format on every screen and in the record: UTC, ISO 8601 with Z."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def online_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Connection.participant_id).where(Connection.participant_id.in_(ids)).distinct()
        )
    )


def room_label(session: Session, meeting: MeetingRow, p: Person | None) -> dict[str, Any] | None:
    """How the room sees a person: a name, or only their group when anonymous."""
    if p is None:
        return None
    if meeting.anonymity == Anonymity.ANONYMOUS:
        return {"name": None, "group": p.group}
    return {"name": shown_name(session, p), "group": p.group}


def taking_part(session: Session, meeting_id: str) -> list[tuple[int, str]]:
    """(id, group) of everyone still in the meeting who takes part (observers do not),
    in joining order: who gets a turn in a speaking round, and a seat when tables split."""
    return [
        (pid, group)
        for pid, group in session.execute(
            select(Participant.id, Participant.group)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.removed_at.is_(None),
                Participant.role != Role.OBSERVER,
            )
            .order_by(Participant.id)
        )
    ]
