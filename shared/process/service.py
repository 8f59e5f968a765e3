"""Use cases of the process before the day. Each is one short transaction; a form's
write id makes a repeated post count once. What reaches the meeting (the settled
statement and kaders, information items, invited people joining) is committed as a
change of the meeting, which the caller hands to the hub.

Privacy: conversation notes, contacts and the list of people are read only by
`overview` and `person_detail`, for the process's facilitators' pages; no view key, no
socket and no plan document reads them."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import (
    Change,
    can_facilitate,
    commit_change,
    form_once,
    load_for_update,
    sha256,
)
from shared.core.models import (
    AgreementUpdate,
    Assessment,
    ConsentAnswer,
    ConsentLog,
    ConsentRound,
    Contribution,
    CoreMember,
    Draft,
    DraftComment,
    DraftVersion,
    FrameworkFlag,
    FrameworkParty,
    InfoItem,
    InfoNeed,
    InfoNeedRaiser,
    Intent,
    InvolvedPerson,
    MeetingFacilitator,
    Participant,
    PartyDevice,
    PhaseTransition,
    PlanKey,
    PlanSignal,
    Preparation,
    Process,
    ProcessLog,
    Proposal,
    ProposalVersion,
    RecognitionAnswer,
    RecognitionCheck,
    Signature,
    User,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.domain import DomainError, Phase, Role
from shared.domain.meeting import NAME_MAX as DISPLAY_NAME_MAX
from shared.domain.process import (
    CONDITION_KEYS,
    CONDITIONS,
    NAME_MAX,
    NOTE_MAX,
    ORGANISATION_MAX,
    DraftKind,
    Facts,
    MemberRole,
    PersonStatus,
    State,
    Step,
    check_can_inform,
    check_can_invite,
    check_may_write_draft,
    check_purge,
    check_start,
    checklist,
    no_go_conditions,
    optional_block,
    optional_line,
    parse_kind,
    parse_state,
    parse_status,
    status_after_conversation,
    status_reason,
    validate_comment,
    validate_draft,
    validate_member,
    validate_need,
    validate_person,
    verdict,
)
from shared.kaders.service import settle_party_framework
from shared.meeting.service import join

# --------------------------------------------------------------------------- access


def process_of_meeting(db: Database, meeting_id: str) -> Process | None:
    with db.read() as session:
        return session.scalar(select(Process).where(Process.meeting_id == meeting_id))


def create_process(db: Database, user_id: int, meeting_id: str, kind: object) -> Process:
    chosen = parse_kind(kind)
    with db.transaction() as session:
        if not can_facilitate(session, user_id, meeting_id):
            raise DomainError("meeting.unknown")
        if session.scalar(select(Process.id).where(Process.meeting_id == meeting_id)):
            raise DomainError("process.exists")
        row = Process(meeting_id=meeting_id, kind=chosen, created_by=user_id)
        session.add(row)
        session.flush()
        _log(session, row, "process.created", user_id, kind=chosen.value)
        # The meeting's facilitators are the core group's first members.
        for uid, name in session.execute(
            select(User.id, User.name)
            .join(MeetingFacilitator, MeetingFacilitator.user_id == User.id)
            .where(MeetingFacilitator.meeting_id == meeting_id)
            .order_by(MeetingFacilitator.is_owner.desc(), User.name)
        ):
            session.add(
                CoreMember(process_id=row.id, role=MemberRole.FACILITATOR, name=name, user_id=uid)
            )
    return row


def _process(session: Session, process_id: int, *, write: bool = True) -> Process:
    row = session.get(Process, process_id, with_for_update=write)
    if row is None:
        raise DomainError("process.unknown")
    if write and row.purged_at is not None:
        raise DomainError("process.purged", date=row.purged_at.date().isoformat())
    return row


def _as_facilitator(
    session: Session, user_id: int, process_id: int, *, write: bool = True
) -> Process:
    row = _process(session, process_id, write=write)
    if not can_facilitate(session, user_id, row.meeting_id):
        raise DomainError("process.unknown")
    return row


def _once(
    session: Session, process: Process, actor: str, client_id: str | None, action: str
) -> bool:
    """Whether this write id was already carried out (a repeated post); else record it."""
    return form_once(session, process.meeting_id, actor, client_id, action)


def _log(
    session: Session, process: Process, action: str, user_id: int | None, **detail: Any
) -> None:
    session.add(ProcessLog(process_id=process.id, action=action, detail=detail, user_id=user_id))


def _meeting(session: Session, process: Process) -> MeetingRow:
    return load_for_update(session, process.meeting_id)


# --------------------------------------------------------------------------- the core group


@dataclass(frozen=True)
class MemberAccess:
    member: CoreMember
    process: Process
    meeting_title: str
    language: str


def add_member(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    role: object,
    name: object = "",
    organisation: object = "",
    member_user: object = None,
    client_id: str | None = None,
) -> str | None:
    """A member joins the core group: one of the meeting's facilitators (by account),
    or a framework party's representative, who gets a personal link (returned once)."""
    try:
        chosen = MemberRole(str(role))
    except ValueError:
        raise DomainError(
            "process.member_invalid", max=NAME_MAX, org_max=ORGANISATION_MAX
        ) from None
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        if _once(session, process, f"u:{user_id}", client_id, "core.add"):
            return None
        if chosen == MemberRole.FACILITATOR:
            uid = _int(member_user)
            if not uid or not can_facilitate(session, uid, process.meeting_id):
                raise DomainError("process.member_facilitator")
            user = session.get(User, uid)
            assert user is not None
            if session.scalar(
                select(CoreMember.id).where(
                    CoreMember.process_id == process.id, CoreMember.user_id == uid
                )
            ):
                raise DomainError("process.member_already", name=user.name)
            session.add(CoreMember(process_id=process.id, role=chosen, name=user.name, user_id=uid))
            _log(session, process, "core.added", user_id, role=chosen.value)
            return None
        clean_name, org = validate_member(name, chosen, organisation)
        key = secrets.token_urlsafe(24)
        session.add(
            CoreMember(
                process_id=process.id,
                role=chosen,
                name=clean_name,
                organisation=org,
                link_hash=sha256(key),
            )
        )
        _log(session, process, "core.added", user_id, role=chosen.value)
        return key


def renew_member_link(db: Database, *, user_id: int, process_id: int, member_id: int) -> str:
    """A new personal link for a representative; the old one stops working."""
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        member = _member(session, process, member_id)
        if member.role != MemberRole.PARTY:
            raise DomainError("process.member_invalid", max=NAME_MAX, org_max=ORGANISATION_MAX)
        key = secrets.token_urlsafe(24)
        member.link_hash = sha256(key)
        _log(session, process, "core.link_renewed", user_id, member=member.id)
        return key


