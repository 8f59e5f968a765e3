"""Use cases of the consent phase: rounds on a shortlisted proposal or on the whole
plan, answers from phones, integrating objections, and the plan builder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session, defer

from shared.core.db import Database, Upsert
from shared.core.intents import (
    Change,
    Result,
    commit_change,
    facilitator_intent,
    participant_intent,
    write_later,
)
from shared.core.models import (
    Agreement,
    AgreementVersion,
    ConsentAnswer,
    ConsentLog,
    FrameworkCheckRow,
    Participant,
    Proposal,
    ProposalVersion,
    WorkTable,
    utcnow,
)
from shared.core.models import ConsentRound as RoundRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow
from shared.domain import DomainError, Phase, Role
from shared.domain.aftercare import Appointment, publication_question, validate_appointment
from shared.domain.consent import Answer, ConsentRound, Outcome, Response, eligible_at_open
from shared.domain.meeting import clean_block
from shared.domain.proposals import (
    PLAN_FIELD_MAX,
    PROPOSAL_FIELDS,
    ConsentStatus,
    ProposalFields,
    ProposalStatus,
)
from shared.domain.sharing import Anonymity
from shared.proposals.service import (
    get_proposal,
    proposal_fields,
    proposal_keys,
    record_version,
    write_fields,
)

FIELDS = PROPOSAL_FIELDS
#: a round's topic when it asks whether the plan may be published
PUBLICATION = "publication"


def _round(session: Session, meeting: MeetingRow, round_id: int | None = None) -> RoundRow:
    wanted = meeting.consent_round_id if round_id is None else round_id
    row = session.get(RoundRow, wanted) if wanted is not None else None
    if row is None or row.meeting_id != meeting.id:
        raise DomainError("consent.closed")
    return row


ROUNDS = "consent.rounds"


def _round_state(session: Session, meeting: MeetingRow, round_id: int) -> RoundRow:
    """The round an answer is about, read once per transaction and held by it: a batch
    of answers (`shared.core.intents.GroupCommit`) shares one row, and since every
    change to the round in the batch goes through this same object, each answer sees
    the round as the intents before it left it. Not the text it asks about (a whole
    plan): an answer does not need it."""
    held: dict[int, RoundRow] = session.info.setdefault(ROUNDS, {})
    row = held.get(round_id)
    if row is None:
        row = session.get(RoundRow, round_id, options=[defer(RoundRow.subject)])
        if row is None or row.meeting_id != meeting.id:
            raise DomainError("consent.closed")
        held[round_id] = row
    return row


#: an answer's statements, built once: a thousand phones answer at once, and building a
#: statement costs more than running it
_OWN_ANSWER = (
    select(ConsentAnswer)
    .where(
        ConsentAnswer.round_id == bindparam("round_id"),
        ConsentAnswer.participant_id == bindparam("participant_id"),
    )
    # An answer is written as a statement (`answer`): an object the session already
    # holds for it may be older than the row.
    .execution_options(populate_existing=True)
)
_ADD_LOG = insert(cast(Table, ConsentLog.__table__))


#: a person's answer, inserted or replacing their earlier one
_UPSERT_ANSWER = Upsert(
    ConsentAnswer.__table__,
    ("round_id", "participant_id"),
    ("answer", "text", "withdrawn", "asked", "answered_at"),
)


def _as_domain(
    session: Session,
    row: RoundRow,
    only: int | None = None,
    *,
    only_is_present: bool = False,
) -> tuple[ConsentRound, dict[int, ConsentAnswer]]:
    """The round as the domain sees it. With ``only``, just that person's part: an
    answer touches one row, not the whole room (1,000 phones answer at once)."""
    eligible = set(row.eligible)
    if only is None:
        query = (
            select(ConsentAnswer)
            .where(ConsentAnswer.round_id == row.id)
            .execution_options(populate_existing=True)
        )
        answers = {a.participant_id: a for a in session.scalars(query)}
    else:
        eligible &= {only}
        own = session.scalars(_OWN_ANSWER, {"round_id": row.id, "participant_id": only})
        answers = {a.participant_id: a for a in own}
    # ``only_is_present``: the caller has just loaded that person (the phone's own intent)
    # and refused a removed one; no need to ask again.
    removed = (
        set()
        if only_is_present
        else set(
            session.scalars(
                select(Participant.id).where(
                    Participant.id.in_(eligible), Participant.removed_at.is_not(None)
                )
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


def proposal_subject(session: Session, proposal: Proposal) -> dict[str, Any]:
    """What a round on a proposal asks about: its current version, word for word."""
    return {
        "kind": "proposal",
        "proposal_id": proposal.id,
        "version": _latest_version(session, proposal.id),
        "fields": proposal_fields(proposal).as_dict(),
    }


def plan_subject(session: Session, meeting: MeetingRow) -> dict[str, Any]:
    """What a round on the whole plan asks about: every agreement as it stands, who
    meets again if something does not work, and who evaluates."""
    return {
        "kind": "plan",
        "agreements": [
            {"id": a.id, "version": a.version, "fields": agreement_fields(a)}
            for a in session.scalars(
                select(Agreement).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
            )
        ],
        "followup": meeting.plan_followup,
        "evaluation": meeting.plan_evaluation,
        **appointments(meeting),
    }


def appointments(meeting: MeetingRow) -> dict[str, Any]:
    """When and where the people who reconvene meet, and the evaluation, as the plan
    states them (only those set: plans without them read as before)."""
    out: dict[str, Any] = {}
    for key, when, place in (
        ("reconvene_at", meeting.followup_date, meeting.followup_place),
        ("evaluation_at", meeting.evaluation_date, meeting.evaluation_place),
    ):
        if when is not None or place:
            out[key] = {"date": when.isoformat() if when else None, "place": place}
    return out


def agreement_fields(row: Agreement) -> dict[str, str]:
    """An agreement's wording, field by field: the one dict the screens, a plan round,
    the text people sign and the record all use."""
    return {name: getattr(row, name) for name in FIELDS}


def _start_round(
    session: Session,
    meeting: MeetingRow,
    proposal: Proposal | None,
    also: Iterable[int] = (),
    publication: dict[str, Any] | None = None,
) -> tuple[RoundRow, set[int]]:
    """Open a round on ``proposal`` (None: the whole plan, or ``publication``: whether
    the plan may be published), fixing who answers and the exact text asked about.
    ``also``: people who must stay in (added late to the round this one replaces)."""
    people = session.execute(
        select(Participant.id, Participant.role).where(
            Participant.meeting_id == meeting.id, Participant.removed_at.is_(None)
        )
    ).all()
    roles = frozenset(Role(r) for r in meeting.consent_roles)
    eligible = eligible_at_open([(pid, Role(role)) for pid, role in people], roles)
    present = {pid for pid, _role in people}
    eligible |= set(also) & present
    if publication is not None:
        subject = publication
    elif proposal is None:
        subject = plan_subject(session, meeting)
    else:
        subject = proposal_subject(session, proposal)
    row = RoundRow(
        meeting_id=meeting.id,
        proposal_id=None if proposal is None else proposal.id,
        proposal_version=None if proposal is None else subject["version"],
        eligible=sorted(eligible),
        subject=subject,
        topic=PUBLICATION if publication is not None else "",
    )
    session.add(row)
    session.flush()
    meeting.consent_round_id = row.id
    meeting.consent_round_open = True
    return row, eligible


def open_round(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    proposal_id: int | None,
    whole_plan: bool,
    publication: bool = False,
) -> Result:
    """Open a round on a shortlisted proposal, on the whole plan, or on publishing the
    plan (asked while the room is there: before signing closes)."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.phase not in (Phase.CONSENT, Phase.SIGNING):
            raise DomainError("publication.round_phase" if publication else "consent.phase_closed")
        if meeting.signing_closed_at is not None:
            # the plan is sealed: nothing the room answers now could reach it
            raise DomainError("publication.round_phase" if publication else "signing.closed")
        current = session.get(RoundRow, meeting.consent_round_id or 0)
        if current is not None and current.closed_at is None:
            raise DomainError("consent.round_open")
        proposal = None
        if not whole_plan and not publication:
            proposal = get_proposal(session, meeting_id, proposal_id)
            if proposal.status != ProposalStatus.OPEN or proposal.consent_status:
                raise DomainError("proposal.closed")
        named = meeting.anonymity == Anonymity.NAMED
        asked = (
            {
                "kind": PUBLICATION,
                "named": named,
                "text": publication_question(
                    meeting.language,
                    named=named,
                    routes=meeting.tables_active or _has_tables(session, meeting),
                ),
            }
            if publication
            else None
        )
        row, eligible = _start_round(session, meeting, proposal, publication=asked)
        change = commit_change(session, meeting, {"consent", "consent_tally", "meeting"}, eligible)
        return {"round_id": row.id, "eligible": len(eligible)}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.open", work)


