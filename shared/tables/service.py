"""Use cases of tables: splitting the room, hosts, choosing a table, back to plenary."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import (
    Result,
    clock_of,
    commit_change,
    facilitator_intent,
    participant_intent,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    Participant,
    Theme,
    WorkTable,
)
from shared.core.screens import PersonRow, taking_part
from shared.domain import DomainError, Role
from shared.domain.tables import (
    FOUR_YEARS,
    Strategy,
    check_count,
    parse_strategy,
    seat,
    validate_question,
    validate_table_name,
)


def split_tables(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    strategy: object,
    count: object,
    four_years: bool,
) -> Result:
    chosen = parse_strategy(strategy)

    def work(session: Session, meeting: MeetingRow) -> Result:
        session.execute(
            update(WorkTable).where(WorkTable.meeting_id == meeting_id).values(active=False)
        )
        people = taking_part(session, meeting_id)
        question = FOUR_YEARS if four_years else ""
        if chosen is Strategy.THEME:
            themes = list(
                session.scalars(
                    select(Theme).where(Theme.meeting_id == meeting_id).order_by(Theme.id)
                )
            )
            if not themes:
                raise DomainError("tables.no_themes")
            tables = [
                WorkTable(meeting_id=meeting_id, name=t.name[:60], theme_id=t.id, question=question)
                for t in themes
            ]
            seating: list[list[int]] = [[] for _ in tables]  # people choose on the phone
        else:
            n = check_count(count)
            seating = seat(
                [(pid, group) for pid, group in people],
                n,
                chosen,
                seed=clock_of(session, meeting_id).version,
            )
            tables = [
                WorkTable(meeting_id=meeting_id, name=str(i + 1), question=question)
                for i in range(n)
            ]
        session.add_all(tables)
        session.flush()
        everyone = list(
            session.scalars(select(Participant.id).where(Participant.meeting_id == meeting_id))
        )
        session.execute(
            update(Participant).where(Participant.meeting_id == meeting_id).values(table_id=None)
        )
        for table, members in zip(tables, seating, strict=True):
            if members:
                session.execute(
                    update(Participant).where(Participant.id.in_(members)).values(table_id=table.id)
                )
        meeting.tables_active = True
        meeting.table_strategy = chosen
        change = commit_change(session, meeting, {"meeting", "tables"}, set(everyone))
        return {"tables": [t.id for t in tables]}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "tables.split", work)


def to_plenary(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        meeting.tables_active = False
        seated = set(
            session.scalars(
                select(Participant.id).where(
                    Participant.meeting_id == meeting_id, Participant.table_id.is_not(None)
                )
            )
        )
        change = commit_change(session, meeting, {"meeting", "tables"}, seated)
        return {}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "tables.plenary", work)


def _table(session: Session, meeting_id: str, table_id: int) -> WorkTable:
    table = session.get(WorkTable, table_id)
    if table is None or table.meeting_id != meeting_id or not table.active:
        raise DomainError("table.unknown")
    return table


def update_table(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    table_id: int,
    host_id: int | None = None,
    name: object = None,
    question: object = None,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        table = _table(session, meeting_id, table_id)
        personal: set[int] = set()
        if name is not None:
            table.name = validate_table_name(name)
        if question is not None:
            table.question = validate_question(question)
        if host_id is not None:
            host = session.get(Participant, host_id)
            if (
                host is None
                or host.meeting_id != meeting_id
                or host.table_id != table.id
                or host.removed_at is not None
                or host.role == Role.OBSERVER
            ):
                raise DomainError("table.host_elsewhere")
            personal = {p for p in (table.host_id, host.id) if p is not None}
            table.host_id = host.id
            personal |= set(
                session.scalars(select(Participant.id).where(Participant.table_id == table.id))
            )
        change = commit_change(session, meeting, {"tables"}, personal)
        return {"table_id": table.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "table.update", work)


def choose_table(
    db: Database, *, meeting_id: str, participant_id: int, client_id: str, table_id: int
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        if not meeting.tables_active:
            raise DomainError("tables.inactive")
        if meeting.table_strategy != Strategy.THEME:
            raise DomainError("tables.self_select_only")
        table = _table(session, meeting_id, table_id)
        if person.table_id == table.id:
            return {"table_id": table.id}, None
        old = session.get(WorkTable, person.table_id or 0)
        if old is not None and old.host_id == person.id:
            old.host_id = None  # a host who moves leaves their table without a host
        moving = session.get(Participant, person.id)
        assert moving is not None, "the sender was just read"
        moving.table_id = table.id
        change = commit_change(session, meeting, {"tables"}, {person.id})
        return {"table_id": table.id}, change

    # alone: the seats left at a table depend on who else is choosing
    return participant_intent(
        db, participant_id, meeting_id, client_id, "table.choose", work, alone=True
    )
