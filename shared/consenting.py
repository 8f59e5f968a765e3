"""Use cases of the consent phase: rounds on a shortlisted proposal or on the whole
plan, answers from phones, integrating objections, and the plan builder."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .db import Database
from .domain import DomainError, Role
from .domain.consent import Answer, ConsentRound, Outcome, Response, eligible_at_open
from .domain.meeting import clean_block
from .domain.proposals import PLAN_FIELD_MAX, ProposalStatus
from .models import (
    Agreement,
    ConsentAnswer,
    ConsentLog,
    FrameworkCheckRow,
    Participant,
    Proposal,
    ProposalVersion,
    utcnow,
)
from .models import ConsentRound as RoundRow
from .models import Meeting as MeetingRow
from .proposing import _proposal
from .services import Result, commit_change, facilitator_intent, participant_intent


def _round(session: Session, meeting: MeetingRow, round_id: object = None) -> RoundRow:
    wanted = meeting.consent_round_id if round_id is None else round_id
    row = session.get(RoundRow, wanted) if isinstance(wanted, int) else None
    if row is None or row.meeting_id != meeting.id:
        raise DomainError("consent.closed")
    return row


def _as_domain(
    session: Session, row: RoundRow, only: int | None = None
) -> tuple[ConsentRound, dict[int, ConsentAnswer]]:
    """The round as the domain sees it. With ``only``, just that person's part: an
    answer touches one row, not the whole room (1,000 phones answer at once)."""
    query = select(ConsentAnswer).where(ConsentAnswer.round_id == row.id)
    eligible = set(row.eligible)
    if only is not None:
        query = query.where(ConsentAnswer.participant_id == only)
        eligible &= {only}
    answers = {a.participant_id: a for a in session.scalars(query)}
    removed = set(
        session.scalars(
            select(Participant.id).where(
                Participant.id.in_(eligible), Participant.removed_at.is_not(None)
            )
        )
    )
    domain = ConsentRound(
        eligible=eligible - removed,  # someone removed from the meeting leaves
        open=row.closed_at is None,
        answers={
            pid: Response(Answer(a.answer), a.text, a.withdrawn) for pid, a in answers.items()
        },
    )
    return domain, answers


def _latest_version(session: Session, proposal_id: int) -> int:
    return (
        session.scalar(
            select(ProposalVersion.number)
            .where(ProposalVersion.proposal_id == proposal_id)
            .order_by(ProposalVersion.number.desc())
            .limit(1)
        )
        or 1
    )


def open_round(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    proposal_id: object,
    whole_plan: bool,
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.phase not in ("consent", "signing"):
            raise DomainError("consent.phase_closed")
        current = session.get(RoundRow, meeting.consent_round_id or 0)
        if current is not None and current.closed_at is None:
            raise DomainError("consent.round_open")
        proposal = None
        if not whole_plan:
            proposal = _proposal(session, meeting_id, proposal_id)
            if proposal.status != ProposalStatus.OPEN.value or proposal.consent_status:
                raise DomainError("proposal.closed")
        people = session.execute(
            select(Participant.id, Participant.role).where(
                Participant.meeting_id == meeting_id, Participant.removed_at.is_(None)
            )
        ).all()
        roles = frozenset(Role(r) for r in meeting.consent_roles)
        eligible = eligible_at_open([(pid, Role(role)) for pid, role in people], roles)
        row = RoundRow(
            meeting_id=meeting_id,
            proposal_id=None if proposal is None else proposal.id,
            proposal_version=None if proposal is None else _latest_version(session, proposal.id),
            eligible=sorted(eligible),
        )
        session.add(row)
        session.flush()
        meeting.consent_round_id = row.id
        meeting.consent_round_open = True
        change = commit_change(session, meeting, {"consent", "consent_tally", "meeting"}, eligible)
        return {"round_id": row.id, "eligible": len(eligible), "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.open", work)


def answer(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    round_id: object,
    value: object,
    text: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        row = _round(session, meeting, round_id)
        domain, stored = _as_domain(session, row, only=person.id)
        response = domain.answer(person.id, value, text)
        current = stored.get(person.id)
        if current is None:
            session.add(
                ConsentAnswer(
                    round_id=row.id,
                    participant_id=person.id,
                    answer=response.answer.value,
                    text=response.text,
                )
            )
        else:
            current.answer, current.text = response.answer.value, response.text
            current.withdrawn, current.asked, current.answered_at = False, False, utcnow()
        session.add(
            ConsentLog(
                round_id=row.id,
                participant_id=person.id,
                action="answer",
                answer=response.answer.value,
                text=response.text,
            )
        )
        change = commit_change(session, meeting, {"consent_tally"}, {person.id})
        return {
            "round_id": row.id,
            "answer": response.answer.value,
            "version": change.version,
        }, change

    return participant_intent(db, participant_id, meeting_id, client_id, "consent.answer", work)


def resolve_objection(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    round_id: object,
    withdraw: bool,
) -> Result:
    """The objector answers the facilitator's question: withdrawn, or kept."""

    def work(session: Session, meeting: MeetingRow, person: Participant) -> Result:
        row = _round(session, meeting, round_id)
        domain, stored = _as_domain(session, row, only=person.id)
        if withdraw:
            domain.withdraw_objection(person.id)
        elif person.id not in domain.standing_objections():
            raise DomainError("consent.no_objection")
        current = stored[person.id]
        current.withdrawn, current.asked = withdraw, False
        session.add(
            ConsentLog(
                round_id=row.id,
                participant_id=person.id,
                action="withdraw" if withdraw else "keep",
                answer=current.answer,
                text=current.text,
            )
        )
        change = commit_change(session, meeting, {"consent_tally"}, {person.id})
        return {"round_id": row.id, "withdrawn": withdraw, "version": change.version}, change

    action = "consent.withdraw" if withdraw else "consent.keep"
    return participant_intent(db, participant_id, meeting_id, client_id, action, work)