def _member(session: Session, process: Process, member_id: object) -> CoreMember:
    member = session.get(CoreMember, _int(member_id))
    if member is None or member.process_id != process.id:
        raise DomainError("process.not_member")
    return member


def member_by_link(db: Database, key: str) -> MemberAccess | None:
    if not key or len(key) > 100:
        return None
    with db.read() as session:
        member = session.scalar(select(CoreMember).where(CoreMember.link_hash == sha256(key)))
        if member is None:
            return None
        process = session.get(Process, member.process_id)
        assert process is not None
        meeting = session.get(MeetingRow, process.meeting_id)
        assert meeting is not None
        return MemberAccess(member, process, meeting.title, meeting.language)


@dataclass(frozen=True)
class Author:
    """Who writes in the core group: a facilitator (``user_id``) or a member by link."""

    user_id: int | None = None
    member_id: int | None = None

    @property
    def actor(self) -> str:
        return f"u:{self.user_id}" if self.user_id is not None else f"m:{self.member_id}"


def _author_process(session: Session, author: Author, process_id: int) -> tuple[Process, bool]:
    """The process, and whether the author is one of its facilitators. A member of
    another process's core group is refused."""
    process = _process(session, process_id)
    if author.user_id is not None:
        if not can_facilitate(session, author.user_id, process.meeting_id):
            raise DomainError("process.unknown")
        return process, True
    member = session.get(CoreMember, author.member_id or 0)
    if member is None or member.process_id != process.id:
        raise DomainError("process.not_member")
    return process, False


def _draft(session: Session, process: Process, draft_id: object) -> Draft:
    draft = session.get(Draft, _int(draft_id))
    if draft is None:
        raise DomainError("process.draft_unknown")
    if draft.process_id != process.id:
        raise DomainError("process.not_member")
    return draft


def add_draft(
    db: Database,
    *,
    author: Author,
    process_id: int,
    kind: object,
    title: object,
    text: object,
    party_member: object = None,
    client_id: str | None = None,
) -> int | None:
    """A new draft (the issue statement, or a party's kader), as its version 1."""
    try:
        chosen = DraftKind(str(kind))
    except ValueError:
        raise DomainError("process.draft_unknown") from None
    clean_title, clean_text = validate_draft(title, text, chosen)
    with db.transaction() as session:
        process, is_facilitator = _author_process(session, author, process_id)
        if _once(session, process, author.actor, client_id, "draft.add"):
            return None
        member_id: int | None = None
        if chosen == DraftKind.FRAMEWORK:
            member_id = author.member_id if not is_facilitator else _int(party_member)
            member = session.get(CoreMember, member_id or 0)
            if member is None or member.process_id != process.id:
                raise DomainError("process.party_required")
            if member.role != MemberRole.PARTY:
                raise DomainError("process.party_required")
        check_may_write_draft(
            chosen,
            is_facilitator=is_facilitator,
            member_id=author.member_id,
            draft_member_id=member_id,
        )
        draft = Draft(process_id=process.id, kind=chosen, member_id=member_id, version=0)
        session.add(draft)
        session.flush()
        _new_version(session, draft, clean_title, clean_text, author)
        return draft.id


def add_draft_version(
    db: Database,
    *,
    author: Author,
    process_id: int,
    draft_id: object,
    title: object,
    text: object,
    client_id: str | None = None,
) -> int | None:
    with db.transaction() as session:
        process, is_facilitator = _author_process(session, author, process_id)
        draft = _draft(session, process, draft_id)
        clean_title, clean_text = validate_draft(title, text, draft.kind)
        if _once(session, process, author.actor, client_id, "draft.version"):
            return None
        check_may_write_draft(
            draft.kind,
            is_facilitator=is_facilitator,
            member_id=author.member_id,
            draft_member_id=draft.member_id,
        )
        _new_version(session, draft, clean_title, clean_text, author)
        return draft.version


def _new_version(session: Session, draft: Draft, title: str, text: str, author: Author) -> None:
    draft.version += 1
    session.add(
        DraftVersion(
            draft_id=draft.id,
            number=draft.version,
            title=title,
            text=text,
            user_id=author.user_id,
            member_id=author.member_id,
        )
    )


def comment_on_draft(
    db: Database,
    *,
    author: Author,
    process_id: int,
    draft_id: object,
    text: object,
    client_id: str | None = None,
) -> None:
    clean = validate_comment(text)
    with db.transaction() as session:
        process, _is_facilitator = _author_process(session, author, process_id)
        draft = _draft(session, process, draft_id)
        if _once(session, process, author.actor, client_id, "draft.comment"):
            return
        session.add(
            DraftComment(
                draft_id=draft.id,
                version=draft.version,
                text=clean,
                user_id=author.user_id,
                member_id=author.member_id,
            )
        )


def settle_draft(
    db: Database, *, user_id: int, process_id: int, draft_id: object, number: object
) -> Change | None:
    """The core group settled this version: the statement becomes the meeting's issue
    statement, a kader its party's kader in the meeting. Only before the meeting starts."""
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        draft = _draft(session, process, draft_id)
        version = session.scalar(
            select(DraftVersion).where(
                DraftVersion.draft_id == draft.id, DraftVersion.number == _int(number)
            )
        )
        if version is None:
            raise DomainError("process.draft_version_unknown", number=_int(number))
        meeting = _meeting(session, process)
        started = session.scalar(
            select(PhaseTransition.id).where(PhaseTransition.meeting_id == meeting.id).limit(1)
        )
        if meeting.phase != Phase.WELCOME or started is not None:
            # Once the room has met, its statement and kaders change only in the meeting
            # (a revision, a new kader version), where the record keeps every version.
            raise DomainError("process.meeting_started")
        if draft.kind == DraftKind.STATEMENT:
            # One statement reaches the meeting: settling another draft replaces it.
            for other in session.scalars(
                select(Draft).where(
                    Draft.process_id == process.id,
                    Draft.kind == DraftKind.STATEMENT,
                    Draft.id != draft.id,
                )
            ):
                other.settled_version = other.settled_at = other.settled_by = None
            meeting.issue_statement = version.text
            keys, personal = {"meeting"}, set[int]()
        else:
            member = session.get(CoreMember, draft.member_id or 0)
            if member is None:
                raise DomainError("process.not_member")
            framework_id, keys, personal = settle_party_framework(
                session,
                meeting,
                party_name=member.organisation,
                framework_id=draft.framework_id,
                title=version.title,
                description=version.text,
                user_id=user_id,
            )
            draft.framework_id = framework_id
        draft.settled_version = version.number
        draft.settled_at = utcnow()
        draft.settled_by = user_id
        _log(session, process, "draft.settled", user_id, draft=draft.id, version=version.number)
        return commit_change(session, meeting, keys, personal)


