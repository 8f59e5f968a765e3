"""Use cases of the frameworks: framework parties and their personal links, writing and
locking the frameworks, presenting them, flagging possible conflicts, the framework check and
the follow-up agreements.

Framework parties act through the phone audience as participants with the
framework_party role; the facilitator may do what a party does, and the record says
when a facilitator recorded a check on a party's behalf.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import (
    Change,
    Result,
    commit_change,
    facilitator_intent,
    load_for_update,
    participant_intent,
    sha256,
)
from shared.core.models import (
    Agreement,
    FollowUp,
    FrameworkCheckRow,
    FrameworkFlag,
    FrameworkParty,
    Participant,
    PartyDevice,
    Proposal,
    utcnow,
)
from shared.core.models import Framework as FrameworkRow
from shared.core.models import FrameworkVersion as VersionRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow
from shared.domain import DomainError, Phase, Role
from shared.domain.frameworks import (
    CheckEntry,
    DeviceStatus,
    Framework,
    FrameworkCheck,
    FrameworkVersion,
    Verdict,
    check_may_record,
    check_party_may_write,
    validate_flag,
    validate_followup,
    validate_framework,
    validate_party_name,
)
from shared.domain.meeting import screen_language, validate_display_name
from shared.domain.wording import name_key

# The kaders' view keys ("frameworks", "framework_flags", "framework_check" for everyone,
# "parties" for the console) are registered in shared/kaders/screens.py.


@dataclass(frozen=True)
class Actor:
    """Who acts on the frameworks: a facilitator (user_id) or a party's representative."""

    user_id: int | None = None
    participant_id: int | None = None


@dataclass(frozen=True)
class Who:
    """The actor as a work function sees it: the facilitator, or a party and its
    representative."""

    user_id: int | None
    party: FrameworkParty | None = None
    person: PersonRow | None = None

    @property
    def party_id(self) -> int | None:
        return None if self.party is None else self.party.id

    @property
    def participant_id(self) -> int | None:
        return None if self.person is None else self.person.id


ActorWork = Callable[[Session, MeetingRow, Who], Result]


def _party_of(session: Session, person: PersonRow) -> FrameworkParty:
    party = session.scalar(
        select(FrameworkParty).where(
            FrameworkParty.meeting_id == person.meeting_id,
            FrameworkParty.participant_id == person.id,
        )
    )
    if party is None or person.role != Role.FRAMEWORK_PARTY:
        raise DomainError("auth.forbidden")
    return party


def _as_actor(
    db: Database, actor: Actor, meeting_id: str, client_id: str, action: str, work: ActorWork
) -> Result:
    if actor.user_id is not None:
        return facilitator_intent(
            db,
            actor.user_id,
            meeting_id,
            client_id,
            action,
            lambda session, meeting: work(session, meeting, Who(actor.user_id)),
        )
    assert actor.participant_id is not None
    return participant_intent(
        db,
        actor.participant_id,
        meeting_id,
        client_id,
        action,
        lambda session, meeting, person: work(
            session, meeting, Who(None, _party_of(session, person), person)
        ),
        alone=True,  # the parties edit the same kaders
    )


def party_people(session: Session, meeting_id: str) -> set[int]:
    return {
        pid
        for pid in session.scalars(
            select(FrameworkParty.participant_id).where(FrameworkParty.meeting_id == meeting_id)
        )
        if pid is not None
    }


def party_names(session: Session, meeting_id: str) -> dict[int, str]:
    """The meeting's framework parties by id: their names (screens and the record)."""
    return dict(
        session.execute(
            select(FrameworkParty.id, FrameworkParty.name).where(
                FrameworkParty.meeting_id == meeting_id
            )
        ).all()
    )


def representatives(session: Session, meeting_id: str) -> dict[int, tuple[int, str]]:
    """Who represents a party: participant id -> (party id, party name)."""
    return {
        pid: (party_id, name)
        for pid, party_id, name in session.execute(
            select(FrameworkParty.participant_id, FrameworkParty.id, FrameworkParty.name).where(
                FrameworkParty.meeting_id == meeting_id
            )
        ).all()
        if pid is not None
    }


