"""The state each audience sees, composed from every feature's registered view keys:
snapshots, updates and each phone's own view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.consent.screens import agreements_view, consent_tally_view, consent_view
from shared.core.keys import relevant
from shared.core.models import (
    ConsentAnswer,
    Contribution,
    InfoItem,
    Participant,
    Prompt,
    Proposal,
    RecognitionAnswer,
    Signature,
    SpeakingRound,
    SpeakRequest,
    Theme,
    Vote,
    WorkTable,
    utcnow,
)
from shared.core.models import ConsentRound as ConsentRoundRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import iso, online_ids, shown_name
from shared.domain import Phase, Role
from shared.domain.speaking import RequestStatus, SpeakingQueue
from shared.domain.speaking import SpeakRequest as SpeakRequestDomain
from shared.framing.screens import recognition_tally_view, recognition_view
from shared.kaders.screens import check_view, flags_view, frameworks_view, parties_view, party_yous
from shared.meeting.screens import (
    beamer_url,
    counts_view,
    meeting_view,
    participant_view,
    person_view,
    screens_view,
)
from shared.proposals.screens import proposals_views, ranking_view
from shared.sharing.screens import contributions_views
from shared.signing.digest import plan_digest
from shared.signing.screens import signing_tally_view, signing_view
from shared.speaking.screens import queue_view, round_view
from shared.tables.screens import tables_view


def you_view(session: Session, p: Participant) -> dict[str, Any]:
    return you_views(session, [p])[p.id]


def you_views(session: Session, people: list[Participant]) -> dict[int, dict[str, Any]]:
    """Each phone's own state: who it is, its own contributions (also pending or hidden
    ones, without the text of a hidden one), its answer to the current check, its place
    in the queue and in the round. Built for many phones at once (a round step touches
    everyone in it) with a fixed number of queries."""
    out = {p.id: person_view(p) for p in people}
    active = [p for p in people if p.removed_at is None]
    if not active:
        return out
    meeting = session.get(MeetingRow, active[0].meeting_id)
    assert meeting is not None and all(p.meeting_id == meeting.id for p in active)
    ids = [p.id for p in active]
    own: dict[int, list[dict[str, Any]]] = {pid: [] for pid in ids}
    for c in session.scalars(
        select(Contribution)
        .where(Contribution.participant_id.in_(ids), Contribution.status != "withdrawn")
        .order_by(Contribution.id.desc())
    ):
        own[c.participant_id].append(
            {
                "id": c.id,
                "status": c.status,
                "text": "" if c.status == "hidden" else c.text,
                "created_at": iso(c.created_at),
            }
        )
    answers: dict[int, dict[str, Any]] = {}
    if meeting.recognition_id is not None:
        for stored in session.scalars(
            select(RecognitionAnswer).where(
                RecognitionAnswer.check_id == meeting.recognition_id,
                RecognitionAnswer.participant_id.in_(ids),
            )
        ):
            answers[stored.participant_id] = {
                "check_id": stored.check_id,
                "answer": stored.answer,
                "comment": stored.comment,
            }
    waiting = list(
        session.scalars(
            select(SpeakRequest)
            .where(
                SpeakRequest.meeting_id == meeting.id,
                SpeakRequest.status.in_(["waiting", "speaking"]),
            )
            .order_by(SpeakRequest.id)
        )
    )
    queue = SpeakingQueue(
        [SpeakRequestDomain(r.id, r.participant_id, RequestStatus(r.status)) for r in waiting]
    )
    requests = {r.participant_id: r for r in waiting}
    seats = {p.id: p.table_id for p in active}
    # who hosts the table they sit at: only they learn it from here (the room does not)
    hosts = (
        {
            host
            for table, host in session.execute(
                select(WorkTable.id, WorkTable.host_id).where(
                    WorkTable.meeting_id == meeting.id,
                    WorkTable.active.is_(True),
                    WorkTable.host_id.in_(ids),
                )
            )
            if host is not None and seats.get(host) == table
        }
        if meeting.tables_active
        else set()
    )
    consent_round = session.get(ConsentRoundRow, meeting.consent_round_id or 0)
    consent_answers = (
        {}
        if consent_round is None
        else {
            a.participant_id: a
            for a in session.scalars(
                select(ConsentAnswer).where(
                    ConsentAnswer.round_id == consent_round.id,
                    ConsentAnswer.participant_id.in_(ids),
                )
            )
        }
    )
    votes: dict[int, dict[int, int]] = {}
    for voter, proposal_id, count in session.execute(
        select(Vote.participant_id, Vote.proposal_id, Vote.count)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.participant_id.in_(ids), Vote.count > 0, Proposal.status == "open")
    ):
        votes.setdefault(voter, {})[proposal_id] = count
    rnd = session.get(SpeakingRound, meeting.round_id) if meeting.round_id else None
    places = {pid: i for i, pid in enumerate(rnd.order)} if rnd and not rnd.ended else {}
    # Own proposals that were merged or withdrawn: the author is told what happened.
    authored: dict[int, list[dict[str, Any]]] = {}
    for prop in session.scalars(
        select(Proposal)
        .where(Proposal.author_id.in_(ids), Proposal.status != "open")
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
    # Only framework parties have a party part; only signing shows one's signature.
    parties = party_yous(
        session, meeting, [p.id for p in active if p.role == Role.FRAMEWORK_PARTY.value]
    )
    signing = meeting.phase in (Phase.SIGNING.value, Phase.CLOSED.value)
    current_plan = plan_digest(session, meeting) if meeting.phase == Phase.SIGNING.value else None
    signatures = {
        s.participant_id: {
            "status": s.status,
            "name": s.name,
            "reason": s.reason,
            "at": iso(s.at),
            # given on other words (the plan changed after it): sign again
            "stale": current_plan is not None and s.plan_digest != current_plan,
        }
        for s in (
            session.scalars(
                select(Signature).where(
                    Signature.meeting_id == meeting.id, Signature.participant_id.in_(ids)
                )
            )
            if signing
            else ()
        )
    }
    for pid in ids:
        you = out[pid]
        you["party"] = parties.get(pid)
        you["signature"] = signatures.get(pid)
        you["contributions"] = own[pid]
        you["proposals"] = authored.get(pid, [])
        you["recognition"] = answers.get(pid)
        mine = requests.get(pid)
        you["queue"] = (
            None if mine is None else {"status": mine.status, "position": queue.position(pid)}
        )
        you["votes"] = {str(k): v for k, v in votes.get(pid, {}).items()}
        you["dots_left"] = (
            None
            if meeting.voting_mode != "dots"
            else max(0, meeting.voting_dots - sum(votes.get(pid, {}).values()))
        )
        you["table_id"] = seats.get(pid) if meeting.tables_active else None
        you["table_host"] = meeting.tables_active and pid in hosts
        if consent_round is None or pid not in consent_round.eligible:
            you["consent"] = None
        else:
            said = consent_answers.get(pid)
            you["consent"] = {
                "round_id": consent_round.id,
                "answer": said.answer if said else None,
                "text": said.text if said else "",
                "withdrawn": said.withdrawn if said else False,
                "asked": said.asked if said else False,
            }
        index = places.get(pid)
        you["round"] = (
            None
            if index is None or rnd is None
            else {
                "now": index == rnd.position,
                "ahead": max(0, index - rnd.position),
                "done": index < rnd.position,
            }
        )
    return out


def build_views(
    session: Session, row: MeetingRow, audience: str, keys: Iterable[str], base_url: str
) -> dict[str, Any]:
    """The current value of each requested key for one audience."""
    out: dict[str, Any] = {}
    pids: list[int] = []
    cids: list[int] = []
    prop_ids: list[int] = []
    for key in keys:
        if not relevant(audience, key):
            continue
        if key == "meeting":
            out[key] = meeting_view(session, row, audience, base_url)
        elif key == "counts":
            out[key] = counts_view(session, row)
        elif key == "screens":
            out[key] = screens_view(session, row.id)
        elif key == "access":
            out[key] = {"beamer_url": beamer_url(base_url, row)}
        elif key == "themes":
            out[key] = [
                {"id": t.id, "name": t.name}
                for t in session.scalars(
                    select(Theme).where(Theme.meeting_id == row.id).order_by(Theme.id)
                )
            ]
        elif key == "prompts":
            out[key] = [
                {"id": p.id, "text": p.text}
                for p in session.scalars(
                    select(Prompt).where(Prompt.meeting_id == row.id).order_by(Prompt.id)
                )
            ]
        elif key == "info":
            out[key] = [
                {"id": i.id, "title": i.title, "text": i.text}
                for i in session.scalars(
                    select(InfoItem).where(InfoItem.meeting_id == row.id).order_by(InfoItem.id)
                )
            ]
        elif key == "recognition":
            out[key] = recognition_view(session, row)
        elif key == "recognition_tally":
            out[key] = recognition_tally_view(session, row, audience)
        elif key == "queue":
            out[key] = queue_view(session, row, audience)
        elif key == "round":
            out[key] = round_view(session, row, audience)
        elif key == "consent":
            out[key] = consent_view(session, row)
        elif key == "consent_tally":
            out[key] = consent_tally_view(session, row, audience)
        elif key == "agreements":
            out[key] = agreements_view(session, row)
        elif key == "ranking":
            out[key] = ranking_view(session, row)
        elif key == "tables":
            out[key] = tables_view(session, row, audience)
        elif key == "frameworks":
            out[key] = frameworks_view(session, row, audience)
        elif key == "framework_flags":
            out[key] = flags_view(session, row)
        elif key == "framework_check":
            out[key] = check_view(session, row)
        elif key == "parties":
            out[key] = parties_view(session, row, base_url)
        elif key == "signing":
            out[key] = signing_view(session, row)
        elif key == "signing_tally":
            out[key] = signing_tally_view(session, row, audience)
        elif key.startswith("proposal:"):
            prop_ids.append(int(key.split(":", 1)[1]))
        elif key.startswith(("contribution:", "card:")):
            cids.append(int(key.split(":", 1)[1]))
        elif key.startswith("participant:"):
            pids.append(int(key.split(":", 1)[1]))
    if cids:
        out.update(contributions_views(session, row, audience, cids))
    if prop_ids:
        out.update(proposals_views(session, row, prop_ids, audience))
    if pids:
        people = {
            p.id: p for p in session.scalars(select(Participant).where(Participant.id.in_(pids)))
        }
        online = online_ids(session, pids)
        for pid in pids:
            p = people.get(pid)
            out[f"participant:{pid}"] = (
                None if p is None else participant_view(p, pid in online, shown_name(session, p))
            )
    return out


def snapshot(
    session: Session,
    row: MeetingRow,
    audience: str,
    base_url: str,
    participant: Participant | None = None,
) -> dict[str, Any]:
    keys = [
        "meeting",
        "counts",
        "screens",
        "access",
        "themes",
        "prompts",
        "info",
        "recognition",
        "recognition_tally",
        "queue",
        "round",
        "ranking",
        "tables",
        "consent",
        "consent_tally",
        "agreements",
        "frameworks",
        "framework_flags",
        "framework_check",
        "parties",
        "signing",
        "signing_tally",
    ]
    views = build_views(session, row, audience, keys, base_url)
    views.update(contributions_views(session, row, audience, None))
    views.update(proposals_views(session, row, None, audience))
    if audience == "console":
        people = list(
            session.scalars(
                select(Participant).where(Participant.meeting_id == row.id).order_by(Participant.id)
            )
        )
        online = online_ids(session, [p.id for p in people])
        for p in people:
            views[f"participant:{p.id}"] = participant_view(
                p, p.id in online, shown_name(session, p)
            )
    result: dict[str, Any] = {
        "version": row.version,
        "server_time": iso(utcnow()),
        "views": views,
    }
    if participant is not None:
        result["you"] = you_view(session, participant)
    return result