# --------------------------------------------------------------------------- everyone involved


def _person(session: Session, process: Process, person_id: object) -> InvolvedPerson:
    person = session.get(InvolvedPerson, _int(person_id))
    if person is None or person.process_id != process.id:
        raise DomainError("process.person_unknown")
    return person


def save_person(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    person_id: object = None,
    fields: dict[str, object],
    client_id: str | None = None,
) -> int | None:
    """Add someone to reach, or change their details."""
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        meeting = session.get(MeetingRow, process.meeting_id)
        assert meeting is not None
        clean = validate_person(
            name=fields.get("name"),
            group=fields.get("group"),
            groups=list(meeting.groups),
            organisation=fields.get("organisation"),
            contact=fields.get("contact"),
            contact_by=fields.get("contact_by"),
            language=fields.get("language"),
        )
        if person_id in (None, ""):
            if _once(session, process, f"u:{user_id}", client_id, "person.add"):
                return None
            person = InvolvedPerson(process_id=process.id)
            session.add(person)
        else:
            person = _person(session, process, person_id)
        person.name, person.group = clean.name, clean.group
        person.organisation, person.contact = clean.organisation, clean.contact
        person.contact_by, person.language = clean.contact_by, clean.language
        session.flush()
        return person.id


def set_status(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    person_id: object,
    status: object,
    reason: object = "",
) -> Change | None:
    new = parse_status(status)
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        person = _person(session, process, person_id)
        _apply_status(session, process, person, new, status_reason(new, reason), user_id)
        return _room_sees(session, process, person)


def _room_sees(session: Session, process: Process, person: InvolvedPerson) -> Change | None:
    """What the room shows of this person (the items they inform, their role) follows a
    new status or a new consent to be named: a change of the meeting, or None."""
    keys = _refresh_informant(session, process, person)
    if not keys:
        return None
    return commit_change(session, _meeting(session, process), keys)


def _apply_status(
    session: Session,
    process: Process,
    person: InvolvedPerson,
    new: PersonStatus,
    reason: str,
    user_id: int | None,
) -> None:
    if (person.status, person.status_reason) == (new, reason):
        return
    old = person.status
    person.status, person.status_reason = new, reason
    if new in (PersonStatus.NOT_SAFE, PersonStatus.WILL_NOT_TAKE_PART) and person.invite_key:
        # Someone it is not safe to bring, or who said no: their invitation stops working
        # at once (a new one can be made if that changes).
        person.invite_key = None
        person.device_hash = None
        _log(session, process, "invitation.withdrawn", user_id, person=person.id)
    _log(session, process, "person.status", user_id, person=person.id, old=old.value, new=new.value)


def record_conversation(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    person_id: object,
    held_on: object,
    held_by: object,
    concerns: object,
    needs_to_know: object,
    agrees_to_take_part: bool | None,
    agrees_to_be_named: bool | None,
    today: date | None = None,
    client_id: str | None = None,
) -> Change | None:
    """A preparation conversation, planned (a date ahead) or held; the person's status
    follows from it."""
    try:
        day = date.fromisoformat(str(held_on).strip())
    except ValueError:
        raise DomainError("process.conversation_invalid") from None
    by = optional_line(held_by, "held_by", 120)
    if not by:
        raise DomainError("process.conversation_invalid")
    clean_concerns = optional_block(concerns, "concerns", NOTE_MAX)
    clean_needs = optional_block(needs_to_know, "needs_to_know", NOTE_MAX)
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        person = _person(session, process, person_id)
        if _once(session, process, f"u:{user_id}", client_id, "conversation.add"):
            return None
        session.add(
            Preparation(
                person_id=person.id,
                held_on=day,
                held_by=by,
                concerns=clean_concerns,
                needs_to_know=clean_needs,
                agrees_to_take_part=agrees_to_take_part,
                agrees_to_be_named=agrees_to_be_named,
                user_id=user_id,
            )
        )
        new = status_after_conversation(
            person.status, day, today or date.today(), agrees_to_take_part
        )
        reason = person.status_reason if new == PersonStatus.WILL_NOT_TAKE_PART else ""
        _apply_status(session, process, person, new, reason, user_id)
        _log(session, process, "conversation.recorded", user_id, person=person.id)
        session.flush()
        return _room_sees(session, process, person)


# --------------------------------------------------------------------------- information needs


def add_need(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    title: object,
    text: object,
    raised_by: Iterable[object] = (),
    client_id: str | None = None,
) -> int | None:
    clean_title, clean_text = validate_need(title, text)
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        if _once(session, process, f"u:{user_id}", client_id, "need.add"):
            return None
        people = {_person(session, process, pid).id for pid in raised_by}
        need = InfoNeed(process_id=process.id, title=clean_title, text=clean_text)
        session.add(need)
        session.flush()
        for pid in sorted(people):
            session.add(InfoNeedRaiser(need_id=need.id, person_id=pid))
        return need.id


def update_need(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    need_id: object,
    raised_by: Iterable[object],
    informant: object,
) -> Change | None:
    """Who raised the need and who brings it, saved together (one refusal saves
    nothing). With an informant the need becomes an information item of the meeting
    (framing), named after its informant if they agreed to be named; an informant must
    be on the list, and someone marked not safe or not taking part is refused. No
    informant (``""``): the item stays, unnamed."""
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        need = _need(session, process, need_id)
        people = {_person(session, process, pid).id for pid in raised_by}
        person: InvolvedPerson | None = None
        if str(informant or "").strip():
            person = session.get(InvolvedPerson, _int(informant))
            if person is None or person.process_id != process.id:
                raise DomainError("process.informant_not_listed")
            check_can_inform(person.name, person.status)
        session.execute(delete(InfoNeedRaiser).where(InfoNeedRaiser.need_id == need.id))
        for pid in sorted(people):
            session.add(InfoNeedRaiser(need_id=need.id, person_id=pid))
        if person is None and need.informant_id is None:
            return None
        meeting = _meeting(session, process)
        previous = session.get(InvolvedPerson, need.informant_id or 0)
        need.informant_id = None if person is None else person.id
        item = session.get(InfoItem, need.info_item_id or 0)
        if item is None:
            item = InfoItem(meeting_id=meeting.id, title=need.title, text=need.text)
            session.add(item)
        item.title, item.text = need.title, need.text
        session.flush()
        need.info_item_id = item.id
        keys = {"info"}
        for who in {previous, person} - {None}:
            assert who is not None
            keys |= _refresh_informant(session, process, who)
        _log(
            session,
            process,
            "need.informant",
            user_id,
            need=need.id,
            person=None if person is None else person.id,
        )
        return commit_change(session, meeting, keys)


