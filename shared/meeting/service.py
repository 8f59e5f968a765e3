"""Use cases of the meeting itself: preparing it, moving through the phases, the timer, the
beamer link, joining, roles and removal.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.core.db import Database
from shared.core.intents import (
    Change,
    Result,
    can_facilitate,
    commit_change,
    facilitator_intent,
    load_for_update,
    load_participant,
    require_facilitator,
    run_intent,
    sha256,
)
from shared.core.models import (
    Contribution,
    FrameworkParty,
    InvolvedPerson,
    MeetingClock,
    MeetingFacilitator,
    Participant,
    PartyDevice,
    PhaseTransition,
    Process,
    RecognitionCheck,
    Signature,
    SpeakRequest,
    StatementVersion,
    User,
    WorkTable,
    utcnow,
)
from shared.core.models import Framework as FrameworkRow
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow
from shared.domain import DomainError, Meeting, MeetingDetails, Phase, Role
from shared.domain.frameworks import DeviceStatus
from shared.domain.meeting import (
    new_join_code,
    screen_language,
    validate_display_name,
    validate_page_seconds,
    validate_role,
)
from shared.domain.speaking import RequestStatus
from shared.domain.tables import Strategy
from shared.domain.wording import name_key


def to_domain(row: MeetingRow, session: Session | None = None) -> Meeting:
    """The meeting as the phase guards see it. With a session, the framework check's state
    is read too (needed only to leave that phase)."""
    check_blocker = None
    kaders_unlocked = False
    if session is not None and row.phase == Phase.FRAMEWORK_CHECK:
        from shared.kaders.service import check_blocker as find_blocker

        check_blocker = find_blocker(session, row)
    if session is not None and row.frameworks_locked_at is None:
        count = session.scalar(
            select(func.count(FrameworkRow.id)).where(FrameworkRow.meeting_id == row.id)
        )
        kaders_unlocked = bool(count)
    return Meeting(
        phases=tuple(Phase(p) for p in row.phases),
        phase=Phase(row.phase),
        open_question=row.open_question,
        issue_statement=row.issue_statement,
        groups=tuple(row.groups),
        phase_started_at=row.phase_started_at,
        timebox_seconds=row.timebox_seconds,
        consent_round_open=row.consent_round_open,
        plan_adopted=row.plan_adopted,
        check_blocker=check_blocker,
        signing_closed=row.signing_closed_at is not None,
        kaders_unlocked=kaders_unlocked,
    )


def create_meeting(
    db: Database,
    user_id: int,
    details: MeetingDetails,
    fill: Callable[[Session, MeetingRow], None] | None = None,
) -> MeetingRow:
    """A new meeting in its welcome phase, with ``user_id`` as its owner. ``fill`` adds
    what it starts with (a meeting made from a plan), in the same transaction."""
    for _ in range(10):
        try:
            with db.transaction() as session:
                row = MeetingRow(
                    id=secrets.token_urlsafe(16),
                    join_code=new_join_code(),
                    beamer_key=secrets.token_urlsafe(24),
                    phase=Phase.WELCOME,
                    **_details_columns(details),
                )
                session.add(row)
                session.flush()
                session.add(MeetingClock(meeting_id=row.id, version=1))
                session.add(MeetingFacilitator(meeting_id=row.id, user_id=user_id, is_owner=True))
                if fill is not None:
                    fill(session, row)
            return row
        except IntegrityError:
            continue  # join code collision: draw another
    raise DomainError("server.error")


def _details_columns(details: MeetingDetails) -> dict[str, Any]:
    return {
        "title": details.title,
        "template": details.template.value,
        "phases": [p.value for p in details.phases],
        "groups": list(details.groups),
        "open_question": details.open_question,
        "issue_statement": details.issue_statement,
        "place": details.place,
        "date": details.date,
        "language": details.language,
    }


def update_meeting(db: Database, user_id: int, meeting_id: str, details: MeetingDetails) -> Change:
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        columns = _details_columns(details)
        if row.phase != Phase.WELCOME and (
            columns["phases"] != row.phases or columns["template"] != row.template
        ):
            raise DomainError("meeting.template_locked")
        if row.signing_closed_at is not None and columns["language"] != row.language:
            raise DomainError("meeting.language_locked")  # the sealed plan keeps its words
        renames = _group_renames(list(row.groups), columns["groups"])
        removed = set(row.groups) - set(columns["groups"]) - set(renames)
        in_use = session.scalar(
            select(func.count(Participant.id)).where(
                Participant.meeting_id == meeting_id,
                Participant.group.in_(removed),
                Participant.removed_at.is_(None),
            )
        )
        # People invited (or on the list) before the day join with their group too.
        listed = select(InvolvedPerson).where(
            InvolvedPerson.process_id.in_(
                select(Process.id).where(Process.meeting_id == meeting_id)
            )
        )
        if in_use or session.scalar(
            select(func.count()).select_from(
                listed.where(InvolvedPerson.group.in_(removed)).subquery()
            )
        ):
            raise DomainError("meeting.group_in_use")
        keys = {"meeting", "counts"}
        for person in session.scalars(listed.where(InvolvedPerson.group.in_(list(renames)))):
            person.group = renames[person.group]
        for old_name, new_name in renames.items():
            moved = session.scalars(
                select(Participant).where(
                    Participant.meeting_id == meeting_id, Participant.group == old_name
                )
            )
            for p in moved:
                p.group = new_name
                keys.add(f"participant:{p.id}")
        if columns["issue_statement"] != row.issue_statement:
            keys |= _new_statement_version(session, row, columns["issue_statement"], user_id)
        for key, value in columns.items():
            setattr(row, key, value)
        return commit_change(session, row, keys)


def _new_statement_version(session: Session, row: MeetingRow, text: str, user_id: int) -> set[str]:
    """Editing the statement on the form is a revision too, once the room has been asked
    about it: record the new version and end the check about the old words."""
    latest = session.scalar(
        select(func.max(StatementVersion.number)).where(StatementVersion.meeting_id == row.id)
    )
    if latest is None:
        return set()
    session.add(StatementVersion(meeting_id=row.id, number=latest + 1, text=text, user_id=user_id))
    check = session.get(RecognitionCheck, row.recognition_id or 0)
    if check is not None and check.closed_at is None:
        check.closed_at = utcnow()
    return {"recognition", "recognition_tally"}


def _group_renames(old: list[str], new: list[str]) -> dict[str, str]:
    """Groups edited in place: the same number of lines, and a line whose old name is
    gone and whose new name is new. Participants in it move with the rename."""
    if len(old) != len(new):
        return {}
    return {o: n for o, n in zip(old, new, strict=True) if o != n and o not in new and n not in old}


def list_meetings(db: Database, user_id: int) -> list[MeetingRow]:
    with db.read() as session:
        return list(
            session.scalars(
                select(MeetingRow)
                .join(MeetingFacilitator, MeetingFacilitator.meeting_id == MeetingRow.id)
                .where(MeetingFacilitator.user_id == user_id)
                .order_by(MeetingRow.date.desc().nulls_last(), MeetingRow.created_at.desc())
            )
        )


def get_meeting_for_facilitator(db: Database, user_id: int, meeting_id: str) -> MeetingRow:
    with db.read() as session:
        require_facilitator(session, user_id, meeting_id)
        row = session.get(MeetingRow, meeting_id)
        assert row is not None
        return row


class AtVersion(NamedTuple):
    """A meeting's row (detached, read only) as it was at ``version``."""

    row: MeetingRow
    version: int


