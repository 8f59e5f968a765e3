"""Use cases after the day. The plan page reads the sealed record (never live data) for
the agreements' words; beside it are the statuses and their dated updates, the "not
working" signals, and the people the facilitator named for each agreement and to
reconvene. Meetings are made from the plan (to reconvene, or to evaluate it), and a
plan the room consented to publish is shown on this server's public pages.

Each write is one short transaction; a form's write id makes a repeated post count once
(`shared.core.intents.form_once`)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import can_facilitate, form_once, require_facilitator, sha256
from shared.core.models import (
    Agreement,
    AgreementUpdate,
    CoreMember,
    FrameworkParty,
    InfoItem,
    Intent,
    InvolvedPerson,
    MeetingFacilitator,
    Participant,
    PlanKey,
    PlanPerson,
    PlanSeal,
    PlanSignal,
    Process,
    Prompt,
    Proposal,
    Publication,
    Signature,
    User,
    WorkTable,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import iso, shown_names
from shared.domain import DomainError, MeetingDetails
from shared.domain.aftercare import (
    EVALUATION_NEAR,
    AgreementStatus,
    Duty,
    FollowKind,
    check_may_update,
    check_signal_count,
    evaluation_due,
    redact_names,
    status_now,
    validate_duty,
    validate_kind,
    validate_reason,
    validate_update,
)
from shared.domain.phases import Template
from shared.domain.proposals import PROPOSAL_FIELDS, ProposalFields
from shared.meeting.service import create_meeting
from shared.plandoc.blocks import parse_date
from shared.plandoc.seal import fingerprint_of
from shared.proposals.service import record_version, write_fields


@dataclass(frozen=True)
class Viewer:
    """Who looks at a plan page: a participant (by their phone or personal link) or one
    of the meeting's facilitators."""

    meeting_id: str
    participant_id: int | None = None
    user_id: int | None = None

    @property
    def actor(self) -> str:
        return f"u:{self.user_id}" if self.user_id is not None else f"p:{self.participant_id}"


# --------------------------------------------------------------------------- access


def _sealed(session: Session, meeting_id: str) -> tuple[MeetingRow, PlanSeal, dict[str, Any]]:
    meeting = session.get(MeetingRow, meeting_id)
    seal = session.get(PlanSeal, meeting_id)
    if meeting is None or seal is None:
        raise DomainError("aftercare.not_sealed")
    return meeting, seal, json.loads(seal.canonical)


def _present(person: Participant | None, meeting_id: str) -> Participant | None:
    if person is None or person.meeting_id != meeting_id or person.removed_at is not None:
        return None
    return person


def viewer_by_key(db: Database, key: str) -> Viewer | None:
    """The participant a personal plan link belongs to."""
    if not key or len(key) > 64:
        return None
    with db.read() as session:
        row = session.scalar(select(PlanKey).where(PlanKey.key_hash == sha256(key)))
        person = session.get(Participant, row.participant_id) if row else None
        if person is None or person.removed_at is not None:
            return None
        return Viewer(person.meeting_id, participant_id=person.id)


def make_plan_link(db: Database, *, user_id: int, meeting_id: str, participant_id: object) -> str:
    """A new personal link for a participant (shown once; an earlier one stops working)."""
    key = secrets.token_urlsafe(24)
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        person = _participant(session, meeting_id, participant_id)
        session.execute(delete(PlanKey).where(PlanKey.participant_id == person.id))
        session.add(PlanKey(participant_id=person.id, key_hash=sha256(key)))
    return key


def _participant(session: Session, meeting_id: str, participant_id: object) -> Participant:
    person = _present(
        session.get(Participant, _int(participant_id, "aftercare.person_unknown")), meeting_id
    )
    if person is None:
        raise DomainError("aftercare.person_unknown")
    return person