def _party(session: Session, meeting_id: str, party_id: int) -> FrameworkParty:
    row = session.get(FrameworkParty, party_id)
    if row is None or row.meeting_id != meeting_id:
        raise DomainError("party.unknown")
    return row


# --------------------------------------------------------------------------- parties


def invite_party(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, name: object
) -> Result:
    clean = validate_party_name(name)

    def work(session: Session, meeting: MeetingRow) -> Result:
        party = FrameworkParty(
            meeting_id=meeting_id, name=clean, invite_key=secrets.token_urlsafe(24)
        )
        session.add(party)
        session.flush()
        change = commit_change(session, meeting, {"parties"})
        return {"id": party.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "party.invite", work)


def renew_party_link(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, party_id: int
) -> Result:
    """A new personal link: the old one stops working for new devices. If the
    representative was removed from the meeting, the new link can be claimed afresh by
    someone else (devices allowed for the old representative lose access)."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        party = _party(session, meeting_id, party_id)
        party.invite_key = secrets.token_urlsafe(24)
        rep = session.get(Participant, party.participant_id) if party.participant_id else None
        keys = {"parties"}
        if rep is not None and rep.removed_at is not None:
            party.participant_id = None
            for device in session.scalars(
                select(PartyDevice).where(PartyDevice.party_id == party.id)
            ):
                session.delete(device)
            # the flags and checks it made no longer name it through its representative
            keys |= {"framework_flags", "framework_check"}
        change = commit_change(session, meeting, keys)
        return {"id": party.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "party.renew", work)


def decide_device(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    request_id: int,
    approve: bool,
) -> Result:
    """A second device asked to use a party's personal link: allow it, or not."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        device = session.get(PartyDevice, request_id)
        party = None if device is None else session.get(FrameworkParty, device.party_id)
        if device is None or party is None or party.meeting_id != meeting_id:
            raise DomainError("party.no_request")
        if device.status != DeviceStatus.PENDING:
            raise DomainError("party.no_request")
        device.status = DeviceStatus.APPROVED if approve else DeviceStatus.REFUSED
        device.decided_at, device.decided_by = utcnow(), user_id
        change = commit_change(session, meeting, {"parties"})
        return {"id": device.id, "status": device.status}, change

    action = "party.approve_device" if approve else "party.refuse_device"
    return facilitator_intent(db, user_id, meeting_id, client_id, action, work)


def party_by_key(db: Database, key: str) -> FrameworkParty | None:
    if not key or len(key) > 64:
        return None
    with db.read() as session:
        return session.scalar(select(FrameworkParty).where(FrameworkParty.invite_key == key))


@dataclass
class Access:
    """What a device that opened a personal link may do."""

    #: claim (first use), approved, pending or refused
    status: str
    party: FrameworkParty
    participant: Participant | None = None


def party_access(db: Database, key: str, device_token: str) -> Access | None:
    with db.read() as session:
        party = session.scalar(select(FrameworkParty).where(FrameworkParty.invite_key == key))
        if party is None:
            return None
        if party.participant_id is None:
            return Access("claim", party)
        device = session.scalar(
            select(PartyDevice).where(
                PartyDevice.party_id == party.id,
                PartyDevice.device_hash == sha256(device_token),
            )
        )
        person = session.get(Participant, party.participant_id)
        if device is None:
            return Access("new", party, person)
        return Access(device.status, party, person)