def _need(session: Session, process: Process, need_id: object) -> InfoNeed:
    need = session.get(InfoNeed, _int(need_id))
    if need is None or need.process_id != process.id:
        raise DomainError("process.need_unknown")
    return need


def _named(session: Session, person: InvolvedPerson) -> bool:
    """Whether the person agreed to be named, in their latest conversation held."""
    agreed = session.scalar(
        select(Preparation.agrees_to_be_named)
        .where(Preparation.person_id == person.id, Preparation.held_on <= date.today())
        .order_by(Preparation.held_on.desc(), Preparation.id.desc())
        .limit(1)
    )
    return bool(agreed)


def _refresh_informant(session: Session, process: Process, person: InvolvedPerson) -> set[str]:
    """The items this person informs, and their role in the room, as their status and
    their consent to be named now say: someone marked not safe or not taking part no
    longer informs; a name shows only with consent. Returns the keys that changed."""
    keys: set[str] = set()
    if person.status in (PersonStatus.NOT_SAFE, PersonStatus.WILL_NOT_TAKE_PART):
        for need in session.scalars(select(InfoNeed).where(InfoNeed.informant_id == person.id)):
            need.informant_id = None
    session.flush()
    needs = list(session.scalars(select(InfoNeed).where(InfoNeed.informant_id == person.id)))
    # Every item of the process is named after its own need's informant (by id, never
    # by name: two people may share one), as that informant's consent now says.
    for need in session.scalars(
        select(InfoNeed).where(
            InfoNeed.process_id == process.id, InfoNeed.info_item_id.is_not(None)
        )
    ):
        item = session.get(InfoItem, need.info_item_id or 0)
        informant = session.get(InvolvedPerson, need.informant_id or 0)
        want = informant.name if informant is not None and _named(session, informant) else ""
        if item is not None and item.informant != want:
            item.informant = want
            keys.add("info")
    participant = session.get(Participant, person.participant_id or 0)
    if participant is not None:
        role = participant.role
        if needs and role == Role.PARTICIPANT:
            participant.role = Role.INFORMANT
        elif not needs and role == Role.INFORMANT:
            participant.role = Role.PARTICIPANT
        if participant.role != role:
            keys |= {f"participant:{participant.id}", "counts"}
    return keys


# --------------------------------------------------------------------------- invitations


def invite(
    db: Database, *, user_id: int, process_id: int, person_ids: Iterable[object]
) -> list[int]:
    """Personal invitations: each person gets a link and QR code of their own (kept
    when they had one). Everyone is checked first: one refusal invites nobody."""
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        people = [_person(session, process, pid) for pid in person_ids]
        for person in people:
            check_can_invite(person.name, person.status)
        for person in people:
            if person.invite_key is None:
                person.invite_key = secrets.token_urlsafe(18)
            person.invited_at = person.invited_at or utcnow()
            _log(session, process, "invitation.made", user_id, person=person.id)
        return [p.id for p in people]


def renew_invitation(db: Database, *, user_id: int, process_id: int, person_id: object) -> None:
    """A new personal link (a lost letter, a lost phone, a letter someone else used):
    the old one stops working, and the phone it was used on is no longer bound to it,
    so the new link works on a new phone. (The participant that phone was stays in the
    meeting: the console removes it if it should not be there.)"""
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        person = _person(session, process, person_id)
        check_can_invite(person.name, person.status)
        person.invite_key = secrets.token_urlsafe(18)
        person.invited_at = utcnow()
        person.device_hash = None
        _log(session, process, "invitation.renewed", user_id, person=person.id)


@dataclass(frozen=True)
class Invitation:
    person: InvolvedPerson
    meeting: MeetingRow
    role: Role


def invitation(db: Database, key: str) -> Invitation | None:
    if not key or len(key) > 100:
        return None
    with db.read() as session:
        person = session.scalar(select(InvolvedPerson).where(InvolvedPerson.invite_key == key))
        if person is None:
            return None
        process = session.get(Process, person.process_id)
        assert process is not None
        if process.purged_at is not None:
            return None
        meeting = session.get(MeetingRow, process.meeting_id)
        assert meeting is not None
        informs = session.scalar(
            select(func.count(InfoNeed.id)).where(InfoNeed.informant_id == person.id)
        )
        return Invitation(person, meeting, Role.INFORMANT if informs else Role.PARTICIPANT)


def accept_invitation(
    db: Database, key: str, device_token: str
) -> tuple[Participant | Any, list[Change]]:
    """The invited person's phone joins the meeting with their name and group (and as an
    informant when they bring information). One invitation, one phone: the first phone
    claims it (one conditional statement, so two phones scanning at once cannot both
    win); the same phone again is the same participant; another phone is refused (the
    facilitators can renew the link). A phone already in the meeting as someone else is
    refused too: an invitation never renames a person."""
    found = invitation(db, key)
    if found is None:
        raise DomainError("process.invitation_invalid")
    person, meeting = found.person, found.meeting
    device = sha256(device_token)
    with db.read() as session:
        mine = session.scalar(
            select(Participant).where(
                Participant.meeting_id == meeting.id, Participant.device_hash == device
            )
        )
    if mine is not None and mine.id != person.participant_id:
        raise DomainError("process.invitation_this_device", name=mine.name)
    try:
        with db.transaction() as session:
            claimed = _claim(session, person.id, key, device)
    except IntegrityError:
        # this phone holds another invitation of this process (two letters at once)
        raise DomainError("process.invitation_this_device", name=person.name) from None
    if not claimed:
        if invitation(db, key) is None:
            raise DomainError("process.invitation_invalid")
        raise DomainError("process.invitation_other_device")
    try:
        joined = join(
            db,
            meeting_id=meeting.id,
            device_token=device_token,
            name=person.name[:DISPLAY_NAME_MAX],
            group=person.group,
            language=person.language,  # the language of their letter is their screen's
        )
    except DomainError:
        _release(db, person.id, device)  # e.g. the meeting has ended: the claim goes too
        raise
    changes = [c for c in (joined.change,) if c is not None]
    participant_id = joined.participant.id
    with db.transaction() as session:
        row = session.get(InvolvedPerson, person.id, with_for_update=True)
        meeting_row = load_for_update(session, meeting.id)
        participant = session.get(Participant, participant_id)
        assert participant is not None
        if row is None or row.invite_key != key or row.device_hash != device:
            # renewed or withdrawn meanwhile: the phone that joined under their name
            # does not stay in the room as them
            if joined.new:
                participant.removed_at = utcnow()
                changes.append(
                    commit_change(
                        session,
                        meeting_row,
                        {f"participant:{participant_id}", "counts"},
                        evicted={participant_id},
                    )
                )
            refused = DomainError("process.invitation_invalid")
        else:
            refused = None
        keys: set[str] = set()
        if refused is None and row is not None and row.participant_id != participant_id:
            row.participant_id = participant_id
            process = session.get(Process, row.process_id)
            assert process is not None
            _log(session, process, "invitation.used", None, person=row.id)
        if (
            refused is None
            and found.role == Role.INFORMANT
            and participant.role == Role.PARTICIPANT
        ):
            participant.role = Role.INFORMANT
            keys |= {f"participant:{participant_id}", "counts"}
        if keys:
            changes.append(commit_change(session, meeting_row, keys, {participant_id}))
        session.flush()
        session.expunge(participant)
    if refused is not None:
        raise RefusedAfterChange(refused, changes)
    return participant, changes