def _check_viewer(session: Session, viewer: Viewer) -> bool:
    """Whether the viewer is a facilitator of the meeting (else a participant of it)."""
    if viewer.user_id is not None:
        if not can_facilitate(session, viewer.user_id, viewer.meeting_id):
            raise DomainError("aftercare.no_access")
        return True
    if _present(session.get(Participant, viewer.participant_id or 0), viewer.meeting_id) is None:
        raise DomainError("aftercare.no_access")
    return False


def _agreement(
    session: Session, meeting_id: str, agreement_id: object, record: dict[str, Any]
) -> Agreement:
    """An agreement of the sealed plan (an agreement made after sealing is not in it)."""
    wanted = _int(agreement_id)
    row = session.get(Agreement, wanted)
    sealed = {a["id"] for a in record["plan"]["agreements"]}
    if row is None or row.meeting_id != meeting_id or wanted not in sealed:
        raise DomainError("aftercare.agreement_unknown")
    return row


def _anonymous(record: dict[str, Any]) -> bool:
    """Whether the meeting was anonymous when its plan was sealed (a later change of the
    setting does not reveal anyone)."""
    return bool(record.get("participants", {}).get("anonymous", True))


def _named(session: Session, meeting_id: str, duty: Duty) -> list[PlanPerson]:
    return list(
        session.scalars(
            select(PlanPerson)
            .where(PlanPerson.meeting_id == meeting_id, PlanPerson.duty == duty)
            .order_by(PlanPerson.id)
        )
    )


# --------------------------------------------------------------------------- writes


def update_status(
    db: Database,
    *,
    viewer: Viewer,
    agreement_id: object,
    status: object,
    note: object,
    client_id: str | None = None,
) -> AgreementStatus | None:
    """A dated status update beside a sealed agreement, by one of the people named for
    it or a facilitator. The sealed text never changes."""
    chosen, text = validate_update(status, note)
    with db.transaction() as session:
        _meeting, _seal, record = _sealed(session, viewer.meeting_id)
        facilitator = _check_viewer(session, viewer)
        agreement = _agreement(session, viewer.meeting_id, agreement_id, record)
        named = viewer.participant_id is not None and session.scalar(
            select(PlanPerson.id).where(
                PlanPerson.agreement_id == agreement.id,
                PlanPerson.duty == Duty.AGREEMENT,
                PlanPerson.participant_id == viewer.participant_id,
            )
        )
        check_may_update(facilitator=facilitator, named=bool(named))
        if form_once(session, viewer.meeting_id, viewer.actor, client_id, "plan.status"):
            return None
        session.add(
            AgreementUpdate(
                meeting_id=viewer.meeting_id,
                agreement_id=agreement.id,
                status=chosen,
                note=text,
                participant_id=viewer.participant_id,
                user_id=viewer.user_id,
            )
        )
        return chosen


def signal(
    db: Database,
    *,
    viewer: Viewer,
    agreement_id: object,
    reason: object,
    client_id: str | None = None,
) -> int | None:
    """ "This is not working", with a reason, by anyone who took part."""
    text = validate_reason(reason)
    with db.transaction() as session:
        _meeting, _seal, record = _sealed(session, viewer.meeting_id)
        if _check_viewer(session, viewer):
            raise DomainError("aftercare.no_access")  # the room signals; facilitators act
        agreement = _agreement(session, viewer.meeting_id, agreement_id, record)
        if form_once(session, viewer.meeting_id, viewer.actor, client_id, "plan.signal"):
            return None
        sent = session.scalar(
            select(func.count(PlanSignal.id)).where(
                PlanSignal.agreement_id == agreement.id,
                PlanSignal.participant_id == viewer.participant_id,
            )
        )
        check_signal_count(int(sent or 0))
        row = PlanSignal(
            meeting_id=viewer.meeting_id,
            agreement_id=agreement.id,
            participant_id=viewer.participant_id,
            reason=text,
        )
        session.add(row)
        session.flush()
        return row.id