#: join code -> the meeting's row as last read. A thousand phones open the page and
#: join within a minute; every change to a meeting raises its version, so a row whose
#: version is still the stored one is still the stored row.
_BY_CODE: dict[str, AtVersion] = {}


def meeting_by_code(db: Database, code: str) -> AtVersion | None:
    with db.read() as session:
        found = session.execute(
            select(MeetingRow.id, MeetingClock.version)
            .join(MeetingClock, MeetingClock.meeting_id == MeetingRow.id)
            .where(MeetingRow.join_code == code)
        ).first()
        if found is None:
            return None
        held = _BY_CODE.get(code)
        if held is not None and (held.row.id, held.version) == tuple(found):
            return held
        row = session.get(MeetingRow, found.id)
        if row is None:
            return None
        if len(_BY_CODE) >= 256:
            _BY_CODE.clear()
        at = _BY_CODE[code] = AtVersion(row, int(found.version))
        return at


def participant_by_code(db: Database, code: str, device_token: str) -> Participant | None:
    """Who a device is in the meeting with this join code, in one read (a phone's socket
    connects with the code: a thousand at once)."""
    with db.read() as session:
        meeting_id = session.scalar(select(MeetingRow.id).where(MeetingRow.join_code == code))
        return None if meeting_id is None else _by_device(session, meeting_id, device_token)


