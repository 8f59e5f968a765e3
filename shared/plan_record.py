"""The meeting's record as the canonical plan (format ``plandag-plan/1``): what the plan
document shows and what its seal covers. Built once, when signing closes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .domain.frameworks import FrameworkCheck
from .domain.signing import SIGNING_ROLES
from .frameworks import load_check
from .models import (
    Agreement,
    ConsentAnswer,
    ConsentLog,
    ConsentRound,
    Contribution,
    FollowUp,
    FrameworkCheckRow,
    FrameworkParty,
    FrameworkVersion,
    MeetingFacilitator,
    Participant,
    Signature,
    Theme,
    User,
)
from .models import Framework as FrameworkRow
from .models import Meeting as MeetingRow

FORMAT = "plandag-plan/2"  # /2 adds the sealed verify_url (set by signing.close_signing)
ROLES = ("participant", "informant", "framework_party", "observer")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def plan_text(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    """The plan as people read it when they sign: the agreements, who reconvenes and who
    evaluates, the follow-up agreements and the kader check's verdicts (framework
    parties sign their check). Its digest is kept with each signature; a signature given
    on other words is not sealed."""
    items: list[dict[str, Any]] = [
        {"title": a.title, "what": a.what, "who": a.who, "where": a.where, "when": a.when}
        for a in session.scalars(
            select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
        )
    ]
    items.append({"followup": meeting.plan_followup, "evaluation": meeting.plan_evaluation})
    items.extend(
        {"followup_what": f.what, "who": f.who, "when": f.when, "about": f.agreement_id}
        for f in session.scalars(
            select(FollowUp).where(FollowUp.meeting_id == meeting.id).order_by(FollowUp.id)
        )
    )
    items.extend(
        {
            "agreement": c.agreement_id,
            "kader": c.framework_id,
            "version": c.framework_version,
            "verdict": c.verdict,
            "explanation": c.explanation,
        }
        for c in session.scalars(
            select(FrameworkCheckRow)
            .where(FrameworkCheckRow.meeting_id == meeting.id)
            .order_by(FrameworkCheckRow.agreement_id, FrameworkCheckRow.framework_id)
        )
    )
    return items


def build_record(
    session: Session,
    meeting: MeetingRow,
    sealed_at: datetime,
    language: str,
    plan_digest: str | None = None,
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The canonical record and the drawn signature images it refers to by hash."""
    facilitators = list(
        session.scalars(
            select(User.name)
            .join(MeetingFacilitator, MeetingFacilitator.user_id == User.id)
            .where(MeetingFacilitator.meeting_id == meeting.id)
            .order_by(MeetingFacilitator.is_owner.desc(), User.name)
        )
    )
    record: dict[str, Any] = {
        "format": FORMAT,
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "date": meeting.date.isoformat() if meeting.date else None,
            "place": meeting.place,
            "language": language,
            "template": meeting.template,
            "facilitators": facilitators,
            "sealed_at": _iso(sealed_at),
        },
        "issue_statement": meeting.issue_statement,
        "open_question": meeting.open_question,
        "frameworks": _frameworks(session, meeting),
        "participants": _participants(session, meeting),
        "themes": _themes(session, meeting),
    }
    agreements = list(
        session.scalars(
            select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
        )
    )
    record["plan"] = {
        "agreements": [
            {
                "id": a.id,
                "number": n,
                "title": a.title,
                "what": a.what,
                "who": a.who,
                "where": a.where,
                "when": a.when,
                "concerns": list(a.concerns),
            }
            for n, a in enumerate(agreements, start=1)
        ],
        "followup": meeting.plan_followup,
        "evaluation": meeting.plan_evaluation,
    }
    record["consent"] = _consent(session, meeting, agreements)
    record["framework_check"] = _check(session, meeting)
    signatures, images = _signatures(session, meeting, plan_digest)
    record["signatures"] = signatures
    return record, images