def name_person(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    participant_id: object,
    duty: object,
    agreement_id: object = None,
    named: bool = True,
) -> None:
    """Link a participant to an agreement's "who" (or to reconvene), or unlink them."""
    chosen = validate_duty(duty)
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        _meeting, _seal, record = _sealed(session, meeting_id)
        person = _participant(session, meeting_id, participant_id)
        about = (
            _agreement(session, meeting_id, agreement_id, record).id
            if chosen is Duty.AGREEMENT
            else None
        )
        existing = session.scalar(
            select(PlanPerson).where(
                PlanPerson.meeting_id == meeting_id,
                PlanPerson.participant_id == person.id,
                PlanPerson.duty == chosen,
                PlanPerson.agreement_id.is_(None)
                if about is None
                else PlanPerson.agreement_id == about,
            )
        )
        if named and existing is None:
            session.add(
                PlanPerson(
                    meeting_id=meeting_id,
                    participant_id=person.id,
                    duty=chosen,
                    agreement_id=about,
                    user_id=user_id,
                )
            )
        elif not named and existing is not None:
            session.delete(existing)


# --------------------------------------------------------------------------- the plan page


def _user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def plan_page(db: Database, viewer: Viewer, today: date | None = None) -> dict[str, Any]:
    """Everything a plan page shows this viewer. Agreements are the sealed record's;
    signals (with their reasons) only for the facilitators and the people named to
    reconvene, with the signaller's name unless the meeting was anonymous (the
    facilitators always see it); the others see how many there are and their own."""
    with db.read() as session:
        meeting, seal, record = _sealed(session, viewer.meeting_id)
        facilitator = _check_viewer(session, viewer)
        anonymous = _anonymous(record)
        reconvene = _named(session, meeting.id, Duty.RECONVENE)
        owners = _named(session, meeting.id, Duty.AGREEMENT)
        in_reconvene = any(p.participant_id == viewer.participant_id for p in reconvene)
        sees_signals = facilitator or in_reconvene
        updates = list(
            session.scalars(
                select(AgreementUpdate)
                .where(AgreementUpdate.meeting_id == meeting.id)
                .order_by(AgreementUpdate.id)
            )
        )
        signals = list(
            session.scalars(
                select(PlanSignal)
                .where(PlanSignal.meeting_id == meeting.id)
                .order_by(PlanSignal.id)
            )
        )
        # as the meeting showed them: two people called Fatima are told apart
        names = shown_names(session, meeting.id)
        users = _user_names(session, [u.user_id for u in updates])

        def by(update: AgreementUpdate) -> str:
            if update.user_id is not None:
                return users.get(update.user_id, "")
            return "" if anonymous else names.get(update.participant_id or 0, "")

        agreements = []
        for item in record["plan"]["agreements"]:
            aid = item["id"]
            history = [u for u in updates if u.agreement_id == aid]
            mine = [p.participant_id for p in owners if p.agreement_id == aid]
            its_signals = [s for s in signals if s.agreement_id == aid]
            shown = (
                its_signals
                if sees_signals
                else [s for s in its_signals if s.participant_id == viewer.participant_id]
            )
            agreements.append(
                {
                    "id": aid,
                    "number": item["number"],
                    "fields": {name: item.get(name, "") for name in PROPOSAL_FIELDS},
                    "status": status_now(AgreementStatus(u.status) for u in history).value,
                    "history": [
                        {
                            "status": u.status,
                            "note": u.note,
                            "by": by(u),
                            "facilitator": u.user_id is not None,
                            "at": u.at,
                        }
                        for u in reversed(history)
                    ],
                    # in an anonymous meeting only the facilitators see who is named
                    "owners": [names.get(pid, "") for pid in mine]
                    if facilitator or not anonymous
                    else [],
                    "you_are_named": viewer.participant_id in mine,
                    "owner_ids": mine,
                    "may_update": facilitator or viewer.participant_id in mine,
                    "signal_count": len(its_signals),
                    "signals": [
                        {
                            "id": s.id,
                            "reason": s.reason,
                            "by": (
                                names.get(s.participant_id or 0, "")
                                if facilitator or not anonymous
                                else ""
                            ),
                            "mine": s.participant_id == viewer.participant_id,
                            "at": s.at,
                            "taken_up": s.taken_up_by is not None,
                        }
                        for s in shown
                    ],
                }
            )
        follow_ups = list(
            session.execute(
                select(MeetingRow.id, MeetingRow.title, MeetingRow.follows_kind, MeetingRow.date)
                .where(MeetingRow.follows_id == meeting.id)
                .order_by(MeetingRow.created_at)
            ).all()
        )
        publication = session.get(Publication, meeting.id)
        plan = record["plan"]
        return {
            "meeting": meeting,
            "title": record["meeting"]["title"],
            "language": record["meeting"]["language"],
            "fingerprint": fingerprint_of(seal.digest),
            "sealed_at": seal.sealed_at,
            "verify_url": record.get("verify_url", ""),
            "facilitator": facilitator,
            "anonymous": anonymous,
            "sees_signals": sees_signals,
            "in_reconvene": in_reconvene,
            "agreements": agreements,
            "followup": plan.get("followup", ""),
            "evaluation": plan.get("evaluation", ""),
            # the dates and places as sealed (the plan's own words)
            "reconvene": _appointment(plan.get("reconvene_at")),
            "evaluate": _appointment(plan.get("evaluation_at")),
            "evaluation_due": evaluation_due(
                _date(plan.get("evaluation_at")), today or date.today()
            ),
            "reconvene_people": [names.get(p.participant_id, "") for p in reconvene]
            if facilitator or not anonymous
            else [],
            "reconvene_ids": [p.participant_id for p in reconvene],
            "follow_ups": [
                {"id": mid, "title": title, "kind": kind, "date": when}
                for mid, title, kind, when in follow_ups
            ],
            "publication": _publication_state(record, publication),
            "participants": (
                list(
                    session.execute(
                        select(Participant.id, Participant.name, Participant.group)
                        .where(
                            Participant.meeting_id == meeting.id,
                            Participant.removed_at.is_(None),
                        )
                        .order_by(Participant.name)
                    ).all()
                )
                if facilitator
                else []
            ),
            "loaded_at": utcnow(),
        }