def claim_party(
    db: Database, *, key: str, device_token: str, name: object, language: object = ""
) -> tuple[Access, Change | None]:
    """A device opens a personal link. The first device becomes the party's
    representative (a participant with the framework_party role); any later device
    waits until the facilitator allows it (its name is not asked)."""
    with db.transaction() as session:
        party = session.scalar(select(FrameworkParty).where(FrameworkParty.invite_key == key))
        if party is None:
            raise DomainError("party.link_invalid")
        row = load_for_update(session, party.meeting_id)
        # Read the party again under the meeting's lock: two first devices at once must
        # not both become the representative.
        session.refresh(party)
        if party.invite_key != key:
            raise DomainError("party.link_invalid")
        if row.phase == Phase.CLOSED:
            raise DomainError("meeting.ended")
        device_hash = sha256(device_token)
        device = session.scalar(
            select(PartyDevice).where(
                PartyDevice.party_id == party.id, PartyDevice.device_hash == device_hash
            )
        )
        if party.participant_id is not None:
            person = session.get(Participant, party.participant_id)
            if device is not None:
                return Access(device.status, party, person), None
            other = session.scalar(
                select(Participant).where(
                    Participant.meeting_id == row.id, Participant.device_hash == device_hash
                )
            )
            if other is not None:
                # It would act as that person, never as the party.
                raise DomainError("party.device_is_participant", name=other.name)
            session.add(PartyDevice(party_id=party.id, device_hash=device_hash, status="pending"))
            change = commit_change(session, row, {"parties"})
            return Access("pending", party, person), change
        # First use. A device that joined by the room's QR code before becomes the
        # representative (one person, one participant).
        clean_name = validate_display_name(name)
        person = session.scalar(
            select(Participant).where(
                Participant.meeting_id == row.id, Participant.device_hash == device_hash
            )
        )
        if person is not None and person.removed_at is not None:
            raise DomainError("participant.removed")
        group = party.name[:40]
        if person is None:
            person = Participant(
                meeting_id=row.id,
                device_hash=device_hash,
                name=clean_name,
                name_key=name_key(clean_name),
                group=group,
                role=Role.FRAMEWORK_PARTY,
                language=screen_language(language),
            )
            session.add(person)
        else:
            person.name, person.group = clean_name, group
            person.name_key = name_key(clean_name)
            person.role = Role.FRAMEWORK_PARTY
        session.flush()
        party.participant_id = person.id
        if device is None:
            session.add(PartyDevice(party_id=party.id, device_hash=device_hash, status="approved"))
        else:
            device.status = DeviceStatus.APPROVED
        keys = {
            "parties",
            f"participant:{person.id}",
            "counts",
            "frameworks",
            "ranking",
            "tables",
            "signing_tally",
        }
        change = commit_change(session, row, keys, {person.id})
        return Access("approved", party, person), change


# --------------------------------------------------------------------------- kaders


def _framework(session: Session, meeting_id: str, framework_id: int) -> FrameworkRow:
    row = session.get(FrameworkRow, framework_id)
    if row is None or row.meeting_id != meeting_id:
        raise DomainError("framework.unknown")
    return row


def _check_kaders_open(meeting: MeetingRow) -> None:
    """Once the plan is being signed, the frameworks it was checked against stay as they are."""
    if meeting.phase in (Phase.SIGNING, Phase.CLOSED):
        raise DomainError("framework.frozen")


def _versions(session: Session, framework_id: int) -> list[VersionRow]:
    return list(
        session.scalars(
            select(VersionRow)
            .where(VersionRow.framework_id == framework_id)
            .order_by(VersionRow.number)
        )
    )


def _framework_keys(session: Session, meeting: MeetingRow) -> tuple[set[str], set[int]]:
    """Before the lock only the console and the parties see drafts (in their own view).
    The meeting view carries the console's advance blocker, which frameworks change."""
    keys = {"frameworks", "meeting"}
    if meeting.frameworks_locked_at is None:
        return keys, party_people(session, meeting.id)
    return keys | {"framework_check"}, set()


