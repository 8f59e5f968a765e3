"""shared.consent.screens"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.consent.service import agreement_fields, plan_subject
from shared.core.keys import ALL, SCREENS, view_key, you_part
from shared.core.models import (
    Agreement,
    AgreementVersion,
    ConsentAnswer,
    ProposalVersion,
    User,
)
from shared.core.models import ConsentRound as ConsentRoundRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow, iso, meeting_people, room_label, shown_name
from shared.domain.consent import Answer
from shared.domain.proposals import PROPOSAL_FIELDS
from shared.domain.wording import field_changes
from shared.proposals.screens import diff_segments

TEXT_FIELDS = PROPOSAL_FIELDS


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
    return plan_subject(session, meeting)


#: the parts of a plan round's text beside its agreements
PLAN_PARTS = ("followup", "reconvene_at", "evaluation", "evaluation_at")


def subject_changes(
    session: Session, subject: dict[str, Any], previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The latest change in the text a round asks about, as word diffs: for a proposal,
    its version against the one before; for the plan, each agreement edited since it
    was adopted against its previous version, and (``previous``: the text the round
    before on the plan asked about) which of who reconvenes, who evaluates and their dates
    and places changed."""
    if subject.get("kind") == "proposal":
        version = int(subject.get("version") or 1)
        before = _proposal_fields(session, int(subject["proposal_id"]), version - 1)
        if before is None:
            return {}
        return {
            "from_version": version - 1,
            "fields": diff_segments(field_changes(before, subject["fields"], TEXT_FIELDS)),
        }
    changed: dict[str, Any] = {}
    for item in subject.get("agreements", []):
        version = int(item.get("version") or 1)
        before = _agreement_fields(session, int(item["id"]), version - 1) if version > 1 else None
        if before is not None:
            changed[str(item["id"])] = {
                "from_version": version - 1,
                "fields": diff_segments(field_changes(before, item["fields"], TEXT_FIELDS)),
            }
    out: dict[str, Any] = {"agreements": changed} if changed else {}
    if previous and previous.get("kind") == "plan" and subject.get("kind") == "plan":
        parts = [p for p in PLAN_PARTS if previous.get(p) != subject.get(p)]
        if parts:
            out["plan"] = parts
    return out


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
            ConsentRoundRow.topic == rnd.topic,
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
        "whole_plan": rnd.proposal_id is None and not rnd.topic,
        # "publication": may the plan be published? (else "")
        "topic": rnd.topic,
        "open": rnd.closed_at is None,
        "outcome": rnd.outcome,
        "subject": subject,
        "changes": subject_changes(session, subject, earlier.subject if earlier else None),
        # the round before on the same text: "amended, so we ask again"
        "previous": None
        if earlier is None
        else {"id": earlier.id, "outcome": earlier.outcome, "version": earlier.proposal_version},
    }


class _AnswerRow(NamedTuple):
    answer: Answer
    text: str
    withdrawn: bool
    asked: bool


_ANSWERS = select(
    ConsentAnswer.participant_id,
    ConsentAnswer.answer,
    ConsentAnswer.text,
    ConsentAnswer.withdrawn,
    ConsentAnswer.asked,
)


def _answers(
    session: Session, round_id: int, people: list[int] | None = None
) -> dict[int, _AnswerRow]:
    """The round's answers (of these people), as columns."""
    query = _ANSWERS.where(ConsentAnswer.round_id == round_id)
    if people is not None:
        query = query.where(ConsentAnswer.participant_id.in_(people))
    return {
        pid: _AnswerRow(answer, text, withdrawn, asked)
        for pid, answer, text, withdrawn, asked in session.execute(query)
    }


def _round_room(
    session: Session, rnd: ConsentRoundRow
) -> tuple[dict[int, PersonRow], dict[int, _AnswerRow]]:
    """Who the round asks and what they answered, as columns (a thousand people, no
    object per person), read once per read transaction: the console's, the beamer's
    and the phones' tallies of one flush share it."""
    cache: dict[int, tuple[dict[int, PersonRow], dict[int, _AnswerRow]]] = session.info.setdefault(
        "consent.round_room", {}
    )
    if rnd.id not in cache:
        eligible = set(rnd.eligible)
        people = {
            pid: p
            for pid, p in meeting_people(session, rnd.meeting_id).items()
            if pid in eligible and p.removed_at is None
        }
        answers = {pid: a for pid, a in _answers(session, rnd.id).items() if pid in people}
        cache[rnd.id] = people, answers
    return cache[rnd.id]


def consent_tally_view(
    session: Session, meeting: MeetingRow, audience: str
) -> dict[str, Any] | None:
    rnd = session.get(ConsentRoundRow, meeting.consent_round_id or 0)
    if rnd is None:
        return None
    people, answers = _round_room(session, rnd)
    counts = dict.fromkeys(("consent", "concern", "objection", "withdrawn"), 0)
    objections = []
    for pid, a in answers.items():
        if a.answer == Answer.OBJECTION and a.withdrawn:
            counts["withdrawn"] += 1
        else:
            counts[a.answer] += 1
        if a.answer == Answer.OBJECTION and not a.withdrawn:
            label = room_label(session, meeting, people[pid]) or {}
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
            **agreement_fields(a),
            "concerns": list(a.concerns),
            "version": a.version,
            "proposal_id": a.proposal_id,
        }
        history = versions.get(a.id, [])
        if len(history) > 1:
            # Changed after adoption: the room sees what changed since it consented.
            last, before = history[-1], history[-2]
            item["changes"] = diff_segments(field_changes(before.fields, last.fields, TEXT_FIELDS))
            item["changed_by"] = users.get(last.user_id or 0)
            item["changed_at"] = iso(last.created_at)
        items.append(item)
    return {
        "items": items,
        "followup": meeting.plan_followup,
        "evaluation": meeting.plan_evaluation,
        "followup_date": meeting.followup_date.isoformat() if meeting.followup_date else "",
        "followup_place": meeting.followup_place,
        "evaluation_date": meeting.evaluation_date.isoformat() if meeting.evaluation_date else "",
        "evaluation_place": meeting.evaluation_place,
        "adopted": meeting.plan_adopted,
    }


# --------------------------------------------------------------------------- keys


@view_key("consent", ALL, "the current consent round with the text it asks about, or null")
def _consent_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return consent_view(session, row)


@view_key("consent_tally", SCREENS, "its live tally and standing objections, or null")
def _consent_tally_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return consent_tally_view(session, row, audience)


@view_key("agreements", ALL, "the plan: adopted agreements, follow-up and evaluation")
def _agreements_key(session: Session, row: MeetingRow, audience: str, base_url: str) -> Any:
    return agreements_view(session, row)


@you_part("consent", "consent")
def _own_answer(
    session: Session, meeting: MeetingRow, people: list[PersonRow]
) -> dict[int, dict[str, Any]]:
    """Its part in the current round: its answer and its text, if it is eligible."""
    current = session.get(ConsentRoundRow, meeting.consent_round_id or 0)
    if current is None:
        return {p.id: {"consent": None} for p in people}
    answers = _answers(session, current.id, [p.id for p in people])
    eligible = set(current.eligible)
    out: dict[int, dict[str, Any]] = {}
    for p in people:
        said = answers.get(p.id)
        out[p.id] = {
            "consent": None
            if p.id not in eligible
            else {
                "round_id": current.id,
                "answer": said.answer if said else None,
                "text": said.text if said else "",
                "withdrawn": said.withdrawn if said else False,
                "asked": said.asked if said else False,
            }
        }
    return out