def _date(sealed: Any) -> date | None:
    return parse_date(sealed.get("date")) if isinstance(sealed, dict) else None


def _appointment(sealed: Any) -> dict[str, Any] | None:
    """A sealed appointment ({"date": "YYYY-MM-DD" or null, "place": ...}), if any."""
    if not isinstance(sealed, dict):
        return None
    place = str(sealed.get("place") or "")
    when = _date(sealed)
    return None if when is None and not place else {"date": when, "place": place}


def _publication_state(record: dict[str, Any], row: Publication | None) -> dict[str, Any]:
    return {
        "consented": bool((record.get("publication") or {}).get("consented")),
        "published": row is not None and row.withdrawn_at is None,
        "public_id": None if row is None or row.withdrawn_at is not None else row.public_id,
        "withdrawn_at": None if row is None else row.withdrawn_at,
    }


def signal_summary(db: Database, meeting_id: str) -> dict[str, Any] | None:
    """For the console of a sealed meeting: statuses and open signals, counted."""
    with db.read() as session:
        seal = session.get(PlanSeal, meeting_id)
        if seal is None:
            return None
        # numbered as sealed: an agreement made after the seal is not in the plan
        numbers = {a["id"]: a["number"] for a in json.loads(seal.canonical)["plan"]["agreements"]}
        updates = session.execute(
            select(AgreementUpdate.agreement_id, AgreementUpdate.status)
            .where(AgreementUpdate.meeting_id == meeting_id)
            .order_by(AgreementUpdate.id)
        ).all()
        latest: dict[int, str] = {}
        for aid, status in updates:
            latest[aid] = status
        open_signals = list(
            session.scalars(
                select(PlanSignal).where(
                    PlanSignal.meeting_id == meeting_id, PlanSignal.taken_up_by.is_(None)
                )
            )
        )
        counts = {s.value: 0 for s in AgreementStatus}
        for aid in numbers:
            counts[latest.get(aid, AgreementStatus.PLANNED.value)] += 1
        return {
            "statuses": counts,
            "signals": [
                {"number": numbers.get(s.agreement_id), "reason": s.reason, "at": s.at}
                for s in open_signals
                if s.agreement_id in numbers
            ],
        }