def settle_party_framework(
    session: Session,
    meeting: MeetingRow,
    *,
    party_name: str,
    framework_id: int | None,
    title: str,
    description: str,
    user_id: int,
) -> tuple[int, set[str], set[int]]:
    """A kader the core group settled before the day (`shared.process`), in the meeting
    as its party's kader: the party is found by name (or invited), the kader written, or
    its current words replaced while the kaders are not locked. Returns the kader's id
    and what changed (keys, personal views)."""
    if meeting.frameworks_locked_at is not None:
        raise DomainError("framework.locked")
    _check_kaders_open(meeting)
    party = session.scalar(
        select(FrameworkParty).where(
            FrameworkParty.meeting_id == meeting.id, FrameworkParty.name == party_name
        )
    )
    if party is None:
        party = FrameworkParty(
            meeting_id=meeting.id, name=party_name, invite_key=secrets.token_urlsafe(24)
        )
        session.add(party)
        session.flush()
    row = session.get(FrameworkRow, framework_id) if framework_id is not None else None
    who = Who(user_id=user_id)
    if row is None or row.meeting_id != meeting.id:
        domain = Framework.new(party.id, title, description)
        row = FrameworkRow(meeting_id=meeting.id, party_id=party.id, version=1)
        session.add(row)
        session.flush()
        _store_version(session, row, domain.current, who)
    else:
        clean_title, text = validate_framework(title, description)
        current = _versions(session, row.id)[-1]
        current.title, current.description = clean_title, text
        current.user_id, current.participant_id = user_id, None
    keys, personal = _framework_keys(session, meeting)
    return row.id, keys | {"parties"}, personal


def save_framework(
    db: Database,
    *,
    actor: Actor,
    meeting_id: str,
    client_id: str,
    framework_id: int | None,
    party_id: int | None,
    title: object,
    description: object,
) -> Result:
    """Write a new framework, or change one. Before the lock a change edits the draft;
    after the lock (facilitator only) it is a new version and the old one stays."""

    def work(session: Session, meeting: MeetingRow, who: Who) -> Result:
        _check_kaders_open(meeting)
        locked = meeting.frameworks_locked_at is not None
        if framework_id is None:
            if who.party is not None:
                owner: int | None = who.party.id
            else:
                owner = None if not party_id else _party(session, meeting_id, party_id).id
            check_party_may_write(
                locked=locked,
                actor_party_id=who.party_id,
                framework_party_id=owner,
            )
            domain = Framework.new(owner, title, description)
            row = FrameworkRow(meeting_id=meeting_id, party_id=owner, version=1)
            session.add(row)
            session.flush()
            version = domain.current
            _store_version(session, row, version, who)
        else:
            row = _framework(session, meeting_id, framework_id)
            check_party_may_write(
                locked=locked,
                actor_party_id=who.party_id,
                framework_party_id=row.party_id,
            )
            stored = _versions(session, row.id)
            domain = Framework(
                row.party_id,
                [FrameworkVersion(v.number, v.title, v.description, v.after_lock) for v in stored],
            )
            version = domain.edit(title, description, locked=locked)
            if who.party is None and party_id is not None and not locked:
                # 0: the facilitators' own kader
                row.party_id = None if party_id == 0 else _party(session, meeting_id, party_id).id
            if version.number == stored[-1].number:
                current = stored[-1]
                current.title, current.description = version.title, version.description
                current.user_id, current.participant_id = who.user_id, who.participant_id
            else:
                _store_version(session, row, version, who)
            row.version = version.number
        keys, personal = _framework_keys(session, meeting)
        change = commit_change(session, meeting, keys, personal)
        return {"id": row.id, "version_number": version.number}, change

    action = "framework.create" if framework_id is None else "framework.edit"
    return _as_actor(db, actor, meeting_id, client_id, action, work)


def _store_version(
    session: Session, row: FrameworkRow, version: FrameworkVersion, who: Who
) -> None:
    session.add(
        VersionRow(
            framework_id=row.id,
            number=version.number,
            title=version.title,
            description=version.description,
            after_lock=version.after_lock,
            participant_id=who.participant_id,
            user_id=who.user_id,
        )
    )


def delete_framework(
    db: Database, *, actor: Actor, meeting_id: str, client_id: str, framework_id: int
) -> Result:
    """Only a draft can be deleted; a locked framework is part of the record."""

    def work(session: Session, meeting: MeetingRow, who: Who) -> Result:
        row = _framework(session, meeting_id, framework_id)
        _check_kaders_open(meeting)
        if meeting.frameworks_locked_at is not None:
            raise DomainError("framework.locked")
        check_party_may_write(
            locked=False,
            actor_party_id=who.party_id,
            framework_party_id=row.party_id,
        )
        keys, personal = _framework_keys(session, meeting)
        session.delete(row)
        if meeting.shown_framework_id == row.id:
            meeting.shown_framework_id = None
        change = commit_change(session, meeting, keys, personal)
        return {"id": row.id}, change

    return _as_actor(db, actor, meeting_id, client_id, "framework.delete", work)


