"""What each audience sees of the meeting: its phase and settings, who joined and who is
online, the people (console only).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.core.keys import ALL, CONSOLE, SCREENS, item_key, view_key
from shared.core.models import (
    Connection,
    Contribution,
    Participant,
    Prompt,
    SpeakingRound,
    SpeakRequest,
    StatementVersion,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow, iso, online_ids, shown_name
from shared.domain import Phase
from shared.domain.meeting import format_join_code
from shared.domain.sharing import Status as ContributionStatus
from shared.domain.speaking import RequestStatus
from shared.meeting.service import to_domain


def join_url(base_url: str, row: MeetingRow) -> str:
    return f"{base_url}/j/{row.join_code}"


def beamer_url(base_url: str, row: MeetingRow) -> str:
    return f"{base_url}/beamer/{row.id}?key={row.beamer_key}"


def meeting_view(session: Session, row: MeetingRow, audience: str, base_url: str) -> dict[str, Any]:
    meeting = to_domain(row, session if audience == "console" else None)
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
        #: the language of the room's shared texts (a person's screen may speak another)
        "language": row.language,
        "moderation": row.moderation,
        "anonymity": row.anonymity,
        "wall_mode": row.wall_mode,
        "spotlight_id": row.spotlight_id,
        "prompt": None,
        "shown_info_id": row.shown_info_id,
    }
    view["voting"] = {
        "mode": row.voting_mode,
        "dots": row.voting_dots,
        "max_per_proposal": row.voting_max_per_proposal,
        "open": row.voting_open,
        # before voting first opens, phones say it has not started (not that it closed)
        "ever_opened": row.voting_opened_at is not None,
        "roles": list(row.voting_roles),
    }
    view["tables_active"] = row.tables_active
    view["table_strategy"] = row.table_strategy
    view["shortlist"] = list(row.shortlist)
    view["consent_roles"] = list(row.consent_roles)
    view["beamer_page_seconds"] = row.beamer_page_seconds
    view["statement_number"] = (
        session.scalar(
            select(func.max(StatementVersion.number)).where(StatementVersion.meeting_id == row.id)
        )
        or 1
    )
    if row.prompt_id is not None:
        prompt = session.get(Prompt, row.prompt_id)
        view["prompt"] = None if prompt is None else {"id": prompt.id, "text": prompt.text}
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


def participant_view(p: Participant, online: bool, label: str | None = None) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        #: the name as the room and the record show it (told apart from namesakes)
        "label": label or p.name,
        "group": p.group,
        "role": p.role,
        "online": online,
        "joined_at": iso(p.joined_at),
        "removed": p.removed_at is not None,
        #: the language their screen speaks ("" when not known)
        "language": p.language,
    }


def person_view(p: Participant | PersonRow) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "group": p.group,
        "role": p.role,
        "removed": p.removed_at is not None,
    }


def counts_view(session: Session, row: MeetingRow) -> dict[str, Any]:
    # one read: who joined, by group and by the language their screen speaks
    joined: dict[str, int] = {}
    languages: dict[str, int] = {}
    for group, language, n in session.execute(
        select(Participant.group, Participant.language, func.count(Participant.id))
        .where(Participant.meeting_id == row.id, Participant.removed_at.is_(None))
        .group_by(Participant.group, Participant.language)
    ):
        joined[group] = joined.get(group, 0) + n
        languages[language] = languages.get(language, 0) + n
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
    contributed = dict(
        session.execute(
            select(Participant.group, func.count(func.distinct(Contribution.participant_id)))
            .join(Participant, Participant.id == Contribution.participant_id)
            .where(
                Contribution.meeting_id == row.id,
                Contribution.status != ContributionStatus.WITHDRAWN,
                Participant.removed_at.is_(None),
            )
            .group_by(Participant.group)
        ).all()
    )
    speakers = set(
        session.scalars(
            select(SpeakRequest.participant_id).where(
                SpeakRequest.meeting_id == row.id,
                SpeakRequest.status.in_([RequestStatus.SPEAKING, RequestStatus.DONE]),
            )
        )
    )
    for spoke in session.scalars(
        select(SpeakingRound.spoke).where(SpeakingRound.meeting_id == row.id)
    ):
        speakers.update(spoke or ())
    spoke_by_group: dict[str, int] = {}
    if speakers:
        for group in session.scalars(
            select(Participant.group).where(
                Participant.id.in_(speakers), Participant.removed_at.is_(None)
            )
        ):
            spoke_by_group[group] = spoke_by_group.get(group, 0) + 1
    groups = list(row.groups) + sorted(set(joined) - set(row.groups))
    return {
        #: how many people read their screen in each language (most first): whether the
        #: room needs interpretation
        "languages": [
            {"language": code, "joined": n}
            for code, n in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))
            if code
        ],
        "joined": sum(joined.values()),
        "online": sum(online.values()),
        "groups": [
            {
                "group": g,
                "joined": joined.get(g, 0),
                "online": online.get(g, 0),
                "contributed": contributed.get(g, 0),
                "spoke": spoke_by_group.get(g, 0),
            }
            for g in groups
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


# --------------------------------------------------------------------------- keys


@view_key("meeting", ALL, "the meeting; fields differ per audience")
def _meeting_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return meeting_view(session, row, audience, base_url)


@view_key("counts", SCREENS, "joined / online per group")
def _counts_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return counts_view(session, row)


@view_key("screens", CONSOLE, "connected beamers and consoles")
def _screens_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return screens_view(session, row.id)


@view_key("access", CONSOLE, "the beamer link including its secret")
def _access_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return {"beamer_url": beamer_url(base_url, row)}


@item_key("participant", CONSOLE, "one participant, also a removed one")
def participant_items(
    session: Session, row: MeetingRow, audience: str, ids: list[int] | None
) -> dict[str, Any]:
    query = select(Participant).where(Participant.meeting_id == row.id)
    if ids is not None:
        query = query.where(Participant.id.in_(ids))
    people = {p.id: p for p in session.scalars(query.order_by(Participant.id))}
    online = online_ids(session, list(people))
    out: dict[str, Any] = {f"participant:{pid}": None for pid in ids or ()}
    for pid, p in people.items():
        out[f"participant:{pid}"] = participant_view(p, pid in online, shown_name(session, p))
    return out