def _has_tables(session: Session, meeting: MeetingRow) -> bool:
    return (
        session.scalar(select(WorkTable.id).where(WorkTable.meeting_id == meeting.id).limit(1))
        is not None
    )


def _open_round_on(
    session: Session, meeting: MeetingRow, proposal_id: int | None
) -> RoundRow | None:
    """The open round about this proposal (None: about the whole plan), if any."""
    current = session.get(RoundRow, meeting.consent_round_id or 0)
    if (
        current is None
        or current.closed_at is not None
        or current.proposal_id != proposal_id
        or current.topic  # a round on publication asks about no text of the plan
    ):
        return None
    return current


def _supersede(
    session: Session, meeting: MeetingRow, current: RoundRow, proposal: Proposal | None
) -> tuple[RoundRow, set[int]]:
    """The text under an open round was amended: the round ends as superseded (its
    answers stay on the record with the version they were given on) and the next round
    opens on the new text. People the facilitator added late stay in."""
    domain, _stored = _as_domain(session, current)
    outcome = domain.supersede()
    current.closed_at, current.outcome = utcnow(), outcome
    row, eligible = _start_round(session, meeting, proposal, also=current.eligible)
    return row, eligible | set(current.eligible)


def _check_amend(current: RoundRow | None, supersede: bool, code: str) -> None:
    if current is not None and not supersede:
        # Nothing changes under a running round by surprise: the console asks first.
        raise DomainError(code)