def due_evaluations(db: Database, user_id: int, today: date | None = None) -> list[dict[str, Any]]:
    """The sealed plans of this facilitator whose evaluation is near or past and that have
    no evaluation meeting yet: the meetings page lists them."""
    today = today or date.today()
    with db.read() as session:
        rows = list(
            session.scalars(
                select(MeetingRow)
                .join(MeetingFacilitator, MeetingFacilitator.meeting_id == MeetingRow.id)
                .join(PlanSeal, PlanSeal.meeting_id == MeetingRow.id)
                .where(
                    MeetingFacilitator.user_id == user_id,
                    MeetingRow.evaluation_date.is_not(None),
                    MeetingRow.evaluation_date <= today + EVALUATION_NEAR,
                )
                .order_by(MeetingRow.evaluation_date)
            )
        )
        evaluated = set(
            session.scalars(
                select(MeetingRow.follows_id).where(
                    MeetingRow.follows_id.in_([m.id for m in rows]),
                    MeetingRow.follows_kind == FollowKind.EVALUATION,
                )
            )
        )
        return [
            {
                "id": m.id,
                "title": m.title,
                "date": m.evaluation_date,
                "place": m.evaluation_place,
                "due": evaluation_due(m.evaluation_date, today),
            }
            for m in rows
            if m.id not in evaluated
        ]


# --------------------------------------------------------------------------- .ics


def calendar(
    db: Database, viewer: Viewer, url: str, summaries: Callable[[str], Mapping[str, str]]
) -> bytes:
    """The reconvene and evaluation dates as sealed, as an iCalendar file (all-day
    events). ``summaries(language)``: the events' titles ("reconvene", "evaluation", each
    with a ``{title}``) in the plan's language, from the page layer's translations."""
    from icalendar import Calendar, Event

    with db.read() as session:
        meeting, _seal, record = _sealed(session, viewer.meeting_id)
        _check_viewer(session, viewer)
    plan, title = record["plan"], record["meeting"]["title"]
    titles = summaries(record["meeting"]["language"])
    cal = Calendar()
    cal.add("prodid", "-//Plandag//plan//EN")
    cal.add("version", "2.0")
    for kind, appointment, who in (
        ("reconvene", _appointment(plan.get("reconvene_at")), plan.get("followup", "")),
        ("evaluation", _appointment(plan.get("evaluation_at")), plan.get("evaluation", "")),
    ):
        if not appointment or appointment["date"] is None:
            continue
        event = Event()
        event.add("uid", f"{meeting.id}-{kind}@plandag")
        event.add("dtstamp", utcnow())
        event.add("dtstart", appointment["date"])
        event.add("dtend", appointment["date"] + timedelta(days=1))
        event.add("summary", titles[kind].format(title=title))
        if appointment["place"]:
            event.add("location", appointment["place"])
        event.add("description", f"{who}\n\n{url}".strip())
        if url:
            event.add("url", url)
        event.add("categories", [kind])
        cal.add_component(event)
    return bytes(cal.to_ical())


# --------------------------------------------------------------------------- from the plan


@dataclass(frozen=True)
class Wording:
    """The texts a meeting made from a plan starts with, in its language (the page
    layer translates them)."""

    title: str
    issue_statement: str
    open_question: str
    #: per agreement: "{number}. {title}: what went well, what needs to change?"
    prompt: str
    #: an information item per agreement with signals: its title
    signals_title: str


