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

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .audiences import relevant
from .domain import Phase, Role
from .domain.meeting import format_join_code
from .domain.proposals import PROPOSAL_FIELDS, ranking
from .domain.signing import SIGNING_ROLES
from .domain.speaking import RequestStatus, SpeakingQueue
from .domain.speaking import SpeakRequest as SpeakRequestDomain
from .domain.tables import FOUR_YEARS
from .domain.wording import distinct_names, field_changes
from .framework_views import check_view, flags_view, frameworks_view, parties_view, party_yous
from .models import (
    Agreement,
    AgreementVersion,
    Connection,
    ConsentAnswer,
    Contribution,
    InfoItem,
    Participant,
    PlanSeal,
    Prompt,
    Proposal,
    ProposalMerge,
    ProposalVersion,
    RecognitionAnswer,
    RecognitionCheck,
    Signature,
    SpeakingRound,
    SpeakRequest,
    StatementVersion,
    Theme,
    User,
    Vote,
    WorkTable,
    utcnow,
)
from .models import ConsentRound as ConsentRoundRow
from .models import Meeting as MeetingRow
from .services import to_domain
from .signing_digest import plan_digest


def shown_names(session: Session, meeting_id: str) -> dict[int, str]:
    """How each person of the meeting is shown where names appear (two people called
    Fatima are told apart); computed once per read."""
    cache: dict[str, dict[int, str]] = session.info.setdefault("shown_names", {})
    if meeting_id not in cache:
        cache[meeting_id] = distinct_names(
            session.execute(
                select(Participant.id, Participant.name, Participant.group).where(
                    Participant.meeting_id == meeting_id
                )
            ).tuples()
        )
    return cache[meeting_id]


def shown_name(session: Session, p: Participant) -> str:
    return shown_names(session, p.meeting_id).get(p.id, p.name)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


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
    }


def person_view(p: Participant) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "group": p.group,
        "role": p.role,
        "removed": p.removed_at is not None,
    }


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
    contributed = dict(
        session.execute(
            select(Participant.group, func.count(func.distinct(Contribution.participant_id)))
            .join(Participant, Participant.id == Contribution.participant_id)
            .where(
                Contribution.meeting_id == row.id,
                Contribution.status != "withdrawn",
                Participant.removed_at.is_(None),
            )
            .group_by(Participant.group)
        ).all()
    )
    speakers = set(
        session.scalars(
            select(SpeakRequest.participant_id).where(
                SpeakRequest.meeting_id == row.id,
                SpeakRequest.status.in_(["speaking", "done"]),
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


def online_ids(session: Session, ids: Iterable[int]) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Connection.participant_id).where(Connection.participant_id.in_(ids)).distinct()
        )
    )


def _label(session: Session, meeting: MeetingRow, p: Participant | None) -> dict[str, Any] | None:
    """How the room sees a person: a name, or only their group when anonymous."""
    if p is None:
        return None
    if meeting.anonymity == "anonymous":
        return {"name": None, "group": p.group}
    return {"name": shown_name(session, p), "group": p.group}


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
    label = _label(session, meeting, author) or {}
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


def recognition_view(session: Session, meeting: MeetingRow) -> dict[str, Any] | None:
    if meeting.recognition_id is None:
        return None
    check = session.get(RecognitionCheck, meeting.recognition_id)
    if check is None:
        return None
    return {
        "id": check.id,
        "statement_number": check.statement_number,
        "open": check.closed_at is None,
    }


def recognition_tally_view(
    session: Session, meeting: MeetingRow, audience: str
) -> dict[str, Any] | None:
    check = recognition_view(session, meeting)
    if check is None:
        return None
    tally = dict.fromkeys(("yes", "partly", "no"), 0)
    comments = []
    rows = session.execute(
        select(RecognitionAnswer, Participant)
        .join(Participant, Participant.id == RecognitionAnswer.participant_id)
        .where(RecognitionAnswer.check_id == check["id"])
        .order_by(RecognitionAnswer.answered_at)
    )
    for answer, person in rows:
        tally[answer.answer] += 1
        if answer.comment and audience == "console":
            comments.append(
                {
                    "answer": answer.answer,
                    "comment": answer.comment,
                    "name": shown_name(session, person),
                    "group": person.group,
                }
            )
    view = {**check, "tally": tally, "answered": sum(tally.values())}
    if audience == "console":
        view["comments"] = comments
        view["history"] = [
            {"number": v.number, "text": v.text, "created_at": iso(v.created_at)}
            for v in session.scalars(
                select(StatementVersion)
                .where(StatementVersion.meeting_id == meeting.id)
                .order_by(StatementVersion.number)
            )
        ]
    return view