def amend_proposal(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    proposal_id: int,
    data: Mapping[str, object],
    supersede: bool = False,
    based_on: int | None = None,
) -> Result:
    """Edit a proposal's fields: every change is a new version with who and when. When
    a round on it is open, the facilitator confirms (``supersede``): that round closes
    as superseded and a new round asks about the new version."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        row = get_proposal(session, meeting_id, proposal_id)
        if row.status != ProposalStatus.OPEN or row.consent_status == ConsentStatus.ADOPTED:
            raise DomainError("proposal.closed")
        latest = _latest_version(session, row.id)
        if based_on is not None and based_on != latest:
            # Someone else saved a version meanwhile: do not overwrite it unseen.
            raise DomainError("proposal.changed_meanwhile", version=latest)
        # Fields left out of the message stay as they are.
        current = proposal_fields(row).as_dict()
        fields = ProposalFields.from_input(
            {k: (current[k] if v is None else v) for k, v in {**current, **data}.items()}
        )
        if fields == proposal_fields(row):
            return {"id": row.id}, None
        running = _open_round_on(session, meeting, row.id)
        _check_amend(running, supersede, "consent.amend_round_open")
        write_fields(row, fields)
        number = record_version(session, row, user_id=user_id)
        keys = proposal_keys(row)
        result: dict[str, Any] = {"id": row.id, "number": number}
        personal: set[int] = set()
        if running is not None:
            session.flush()
            new_round, personal = _supersede(session, meeting, running, row)
            keys |= {"consent", "consent_tally", "meeting"}
            result |= {"superseded": running.id, "round_id": new_round.id}
        change = commit_change(session, meeting, keys, personal)
        return result, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.edit", work)


def answer(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    round_id: int,
    value: object,
    text: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
        row = _round_state(session, meeting, round_id)
        # The answer replaces whatever the person said before, so it needs neither
        # their earlier answer nor anyone else's: the round's state and their place in it.
        eligible = {person.id} if person.id in row.eligible else set()
        domain = ConsentRound(eligible=eligible, open=row.closed_at is None)
        response = domain.answer(person.id, value, text)
        now = utcnow()
        # Written later, with the batch's other answers (a thousand phones answer at
        # once): one upsert of the answers and one insert of their log lines per batch.
        write_later(
            session,
            _UPSERT_ANSWER(session),
            {
                "round_id": row.id,
                "participant_id": person.id,
                "answer": response.answer,
                "text": response.text,
                "withdrawn": False,
                "asked": False,
                "answered_at": now,
            },
        )
        write_later(
            session,
            _ADD_LOG,
            {
                "round_id": row.id,
                "participant_id": person.id,
                "action": "answer",
                "answer": response.answer.value,
                "text": response.text,
                "at": now,
            },
        )
        change = commit_change(
            session, meeting, {"consent_tally"}, {person.id}, you_parts={"consent"}
        )
        return {
            "round_id": row.id,
            "answer": response.answer.value,
        }, change

    return participant_intent(db, participant_id, meeting_id, client_id, "consent.answer", work)


def resolve_objection(
    db: Database,
    *,
    meeting_id: str,
    participant_id: int,
    client_id: str,
    round_id: int,
    withdraw: bool,
) -> Result:
    """The objector answers the facilitator's question: withdrawn, or kept."""

    def work(session: Session, meeting: MeetingRow, person: PersonRow) -> Result:
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
        change = commit_change(
            session, meeting, {"consent_tally"}, {person.id}, you_parts={"consent"}
        )
        return {"round_id": row.id, "withdrawn": withdraw}, change

    action = "consent.withdraw" if withdraw else "consent.keep"
    return participant_intent(db, participant_id, meeting_id, client_id, action, work)