def create_from_plan(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    kind: object,
    agreement_ids: Iterable[object],
    wording: Wording,
    client_id: str | None = None,
) -> str:
    """A follow-up meeting (to reconvene) or an evaluation meeting, made from a sealed
    plan in one step: the same groups, language and framework parties; each agreement
    concerned as a proposal in its sealed words (so the room can amend it and consent
    again); the signals on them as information (to reconvene) or, per agreement, a
    sharing question "what went well, what needs to change" (to evaluate). Its own plan
    names the first one's fingerprint when sealed."""
    chosen = validate_kind(kind)
    asked = list(agreement_ids)
    actor = f"u:{user_id}"
    with db.read() as session:
        require_facilitator(session, user_id, meeting_id)
        if client_id:
            done = session.scalar(
                select(Intent.result).where(Intent.actor == actor, Intent.client_id == client_id)
            )
            if done and done.get("meeting_id"):
                return str(done["meeting_id"])  # a repeated post: the meeting it made
        source, _seal, record = _sealed(session, meeting_id)
        sealed = {a["id"]: a for a in record["plan"]["agreements"]}
        wanted = (
            list(sealed)
            if chosen is FollowKind.EVALUATION and not asked
            else sorted({_int(a) for a in asked})
        )
        if not wanted:
            raise DomainError("aftercare.nothing_chosen")
        if any(a not in sealed for a in wanted):
            raise DomainError("aftercare.agreement_unknown")
        parties = list(
            session.scalars(
                select(FrameworkParty.name)
                .where(FrameworkParty.meeting_id == meeting_id)
                .order_by(FrameworkParty.id)
            )
        )
        groups = list(source.groups)
        language = source.language
        anonymity = source.anonymity
    plan = record["plan"]
    when = _appointment(
        plan.get("evaluation_at" if chosen is FollowKind.EVALUATION else "reconvene_at")
    )
    title = record["meeting"]["title"]
    phases = ["sharing"] if chosen is FollowKind.EVALUATION else ["framing"]
    phases += ["proposals", "consent"]
    if parties:
        phases.append("framework_check")
    phases.append("signing")
    details = MeetingDetails.from_input(
        title=wording.title.format(title=title)[:120],
        template=Template.CUSTOM.value,
        custom_phases=phases,
        groups=groups,
        open_question=wording.open_question,
        issue_statement=wording.issue_statement.format(title=title),
        place=when["place"] if when else "",
        date_text=_iso_date(when["date"] if when else None),
        language=language,
    )

    def fill(session: Session, row: MeetingRow) -> None:
        row.follows_id = meeting_id
        row.follows_kind = chosen
        row.follows_agreements = wanted
        row.anonymity = anonymity
        if client_id:
            session.add(
                Intent(
                    meeting_id=meeting_id,
                    actor=actor,
                    client_id=client_id[:64],
                    action="plan.follow_up",
                    result={"meeting_id": row.id},
                )
            )
        # Read here, in the transaction that marks them: a signal sent meanwhile is
        # neither lost nor marked without being copied.
        signals = (
            list(
                session.scalars(
                    select(PlanSignal)
                    .where(
                        PlanSignal.meeting_id == meeting_id,
                        PlanSignal.agreement_id.in_(wanted),
                        PlanSignal.taken_up_by.is_(None),
                    )
                    .order_by(PlanSignal.id)
                )
            )
            if chosen is FollowKind.RECONVENE
            else []
        )
        for name in parties:
            session.add(
                FrameworkParty(meeting_id=row.id, name=name, invite_key=secrets.token_urlsafe(24))
            )
        for aid in wanted:
            item = sealed[aid]
            fields = ProposalFields.from_input({n: item.get(n, "") for n in PROPOSAL_FIELDS})
            proposal = Proposal(meeting_id=row.id)
            write_fields(proposal, fields)
            session.add(proposal)
            session.flush()
            record_version(session, proposal, user_id=user_id)
            if chosen is FollowKind.EVALUATION:
                session.add(
                    Prompt(
                        meeting_id=row.id,
                        text=wording.prompt.format(number=item["number"], title=item["title"]),
                    )
                )
            reasons = [s.reason for s in signals if s.agreement_id == aid]
            if reasons:
                session.add(
                    InfoItem(
                        meeting_id=row.id,
                        title=wording.signals_title.format(
                            number=item["number"], title=item["title"]
                        )[:120],
                        text="\n\n".join(f"• {r}" for r in reasons),
                    )
                )
        for signal_row in signals:
            signal_row.taken_up_by = row.id

    row = create_meeting(db, user_id, details, fill)
    return row.id