def queue_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any]:
    rows = session.execute(
        select(SpeakRequest, Participant)
        .join(Participant, Participant.id == SpeakRequest.participant_id)
        .where(
            SpeakRequest.meeting_id == meeting.id,
            SpeakRequest.status.in_(["waiting", "speaking"]),
            Participant.removed_at.is_(None),
        )
        .order_by(SpeakRequest.id)
    ).all()
    if audience == "console":
        return {
            "requests": [
                {
                    "id": r.id,
                    "participant_id": p.id,
                    "name": shown_name(session, p),
                    "group": p.group,
                    "status": r.status,
                }
                for r, p in rows
            ]
        }
    speaking = next((p for r, p in rows if r.status == "speaking"), None)
    upcoming = [p for r, p in rows if r.status == "waiting"][:3]
    return {
        "speaking": _label(session, meeting, speaking),
        "next": [_label(session, meeting, p) for p in upcoming],
        "waiting": sum(1 for r, _ in rows if r.status == "waiting"),
    }


def round_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any] | None:
    rnd = session.get(SpeakingRound, meeting.round_id) if meeting.round_id else None
    if rnd is None or rnd.ended:
        return None
    people = {
        p.id: p
        for p in session.scalars(
            select(Participant).where(
                Participant.id.in_(rnd.order), Participant.removed_at.is_(None)
            )
        )
    }
    current = rnd.order[rnd.position] if rnd.position < len(rnd.order) else None
    if audience == "console":
        return {
            "id": rnd.id,
            "position": rnd.position,
            "order": [
                {
                    "participant_id": pid,
                    "name": shown_name(session, people[pid]),
                    "group": people[pid].group,
                }
                for pid in rnd.order
                if pid in people
            ],
        }
    following = rnd.order[rnd.position + 1 : rnd.position + 4]
    return {
        "current": _label(session, meeting, people.get(current)) if current else None,
        "next": [_label(session, meeting, people[pid]) for pid in following if pid in people],
        "left": max(0, len(rnd.order) - rnd.position),
    }


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
                    else _segments(field_changes(before, v.fields, TEXT_FIELDS)),
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
    merged = [p for p in rows if p.status == "merged"]
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
                and statuses.get(merge.target_id) == "open"
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
            if p.status == "merged":
                view["undo_merge"] = p.id in undoable
        out[f"proposal:{p.id}"] = view
    return out


TEXT_FIELDS = PROPOSAL_FIELDS


def _segments(changes: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    return {name: [seg.as_dict() for seg in segs] for name, segs in changes.items()}


def _proposal_fields(session: Session, proposal_id: int, number: int) -> dict[str, str] | None:
    row = session.scalar(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == proposal_id, ProposalVersion.number == number
        )
    )
    return None if row is None else {k: str(row.fields.get(k, "")) for k in TEXT_FIELDS}


def _agreement_fields(session: Session, agreement_id: int, number: int) -> dict[str, str] | None:
    row = session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement_id, AgreementVersion.number == number
        )
    )
    return None if row is None else {k: str(row.fields.get(k, "")) for k in TEXT_FIELDS}


def round_subject(session: Session, meeting: MeetingRow, rnd: ConsentRoundRow) -> dict[str, Any]:
    """The text a round asks about (rounds opened before subjects were stored: rebuilt
    from the version it names)."""
    if rnd.subject:
        return rnd.subject
    if rnd.proposal_id is not None:
        fields = _proposal_fields(session, rnd.proposal_id, rnd.proposal_version or 1) or {}
        return {
            "kind": "proposal",
            "proposal_id": rnd.proposal_id,
            "version": rnd.proposal_version or 1,
            "fields": fields,
        }
    return {
        "kind": "plan",
        "agreements": [
            {"id": a.id, "version": a.version, "fields": {k: getattr(a, k) for k in TEXT_FIELDS}}
            for a in session.scalars(
                select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
            )
        ],
        "followup": meeting.plan_followup,
        "evaluation": meeting.plan_evaluation,
    }