def _frameworks(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    parties = dict(
        session.execute(
            select(FrameworkParty.id, FrameworkParty.name).where(
                FrameworkParty.meeting_id == meeting.id
            )
        ).all()
    )
    out = []
    rows = session.scalars(
        select(FrameworkRow).where(FrameworkRow.meeting_id == meeting.id).order_by(FrameworkRow.id)
    )
    for n, row in enumerate(rows, start=1):
        current = session.scalar(
            select(FrameworkVersion).where(
                FrameworkVersion.framework_id == row.id, FrameworkVersion.number == row.version
            )
        )
        assert current is not None
        out.append(
            {
                "id": row.id,
                "number": n,
                "party": parties.get(row.party_id, "") if row.party_id is not None else "",
                "title": current.title,
                "description": current.description,
                "version": current.number,
                "changed_after_lock": current.after_lock,
            }
        )
    return out


def _participants(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    anonymous = meeting.anonymity == "anonymous"
    people = list(
        session.scalars(
            select(Participant)
            .where(Participant.meeting_id == meeting.id, Participant.removed_at.is_(None))
            .order_by(Participant.id)
        )
    )
    order = list(meeting.groups) + sorted({p.group for p in people} - set(meeting.groups))
    groups = []
    for group in order:
        members = [p for p in people if p.group == group]
        if not members:
            continue
        roles = Counter(p.role for p in members)
        groups.append(
            {
                "group": group,
                "roles": {r: roles.get(r, 0) for r in ROLES},
                "names": [] if anonymous else sorted(p.name for p in members),
            }
        )
    return {"anonymous": anonymous, "total": len(people), "groups": groups}


def _themes(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(
            select(Contribution.theme_id, func.count(Contribution.id))
            .where(Contribution.meeting_id == meeting.id, Contribution.status == "visible")
            .group_by(Contribution.theme_id)
        ).all()
    )
    return [
        {"name": t.name, "contributions": int(counts.get(t.id, 0))}
        for t in session.scalars(
            select(Theme).where(Theme.meeting_id == meeting.id).order_by(Theme.id)
        )
    ]


def _round(session: Session, row: ConsentRound, number: int) -> dict[str, Any]:
    eligible = set(row.eligible)
    answers = [
        a
        for a in session.scalars(select(ConsentAnswer).where(ConsentAnswer.round_id == row.id))
        if a.participant_id in eligible
    ]
    logged = {
        (entry.participant_id, entry.action)
        for entry in session.scalars(select(ConsentLog).where(ConsentLog.round_id == row.id))
    }
    objections = []
    for a in sorted(answers, key=lambda a: a.id):
        if a.answer != "objection":
            continue
        if a.withdrawn:
            resolution = "withdrawn"
        elif (a.participant_id, "keep") in logged or row.closed_at is not None:
            resolution = "kept"
        else:
            resolution = "open"
        objections.append({"reason": a.text, "resolution": resolution})
    return {
        "number": number,
        "proposal_version": row.proposal_version,
        "opened_at": _iso(row.opened_at),
        "closed_at": _iso(row.closed_at),
        "outcome": row.outcome,
        "eligible": len(eligible),
        "counts": {
            "consent": sum(1 for a in answers if a.answer == "consent"),
            "concern": sum(1 for a in answers if a.answer == "concern"),
            "objection": sum(1 for a in answers if a.answer == "objection" and not a.withdrawn),
            "withdrawn": sum(1 for a in answers if a.answer == "objection" and a.withdrawn),
        },
        "concerns": [a.text for a in sorted(answers, key=lambda a: a.id) if a.answer == "concern"],
        "objections": objections,
    }


def _consent(
    session: Session, meeting: MeetingRow, agreements: list[Agreement]
) -> list[dict[str, Any]]:
    rounds = list(
        session.scalars(
            select(ConsentRound)
            .where(ConsentRound.meeting_id == meeting.id)
            .order_by(ConsentRound.id)
        )
    )
    out = []
    for agreement in agreements:
        mine = [
            r
            for r in rounds
            if r.proposal_id is not None and r.proposal_id == agreement.proposal_id
        ]
        out.append(
            {
                "agreement_id": agreement.id,
                "title": agreement.title,
                "rounds": [_round(session, r, n) for n, r in enumerate(mine, start=1)],
            }
        )
    whole = [r for r in rounds if r.proposal_id is None]
    if whole:
        out.append(
            {
                "agreement_id": None,
                "title": "",
                "rounds": [_round(session, r, n) for n, r in enumerate(whole, start=1)],
            }
        )
    return out


def _check(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    check: FrameworkCheck = load_check(session, meeting)
    parties_by_person = {
        pid: name
        for pid, name in session.execute(
            select(FrameworkParty.participant_id, FrameworkParty.name).where(
                FrameworkParty.meeting_id == meeting.id
            )
        ).all()
        if pid is not None
    }
    users = dict(session.execute(select(User.id, User.name)).all())
    entries = []
    for row in session.scalars(
        select(FrameworkCheckRow)
        .where(FrameworkCheckRow.meeting_id == meeting.id)
        .order_by(FrameworkCheckRow.agreement_id, FrameworkCheckRow.framework_id)
    ):
        if check.current(row.agreement_id, row.framework_id) is None:
            continue  # given on an earlier version of the kader
        by = (
            parties_by_person.get(row.participant_id, "")
            if row.participant_id is not None
            else users.get(row.user_id or 0, "")
        )
        entries.append(
            {
                "agreement_id": row.agreement_id,
                "framework_id": row.framework_id,
                "verdict": row.verdict,
                "explanation": row.explanation,
                "recorded_by": by,
                "on_behalf": row.user_id is not None,
                "at": _iso(row.at),
            }
        )
    followups = [
        {
            "id": f.id,
            "number": n,
            "agreement_id": f.agreement_id,
            "what": f.what,
            "who": f.who,
            "when": f.when,
        }
        for n, f in enumerate(
            session.scalars(
                select(FollowUp).where(FollowUp.meeting_id == meeting.id).order_by(FollowUp.id)
            ),
            start=1,
        )
    ]
    return {"status": check.status().value, "entries": entries, "followups": followups}


def _signatures(
    session: Session, meeting: MeetingRow, plan_digest: str | None
) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Signatures of people still in the meeting, in a signing role, given on exactly
    the plan that is sealed."""
    query = (
        select(Signature, Participant)
        .join(Participant, Participant.id == Signature.participant_id)
        .where(
            Signature.meeting_id == meeting.id,
            Participant.removed_at.is_(None),
            Participant.role.in_([r.value for r in SIGNING_ROLES]),
        )
        .order_by(Signature.at, Signature.id)
    )
    if plan_digest is not None:
        query = query.where(Signature.plan_digest == plan_digest)
    rows = session.execute(query).all()
    out, images = [], {}
    for n, (sig, person) in enumerate(rows, start=1):
        if sig.image is not None and sig.image_sha256:
            images[sig.image_sha256] = sig.image
        out.append(
            {
                "number": n,
                "name": sig.name,
                "role": person.role,
                "group": person.group,
                "at": _iso(sig.at),
                "status": sig.status,
                "reason": sig.reason,
                "image": sig.image_sha256 if sig.image is not None else None,
            }
        )
    return out, images