def _iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def follows_record(session: Session, meeting: MeetingRow) -> dict[str, Any] | None:
    """What a meeting made from a plan seals about that plan: its title, date and
    fingerprint, and the agreements (by number) it is about."""
    if meeting.follows_id is None or meeting.follows_kind is None:
        return None
    seal = session.get(PlanSeal, meeting.follows_id)
    if seal is None:
        return None
    record = json.loads(seal.canonical)
    numbers = {a["id"]: a["number"] for a in record["plan"]["agreements"]}
    return {
        "kind": str(meeting.follows_kind),
        "title": record["meeting"]["title"],
        "date": record["meeting"]["date"],
        "fingerprint": fingerprint_of(seal.digest),
        "digest": seal.digest,
        "agreements": [numbers[a] for a in meeting.follows_agreements if a in numbers],
    }


# --------------------------------------------------------------------------- publication


def publish(db: Database, *, user_id: int, meeting_id: str) -> str:
    """Publish a sealed plan the room consented to publish; its public id."""
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        _meeting, _seal, record = _sealed(session, meeting_id)
        # the room's say as sealed: a round closed after sealing counts for nothing
        if not (record.get("publication") or {}).get("consented"):
            raise DomainError("publication.not_consented")
        row = session.get(Publication, meeting_id)
        if row is not None and row.withdrawn_at is None:
            raise DomainError("publication.already")
        if row is None:
            row = Publication(meeting_id=meeting_id, public_id=secrets.token_urlsafe(12))
            session.add(row)
        # Published again after a withdrawal: a new address, so old links stay dead.
        elif row.withdrawn_at is not None:
            row.public_id = secrets.token_urlsafe(12)
        row.published_at, row.published_by = utcnow(), user_id
        row.withdrawn_at = row.withdrawn_by = None
        # What the public sees is fixed now, as the facilitator previewed it.
        row.content = _public_view(session, meeting_id, row.public_id, row.published_at)
        return row.public_id


def withdraw(db: Database, *, user_id: int, meeting_id: str) -> None:
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        row = session.get(Publication, meeting_id)
        if row is None or row.withdrawn_at is not None:
            raise DomainError("publication.not_published")
        row.withdrawn_at, row.withdrawn_by = utcnow(), user_id


def published_plan(db: Database, public_id: str) -> dict[str, Any] | None:
    """A published plan as the public sees it: the sealed agreements (for thematafels,
    grouped by table as routes), with no names unless the meeting was named."""
    if not public_id or len(public_id) > 32:
        return None
    with db.read() as session:
        row = session.scalar(select(Publication).where(Publication.public_id == public_id))
        if row is None or row.withdrawn_at is not None:
            return None
        return dict(row.content)


def publication_preview(db: Database, *, user_id: int, meeting_id: str) -> dict[str, Any]:
    """What publishing would show, for the facilitator to read first."""
    with db.read() as session:
        require_facilitator(session, user_id, meeting_id)
        return _public_view(session, meeting_id, "", None)