def subject_changes(session: Session, subject: dict[str, Any]) -> dict[str, Any]:
    """The latest change in the text a round asks about, as word diffs: for a proposal,
    its version against the one before; for the plan, each agreement edited since it
    was adopted against its previous version."""
    if subject.get("kind") == "proposal":
        version = int(subject.get("version") or 1)
        before = _proposal_fields(session, int(subject["proposal_id"]), version - 1)
        if before is None:
            return {}
        return {
            "from_version": version - 1,
            "fields": _segments(field_changes(before, subject["fields"], TEXT_FIELDS)),
        }
    changed: dict[str, Any] = {}
    for item in subject.get("agreements", []):
        version = int(item.get("version") or 1)
        before = _agreement_fields(session, int(item["id"]), version - 1) if version > 1 else None
        if before is not None:
            changed[str(item["id"])] = {
                "from_version": version - 1,
                "fields": _segments(field_changes(before, item["fields"], TEXT_FIELDS)),
            }
    return {"agreements": changed} if changed else {}


def consent_view(session: Session, meeting: MeetingRow) -> dict[str, Any] | None:
    rnd = session.get(ConsentRoundRow, meeting.consent_round_id or 0)
    if rnd is None:
        return None
    subject = round_subject(session, meeting, rnd)
    earlier = session.scalar(
        select(ConsentRoundRow)
        .where(
            ConsentRoundRow.meeting_id == meeting.id,
            ConsentRoundRow.id < rnd.id,
            ConsentRoundRow.proposal_id.is_(None)
            if rnd.proposal_id is None
            else ConsentRoundRow.proposal_id == rnd.proposal_id,
        )
        .order_by(ConsentRoundRow.id.desc())
        .limit(1)
    )
    return {
        "id": rnd.id,
        "proposal_id": rnd.proposal_id,
        "proposal_version": rnd.proposal_version,
        "whole_plan": rnd.proposal_id is None,
        "open": rnd.closed_at is None,
        "outcome": rnd.outcome,
        "subject": subject,
        "changes": subject_changes(session, subject),
        # the round before on the same text: "amended, so we ask again"
        "previous": None
        if earlier is None
        else {"id": earlier.id, "outcome": earlier.outcome, "version": earlier.proposal_version},
    }


def consent_tally_view(
    session: Session, meeting: MeetingRow, audience: str
) -> dict[str, Any] | None:
    rnd = session.get(ConsentRoundRow, meeting.consent_round_id or 0)
    if rnd is None:
        return None
    people = {
        p.id: p
        for p in session.scalars(
            select(Participant).where(
                Participant.id.in_(rnd.eligible), Participant.removed_at.is_(None)
            )
        )
    }
    answers = {
        a.participant_id: a
        for a in session.scalars(select(ConsentAnswer).where(ConsentAnswer.round_id == rnd.id))
        if a.participant_id in people
    }
    counts = dict.fromkeys(("consent", "concern", "objection", "withdrawn"), 0)
    objections = []
    for pid, a in answers.items():
        if a.answer == "objection" and a.withdrawn:
            counts["withdrawn"] += 1
        else:
            counts[a.answer] += 1
        if a.answer == "objection" and not a.withdrawn:
            label = _label(session, meeting, people[pid]) or {}
            objections.append(
                {
                    "participant_id": pid if audience == "console" else None,
                    "name": shown_name(session, people[pid])
                    if audience == "console"
                    else label.get("name"),
                    "group": label.get("group"),
                    "reason": a.text,
                    "asked": a.asked,
                }
            )
    view: dict[str, Any] = {
        "round_id": rnd.id,
        "open": rnd.closed_at is None,
        "outcome": rnd.outcome,
        "eligible": len(people),
        "answered": len(answers),
        **counts,
        "objections": objections,
    }
    if audience == "console":
        view["people"] = [
            {
                "id": p.id,
                "name": shown_name(session, p),
                "group": p.group,
                "answer": answers[p.id].answer if p.id in answers else None,
                "text": answers[p.id].text if p.id in answers else "",
                "withdrawn": answers[p.id].withdrawn if p.id in answers else False,
            }
            for p in sorted(people.values(), key=lambda p: (p.group, shown_name(session, p)))
        ]
    return view