def ask_objector(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, participant_id: object
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _round(session, meeting)
        only = participant_id if isinstance(participant_id, int) else -1
        domain, stored = _as_domain(session, row, only=only)
        if (
            not isinstance(participant_id, int)
            or participant_id not in domain.standing_objections()
        ):
            raise DomainError("consent.no_objection")
        stored[participant_id].asked = True
        change = commit_change(session, meeting, {"consent_tally"}, {participant_id})
        return {"participant_id": participant_id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.ask", work)


def add_late(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, participant_id: object
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _round(session, meeting)
        person = (
            session.get(Participant, participant_id) if isinstance(participant_id, int) else None
        )
        if person is None or person.meeting_id != meeting_id or person.removed_at is not None:
            raise DomainError("participant.unknown")
        domain, _stored = _as_domain(session, row, only=person.id)
        domain.add(person.id)
        row.eligible = sorted(set(row.eligible) | {person.id})
        change = commit_change(session, meeting, {"consent_tally"}, {person.id})
        return {"eligible": len(row.eligible), "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.add", work)


def close_round(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _round(session, meeting)
        domain, _stored = _as_domain(session, row)
        outcome = domain.close()
        row.closed_at, row.outcome = utcnow(), outcome.value
        meeting.consent_round_open = False
        keys = {"consent", "consent_tally", "meeting"}
        if outcome is Outcome.ADOPTED:
            if row.proposal_id is None:
                meeting.plan_adopted = True
                keys |= {"agreements", "framework_check"}
            else:
                proposal = session.get(Proposal, row.proposal_id)
                assert proposal is not None
                proposal.consent_status = "adopted"
                # The plan changed: it needs a new final round before the kader check.
                meeting.plan_adopted = False
                session.add(
                    Agreement(
                        meeting_id=meeting_id,
                        proposal_id=proposal.id,
                        round_id=row.id,
                        title=proposal.title,
                        what=proposal.what or proposal.description,
                        who=proposal.who,
                        where=proposal.where,
                        when=proposal.when,
                        concerns=[text for _pid, text in domain.concerns()],
                    )
                )
                keys |= {"agreements", "framework_check", f"proposal:{proposal.id}"}
        change = commit_change(session, meeting, keys, set(row.eligible))
        return {"round_id": row.id, "outcome": outcome.value, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.close", work)


def park(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, proposal_id: object
) -> Result:
    """An objection stands and cannot be integrated now: the proposal waits."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        proposal = _proposal(session, meeting_id, proposal_id)
        if proposal.consent_status == "adopted":
            raise DomainError("proposal.closed")
        proposal.consent_status = "parked"
        change = commit_change(session, meeting, {f"proposal:{proposal.id}"})
        return {"id": proposal.id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.park", work)


def edit_agreement(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    agreement_id: object,
    data: Mapping[str, object],
) -> Result:
    values = _plan_texts(data, ("what", "who", "where", "when"))

    def work(session: Session, meeting: MeetingRow) -> Result:
        row = session.get(Agreement, agreement_id) if isinstance(agreement_id, int) else None
        if row is None or row.meeting_id != meeting_id:
            raise DomainError("agreement.unknown")
        if meeting.plan_adopted:
            raise DomainError("plan.adopted")
        for name, value in values.items():
            setattr(row, name, value)
        # A verdict on the old words no longer says anything about the new ones.
        session.execute(delete(FrameworkCheckRow).where(FrameworkCheckRow.agreement_id == row.id))
        change = commit_change(session, meeting, {"agreements", "framework_check"})
        return {"id": row.id, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "agreement.edit", work)


def update_plan(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, data: Mapping[str, object]
) -> Result:
    values = _plan_texts(data, ("followup", "evaluation"))

    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.plan_adopted:
            raise DomainError("plan.adopted")
        meeting.plan_followup = values.get("followup", meeting.plan_followup)
        meeting.plan_evaluation = values.get("evaluation", meeting.plan_evaluation)
        change = commit_change(session, meeting, {"agreements"})
        return {"version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "plan.update", work)


def _plan_texts(data: Mapping[str, object], names: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        raw = data.get(name)
        if raw is None:
            continue
        text = clean_block(raw) if isinstance(raw, str) else ""
        if len(text) > PLAN_FIELD_MAX:
            raise DomainError("proposal.text_too_long", field=name, max=PLAN_FIELD_MAX)
        out[name] = text
    return out


def configure(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    allow_framework: bool,
    allow_observers: bool,
) -> Result:
    """Who answers in the next rounds; a round already open keeps its recorded set."""
    roles = ["informant", "participant"]
    if allow_framework:
        roles.append("framework_party")
    if allow_observers:
        roles.append("observer")

    def work(session: Session, meeting: MeetingRow) -> Result:
        meeting.consent_roles = sorted(roles)
        change = commit_change(session, meeting, {"meeting"})
        return {"roles": meeting.consent_roles, "version": change.version}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.configure", work)
