"""Read side: what each audience sees, as plain JSON-ready dicts.

State is a map of *view keys* to values. A snapshot sends every key of an audience;
an update replaces the keys that changed (``None`` deletes one). Keys:

- ``meeting``: the meeting as this audience sees it (all audiences)
- ``counts``: who joined and who is online, per group (console, beamer)
- ``participant:<id>``: one person in the room (console only)
- ``screens``: how many beamers and consoles are connected (console only)
- ``access``: the beamer link with its secret (console only)
- ``you``: the phone's own participant (phones, sent to that phone alone)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audiences import relevant
from .domain import Phase
from .domain.meeting import format_join_code
from .models import Connection, Participant, utcnow
from .models import Meeting as MeetingRow
from .services import to_domain


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def join_url(base_url: str, row: MeetingRow) -> str:
    return f"{base_url}/j/{row.join_code}"


def beamer_url(base_url: str, row: MeetingRow) -> str:
    return f"{base_url}/beamer/{row.id}?key={row.beamer_key}"


def meeting_view(row: MeetingRow, audience: str, base_url: str) -> dict[str, Any]:
    meeting = to_domain(row)
    view: dict[str, Any] = {
        "title": row.title,
        "template": row.template,
        "walk": [p.value for p in meeting.walk],
        "phase": meeting.phase.value,
        "phase_started_at": iso(row.phase_started_at),
        "timebox_seconds": row.timebox_seconds,
        "open_question": row.open_question,
        "issue_statement": row.issue_statement,
        "groups": list(row.groups),
        "place": row.place,
        "date": row.date.isoformat() if row.date else None,
    }
    if audience in ("console", "beamer"):
        view["join_code"] = format_join_code(row.join_code)
        view["join_url"] = join_url(base_url, row)
    if audience == "console":
        view["id"] = row.id
        advance, back = meeting.advance_blocker(), meeting.back_blocker()
        view["next_phase"] = (meeting.next_phase() or Phase.CLOSED).value
        view["previous_phase"] = (meeting.previous_phase() or Phase.WELCOME).value
        view["advance_blocked"] = None if advance is None else _blocker(advance)
        view["back_blocked"] = None if back is None else _blocker(back)
    return view


def _blocker(error: Any) -> dict[str, Any]:
    return {"code": error.code, "params": error.params, "message": error.message}


def participant_view(p: Participant, online: bool) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "group": p.group,
        "role": p.role,
        "online": online,
        "joined_at": iso(p.joined_at),
        "removed": p.removed_at is not None,
    }


def you_view(p: Participant) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "group": p.group,
        "role": p.role,
        "removed": p.removed_at is not None,
    }


def counts_view(session: Session, row: MeetingRow) -> dict[str, Any]:
    joined = dict(
        session.execute(
            select(Participant.group, func.count(Participant.id))
            .where(Participant.meeting_id == row.id, Participant.removed_at.is_(None))
            .group_by(Participant.group)
        ).all()
    )
    online = dict(
        session.execute(
            select(Participant.group, func.count(func.distinct(Connection.participant_id)))
            .join(Participant, Participant.id == Connection.participant_id)
            .where(
                Connection.meeting_id == row.id,
                Connection.audience == "phone",
                Participant.removed_at.is_(None),
            )
            .group_by(Participant.group)
        ).all()
    )
    groups = list(row.groups) + sorted(set(joined) - set(row.groups))
    return {
        "joined": sum(joined.values()),
        "online": sum(online.values()),
        "groups": [
            {"group": g, "joined": joined.get(g, 0), "online": online.get(g, 0)} for g in groups
        ],
    }


def screens_view(session: Session, meeting_id: str) -> dict[str, int]:
    rows = dict(
        session.execute(
            select(Connection.audience, func.count(Connection.sid))
            .where(Connection.meeting_id == meeting_id, Connection.audience != "phone")
            .group_by(Connection.audience)
        ).all()
    )
    return {"beamers": rows.get("beamer", 0), "consoles": rows.get("console", 0)}


def online_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Connection.participant_id).where(Connection.participant_id.in_(ids)).distinct()
        )
    )


def build_views(
    session: Session, row: MeetingRow, audience: str, keys: Iterable[str], base_url: str
) -> dict[str, Any]:
    """The current value of each requested key for one audience."""
    out: dict[str, Any] = {}
    pids: list[int] = []
    for key in keys:
        if not relevant(audience, key):
            continue
        if key == "meeting":
            out[key] = meeting_view(row, audience, base_url)
        elif key == "counts":
            out[key] = counts_view(session, row)
        elif key == "screens":
            out[key] = screens_view(session, row.id)
        elif key == "access":
            out[key] = {"beamer_url": beamer_url(base_url, row)}
        elif key.startswith("participant:"):
            pids.append(int(key.split(":", 1)[1]))
    if pids:
        people = {
            p.id: p for p in session.scalars(select(Participant).where(Participant.id.in_(pids)))
        }
        online = online_ids(session, pids)
        for pid in pids:
            p = people.get(pid)
            out[f"participant:{pid}"] = None if p is None else participant_view(p, pid in online)
    return out


def snapshot(
    session: Session,
    row: MeetingRow,
    audience: str,
    base_url: str,
    participant: Participant | None = None,
) -> dict[str, Any]:
    keys = ["meeting", "counts", "screens", "access"]
    views = build_views(session, row, audience, keys, base_url)
    if audience == "console":
        people = list(
            session.scalars(
                select(Participant).where(Participant.meeting_id == row.id).order_by(Participant.id)
            )
        )
        online = online_ids(session, [p.id for p in people])
        for p in people:
            views[f"participant:{p.id}"] = participant_view(p, p.id in online)
    result: dict[str, Any] = {
        "version": row.version,
        "server_time": iso(utcnow()),
        "views": views,
    }
    if participant is not None:
        result["you"] = you_view(participant)
    return result