def _public_view(
    session: Session, meeting_id: str, public_id: str, published_at: datetime | None
) -> dict[str, Any]:
    meeting, seal, record = _sealed(session, meeting_id)
    named = not _anonymous(record) and _consented_with_names(record)
    hidden: list[str] = []
    if not named:
        hidden = _names_in(session, meeting.id, record)

    def text(value: str) -> str:
        return value if named else redact_names(value, hidden)

    # the table each agreement came from (thematafels: its route)
    tables = {
        aid: (tid, text(name), text(question))
        for aid, tid, name, question in session.execute(
            select(Agreement.id, WorkTable.id, WorkTable.name, WorkTable.question)
            .join(Proposal, Proposal.id == Agreement.proposal_id)
            .join(WorkTable, WorkTable.id == Proposal.table_id)
            .where(Agreement.meeting_id == meeting.id)
        ).all()
    }
    agreements = [
        {
            "number": a["number"],
            "table": tables[a["id"]][1] if a["id"] in tables else None,
            **{
                name: text(str(a.get(name, "")))
                for name in PROPOSAL_FIELDS
                if named or name != "who"
            },
        }
        for a in record["plan"]["agreements"]
    ]
    routes: dict[int, list[dict[str, Any]]] = {}
    table_of: dict[int, tuple[int, str, str]] = {}
    for item, a in zip(record["plan"]["agreements"], agreements, strict=True):
        if item["id"] in tables:
            table = tables[item["id"]]
            table_of[table[0]] = table
            routes.setdefault(table[0], []).append(a)
    return {
        "public_id": public_id,
        "title": text(record["meeting"]["title"]),
        "date": record["meeting"]["date"],
        "place": text(record["meeting"]["place"] or ""),
        "language": record["meeting"]["language"],
        "issue_statement": text(record.get("issue_statement", "")),
        "named": named,
        "agreements": agreements,
        "routes": [
            {"table": table_of[tid][1], "question": table_of[tid][2], "agreements": items}
            for tid, items in routes.items()
        ],
        "fingerprint": fingerprint_of(seal.digest),
        "sealed_at": iso(seal.sealed_at),
        "published_at": iso(published_at),
        "verify_url": record.get("verify_url", ""),
    }


def _consented_with_names(record: dict[str, Any]) -> bool:
    """Whether the round the room adopted asked to publish with names."""
    publication = record.get("publication") or {}
    return bool(publication.get("consented")) and bool(publication.get("named"))


def _names_in(session: Session, meeting_id: str, record: dict[str, Any]) -> list[str]:
    """Every name known of the meeting's people (display and signature names, also as
    sealed, so a purge does not empty the list; the preparation's people and core group)
    and their capitalised parts, as an anonymous publication hides them."""
    full = [
        *session.scalars(select(Participant.name).where(Participant.meeting_id == meeting_id)),
        *session.scalars(select(Signature.name).where(Signature.meeting_id == meeting_id)),
        *(str(s.get("name", "")) for s in record.get("signatures", [])),
        *(str(s.get("name", "")) for s in record.get("not_signed", []) if isinstance(s, dict)),
        *(n for g in record.get("participants", {}).get("groups", []) for n in g.get("names", [])),
        *session.scalars(
            select(InvolvedPerson.name)
            .join(Process, Process.id == InvolvedPerson.process_id)
            .where(Process.meeting_id == meeting_id)
        ),
        *session.scalars(
            select(CoreMember.name)
            .join(Process, Process.id == CoreMember.process_id)
            .where(Process.meeting_id == meeting_id)
        ),
    ]
    full = [n for n in full if n and n != "—"]
    parts = [w for n in full for w in n.split() if len(w) >= 3 and w[:1].isupper()]
    return [*full, *parts]


def published_index(db: Database, limit: int = 500) -> list[dict[str, Any]]:
    """The plans published on this server, newest first (each as fixed when published)."""
    with db.read() as session:
        rows = list(
            session.scalars(
                select(Publication)
                .where(Publication.withdrawn_at.is_(None))
                .order_by(Publication.published_at.desc())
                .limit(limit)
            )
        )
        return [dict(r.content) for r in rows]


def _int(value: object, code: str = "aftercare.agreement_unknown") -> int:
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise DomainError(code)
    return int(text)
