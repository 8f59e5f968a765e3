"""What each audience sees of the tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.keys import ALL, view_key, you_part
from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    Participant,
    WorkTable,
)
from shared.core.screens import PersonRow, shown_name
from shared.domain.sharing import Anonymity
from shared.domain.tables import FOUR_YEARS


def tables_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any]:
    tables = list(
        session.scalars(
            select(WorkTable)
            .where(WorkTable.meeting_id == meeting.id, WorkTable.active.is_(True))
            .order_by(WorkTable.id)
        )
    )
    members: dict[int, list[Participant]] = {t.id: [] for t in tables}
    if tables:
        for p in session.scalars(
            select(Participant)
            .where(Participant.table_id.in_(list(members)), Participant.removed_at.is_(None))
            .order_by(Participant.id)
        ):
            members[p.table_id or 0].append(p)
    seated = {p.id: p for ps in members.values() for p in ps}
    named = meeting.anonymity == Anonymity.NAMED
    out = []
    for t in tables:
        host = seated.get(t.host_id or 0)
        item: dict[str, Any] = {
            "id": t.id,
            "name": t.name,
            "theme_id": t.theme_id,
            "question": t.question,
            # the thematafel question is shown in each screen's own language
            "four_years": t.question == FOUR_YEARS,
            # The room learns whether a table has a host, and the host's name only in a
            # named meeting; a phone learns that it is the host from its own ``you``.
            "host": None
            if host is None
            else {"name": shown_name(session, host) if named else None},
            "size": len(members[t.id]),
        }
        if audience == "console":
            item["host"] = (
                None if host is None else {"id": host.id, "name": shown_name(session, host)}
            )
            item["members"] = [
                {"id": p.id, "name": shown_name(session, p), "group": p.group}
                for p in members[t.id]
            ]
        out.append(item)
    return {"active": meeting.tables_active, "strategy": meeting.table_strategy, "tables": out}


# --------------------------------------------------------------------------- keys


@view_key("tables", ALL, "the breakout tables of the latest split")
def _tables_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return tables_view(session, row, audience)


@you_part("tables", "table_id", "table_host")
def _own_table(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its table, and whether it hosts it: only the host learns that from here (in an
    anonymous meeting the room does not know who hosts)."""
    seats = {p.id: p.table_id for p in people}
    hosts = (
        {
            host
            for table, host in session.execute(
                select(WorkTable.id, WorkTable.host_id).where(
                    WorkTable.meeting_id == meeting.id,
                    WorkTable.active.is_(True),
                    WorkTable.host_id.in_(list(seats)),
                )
            )
            if host is not None and seats.get(host) == table
        }
        if meeting.tables_active
        else set()
    )
    return {
        pid: {
            "table_id": seat if meeting.tables_active else None,
            "table_host": meeting.tables_active and pid in hosts,
        }
        for pid, seat in seats.items()
    }
