"""The meeting's record as the canonical plan (format ``plandag-plan/1``): what the plan
document shows and what its seal covers. Built once, when signing closes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.aftercare.service import follows_record
from shared.consent.service import PUBLICATION, agreement_fields, appointments
from shared.core.models import (
    Agreement,
    AgreementVersion,
    ConsentAnswer,
    ConsentRound,
    Contribution,
    FollowUp,
    FrameworkCheckRow,
    FrameworkVersion,
    MeetingFacilitator,
    Participant,
    ProposalVersion,
    Signature,
    Theme,
    User,
)
from shared.core.models import Framework as FrameworkRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import iso, shown_names
from shared.domain.consent import Answer, Ending, Response, RoundFacts, objection_endings
from shared.domain.frameworks import FrameworkCheck
from shared.domain.meeting import Role
from shared.domain.proposals import PROPOSAL_FIELDS
from shared.domain.sharing import Anonymity
from shared.domain.sharing import Status as ContributionStatus
from shared.domain.signing import SIGNING_ROLES, SignatureStatus
from shared.kaders.service import load_check, party_names, representatives
from shared.process.service import assessment_record

FORMAT = "plandag-plan/2"  # /2 adds the sealed verify_url (set by signing.close_signing)
ROLES = tuple(Role)


def signers(session: Session, meeting_id: str) -> list[Participant]:
    """Who may sign: people still in the meeting, in a signing role, in joining order."""
    return list(
        session.scalars(
            select(Participant)
            .where(
                Participant.meeting_id == meeting_id,
                Participant.removed_at.is_(None),
                Participant.role.in_(list(SIGNING_ROLES)),
            )
            .order_by(Participant.id)
        )
    )


def plan_text(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    """The plan as people read it when they sign: the agreements, who reconvenes and who
    evaluates, the follow-up agreements and the framework check's verdicts (framework
    parties sign their check). Its digest is kept with each signature; a signature given
    on other words is not sealed."""
    items: list[dict[str, Any]] = [
        agreement_fields(a)
        for a in session.scalars(
            select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
        )
    ]
    items.append(
        {
            "followup": meeting.plan_followup,
            "evaluation": meeting.plan_evaluation,
            **appointments(meeting),
        }
    )
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
            "sealed_at": iso(sealed_at),
        },
        "issue_statement": meeting.issue_statement,
        "open_question": meeting.open_question,
        **_preparation(session, meeting),
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
                **agreement_fields(a),
                "concerns": list(a.concerns),
                "proposal_version": a.proposal_version,
                "version": a.version,
                "changes": _agreement_changes(session, a),
            }
            for n, a in enumerate(agreements, start=1)
        ],
        "followup": meeting.plan_followup,
        "evaluation": meeting.plan_evaluation,
        **appointments(meeting),
    }
    follows = follows_record(session, meeting)
    if follows is not None:
        # a meeting made from a sealed plan names it by its fingerprint
        record["follows"] = follows
    record["consent"] = _consent(session, meeting, agreements)
    record["framework_check"] = _check(session, meeting)
    record.update(_publication(session, meeting))
    signatures, images, not_signed = _signatures(session, meeting, plan_digest)
    record["signatures"] = signatures
    record["not_signed"] = not_signed
    return record, images


FIELDS = PROPOSAL_FIELDS


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """The fields that differ between two versions, with the text before and after."""
    return [
        {"field": name, "before": str(before.get(name, "")), "after": str(after.get(name, ""))}
        for name in FIELDS
        if str(before.get(name, "")) != str(after.get(name, ""))
    ]


def _agreement_changes(session: Session, agreement: Agreement) -> list[dict[str, Any]]:
    """Edits after the round adopted it: each version with who, when and what changed."""
    if agreement.version <= 1:
        return []
    versions = list(
        session.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id == agreement.id)
            .order_by(AgreementVersion.number)
        )
    )
    users = dict(
        session.execute(
            select(User.id, User.name).where(User.id.in_({v.user_id for v in versions}))
        ).all()
    )
    return [
        {
            "version": later.number,
            "by": users.get(later.user_id or 0, ""),
            "at": iso(later.created_at),
            "changes": _changes(earlier.fields, later.fields),
        }
        for earlier, later in pairwise(versions)
    ]


def _frameworks(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    parties = party_names(session, meeting.id)
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
    anonymous = meeting.anonymity == Anonymity.ANONYMOUS
    people = list(
        session.scalars(
            select(Participant)
            .where(Participant.meeting_id == meeting.id, Participant.removed_at.is_(None))
            .order_by(Participant.id)
        )
    )
    order = list(meeting.groups) + sorted({p.group for p in people} - set(meeting.groups))
    shown = shown_names(session, meeting.id)
    groups = []
    for group in order:
        members = [p for p in people if p.group == group]
        if not members:
            continue
        roles = Counter(p.role for p in members)
        groups.append(
            {
                "group": group,
                "roles": {r.value: roles.get(r, 0) for r in ROLES},
                "names": [] if anonymous else sorted(shown.get(p.id, p.name) for p in members),
            }
        )
    spoken = Counter(p.language for p in people if p.language)
    out: dict[str, Any] = {"anonymous": anonymous, "total": len(people), "groups": groups}
    if spoken:
        # the languages the room read its screens in, most first; never names, and in an
        # anonymous meeting no counts either ("Arabic (1)" could point to one person)
        out["languages"] = [
            {"language": code} if anonymous else {"language": code, "people": n}
            for code, n in sorted(spoken.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return out


def _themes(session: Session, meeting: MeetingRow) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(
            select(Contribution.theme_id, func.count(Contribution.id))
            .where(
                Contribution.meeting_id == meeting.id,
                Contribution.status == ContributionStatus.VISIBLE,
            )
            .group_by(Contribution.theme_id)
        ).all()
    )
    return [
        {"name": t.name, "contributions": int(counts.get(t.id, 0))}
        for t in session.scalars(
            select(Theme).where(Theme.meeting_id == meeting.id).order_by(Theme.id)
        )
    ]


def _subject_fields(session: Session, row: ConsentRound) -> dict[str, str]:
    """The proposal text a round asked about, word for word."""
    if row.subject and row.subject.get("kind") == "proposal":
        return {k: str(row.subject["fields"].get(k, "")) for k in FIELDS}
    version = session.scalar(
        select(ProposalVersion).where(
            ProposalVersion.proposal_id == row.proposal_id,
            ProposalVersion.number == (row.proposal_version or 1),
        )
    )
    return {} if version is None else {k: str(version.fields.get(k, "")) for k in FIELDS}


def _plan_fields(row: ConsentRound) -> dict[str, str]:
    """A round on the whole plan as flat fields (agreement n's title is "3.title"), so
    that what changed between two plan rounds reads field by field."""
    subject = row.subject or {}
    out: dict[str, str] = {}
    for n, item in enumerate(subject.get("agreements", []), start=1):
        for name in FIELDS:
            out[f"{n}.{name}"] = str(item.get("fields", {}).get(name, ""))
    out["followup"] = str(subject.get("followup", ""))
    out["evaluation"] = str(subject.get("evaluation", ""))
    for key in ("reconvene_at", "evaluation_at"):
        if isinstance(subject.get(key), dict):
            out[f"{key}.date"] = str(subject[key].get("date") or "")
            out[f"{key}.place"] = str(subject[key].get("place") or "")
    return out


def _rounds(session: Session, rows: list[ConsentRound]) -> list[dict[str, Any]]:
    """The rounds on one proposal (or on the plan), oldest first: for each the version
    it asked about, its counts, every concern and objection with its reason, and how
    each objection ended (withdrawn, integrated in a later version, raised again, or
    standing), with the text before and after when it was integrated."""
    answers: dict[int, list[ConsentAnswer]] = {r.id: [] for r in rows}
    if rows:
        for a in session.scalars(
            select(ConsentAnswer)
            .where(ConsentAnswer.round_id.in_(list(answers)))
            .order_by(ConsentAnswer.id)
        ):
            answers[a.round_id].append(a)
    # As on the screens: someone removed from the meeting no longer counts in its rounds.
    removed = (
        set(
            session.scalars(
                select(Participant.id).where(
                    Participant.meeting_id == rows[0].meeting_id,
                    Participant.removed_at.is_not(None),
                )
            )
        )
        if rows
        else set()
    )
    eligible = {r.id: set(r.eligible) - removed for r in rows}
    counted = {r.id: [a for a in answers[r.id] if a.participant_id in eligible[r.id]] for r in rows}
    is_plan = bool(rows) and rows[0].proposal_id is None

    def text_of(row: ConsentRound) -> dict[str, str]:
        if row.topic == PUBLICATION:
            return {"publication": str((row.subject or {}).get("text", ""))}
        return _plan_fields(row) if is_plan else _subject_fields(session, row)

    texts = {r.id: text_of(r) for r in rows}
    facts = [
        RoundFacts(
            r.id,
            r.proposal_version,
            r.outcome,
            {
                a.participant_id: Response(Answer(a.answer), a.text, a.withdrawn)
                for a in counted[r.id]
            },
            text=json.dumps(texts[r.id], sort_keys=True),
        )
        for r in rows
    ]
    endings = {(e.round_id, e.participant_id): e for e in objection_endings(facts)}
    number_of = {r.id: n for n, r in enumerate(rows, start=1)}
    by_id = {r.id: r for r in rows}

    out = []
    for r in rows:
        objections = []
        for a in counted[r.id]:
            if a.answer != Answer.OBJECTION:
                continue
            ending = endings[(r.id, a.participant_id)]
            item: dict[str, Any] = {"reason": a.text, "ending": ending.ending.value}
            if ending.later_round_id is not None:
                later = by_id[ending.later_round_id]
                item["later_round"] = number_of[later.id]
                item["later_version"] = ending.later_version
                if ending.ending in (Ending.INTEGRATED, Ending.ADOPTED_UNCHANGED):
                    item["objector_answer"] = (
                        None if ending.later_answer is None else ending.later_answer.value
                    )
                if ending.ending is Ending.INTEGRATED:
                    item["changes"] = _changes(texts[r.id], texts[later.id])
            objections.append(item)
        out.append(
            {
                "number": number_of[r.id],
                "proposal_version": r.proposal_version,
                "opened_at": iso(r.opened_at),
                "closed_at": iso(r.closed_at),
                "outcome": r.outcome,
                "eligible": len(eligible[r.id]),
                "answered": len(counted[r.id]),
                "counts": {
                    "consent": sum(1 for a in counted[r.id] if a.answer == Answer.CONSENT),
                    "concern": sum(1 for a in counted[r.id] if a.answer == Answer.CONCERN),
                    "objection": sum(
                        1 for a in counted[r.id] if a.answer == Answer.OBJECTION and not a.withdrawn
                    ),
                    "withdrawn": sum(
                        1 for a in counted[r.id] if a.answer == Answer.OBJECTION and a.withdrawn
                    ),
                },
                "concerns": [a.text for a in counted[r.id] if a.answer == Answer.CONCERN],
                "objections": objections,
                **({"topic": r.topic} if r.topic else {}),
            }
        )
    return out


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
                "rounds": _rounds(session, mine),
            }
        )
    whole = [r for r in rounds if r.proposal_id is None and r.topic != PUBLICATION]
    if whole:
        out.append({"agreement_id": None, "title": "", "rounds": _rounds(session, whole)})
    return out


def _publication(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    """The rounds on publishing the plan, if any were held: the room's say on whether
    the plan may be published (only then can a facilitator publish it)."""
    rounds = list(
        session.scalars(
            select(ConsentRound)
            .where(ConsentRound.meeting_id == meeting.id, ConsentRound.topic == PUBLICATION)
            .order_by(ConsentRound.id)
        )
    )
    if not rounds:
        return {}
    last = rounds[-1].subject or {}
    return {
        "publication": {
            "consented": meeting.publication_consented_at is not None,
            "text": str(last.get("text", "")),
            # the question said "with the names" (a named meeting) or "without names"
            "named": bool(last.get("named")),
            "rounds": _rounds(session, rounds),
        }
    }


def _check(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    check: FrameworkCheck = load_check(session, meeting)
    parties_by_person = {
        pid: name for pid, (_, name) in representatives(session, meeting.id).items()
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
                "at": iso(row.at),
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


def _preparation(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    """The go/no-go of the meeting's process, if one was made: that it was made, not its
    notes. A meeting without a process has no such key (its record is as before)."""
    made = assessment_record(session, meeting.id)
    return {} if made is None else {"preparation": made}


def _signatures(
    session: Session, meeting: MeetingRow, plan_digest: str | None
) -> tuple[list[dict[str, Any]], dict[str, bytes], list[dict[str, Any]]]:
    """Signatures of people still in the meeting, in a signing role, given on exactly
    the plan that is sealed (signed ones numbered 1..n, declined ones 1..m), and
    everyone else who could sign but neither signed nor declined."""
    eligible = signers(session, meeting.id)
    query = (
        select(Signature, Participant)
        .join(Participant, Participant.id == Signature.participant_id)
        .where(
            Signature.meeting_id == meeting.id,
            Participant.removed_at.is_(None),
            Participant.role.in_(list(SIGNING_ROLES)),
        )
        .order_by(Signature.at, Signature.id)
    )
    if plan_digest is not None:
        query = query.where(Signature.plan_digest == plan_digest)
    rows = session.execute(query).all()
    shown = shown_names(session, meeting.id)
    anonymous = meeting.anonymity == Anonymity.ANONYMOUS
    out, images = [], {}
    numbers = {"signed": 0, "declined": 0}
    for sig, person in rows:
        status = "signed" if sig.status == SignatureStatus.SIGNED else "declined"
        numbers[status] += 1
        if sig.image is not None and sig.image_sha256:
            images[sig.image_sha256] = sig.image
        out.append(
            {
                "number": numbers[status],
                "name": sig.name,
                # how the room knew them (not in an anonymous meeting: that would tie a
                # pseudonym to a full name)
                "shown_as": None if anonymous else shown.get(person.id, person.name),
                "role": person.role,
                "group": person.group,
                "at": iso(sig.at),
                "status": status,
                "reason": sig.reason,
                "image": sig.image_sha256 if sig.image is not None else None,
            }
        )
    answered = {person.id for _sig, person in rows}
    not_signed = [
        {
            "name": None if anonymous else shown.get(p.id, p.name),
            "role": p.role,
            "group": p.group,
        }
        for p in eligible
        if p.id not in answered
    ]
    return out, images, not_signed