class RefusedAfterChange(DomainError):
    """A refusal that still changed the room (a phone taken out again): the caller hands
    ``changes`` to the hub, then shows the refusal."""

    def __init__(self, error: DomainError, changes: list[Change]) -> None:
        super().__init__(error.code, None, **error.params)
        self.changes = changes


def _claim(session: Session, person_id: int, key: str, device: str) -> bool:
    """One conditional statement: the invitation becomes this phone's, unless another
    phone has it."""
    return bool(
        session.execute(
            update(InvolvedPerson)
            .where(
                InvolvedPerson.id == person_id,
                InvolvedPerson.invite_key == key,
                (InvolvedPerson.device_hash.is_(None)) | (InvolvedPerson.device_hash == device),
            )
            .values(device_hash=device)
        ).rowcount  # type: ignore[attr-defined]
    )


def _release(db: Database, person_id: int, device: str) -> None:
    with db.transaction() as session:
        session.execute(
            update(InvolvedPerson)
            .where(
                InvolvedPerson.id == person_id,
                InvolvedPerson.device_hash == device,
                InvolvedPerson.participant_id.is_(None),
            )
            .values(device_hash=None)
        )


# --------------------------------------------------------------------------- the go/no-go


def current_states(
    session: Session, process_id: int, until: datetime | None = None
) -> dict[str, Assessment]:
    """The latest judgement per condition (as it stood at ``until``, when given)."""
    query = select(Assessment).where(Assessment.process_id == process_id)
    if until is not None:
        query = query.where(Assessment.at <= until)
    return {row.key: row for row in session.scalars(query.order_by(Assessment.id))}


def assess(
    db: Database,
    *,
    user_id: int,
    process_id: int,
    entries: Mapping[str, tuple[object, object]],
) -> int:
    """Judgements on the conditions and principles; only changed ones are stored, so
    the history says who changed what and when. Returns how many changed."""
    parsed = []
    for key, (state, note) in entries.items():
        k, s = parse_state(key, state)
        parsed.append((k, s, optional_block(note, "note", 2000)))
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        latest = current_states(session, process.id)
        changed = 0
        for key, state, note in parsed:
            before = latest.get(key)
            if before is None and state == State.UNKNOWN and not note:
                continue
            if before is not None and (before.state, before.note) == (state, note):
                continue
            session.add(
                Assessment(process_id=process.id, key=key, state=state, note=note, user_id=user_id)
            )
            changed += 1
        if changed:
            _log(session, process, "go_no_go.assessed", user_id, changed=changed)
        return changed


def start_guard(user_id: int, confirmed: bool) -> Callable[[Session, MeetingRow], None]:
    """For the phase move out of the welcome: a meeting whose process has a no-go
    condition marked starts only when the facilitator confirmed it, and the record
    says so."""

    def guard(session: Session, meeting: MeetingRow) -> None:
        process = session.scalar(select(Process).where(Process.meeting_id == meeting.id))
        if process is None:
            return
        states = {k: a.state for k, a in current_states(session, process.id).items()}
        despite = check_start(states, confirmed=confirmed)
        if process.start_verdict is None:
            # the first start is what the record keeps (a step back and forward is not
            # a new start)
            process.start_verdict = verdict(states).value
        if despite:
            process.started_despite_no_go_at = utcnow()
            process.started_despite_no_go_by = user_id
            _log(session, process, "go_no_go.started_despite", user_id)

    return guard


@dataclass(frozen=True)
class StartSummary:
    """What the console shows of the preparation before the meeting starts."""

    verdict: str
    no_go: list[str]
    principles_not_met: list[str]
    invited: int
    came: int


def settled_statement(db: Database, meeting_id: str) -> str | None:
    """The issue statement the meeting's core group settled, if it did."""
    with db.read() as session:
        return session.scalar(
            select(DraftVersion.text)
            .join(Draft, Draft.id == DraftVersion.draft_id)
            .join(Process, Process.id == Draft.process_id)
            .where(
                Process.meeting_id == meeting_id,
                Draft.kind == DraftKind.STATEMENT,
                DraftVersion.number == Draft.settled_version,
            )
            .limit(1)
        )


def start_summary(db: Database, meeting_id: str) -> StartSummary | None:
    with db.read() as session:
        process = session.scalar(select(Process).where(Process.meeting_id == meeting_id))
        if process is None:
            return None
        states = {k: a.state for k, a in current_states(session, process.id).items()}
        invited = select(InvolvedPerson).where(
            InvolvedPerson.process_id == process.id, InvolvedPerson.invite_key.is_not(None)
        )
        came = session.scalar(
            select(func.count(InvolvedPerson.id))
            .join(Participant, Participant.id == InvolvedPerson.participant_id)
            .where(InvolvedPerson.process_id == process.id, Participant.removed_at.is_(None))
        )
        return StartSummary(
            verdict(states).value,
            [condition_label(k) for k in no_go_conditions(states)],
            [
                c.label
                for c in CONDITIONS
                if c.kind == "principle" and states.get(c.key) == State.NOT_MET
            ],
            session.scalar(select(func.count()).select_from(invited.subquery())) or 0,
            came or 0,
        )