def lock_frameworks(db: Database, *, user_id: int, meeting_id: str, client_id: str) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.frameworks_locked_at is not None:
            raise DomainError("framework.already_locked")
        count = session.scalar(
            select(func.count(FrameworkRow.id)).where(FrameworkRow.meeting_id == meeting_id)
        )
        if not count:
            raise DomainError("framework.none")
        meeting.frameworks_locked_at = utcnow()
        change = commit_change(
            session,
            meeting,
            {"frameworks", "framework_check", "meeting"},
            party_people(session, meeting_id),
        )
        return {"count": count}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "framework.lock", work)


def show_framework(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, framework_id: int | None
) -> Result:
    """The framework the beamer presents now (None: none)."""

    def work(session: Session, meeting: MeetingRow) -> Result:
        if framework_id is None:
            meeting.shown_framework_id = None
        else:
            if meeting.frameworks_locked_at is None:
                raise DomainError("framework.not_locked")
            meeting.shown_framework_id = _framework(session, meeting_id, framework_id).id
        change = commit_change(session, meeting, {"frameworks"})
        return {"shown_framework_id": meeting.shown_framework_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "framework.show", work)


# --------------------------------------------------------------------------- flags


def flag_proposal(
    db: Database,
    *,
    actor: Actor,
    meeting_id: str,
    client_id: str,
    proposal_id: int,
    framework_id: int,
    note: object,
) -> Result:
    def work(session: Session, meeting: MeetingRow, who: Who) -> Result:
        text = validate_flag(Phase(meeting.phase), note)
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.meeting_id != meeting_id:
            raise DomainError("proposal.unknown")
        if meeting.frameworks_locked_at is None:
            raise DomainError("framework.not_locked")
        framework = _framework(session, meeting_id, framework_id)
        flag = FrameworkFlag(
            meeting_id=meeting_id,
            proposal_id=proposal.id,
            framework_id=framework.id,
            note=text,
            participant_id=who.participant_id,
            user_id=who.user_id,
        )
        session.add(flag)
        session.flush()
        change = commit_change(session, meeting, {"framework_flags"})
        return {"id": flag.id}, change

    return _as_actor(db, actor, meeting_id, client_id, "framework.flag", work)


def clear_flag(
    db: Database, *, actor: Actor, meeting_id: str, client_id: str, flag_id: int
) -> Result:
    def work(session: Session, meeting: MeetingRow, who: Who) -> Result:
        flag = session.get(FrameworkFlag, flag_id)
        if flag is None or flag.meeting_id != meeting_id or flag.cleared_at is not None:
            raise DomainError("flag.unknown")
        if who.person is not None and flag.participant_id != who.person.id:
            raise DomainError("flag.not_own")
        flag.cleared_at = utcnow()
        change = commit_change(session, meeting, {"framework_flags"})
        return {"id": flag.id}, change

    return _as_actor(db, actor, meeting_id, client_id, "framework.unflag", work)


# --------------------------------------------------------------------------- the check


def load_check(session: Session, meeting: MeetingRow) -> FrameworkCheck:
    agreements = list(
        session.scalars(
            select(Agreement.id).where(Agreement.meeting_id == meeting.id).order_by(Agreement.id)
        )
    )
    frameworks = dict(
        session.execute(
            select(FrameworkRow.id, FrameworkRow.version).where(
                FrameworkRow.meeting_id == meeting.id
            )
        ).all()
    )
    entries = {
        (c.agreement_id, c.framework_id): CheckEntry(
            Verdict(c.verdict), c.explanation, c.framework_version
        )
        for c in session.scalars(
            select(FrameworkCheckRow).where(FrameworkCheckRow.meeting_id == meeting.id)
        )
    }
    return FrameworkCheck(
        plan_adopted=meeting.plan_adopted,
        phase=Phase(meeting.phase),
        agreements=agreements,
        frameworks=frameworks,
        entries=entries,
    )


