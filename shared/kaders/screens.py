"""What each audience sees of the frameworks, the flags, the framework check and the parties."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.core.keys import ALL, CONSOLE, view_key, you_part
from shared.core.models import (
    Agreement,
    Connection,
    FollowUp,
    FrameworkCheckRow,
    FrameworkFlag,
    FrameworkParty,
    FrameworkVersion,
    Participant,
    PartyDevice,
)
from shared.core.models import Framework as FrameworkRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow, iso
from shared.domain.meeting import Role
from shared.kaders.service import load_check, party_names, representatives


def party_url(base_url: str, party: FrameworkParty) -> str:
    return f"{base_url}/k/{party.invite_key}"


def framework_items(session: Session, meeting: MeetingRow, history: bool) -> list[dict[str, Any]]:
    parties = party_names(session, meeting.id)
    rows = list(
        session.scalars(
            select(FrameworkRow)
            .where(FrameworkRow.meeting_id == meeting.id)
            .order_by(FrameworkRow.id)
        )
    )
    versions: dict[int, list[FrameworkVersion]] = {r.id: [] for r in rows}
    if rows:
        for v in session.scalars(
            select(FrameworkVersion)
            .where(FrameworkVersion.framework_id.in_(list(versions)))
            .order_by(FrameworkVersion.number)
        ):
            versions[v.framework_id].append(v)
    out = []
    for number, row in enumerate(rows, start=1):
        current = versions[row.id][-1]
        item: dict[str, Any] = {
            "id": row.id,
            "number": number,
            "party_id": row.party_id,
            "party": parties.get(row.party_id) if row.party_id is not None else None,
            "title": current.title,
            "description": current.description,
            "version": current.number,
            "changed_after_lock": current.after_lock,
        }
        if history:
            item["versions"] = [
                {
                    "number": v.number,
                    "title": v.title,
                    "description": v.description,
                    "after_lock": v.after_lock,
                    "at": iso(v.created_at),
                }
                for v in versions[row.id]
            ]
        out.append(item)
    return out


def frameworks_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any]:
    """Drafts are for the console (and the parties, in their own view); the room sees
    the frameworks once they are locked."""
    locked = meeting.frameworks_locked_at is not None
    items = (
        framework_items(session, meeting, history=audience == "console")
        if locked or audience == "console"
        else []
    )
    return {
        "locked": locked,
        "locked_at": iso(meeting.frameworks_locked_at),
        "shown_id": meeting.shown_framework_id if locked else None,
        "items": items,
    }


def flags_view(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    if meeting.frameworks_locked_at is None:
        return []  # flags need locked kaders; every phone's snapshot asks, so no query
    flags = list(
        session.scalars(
            select(FrameworkFlag)
            .where(FrameworkFlag.meeting_id == meeting.id, FrameworkFlag.cleared_at.is_(None))
            .order_by(FrameworkFlag.id)
        )
    )
    if not flags:
        return []  # the common case, and every phone's snapshot asks
    parties = representatives(session, meeting.id)
    # The party that raised it (by its party id, never a person's id: the room must not be
    # able to tie a flag to a participant), or null for the facilitators.
    return [
        {
            "id": f.id,
            "proposal_id": f.proposal_id,
            "framework_id": f.framework_id,
            "note": f.note,
            "party_id": parties[f.participant_id][0] if f.participant_id in parties else None,
            "by": parties[f.participant_id][1] if f.participant_id in parties else None,
            "at": iso(f.created_at),
        }
        for f in flags
    ]


def check_view(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    """The plan against the frameworks, filling in live: public, it is the record."""
    # The check needs locked kaders (a phase guard); every phone's snapshot asks, so the
    # common case costs no query.
    if meeting.frameworks_locked_at is None:
        # Nothing to check (and every phone's snapshot asks): no further queries.
        return {
            "status": "none",
            "unchanged": False,
            "total": 0,
            "missing": 0,
            "not_fitting": [],
            "entries": [],
            "followups": [],
        }
    check = load_check(session, meeting)
    party_of_person = {pid: name for pid, (_, name) in representatives(session, meeting.id).items()}
    names = party_names(session, meeting.id)
    party_of_framework = dict(
        session.execute(
            select(FrameworkRow.id, FrameworkRow.party_id).where(
                FrameworkRow.meeting_id == meeting.id
            )
        ).all()
    )
    entries = []
    for c in session.scalars(
        select(FrameworkCheckRow)
        .where(FrameworkCheckRow.meeting_id == meeting.id)
        .order_by(FrameworkCheckRow.id)
    ):
        owner = party_of_framework.get(c.framework_id)
        entries.append(
            {
                "agreement_id": c.agreement_id,
                "framework_id": c.framework_id,
                "verdict": c.verdict,
                "explanation": c.explanation,
                "current": check.current(c.agreement_id, c.framework_id) is not None,
                "by": party_of_person.get(c.participant_id)
                if c.participant_id is not None
                else None,
                "on_behalf": c.user_id is not None,
                "party": names.get(owner) if owner is not None else None,
                "at": iso(c.at),
            }
        )
    titles = dict(
        session.execute(
            select(Agreement.id, Agreement.title).where(Agreement.meeting_id == meeting.id)
        ).all()
    )
    followups = [
        {"id": f.id, "agreement_id": f.agreement_id, "what": f.what, "who": f.who, "when": f.when}
        for f in session.scalars(
            select(FollowUp).where(FollowUp.meeting_id == meeting.id).order_by(FollowUp.id)
        )
    ]
    for number, f in enumerate(followups, start=1):
        f["number"] = number
    return {
        "status": check.status().value,
        "unchanged": check.goes_ahead_unchanged(),
        "total": len(check.pairs()),
        "missing": len(check.missing()),
        "not_fitting": [
            {
                "agreement_id": a,
                "framework_id": f,
                "title": titles.get(a, ""),
                "explanation": explanation,
            }
            for a, f, explanation in check.not_fitting()
        ],
        "entries": entries,
        "followups": followups,
    }


def parties_view(session: Session, meeting: MeetingRow, base_url: str) -> list[dict[str, Any]]:
    parties = list(
        session.scalars(
            select(FrameworkParty)
            .where(FrameworkParty.meeting_id == meeting.id)
            .order_by(FrameworkParty.id)
        )
    )
    if not parties:
        return []
    people = {
        p.id: p
        for p in session.scalars(
            select(Participant).where(
                Participant.id.in_([p.participant_id for p in parties if p.participant_id])
            )
        )
    }
    online = set(
        session.scalars(
            select(Connection.participant_id).where(
                Connection.participant_id.in_(list(people)), Connection.audience == "phone"
            )
        )
    )
    devices: dict[int, list[dict[str, Any]]] = {p.id: [] for p in parties}
    for d in session.scalars(
        select(PartyDevice).where(PartyDevice.party_id.in_(list(devices))).order_by(PartyDevice.id)
    ):
        devices[d.party_id].append(
            {"id": d.id, "status": d.status, "requested_at": iso(d.requested_at)}
        )
    out = []
    for party in parties:
        rep = people.get(party.participant_id) if party.participant_id else None
        out.append(
            {
                "id": party.id,
                "name": party.name,
                "link": party_url(base_url, party),
                "representative": None
                if rep is None
                else {"id": rep.id, "name": rep.name, "online": rep.id in online},
                "devices": devices[party.id],
            }
        )
    return out


def party_yous(
    session: Session, meeting: MeetingRow, ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """A party representative's own part: which party, and the drafts while the frameworks
    are not locked (the room does not see drafts)."""
    ids = list(ids)
    if not ids:
        return {}
    parties = {
        p.participant_id: p
        for p in session.scalars(
            select(FrameworkParty).where(
                FrameworkParty.meeting_id == meeting.id, FrameworkParty.participant_id.in_(ids)
            )
        )
    }
    if not parties:
        return {}
    drafts = (
        framework_items(session, meeting, history=False)
        if meeting.frameworks_locked_at is None
        else None
    )
    return {
        pid: {"id": party.id, "name": party.name, "drafts": drafts}
        for pid, party in parties.items()
        if pid is not None
    }


# --------------------------------------------------------------------------- keys


@view_key("frameworks", ALL, "the kaders (drafts only for the console and their party)")
def _frameworks_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return frameworks_view(session, row, audience)


@view_key("framework_flags", ALL, "open flags: a proposal may conflict with a kader")
def _flags_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return flags_view(session, row)


@view_key("framework_check", ALL, "the plan against the kaders, filling in")
def _check_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return check_view(session, row)


@view_key("parties", CONSOLE, "framework parties, their links and waiting devices")
def _parties_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return parties_view(session, row, base_url)


@you_part("party", "party")
def _own_party(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """A framework party's representative: which party, and its drafts."""
    parties = party_yous(session, meeting, [p.id for p in people if p.role == Role.FRAMEWORK_PARTY])
    return {p.id: {"party": parties.get(p.id)} for p in people}