def assessment_record(session: Session, meeting_id: str) -> dict[str, Any] | None:
    """What the plan document says of the go/no-go: that it was made, when, its outcome
    and whether the meeting started despite a no-go; never its notes."""
    process = session.scalar(select(Process).where(Process.meeting_id == meeting_id))
    if process is None:
        return None
    # The assessment as it stood when the meeting started: judgements made after the
    # start do not rewrite why it started.
    first_start = session.scalar(
        select(func.min(PhaseTransition.at)).where(PhaseTransition.meeting_id == meeting_id)
    )
    before = list(current_states(session, process.id, until=first_start).values())
    if not before:
        return None  # assessed only after the start
    states = {a.key: a.state for a in before}
    return {
        "assessed_at": max(a.at for a in before).date().isoformat(),
        "verdict": process.start_verdict or verdict(states).value,
        "started_despite_no_go": process.started_despite_no_go_at is not None,
    }


# --------------------------------------------------------------------------- retention


def set_purge_date(db: Database, *, user_id: int, process_id: int, day: object) -> None:
    try:
        chosen = date.fromisoformat(str(day).strip()) if str(day or "").strip() else None
    except ValueError:
        raise DomainError("process.purge_date_invalid") from None
    with db.transaction() as session:
        process = _as_facilitator(session, user_id, process_id)
        meeting = session.get(MeetingRow, process.meeting_id)
        assert meeting is not None
        if chosen is not None and meeting.date is not None and chosen < meeting.date:
            # a purge date before the day would wipe a meeting that has not happened
            raise DomainError("process.purge_before_meeting", date=meeting.date.isoformat())
        process.purge_after = chosen
        _log(
            session, process, "retention.date", user_id, date=chosen.isoformat() if chosen else None
        )


def _running(session: Session, meeting: MeetingRow, today: date) -> bool:
    """Whether a purge would hit a meeting that is not over: one under way (or stepped
    back to its welcome), or one still to come (today included)."""
    if meeting.phase == Phase.CLOSED:
        return False
    started = session.scalar(
        select(PhaseTransition.id).where(PhaseTransition.meeting_id == meeting.id).limit(1)
    )
    never_held = meeting.phase == Phase.WELCOME and started is None
    return not (never_held and meeting.date is not None and meeting.date < today)


def purge(
    db: Database,
    *,
    user_id: int | None,
    process_id: int,
    typed_title: object,
    today: date | None = None,
) -> Change | None:
    """Everything but the sealed plan goes, irreversibly: the list of people and their
    conversations, needs, drafts and comments, the go/no-go notes, the room's
    contributions, recognition comments, the texts of concerns and objections, the
    proposals and agreements (their words are in the sealed plan), the names people
    joined with and signed with, and every personal link and the beamer link into the
    meeting. Kept: the sealed plan (and the drawn signatures it refers to), the
    meeting's title, issue statement and open question, and the kaders (the framework
    parties' published limits). The purge is logged.
    ``user_id`` None: the command line (which confirms by its date)."""
    with db.transaction() as session:
        process = _process(session, process_id)
        if user_id is not None and not can_facilitate(session, user_id, process.meeting_id):
            raise DomainError("process.unknown")
        meeting = _meeting(session, process)
        check_purge(
            purge_after=process.purge_after,
            today=today or date.today(),
            running=_running(session, meeting, today or date.today()),
            typed_title=meeting.title if user_id is None else typed_title,
            title=meeting.title,
        )
        return _purge(session, process, meeting, user_id)


def _purge(session: Session, process: Process, meeting: MeetingRow, user_id: int | None) -> Change:
    people = select(InvolvedPerson.id).where(InvolvedPerson.process_id == process.id)
    needs = select(InfoNeed.id).where(InfoNeed.process_id == process.id)
    drafts = select(Draft.id).where(Draft.process_id == process.id)
    counts = {
        "conversations": session.scalar(
            select(func.count(Preparation.id)).where(Preparation.person_id.in_(people))
        )
        or 0,
        "people": session.scalar(select(func.count()).select_from(people.subquery())) or 0,
    }
    session.execute(delete(InfoNeedRaiser).where(InfoNeedRaiser.need_id.in_(needs)))
    session.execute(delete(Preparation).where(Preparation.person_id.in_(people)))
    session.execute(delete(InfoNeed).where(InfoNeed.process_id == process.id))
    session.execute(delete(InvolvedPerson).where(InvolvedPerson.process_id == process.id))
    session.execute(delete(DraftComment).where(DraftComment.draft_id.in_(drafts)))
    session.execute(delete(DraftVersion).where(DraftVersion.draft_id.in_(drafts)))
    session.execute(delete(Draft).where(Draft.process_id == process.id))
    session.execute(update(Assessment).where(Assessment.process_id == process.id).values(note=""))
    # The core group's names go, and with them every personal link into the meeting.
    session.execute(
        update(CoreMember)
        .where(CoreMember.process_id == process.id)
        .values(link_hash=None, name="—")
    )
    for party in session.scalars(
        select(FrameworkParty).where(FrameworkParty.meeting_id == meeting.id)
    ):
        party.invite_key = secrets.token_urlsafe(24)
    session.execute(
        delete(PartyDevice).where(
            PartyDevice.party_id.in_(
                select(FrameworkParty.id).where(FrameworkParty.meeting_id == meeting.id)
            )
        )
    )
    meeting.beamer_key = secrets.token_urlsafe(24)
    session.execute(update(InfoItem).where(InfoItem.meeting_id == meeting.id).values(informant=""))
    # The room's words: kept only as far as the sealed plan holds them.
    session.execute(
        update(Contribution).where(Contribution.meeting_id == meeting.id).values(text="")
    )
    rounds = select(ConsentRound.id).where(ConsentRound.meeting_id == meeting.id)
    session.execute(update(ConsentAnswer).where(ConsentAnswer.round_id.in_(rounds)).values(text=""))
    session.execute(update(ConsentLog).where(ConsentLog.round_id.in_(rounds)).values(text=""))
    checks = select(RecognitionCheck.id).where(RecognitionCheck.meeting_id == meeting.id)
    session.execute(
        update(RecognitionAnswer).where(RecognitionAnswer.check_id.in_(checks)).values(comment="")
    )
    # What the room wrote and decided: the sealed plan holds it (the proposals the rounds
    # asked about, the agreements, the follow-ups, the flags' notes).
    proposals = select(Proposal.id).where(Proposal.meeting_id == meeting.id)
    blank = {"title": "—", "description": "", "what": "", "who": "", "where": "", "when": ""}
    session.execute(
        update(Proposal)
        .where(Proposal.meeting_id == meeting.id)
        .values(**blank, withdraw_reason="")
    )
    session.execute(
        update(ProposalVersion).where(ProposalVersion.proposal_id.in_(proposals)).values(fields={})
    )
    session.execute(
        update(ConsentRound).where(ConsentRound.meeting_id == meeting.id).values(subject=None)
    )
    # (The plan itself, its agreements and follow-ups, stays as adopted: it is the sealed
    # plan's own words, and the closed meeting's signing tally checks signatures on it.)
    session.execute(
        update(FrameworkFlag).where(FrameworkFlag.meeting_id == meeting.id).values(note="")
    )
    # Who was in the room: their names stay only in the sealed plan (its signers; the
    # drawn signatures it refers to by hash stay for its documents).
    session.execute(
        update(Participant)
        .where(Participant.meeting_id == meeting.id)
        .values(name="—", name_key="")
    )
    session.execute(
        update(Signature).where(Signature.meeting_id == meeting.id).values(name="—", reason="")
    )
    # After the day: the reasons people gave, the notes of status updates, personal links
    # (the statuses and the published plan, fixed when published, stay).
    session.execute(
        update(PlanSignal).where(PlanSignal.meeting_id == meeting.id).values(reason="—")
    )
    session.execute(
        update(AgreementUpdate).where(AgreementUpdate.meeting_id == meeting.id).values(note="")
    )
    session.execute(
        delete(PlanKey).where(
            PlanKey.participant_id.in_(
                select(Participant.id).where(Participant.meeting_id == meeting.id)
            )
        )
    )
    # Stored results of writes can echo what was typed.
    session.execute(delete(Intent).where(Intent.meeting_id == meeting.id))
    process.purged_at = utcnow()
    _log(session, process, "purged", user_id, **counts)
    # Whatever a screen still shows of those words: every client takes a new snapshot.
    change = commit_change(session, meeting, {"meeting"})
    change.resync = True
    return change