def check_blocker(session: Session, meeting: MeetingRow) -> DomainError | None:
    """For the phase guard: why the framework check cannot be left yet."""
    check = load_check(session, meeting)
    followed = set(
        session.scalars(
            select(FollowUp.agreement_id).where(
                FollowUp.meeting_id == meeting.id, FollowUp.agreement_id.is_not(None)
            )
        )
    )
    titles = dict(
        session.execute(
            select(Agreement.id, Agreement.title).where(Agreement.meeting_id == meeting.id)
        ).all()
    )
    return check.exit_blocker({a for a in followed if a is not None}, titles)


def record_check(
    db: Database,
    *,
    actor: Actor,
    meeting_id: str,
    client_id: str,
    agreement_id: int,
    framework_id: int,
    verdict: object,
    explanation: object,
    seen_version: int | None = None,
) -> Result:
    def work(session: Session, meeting: MeetingRow, who: Who) -> Result:
        check = load_check(session, meeting)
        framework = session.get(FrameworkRow, framework_id)
        if framework is not None and framework.meeting_id == meeting_id:
            check_may_record(
                actor_party_id=who.party_id,
                framework_party_id=framework.party_id,
            )
        entry = check.record(agreement_id, framework_id, verdict, explanation)
        if seen_version is not None and seen_version != entry.framework_version:
            # The kader changed between reading it and answering: read it again.
            raise DomainError("check.kader_changed", version=entry.framework_version)
        row = session.scalar(
            select(FrameworkCheckRow).where(
                FrameworkCheckRow.agreement_id == agreement_id,
                FrameworkCheckRow.framework_id == framework_id,
            )
        )
        if row is None:
            row = FrameworkCheckRow(
                meeting_id=meeting_id, agreement_id=agreement_id, framework_id=framework_id
            )
            session.add(row)
        row.framework_version = entry.framework_version
        row.verdict, row.explanation = entry.verdict, entry.explanation
        row.participant_id, row.user_id = who.participant_id, who.user_id
        row.at = utcnow()
        change = commit_change(session, meeting, {"framework_check", "meeting"})
        return {
            "agreement_id": agreement_id,
            "framework_id": framework_id,
            "verdict": entry.verdict.value,
            "status": check.status().value,
        }, change

    return _as_actor(db, actor, meeting_id, client_id, "check.record", work)


def add_followup(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    client_id: str,
    agreement_id: int | None,
    what: object,
    who: object,
    when: object,
) -> Result:
    values = validate_followup(what, who, when)

    def work(session: Session, meeting: MeetingRow) -> Result:
        if meeting.phase != Phase.FRAMEWORK_CHECK:
            raise DomainError("followup.phase_closed")
        about = None
        if agreement_id is not None:
            agreement = session.get(Agreement, agreement_id)
            if agreement is None or agreement.meeting_id != meeting_id:
                raise DomainError("agreement.unknown")
            about = agreement.id
        row = FollowUp(
            meeting_id=meeting_id,
            agreement_id=about,
            what=values[0],
            who=values[1],
            when=values[2],
            user_id=user_id,
        )
        session.add(row)
        session.flush()
        change = commit_change(session, meeting, {"framework_check", "meeting"})
        return {"id": row.id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "followup.add", work)


def delete_followup(
    db: Database, *, user_id: int, meeting_id: str, client_id: str, followup_id: int
) -> Result:
    def work(session: Session, meeting: MeetingRow) -> Result:
        row = session.get(FollowUp, followup_id)
        if row is None or row.meeting_id != meeting_id:
            raise DomainError("followup.unknown")
        if meeting.phase != Phase.FRAMEWORK_CHECK:
            raise DomainError("followup.phase_closed")
        session.delete(row)
        change = commit_change(session, meeting, {"framework_check", "meeting"})
        return {"id": followup_id}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "followup.delete", work)