def agreements_view(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    rows = list(
        session.scalars(
            select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
        )
    )
    versions: dict[int, list[AgreementVersion]] = {}
    if any(a.version > 1 for a in rows):
        for v in session.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id.in_([a.id for a in rows if a.version > 1]))
            .order_by(AgreementVersion.number)
        ):
            versions.setdefault(v.agreement_id, []).append(v)
    users = dict(
        session.execute(
            select(User.id, User.name).where(
                User.id.in_({v.user_id for vs in versions.values() for v in vs if v.user_id})
            )
        ).all()
    )
    items = []
    for a in rows:
        item: dict[str, Any] = {
            "id": a.id,
            "title": a.title,
            "description": a.description,
            "what": a.what,
            "who": a.who,
            "where": a.where,
            "when": a.when,
            "concerns": list(a.concerns),
            "version": a.version,
            "proposal_id": a.proposal_id,
        }
        history = versions.get(a.id, [])
        if len(history) > 1:
            # Changed after adoption: the room sees what changed since it consented.
            last, before = history[-1], history[-2]
            item["changes"] = _segments(field_changes(before.fields, last.fields, TEXT_FIELDS))
            item["changed_by"] = users.get(last.user_id or 0)
            item["changed_at"] = iso(last.created_at)
        items.append(item)
    return {
        "items": items,
        "followup": meeting.plan_followup,
        "evaluation": meeting.plan_evaluation,
        "adopted": meeting.plan_adopted,
    }


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
        .where(Proposal.meeting_id == meeting.id, Proposal.status == "open")
        .group_by(Proposal.id)
    ).all()
    supporters = {pid: int(voters) for pid, _s, voters in rows}
    support = {pid: int(s) for pid, s, _v in rows}
    return [
        {"id": pid, "support": n, "supporters": supporters[pid]}
        for pid, n in ranking(support, {pid: pid for pid in support})
    ]


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
    named = meeting.anonymity == "named"
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


def signing_view(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    seal = session.get(PlanSeal, meeting.id) if meeting.signing_closed_at else None
    return {
        "open": meeting.phase == "signing" and meeting.signing_closed_at is None,
        "closed_at": iso(meeting.signing_closed_at),
        "fingerprint": None if seal is None else fingerprint(seal.digest),
    }


def fingerprint(digest: str) -> str:
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4)).upper()


def signing_tally_view(session: Session, meeting: MeetingRow, audience: str) -> dict[str, Any]:
    """Who signed: counts for the beamer (names when the meeting is named), everyone
    with their status for the console."""
    people = list(
        session.scalars(
            select(Participant)
            .where(
                Participant.meeting_id == meeting.id,
                Participant.removed_at.is_(None),
                Participant.role.in_([r.value for r in SIGNING_ROLES]),
            )
            .order_by(Participant.name)
        )
    )
    # Only signatures given on the plan as it stands now count.
    current = plan_digest(session, meeting)
    signed = {
        s.participant_id: s
        for s in session.scalars(select(Signature).where(Signature.meeting_id == meeting.id))
        if s.plan_digest == current
    }
    view: dict[str, Any] = {
        "eligible": len(people),
        "signed": sum(1 for p in people if p.id in signed and signed[p.id].status == "signed"),
        "declined": sum(1 for p in people if p.id in signed and signed[p.id].status == "declined"),
    }
    named = meeting.anonymity == "named"
    if audience == "beamer":
        # The names people signed with; two identical ones are told apart by group.
        typed = distinct_names(
            (p.id, signed[p.id].name, p.group)
            for p in people
            if p.id in signed and signed[p.id].status == "signed"
        )
        view["names"] = sorted(typed.values()) if named else []
    if audience == "console":
        view["people"] = [
            {
                "participant_id": p.id,
                "name": shown_name(session, p),
                "group": p.group,
                "role": p.role,
                "status": signed[p.id].status if p.id in signed else None,
                "signed_as": signed[p.id].name if p.id in signed else None,
                "reason": signed[p.id].reason if p.id in signed else "",
            }
            for p in people
        ]
    return view


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