def meeting_by_id(db: Database, meeting_id: str) -> MeetingRow | None:
    with db.read() as session:
        return session.get(MeetingRow, meeting_id)


def facilitators_of(db: Database, meeting_id: str) -> list[tuple[User, bool]]:
    with db.read() as session:
        rows = session.execute(
            select(User, MeetingFacilitator.is_owner)
            .join(MeetingFacilitator, MeetingFacilitator.user_id == User.id)
            .where(MeetingFacilitator.meeting_id == meeting_id)
            .order_by(MeetingFacilitator.is_owner.desc(), User.name)
        ).all()
        return [(u, bool(owner)) for u, owner in rows]


def add_cofacilitator(db: Database, user_id: int, meeting_id: str, email: str) -> User:
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        email = email.strip().lower()
        other = session.scalar(select(User).where(User.email == email))
        if other is None:
            raise DomainError("user.unknown", email=email[:254])
        if can_facilitate(session, other.id, meeting_id):
            raise DomainError("facilitator.already", email=email)
        session.add(MeetingFacilitator(meeting_id=meeting_id, user_id=other.id, is_owner=False))
    return other


def renew_beamer_key(db: Database, user_id: int, meeting_id: str) -> Change:
    with db.transaction() as session:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        row.beamer_key = secrets.token_urlsafe(24)
        return commit_change(session, row, {"access"})


def check_beamer_key(db: Database, meeting_id: str, key: str) -> MeetingRow:
    row = meeting_by_id(db, meeting_id)
    if row is None or not secrets.compare_digest(row.beamer_key.encode(), key.encode()):
        raise DomainError("auth.beamer_key_invalid")
    return row


def move_phase(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    direction: str,
    expected: str | None,
    client_id: str | None,
    now: datetime | None = None,
    on_start: Callable[[Session, MeetingRow], None] | None = None,
) -> tuple[dict[str, Any], Change | None]:
    """``on_start`` runs in the transaction when the meeting leaves the welcome (the
    process's go/no-go, which may refuse)."""

    def work(session: Session) -> tuple[dict[str, Any], Change | None]:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        meeting = to_domain(row, session)
        if on_start is not None and direction == "advance" and row.phase == Phase.WELCOME:
            on_start(session, row)
        at = now or utcnow()
        try:
            exp = Phase(expected) if expected else None
        except ValueError:
            raise DomainError("payload.invalid", detail="'from' is not a phase") from None
        event = meeting.advance(at, exp) if direction == "advance" else meeting.step_back(at, exp)
        row.phase = meeting.phase
        row.phase_started_at = meeting.phase_started_at
        row.timebox_seconds = meeting.timebox_seconds
        session.add(
            PhaseTransition(
                meeting_id=meeting_id,
                from_phase=event.from_phase,
                to_phase=event.to_phase,
                at=at,
                user_id=user_id,
            )
        )
        # The check and signing views depend on the phase (who may act, what counts).
        keys = {"meeting"}
        if Phase.FRAMEWORK_CHECK in (event.from_phase, event.to_phase):
            keys.add("framework_check")
        personal: set[int] = set()
        if Phase.SIGNING in (event.from_phase, event.to_phase):
            keys |= {"signing", "signing_tally"}
            # Whoever answered already sees whether the plan changed since (sign again).
            personal = set(
                session.scalars(
                    select(Signature.participant_id).where(Signature.meeting_id == meeting_id)
                )
            )
        change = commit_change(session, row, keys, personal)
        return {"phase": row.phase}, change

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action=f"phase.{direction}",
        work=work,
    )


def set_timer(
    db: Database, *, user_id: int, meeting_id: str, minutes: int | None, client_id: str | None
) -> tuple[dict[str, Any], Change | None]:
    def work(session: Session) -> tuple[dict[str, Any], Change | None]:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        meeting = to_domain(row)
        event = meeting.set_timebox(minutes, utcnow())
        row.timebox_seconds = event.timebox_seconds
        row.phase_started_at = event.started_at
        change = commit_change(session, row, {"meeting"})
        return {"timebox_seconds": row.timebox_seconds}, change

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action="timer.set",
        work=work,
    )