def due_for_purge(db: Database, day: date) -> list[tuple[int, str]]:
    """``plandag purge --before DATE``: the processes not purged yet whose chosen purge
    date lies before ``day`` (and has come). Returns (process id, meeting title)."""
    today = date.today()
    with db.read() as session:
        return [
            (process_id, title)
            for process_id, title in session.execute(
                select(Process.id, MeetingRow.title)
                .join(MeetingRow, MeetingRow.id == Process.meeting_id)
                .where(
                    Process.purged_at.is_(None),
                    Process.purge_after.is_not(None),
                    Process.purge_after < day,
                    Process.purge_after <= today,
                )
                .order_by(Process.id)
            )
        ]


# --------------------------------------------------------------------------- reading


@dataclass
class DraftView:
    draft: Draft
    versions: list[DraftVersion]
    comments: list[DraftComment]
    party: CoreMember | None

    def settled_text(self) -> str | None:
        for v in self.versions:
            if v.number == self.draft.settled_version:
                return v.text
        return None


@dataclass
class PersonView:
    person: InvolvedPerson
    conversations: int
    #: the last conversation held (None: none held yet, perhaps one planned)
    last_held_on: date | None
    informant_of: list[str]
    came: bool


@dataclass
class Overview:
    process: Process
    meeting: MeetingRow
    members: list[CoreMember]
    drafts: list[DraftView]
    people: list[PersonView]
    needs: list[tuple[InfoNeed, list[int], InvolvedPerson | None]]
    assessment: dict[str, Assessment]
    history: list[Assessment]
    log: list[ProcessLog]
    authors: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    team: list[tuple[int, str]] = field(default_factory=list)

    def verdict(self) -> str:
        return verdict({k: a.state for k, a in self.assessment.items()}).value


def overview(db: Database, user_id: int, process_id: int) -> Overview:
    """Everything the process's page shows. For its facilitators only."""
    with db.read() as session:
        process = _as_facilitator(session, user_id, process_id, write=False)
        meeting = session.get(MeetingRow, process.meeting_id)
        assert meeting is not None
        members = list(
            session.scalars(
                select(CoreMember)
                .where(CoreMember.process_id == process.id)
                .order_by(CoreMember.id)
            )
        )
        drafts = _drafts(session, process, members)
        people_rows = list(
            session.scalars(
                select(InvolvedPerson)
                .where(InvolvedPerson.process_id == process.id)
                .order_by(InvolvedPerson.name, InvolvedPerson.id)
            )
        )
        conversations: dict[int, tuple[int, date | None]] = {
            pid: (n, last)
            for pid, n, last in session.execute(
                select(
                    Preparation.person_id,
                    func.count(Preparation.id),
                    # the last one held (not one planned ahead)
                    func.max(case((Preparation.held_on <= date.today(), Preparation.held_on))),
                )
                .where(Preparation.person_id.in_([p.id for p in people_rows]))
                .group_by(Preparation.person_id)
            )
        }
        need_rows = list(
            session.scalars(
                select(InfoNeed).where(InfoNeed.process_id == process.id).order_by(InfoNeed.id)
            )
        )
        raisers: dict[int, list[int]] = {}
        for need_id, pid in session.execute(
            select(InfoNeedRaiser.need_id, InfoNeedRaiser.person_id).where(
                InfoNeedRaiser.need_id.in_([n.id for n in need_rows])
            )
        ):
            raisers.setdefault(need_id, []).append(pid)
        by_id = {p.id: p for p in people_rows}
        informs: dict[int, list[str]] = {}
        for need in need_rows:
            if need.informant_id is not None:
                informs.setdefault(need.informant_id, []).append(need.title)
        joined = {
            pid
            for (pid,) in session.execute(
                select(Participant.id).where(
                    Participant.meeting_id == meeting.id, Participant.removed_at.is_(None)
                )
            )
        }
        people = [
            PersonView(
                p,
                conversations.get(p.id, (0, None))[0],
                conversations.get(p.id, (0, None))[1],
                informs.get(p.id, []),
                p.participant_id in joined,
            )
            for p in people_rows
        ]
        history = list(
            session.scalars(
                select(Assessment)
                .where(Assessment.process_id == process.id)
                .order_by(Assessment.id.desc())
            )
        )
        latest = current_states(session, process.id)
        log = list(
            session.scalars(
                select(ProcessLog)
                .where(ProcessLog.process_id == process.id)
                .order_by(ProcessLog.id.desc())
                .limit(200)
            )
        )
        team = list(
            session.execute(
                select(User.id, User.name)
                .join(MeetingFacilitator, MeetingFacilitator.user_id == User.id)
                .where(MeetingFacilitator.meeting_id == meeting.id)
            ).tuples()
        )
        named = {a.user_id for a in history} | {e.user_id for e in log}
        authors = _authors(session, members, drafts, named)
        view = Overview(
            process,
            meeting,
            members,
            drafts,
            people,
            [(n, raisers.get(n.id, []), by_id.get(n.informant_id or 0)) for n in need_rows],
            latest,
            history,
            log,
            authors,
            team=team,
        )
        view.steps = checklist(process.kind, _facts(view))
        return view