def ask_objector(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, participant_id: int
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _round(session, meeting)
        domain, stored = _as_domain(session, row, only=participant_id)
        if participant_id not in domain.standing_objections():
            raise DomainError("consent.no_objection")
        stored[participant_id].asked = True
        change = commit_change(
            session, meeting, {"consent_tally"}, {participant_id}, you_parts={"consent"}
        )
        return {"participant_id": participant_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.ask", work)


def add_late(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, participant_id: int
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _round(session, meeting)
        person = session.get(Participant, participant_id)
        if person is None or person.meeting_id != meeting_id or person.removed_at is not None:
            raise DomainError("participant.unknown")
        domain, _stored = _as_domain(session, row, only=person.id)
        domain.add(person.id)
        row.eligible = sorted(set(row.eligible) | {person.id})
        change = commit_change(
            session, meeting, {"consent_tally"}, {person.id}, you_parts={"consent"}
        )
        return {"eligible": len(row.eligible)}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.add", work)


def close_round(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = _round(session, meeting)
        domain, _stored = _as_domain(session, row)
        outcome = domain.close()
        row.closed_at, row.outcome = utcnow(), outcome
        meeting.consent_round_open = False
        keys = {"consent", "consent_tally", "meeting"}
        if row.topic == PUBLICATION:
            # the room's latest say on publication is the one that counts
            meeting.publication_consented_at = utcnow() if outcome is Outcome.ADOPTED else None
        elif outcome is Outcome.ADOPTED:
            if row.proposal_id is None:
                meeting.plan_adopted = True
                keys |= {"agreements", "framework_check"}
            else:
                proposal = session.get(Proposal, row.proposal_id)
                assert proposal is not None
                proposal.consent_status = ConsentStatus.ADOPTED
                # The plan changed: it needs a new final round before the kader check.
                meeting.plan_adopted = False
                # The agreement is the text the round asked about, word for word.
                subject = row.subject or proposal_subject(session, proposal)
                fields = {name: str(subject["fields"].get(name, "")) for name in FIELDS}
                agreement = Agreement(
                    meeting_id=meeting_id,
                    proposal_id=proposal.id,
                    round_id=row.id,
                    proposal_version=row.proposal_version,
                    concerns=[text for _pid, text in domain.concerns()],
                    version=1,
                    **fields,
                )
                session.add(agreement)
                session.flush()
                session.add(
                    AgreementVersion(
                        agreement_id=agreement.id, number=1, fields=fields, user_id=user_id
                    )
                )
                keys |= {"agreements", "framework_check", f"proposal:{proposal.id}"}
        change = commit_change(session, meeting, keys, set(row.eligible))
        return {"round_id": row.id, "outcome": outcome.value}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.close", work)


def park(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, proposal_id: int
) -> Result:
    """An objection stands and cannot be integrated now: the proposal waits."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        proposal = get_proposal(session, meeting_id, proposal_id)
        if proposal.consent_status == ConsentStatus.ADOPTED:
            raise DomainError("proposal.closed")
        proposal.consent_status = ConsentStatus.PARKED
        change = commit_change(session, meeting, {f"proposal:{proposal.id}"})
        return {"id": proposal.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "proposal.park", work)


def edit_agreement(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    agreement_id: int,
    data: Mapping[str, object],
    supersede: bool = False,
    based_on: int | None = None,
) -> Result:
    """Edit an agreement's fields: a new version with who and when. While a round on the
    whole plan is open, the facilitator confirms: it closes as superseded and a new
    round asks about the plan as it is now."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        row = session.get(Agreement, agreement_id)
        if row is None or row.meeting_id != meeting_id:
            raise DomainError("agreement.unknown")
        if meeting.plan_adopted:
            raise DomainError("plan.adopted")
        if based_on is not None and based_on != row.version:
            raise DomainError("proposal.changed_meanwhile", version=row.version)
        before = agreement_fields(row)
        merged = {k: (before[k] if data.get(k) is None else data[k]) for k in FIELDS}
        fields = ProposalFields.from_input(merged).as_dict()
        if fields == before:
            return {"id": row.id}, None
        running = _open_round_on(session, meeting, None)
        _check_amend(running, supersede, "consent.amend_plan_round_open")
        for name, value in fields.items():
            setattr(row, name, value)
        row.version += 1
        session.add(
            AgreementVersion(
                agreement_id=row.id, number=row.version, fields=fields, user_id=user_id
            )
        )
        # A verdict on the old words no longer says anything about the new ones.
        session.execute(delete(FrameworkCheckRow).where(FrameworkCheckRow.agreement_id == row.id))
        return _plan_changed(session, meeting, running, {"id": row.id, "number": row.version})

    return facilitator_intent(db, user_id, meeting_id, client_id, "agreement.edit", work)


def _plan_changed(
    session: Session, meeting: MeetingRow, running: RoundRow | None, result: dict[str, Any]
) -> tuple[dict[str, Any], Change]:
    keys = {"agreements", "framework_check"}
    personal: set[int] = set()
    if running is not None:
        session.flush()
        new_round, personal = _supersede(session, meeting, running, None)
        keys |= {"consent", "consent_tally", "meeting"}
        result = {**result, "superseded": running.id, "round_id": new_round.id}
    change = commit_change(session, meeting, keys, personal)
    return result, change


def update_plan(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    data: Mapping[str, object],
    supersede: bool = False,
) -> Result:
    values = _plan_texts(data, ("followup", "evaluation"))
    # absent or null: unchanged; "" clears a date or a place
    given = {
        name: data.get(name)
        for name in ("followup_date", "followup_place", "evaluation_date", "evaluation_place")
    }
    checked = {
        prefix: validate_appointment(given[f"{prefix}_date"] or "", given[f"{prefix}_place"] or "")
        for prefix in ("followup", "evaluation")
    }

    def appointment(prefix: str, current: Appointment) -> Appointment:
        new = checked[prefix]
        return Appointment(
            current.date if given[f"{prefix}_date"] is None else new.date,
            current.place if given[f"{prefix}_place"] is None else new.place,
        )

    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.plan_adopted:
            raise DomainError("plan.adopted")
        followup = values.get("followup", meeting.plan_followup)
        evaluation = values.get("evaluation", meeting.plan_evaluation)
        reconvene = appointment(
            "followup", Appointment(meeting.followup_date, meeting.followup_place)
        )
        evaluate = appointment(
            "evaluation", Appointment(meeting.evaluation_date, meeting.evaluation_place)
        )
        after = (followup, evaluation, reconvene, evaluate)
        current = (
            meeting.plan_followup,
            meeting.plan_evaluation,
            Appointment(meeting.followup_date, meeting.followup_place),
            Appointment(meeting.evaluation_date, meeting.evaluation_place),
        )
        if after == current:
            return {}, None
        running = _open_round_on(session, meeting, None)
        _check_amend(running, supersede, "consent.amend_plan_round_open")
        meeting.plan_followup, meeting.plan_evaluation = followup, evaluation
        meeting.followup_date, meeting.followup_place = reconvene.date, reconvene.place
        meeting.evaluation_date, meeting.evaluation_place = evaluate.date, evaluate.place
        return _plan_changed(session, meeting, running, {})

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
        return {"roles": meeting.consent_roles}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "consent.configure", work)
