"""What each audience sees of proposals: each proposal (with its history for the console)
and the live ranking.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shared.core.keys import ALL, SCREENS, item_key, view_key, you_part
from shared.core.models import ConsentRound as ConsentRoundRow
from shared.core.models import Meeting as MeetingRow
from shared.core.models import (
    Participant,
    Proposal,
    ProposalMerge,
    ProposalVersion,
    User,
    Vote,
    WorkTable,
)
from shared.core.screens import PersonRow, iso, shown_names
from shared.domain.proposals import PROPOSAL_FIELDS, ProposalStatus, VotingMode, ranking
from shared.domain.wording import field_changes


def diff_segments(changes: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """A word diff per field (``field_changes``) as the screens and the record carry it."""
    return {name: [seg.as_dict() for seg in segs] for name, segs in changes.items()}


def proposal_view(p: Proposal, tables: dict[int, str]) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "what": p.what,
        "who": p.who,
        "where": p.where,
        "when": p.when,
        "status": p.status,
        "consent_status": p.consent_status,
        "merged_into": p.merged_into_id,
        "reason": p.withdraw_reason or None,
        "table_id": p.table_id,
        "table": tables.get(p.table_id) if p.table_id else None,
        "created_at": iso(p.created_at),
    }


def proposals_views(
    session: Session, meeting: MeetingRow, ids: list[int] | None, audience: str = "phone"
) -> dict[str, Any]:
    query = select(Proposal)
    query = (
        query.where(Proposal.meeting_id == meeting.id)
        if ids is None
        else query.where(Proposal.id.in_(ids))
    )
    tables = dict(
        session.execute(
            select(WorkTable.id, WorkTable.name).where(WorkTable.meeting_id == meeting.id)
        ).all()
    )
    out: dict[str, Any] = {f"proposal:{i}": None for i in ids or ()}
    rows = list(session.scalars(query))
    history: dict[int, list[dict[str, Any]]] = {}
    if audience == "console" and rows:
        # Every version, with who changed it and when: the facilitator's record.
        names = shown_names(session, meeting.id)
        versions = list(
            session.scalars(
                select(ProposalVersion)
                .where(ProposalVersion.proposal_id.in_([p.id for p in rows]))
                .order_by(ProposalVersion.number)
            )
        )
        user_ids = {v.user_id for v in versions if v.user_id}
        users = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        previous: dict[int, dict[str, Any]] = {}
        for v in versions:
            by = users.get(v.user_id) if v.user_id else names.get(v.participant_id or 0)
            before = previous.get(v.proposal_id)
            history.setdefault(v.proposal_id, []).append(
                {
                    "number": v.number,
                    "title": v.fields.get("title"),
                    "by": by,
                    "at": iso(v.created_at),
                    # what this version changed, word by word
                    "changes": {}
                    if before is None
                    else diff_segments(field_changes(before, v.fields, PROPOSAL_FIELDS)),
                }
            )
            previous[v.proposal_id] = v.fields
    rounds: dict[int, list[dict[str, Any]]] = {}
    if audience == "console" and rows:
        for r in session.scalars(
            select(ConsentRoundRow)
            .where(ConsentRoundRow.proposal_id.in_([p.id for p in rows]))
            .order_by(ConsentRoundRow.id)
        ):
            rounds.setdefault(r.proposal_id or 0, []).append(
                {"id": r.id, "version": r.proposal_version, "outcome": r.outcome}
            )
    undoable: set[int] = set()
    merged = [p for p in rows if p.status == ProposalStatus.MERGED]
    if audience == "console" and merged:
        # Whether the console offers "undo the merge" (the service checks it again).
        statuses = dict(
            session.execute(
                select(Proposal.id, Proposal.status).where(Proposal.meeting_id == meeting.id)
            ).all()
        )
        in_consent = set(
            session.scalars(
                select(ConsentRoundRow.proposal_id).where(ConsentRoundRow.meeting_id == meeting.id)
            )
        )
        for merge in session.scalars(
            select(ProposalMerge)
            .where(
                ProposalMerge.source_id.in_([p.id for p in merged]),
                ProposalMerge.undone_at.is_(None),
            )
            .order_by(ProposalMerge.id)
        ):
            if (
                not merge.voting_was_open
                and not meeting.voting_open
                and (meeting.voting_opened_at is None or meeting.voting_opened_at < merge.at)
                and statuses.get(merge.target_id) == ProposalStatus.OPEN
                and not {merge.source_id, merge.target_id} & in_consent
            ):
                undoable.add(merge.source_id)
            else:
                undoable.discard(merge.source_id)
    for p in rows:
        view = proposal_view(p, tables)
        if audience == "console":
            view["versions"] = history.get(p.id, [])
            view["rounds"] = rounds.get(p.id, [])
            if p.status == ProposalStatus.MERGED:
                view["undo_merge"] = p.id in undoable
        out[f"proposal:{p.id}"] = view
    return out


def ranking_view(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    """Open proposals by support, most first; ties by age. Computed in the flush, so a
    vote storm costs one query per flush, not one message per vote."""
    rows = session.execute(
        select(
            Proposal.id,
            func.coalesce(func.sum(Vote.count), 0),
            func.count(func.distinct(case((Vote.count > 0, Vote.participant_id)))),
        )
        .outerjoin(
            # Only voters still in the room with a role that votes count.
            Vote,
            (Vote.proposal_id == Proposal.id)
            & Vote.participant_id.in_(
                select(Participant.id).where(
                    Participant.meeting_id == meeting.id,
                    Participant.removed_at.is_(None),
                    Participant.role.in_(list(meeting.voting_roles)),
                )
            ),
        )
        .where(Proposal.meeting_id == meeting.id, Proposal.status == ProposalStatus.OPEN)
        .group_by(Proposal.id)
    ).all()
    supporters = {pid: int(voters) for pid, _s, voters in rows}
    support = {pid: int(s) for pid, s, _v in rows}
    return [
        {"id": pid, "support": n, "supporters": supporters[pid]}
        for pid, n in ranking(support, {pid: pid for pid in support})
    ]


# --------------------------------------------------------------------------- keys


@item_key("proposal", ALL, "one proposal, also a withdrawn or merged one")
def _proposal_items(
    session: Session, row: MeetingRow, audience: str, ids: list[int] | None
) -> dict[str, Any]:
    return proposals_views(session, row, ids, audience)


@view_key("ranking", SCREENS, "the open proposals by support")
def _ranking_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return ranking_view(session, row)


@you_part("proposals", "votes", "dots_left", "proposals")
def _own_support(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its support on open proposals, its dots left, and what became of its own
    proposals (merged or withdrawn: the author is told)."""
    ids = [p.id for p in people]
    votes: dict[int, dict[int, int]] = {}
    for voter, proposal_id, count in session.execute(
        select(Vote.participant_id, Vote.proposal_id, Vote.count)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.participant_id.in_(ids), Vote.count > 0, Proposal.status == ProposalStatus.OPEN)
    ):
        votes.setdefault(voter, {})[proposal_id] = count
    authored: dict[int, list[dict[str, Any]]] = {}
    # Columns, not objects: every phone that connects asks (a thousand after a restart).
    for prop in session.execute(
        select(
            Proposal.id,
            Proposal.author_id,
            Proposal.title,
            Proposal.status,
            Proposal.merged_into_id,
            Proposal.withdraw_reason,
        )
        .where(Proposal.author_id.in_(ids), Proposal.status != ProposalStatus.OPEN)
        .order_by(Proposal.id)
    ):
        authored.setdefault(prop.author_id or 0, []).append(
            {
                "id": prop.id,
                "title": prop.title,
                "status": prop.status,
                "merged_into": prop.merged_into_id,
                "reason": prop.withdraw_reason or None,
            }
        )
    return {
        pid: {
            "votes": {str(k): v for k, v in votes.get(pid, {}).items()},
            "dots_left": None
            if meeting.voting_mode != VotingMode.DOTS
            else max(0, meeting.voting_dots - sum(votes.get(pid, {}).values())),
            "proposals": authored.get(pid, []),
        }
        for pid in ids
    }