def _authors(
    session: Session,
    members: list[CoreMember],
    drafts: list[DraftView],
    user_ids: set[int | None],
) -> dict[str, str]:
    """The names a page shows as authors ("u:<user id>", "m:<member id>"): the
    facilitators it names (drafts, comments, ``user_ids``) and the core group."""
    ids = set(user_ids)
    for d in drafts:
        ids |= {v.user_id for v in d.versions} | {c.user_id for c in d.comments}
    ids.discard(None)
    authors = {
        f"u:{uid}": name
        for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    }
    return authors | {f"m:{m.id}": _member_label(m) for m in members}


def _member_label(member: CoreMember) -> str:
    return f"{member.name} ({member.organisation})" if member.organisation else member.name


def _drafts(session: Session, process: Process, members: list[CoreMember]) -> list[DraftView]:
    rows = list(
        session.scalars(select(Draft).where(Draft.process_id == process.id).order_by(Draft.id))
    )
    ids = [d.id for d in rows]
    versions: dict[int, list[DraftVersion]] = {}
    for v in session.scalars(
        select(DraftVersion).where(DraftVersion.draft_id.in_(ids)).order_by(DraftVersion.number)
    ):
        versions.setdefault(v.draft_id, []).append(v)
    comments: dict[int, list[DraftComment]] = {}
    for c in session.scalars(
        select(DraftComment).where(DraftComment.draft_id.in_(ids)).order_by(DraftComment.id)
    ):
        comments.setdefault(c.draft_id, []).append(c)
    by_id = {m.id: m for m in members}
    return [
        DraftView(d, versions.get(d.id, []), comments.get(d.id, []), by_id.get(d.member_id or 0))
        for d in rows
    ]


def _facts(view: Overview) -> Facts:
    statements = [d for d in view.drafts if d.draft.kind == DraftKind.STATEMENT]
    kaders = [d for d in view.drafts if d.draft.kind == DraftKind.FRAMEWORK]
    # taking part: said so, or invited (and not since marked not safe or not coming)
    taking = [
        p
        for p in view.people
        if p.person.status == PersonStatus.WILL_TAKE_PART
        or (p.person.invited_at and p.person.invite_key)
    ]
    held = [p for p in taking if p.last_held_on is not None]
    coordinator = view.assessment.get("independent_coordinator")
    return Facts(
        facilitator_members=sum(1 for m in view.members if m.role == MemberRole.FACILITATOR),
        party_members=sum(1 for m in view.members if m.role == MemberRole.PARTY),
        # settled, and still what the meeting has (the meeting's form can change it)
        statement_settled=any(d.settled_text() == view.meeting.issue_statement for d in statements),
        statement_drafts=sum(len(d.versions) for d in statements),
        kaders_settled=sum(1 for d in kaders if d.draft.settled_version),
        kaders_unsettled=sum(1 for d in kaders if d.draft.settled_version != d.draft.version),
        people=len(view.people),
        to_contact=sum(1 for p in view.people if p.person.status == PersonStatus.TO_CONTACT),
        taking_part=len(taking),
        prepared=len(held),
        needs=len(view.needs),
        needs_with_informant=sum(1 for _n, _r, informant in view.needs if informant is not None),
        to_invite=len(taking),
        invited=sum(1 for p in taking if p.person.invite_key),
        came=sum(1 for p in view.people if p.came),
        open_question=bool(view.meeting.open_question.strip()),
        coordinator=coordinator is not None and coordinator.state == State.MET,
        verdict=verdict({k: a.state for k, a in view.assessment.items()}),
    )


@dataclass
class PersonDetail:
    person: InvolvedPerson
    conversations: list[Preparation]
    needs: list[InfoNeed]


def person_detail(db: Database, user_id: int, process_id: int, person_id: object) -> PersonDetail:
    """One person with their conversations: the notes, for the facilitators only."""
    with db.read() as session:
        process = _as_facilitator(session, user_id, process_id, write=False)
        person = _person(session, process, person_id)
        conversations = list(
            session.scalars(
                select(Preparation)
                .where(Preparation.person_id == person.id)
                .order_by(Preparation.held_on.desc(), Preparation.id.desc())
            )
        )
        needs = list(
            session.scalars(
                select(InfoNeed)
                .join(InfoNeedRaiser, InfoNeedRaiser.need_id == InfoNeed.id)
                .where(InfoNeedRaiser.person_id == person.id)
                .order_by(InfoNeed.id)
            )
        )
        return PersonDetail(person, conversations, needs)


@dataclass
class CoreView:
    access: MemberAccess
    drafts: list[DraftView]
    authors: dict[str, str]


def core_view(db: Database, access: MemberAccess) -> CoreView:
    """What a core-group member sees through their link: the drafts and comments; no
    list of people, no conversation."""
    with db.read() as session:
        process = session.get(Process, access.process.id)
        assert process is not None
        members = list(
            session.scalars(select(CoreMember).where(CoreMember.process_id == process.id))
        )
        drafts = _drafts(session, process, members)
        return CoreView(access, drafts, _authors(session, members, drafts, set()))


def letters(
    db: Database, user_id: int, process_id: int, person_ids: Iterable[object]
) -> tuple[MeetingRow, list[InvolvedPerson]]:
    """The invited people whose letters are printed (all invited ones when none given)."""
    with db.read() as session:
        process = _as_facilitator(session, user_id, process_id, write=False)
        meeting = session.get(MeetingRow, process.meeting_id)
        assert meeting is not None
        query = select(InvolvedPerson).where(
            InvolvedPerson.process_id == process.id, InvolvedPerson.invite_key.is_not(None)
        )
        wanted = [_int(p) for p in person_ids]
        if wanted:
            query = query.where(InvolvedPerson.id.in_(wanted))
        return meeting, list(session.scalars(query.order_by(InvolvedPerson.name)))


def condition_label(key: str) -> str:
    condition = CONDITION_KEYS.get(key)
    return condition.label if condition is not None else key


#: the largest id a database stores (SQLite and PostgreSQL BIGINT)
_ID_MAX = 2**63 - 1


def _int(value: object) -> int:
    """An id from a form or an address: 0 (found nowhere) unless a whole number that a
    database can hold, so a huge or odd one is a clean refusal, not a crash."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return 0
    number = int(text)
    return number if 0 < number <= _ID_MAX else 0