def set_beamer_pace(
    db: Database, *, user_id: int, meeting_id: str, seconds: object, client_id: str
) -> Result:
    """How long each page of long content (the plan, a long proposal) stays on the
    beamer before the next one."""
    chosen = validate_page_seconds(seconds)

    def work(session: Session, row: MeetingRow) -> Result:
        row.beamer_page_seconds = chosen
        change = commit_change(session, row, {"meeting"})
        return {"seconds": chosen}, change

    return facilitator_intent(db, user_id, meeting_id, client_id, "beamer.pace", work)


def phase_history(db: Database, meeting_id: str) -> list[PhaseTransition]:
    with db.read() as session:
        return list(
            session.scalars(
                select(PhaseTransition)
                .where(PhaseTransition.meeting_id == meeting_id)
                .order_by(PhaseTransition.id)
            )
        )


def participant_by_device(db: Database, meeting_id: str, device_token: str) -> Participant | None:
    with db.read() as session:
        return _by_device(session, meeting_id, device_token)


def _by_device(session: Session, meeting_id: str, device_token: str) -> Participant | None:
    device_hash = sha256(device_token)
    person = session.scalar(
        select(Participant).where(
            Participant.meeting_id == meeting_id, Participant.device_hash == device_hash
        )
    )
    if person is not None:
        return person
    # A second device the facilitator allowed for a framework party's personal link
    # acts as the party's representative.
    pid = session.scalar(
        select(FrameworkParty.participant_id)
        .join(PartyDevice, PartyDevice.party_id == FrameworkParty.id)
        .where(
            FrameworkParty.meeting_id == meeting_id,
            PartyDevice.device_hash == device_hash,
            PartyDevice.status == DeviceStatus.APPROVED,
        )
    )
    return None if pid is None else session.get(Participant, pid)


_PARTICIPANTS = cast(Table, Participant.__table__)
_ADD_PARTICIPANT = insert(_PARTICIPANTS).returning(_PARTICIPANTS.c.id)


class Joined(NamedTuple):
    #: the phone joining again (its object) or a new person (their columns)
    participant: Participant | PersonRow
    change: Change | None
    #: a new person (not the same phone joining again): what a join budget counts
    new: bool


def join(
    db: Database,
    *,
    meeting_id: str,
    device_token: str,
    name: object,
    group: object,
    language: object = "",
) -> Joined:
    """Admit a phone. The device cookie makes it idempotent: the same phone joining
    again (a retry, a reload) is the same participant, with its name, group and screen
    language updated. Committed with the meeting's other writes of the moment (a room
    joins at once)."""
    clean_name = validate_display_name(name)
    clean_language = screen_language(language)

    def work(session: Session) -> Result:
        row = load_for_update(session, meeting_id)
        meeting = to_domain(row)
        chosen_group = meeting.validate_group(group)
        existing = session.scalar(
            select(Participant).where(
                Participant.meeting_id == meeting_id,
                Participant.device_hash == sha256(device_token),
            )
        )
        if existing is not None:
            if existing.removed_at is not None:
                raise DomainError("participant.removed")
            language_changed = bool(clean_language) and clean_language != existing.language
            if language_changed:
                existing.language = clean_language
            if (existing.name, existing.group) == (clean_name, chosen_group):
                keys = {f"participant:{existing.id}", "counts"} if language_changed else None
                change = commit_change(session, row, keys) if keys else None
                return {"participant": existing, "new": False}, change
            old_name = existing.name
            existing.name, existing.group = clean_name, chosen_group
            existing.name_key = name_key(clean_name)
            # Every view that shows this person changes (cards, queue, tallies, tables),
            # and with namesakes, every view that shows them.
            keys = _appearance_keys(session, [existing.id])
            keys |= _namesake_keys(session, meeting_id, existing.id, {clean_name, old_name})
            if language_changed:
                keys |= {f"participant:{existing.id}", "counts"}
            change = commit_change(session, row, keys, {existing.id})
            return {"participant": existing, "new": False}, change
        meeting.check_can_join()
        keys = {"counts"}
        table_id = None
        if row.tables_active and row.table_strategy in (Strategy.MIXED, Strategy.RANDOM):
            # Late for the split: a seat at the smallest table, so they can take part.
            sizes = session.execute(
                select(WorkTable.id, func.count(Participant.id))
                .outerjoin(
                    Participant,
                    (Participant.table_id == WorkTable.id) & Participant.removed_at.is_(None),
                )
                .where(WorkTable.meeting_id == meeting_id, WorkTable.active.is_(True))
                .group_by(WorkTable.id)
                .order_by(func.count(Participant.id), WorkTable.id)
            ).first()
            if sizes is not None:
                table_id = sizes[0]
                keys.add("tables")
        # A statement, not an object: a room of a thousand joins within a minute.
        new_id = session.execute(
            _ADD_PARTICIPANT,
            {
                "meeting_id": meeting_id,
                "device_hash": sha256(device_token),
                "name": clean_name,
                "name_key": name_key(clean_name),
                "group": chosen_group,
                "table_id": table_id,
                "language": clean_language,
            },
        ).scalar_one()
        keys.add(f"participant:{new_id}")
        keys |= _namesake_keys(session, meeting_id, new_id, {clean_name})
        if row.phase == Phase.SIGNING:
            keys.add("signing_tally")  # one more person who can sign
        person = PersonRow(
            new_id, meeting_id, clean_name, chosen_group, Role.PARTICIPANT, None, table_id
        )
        return {"participant": person, "new": True}, commit_change(session, row, keys)

    result, change = run_intent(
        db,
        meeting_id=meeting_id,
        actor="join",
        client_id=None,
        action="join",
        work=work,
        alone=False,  # a thousand phones join beside each other
    )
    return Joined(result["participant"], change, result["new"])


def _namesake_keys(session: Session, meeting_id: str, me: int, names: set[str]) -> set[str]:
    """Someone joined as (or renamed to or from) a name others in the meeting have:
    everyone shown under that name is told apart ("Fatima (Bewoners)") or no longer needs
    to be, so every view that shows them changes."""
    ids = list(
        session.scalars(
            select(Participant.id).where(
                Participant.meeting_id == meeting_id,
                Participant.name_key.in_([name_key(n) for n in names]),
            )
        )
    )
    if not set(ids) - {me}:
        return set()
    return _appearance_keys(session, ids)


def _appearance_keys(session: Session, ids: list[int]) -> set[str]:
    """Every view that shows these people by name or group."""
    keys = {f"participant:{pid}" for pid in ids}
    for cid in session.scalars(select(Contribution.id).where(Contribution.participant_id.in_(ids))):
        keys |= {f"contribution:{cid}", f"card:{cid}"}
    return keys | {
        "queue",
        "round",
        "consent_tally",
        "signing_tally",
        "tables",
        "recognition_tally",
        "counts",
    }


def remove_participant(
    db: Database, *, user_id: int, meeting_id: str, participant_id: int, client_id: str | None
) -> tuple[dict[str, Any], Change | None]:
    def work(session: Session) -> tuple[dict[str, Any], Change | None]:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        p = load_participant(session, meeting_id, participant_id)
        if p.removed_at is None:
            p.removed_at = utcnow()
        # Whoever was removed leaves the speaking queue; the people behind move up.
        waiting = list(
            session.scalars(
                select(SpeakRequest).where(
                    SpeakRequest.meeting_id == meeting_id,
                    SpeakRequest.status.in_([RequestStatus.WAITING, RequestStatus.SPEAKING]),
                )
            )
        )
        for request in waiting:
            if request.participant_id == p.id:
                request.status, request.finished_at = RequestStatus.CANCELLED, utcnow()
        personal = {p.id} | {r.participant_id for r in waiting}
        change = commit_change(
            session,
            row,
            {
                f"participant:{p.id}",
                "counts",
                "queue",
                "round",
                "ranking",
                "tables",
                "consent_tally",
                "signing_tally",
            },
            personal,
            {p.id},
        )
        return {"participant_id": p.id}, change

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action="participant.remove",
        work=work,
    )


def set_participant_role(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    participant_id: int,
    role: object,
    client_id: str | None,
) -> tuple[dict[str, Any], Change | None]:
    new_role = validate_role(role)

    def work(session: Session) -> tuple[dict[str, Any], Change | None]:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        p = load_participant(session, meeting_id, participant_id)
        p.role = new_role
        change = commit_change(
            session,
            row,
            {f"participant:{p.id}", "counts", "ranking", "tables", "signing_tally"},
            {p.id},
        )
        return {"participant_id": p.id, "role": p.role}, change

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action="participant.set_role",
        work=work,
    )
