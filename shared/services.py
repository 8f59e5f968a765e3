"""Use cases: load, call the domain, commit, return what changed.

Each function is one short transaction with no emit or network call inside. It returns
a ``Change`` (meeting, new version, touched view keys) that the caller hands to the hub
*after* the commit, and after the client's ack.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .audiences import audiences_for
from .db import Database
from .domain import DomainError, Meeting, MeetingDetails, Phase
from .domain.meeting import (
    new_join_code,
    validate_display_name,
    validate_page_seconds,
    validate_role,
)
from .domain.wording import name_key
from .errors import ProtocolError
from .models import (
    Connection,
    Contribution,
    FrameworkParty,
    Intent,
    LoginToken,
    MeetingFacilitator,
    Participant,
    PartyDevice,
    PhaseTransition,
    RecognitionCheck,
    Signature,
    SpeakRequest,
    StatementVersion,
    User,
    Worker,
    WorkTable,
    utcnow,
)
from .models import Framework as FrameworkRow
from .models import Meeting as MeetingRow

PASSWORD_MIN = 10
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_LINK_TTL = timedelta(hours=24)
STALE_WORKER = timedelta(seconds=45)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Change:
    """What a committed intent changed, for the hub: which views to refresh."""

    meeting_id: str
    version: int
    #: view keys whose content changed, e.g. "meeting", "participant:12", "counts"
    keys: set[str] = field(default_factory=set)
    #: participants whose own view ("you") changed
    personal: set[int] = field(default_factory=set)
    #: participants who lost access (removed): their sockets are closed
    evicted: set[int] = field(default_factory=set)
    #: per audience, the version of the change before this one that it saw
    since: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers


def to_domain(row: MeetingRow, session: Session | None = None) -> Meeting:
    """The meeting as the phase guards see it. With a session, the framework check's state
    is read too (needed only to leave that phase)."""
    check_blocker = None
    kaders_unlocked = False
    if session is not None and row.phase == Phase.FRAMEWORK_CHECK.value:
        from .frameworks import check_blocker as find_blocker  # a cycle at import time

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


def commit_change(
    session: Session,
    meeting: MeetingRow,
    keys: set[str],
    personal: Iterable[int] = (),
    evicted: Iterable[int] = (),
) -> Change:
    """Give this change the meeting's next version and record, per audience that sees
    it, which version it follows."""
    meeting.version += 1
    seen = dict(meeting.audience_versions or {})
    since = {}
    for audience in audiences_for(keys):
        since[audience] = int(seen.get(audience, 0))
        seen[audience] = meeting.version
    meeting.audience_versions = seen
    session.flush()
    return Change(meeting.id, meeting.version, set(keys), set(personal), set(evicted), since)


def load_for_update(session: Session, meeting_id: str) -> MeetingRow:
    row = session.scalar(select(MeetingRow).where(MeetingRow.id == meeting_id).with_for_update())
    if row is None:
        raise ProtocolError("meeting.unknown")
    return row


def can_facilitate(session: Session, user_id: int, meeting_id: str) -> bool:
    return (
        session.scalar(
            select(MeetingFacilitator.user_id).where(
                MeetingFacilitator.meeting_id == meeting_id,
                MeetingFacilitator.user_id == user_id,
            )
        )
        is not None
    )


def require_facilitator(session: Session, user_id: int, meeting_id: str) -> None:
    # Unknown and foreign meetings look the same: ids are not confirmed to outsiders.
    if not can_facilitate(session, user_id, meeting_id):
        raise ProtocolError("meeting.unknown")


def run_intent(
    db: Database,
    *,
    meeting_id: str,
    actor: str,
    client_id: str | None,
    action: str,
    work: Callable[[Session], tuple[dict[str, Any], Change | None]],
) -> tuple[dict[str, Any], Change | None]:
    """Carry out a client write once per client-made id. A retry of a write that was
    already committed returns the stored result and changes nothing. A refused write
    is not stored: a retry is judged afresh."""
    for attempt in range(2):
        try:
            with db.transaction() as session:
                if client_id is not None:
                    done = session.scalar(
                        select(Intent).where(Intent.actor == actor, Intent.client_id == client_id)
                    )
                    if done is not None:
                        if done.action != action or done.meeting_id != meeting_id:
                            raise ProtocolError("payload.client_id_reused")
                        return {**done.result, "duplicate": True}, None
                result, change = work(session)
                if client_id is not None:
                    session.add(
                        Intent(
                            meeting_id=meeting_id,
                            actor=actor,
                            client_id=client_id,
                            action=action,
                            result=result,
                        )
                    )
            return result, change
        except IntegrityError:
            # The same id committed concurrently by another worker: read its result.
            if attempt or client_id is None:
                raise
    raise AssertionError("unreachable")


Result = tuple[dict[str, Any], Change | None]
Work = Callable[[Session, MeetingRow], Result]


def facilitator_intent(
    db: Database, user_id: int, meeting_id: str, client_id: str, action: str, work: Work
) -> Result:
    def run(session: Session) -> Result:
        require_facilitator(session, user_id, meeting_id)
        return work(session, load_for_update(session, meeting_id))

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action=action,
        work=run,
    )


def participant_intent(
    db: Database,
    participant_id: int,
    meeting_id: str,
    client_id: str,
    action: str,
    work: Callable[[Session, MeetingRow, Participant], Result],
) -> Result:
    def run(session: Session) -> Result:
        row = load_for_update(session, meeting_id)
        person = load_participant(session, meeting_id, participant_id)
        if person.removed_at is not None:
            raise DomainError("participant.removed")
        return work(session, row, person)

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"p:{participant_id}",
        client_id=client_id,
        action=action,
        work=run,
    )


# --------------------------------------------------------------------------- accounts


def user_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count(User.id))) or 0


def validate_new_user(email: str, name: str, password: str) -> tuple[str, str]:
    email = email.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise ProtocolError("user.email_invalid")
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise ProtocolError("user.name_invalid")
    if len(password) < PASSWORD_MIN:
        raise ProtocolError("user.password_too_short", min=PASSWORD_MIN)
    return email, name


def add_user(db: Database, email: str, name: str, password: str) -> User:
    email, name = validate_new_user(email, name, password)
    with db.transaction() as session:
        if session.scalar(select(User).where(User.email == email)) is not None:
            raise ProtocolError("user.email_taken")
        user = User(email=email, name=name, password_hash=generate_password_hash(password))
        session.add(user)
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("plandag timing equaliser")


def authenticate(
    db: Database,
    email: str,
    password: str,
    run: Callable[..., Any] = lambda fn, *args: fn(*args),
) -> User:
    """Check a login. ``run`` carries the password hash (about 0.1 s of CPU) off the
    event loop, so logging in does not freeze every phone in the room."""
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        # Same work either way, so timing does not reveal which e-mail addresses exist.
        run(check_password_hash, _dummy_hash(), password)
        raise ProtocolError("auth.login_failed")
    if not run(check_password_hash, user.password_hash, password):
        raise ProtocolError("auth.login_failed")
    return user


def get_user(db: Database, user_id: int) -> User | None:
    with db.read() as session:
        return session.get(User, user_id)


def end_sessions(db: Database, user_id: int) -> int:
    """Every session of this facilitator ends: its cookies (copies too) are refused from
    now on. Returns the new epoch, for a session that should carry on."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            return 0
        user.session_epoch += 1
        return user.session_epoch


def change_password(
    db: Database,
    user_id: int,
    current: str,
    new: str,
    run: Callable[..., Any] = lambda fn, *args: fn(*args),
) -> int:
    """Set a new password after checking the current one; every session ends (the
    caller's own carries on with the returned epoch)."""
    if len(new) < PASSWORD_MIN:
        raise ProtocolError("user.password_too_short", min=PASSWORD_MIN)
    user = get_user(db, user_id)
    if user is None or not user.password_hash:
        raise ProtocolError("auth.required")
    if not run(check_password_hash, user.password_hash, current):
        raise ProtocolError("auth.password_wrong")
    hashed = run(generate_password_hash, new)
    with db.transaction() as session:
        row = session.get(User, user_id)
        assert row is not None
        row.password_hash = hashed
        row.session_epoch += 1
        return row.session_epoch


def issue_first_account_link(db: Database) -> str | None:
    """A one-time link that creates the first facilitator account, while there is none.
    Earlier unused links stop working: only the newest printed one counts."""
    token = secrets.token_urlsafe(32)
    with db.transaction() as session:
        if session.scalar(select(func.count(User.id))):
            return None
        session.execute(delete(LoginToken).where(LoginToken.user_id.is_(None)))
        session.add(
            LoginToken(token_hash=sha256(token), user_id=None, expires_at=utcnow() + LOGIN_LINK_TTL)
        )
    return token


def check_setup_token(db: Database, token: str) -> None:
    with db.read() as session:
        row = session.scalar(select(LoginToken).where(LoginToken.token_hash == sha256(token)))
        if row is None or row.used_at is not None or row.expires_at < utcnow():
            raise ProtocolError("auth.link_invalid")
        if row.user_id is None and session.scalar(select(func.count(User.id))):
            raise ProtocolError("auth.link_invalid")


def redeem_setup_token(db: Database, token: str, email: str, name: str, password: str) -> User:
    email, name = validate_new_user(email, name, password)
    with db.transaction() as session:
        row = session.scalar(
            select(LoginToken).where(LoginToken.token_hash == sha256(token)).with_for_update()
        )
        if row is None or row.used_at is not None or row.expires_at < utcnow():
            raise ProtocolError("auth.link_invalid")
        if session.scalar(select(func.count(User.id))):
            raise ProtocolError("auth.link_invalid")
        row.used_at = utcnow()
        user = User(email=email, name=name, password_hash=generate_password_hash(password))
        session.add(user)
    return user


# --------------------------------------------------------------------------- meetings


def create_meeting(db: Database, user_id: int, details: MeetingDetails) -> MeetingRow:
    for _ in range(10):
        try:
            with db.transaction() as session:
                row = MeetingRow(
                    id=secrets.token_urlsafe(16),
                    join_code=new_join_code(),
                    beamer_key=secrets.token_urlsafe(24),
                    phase=Phase.WELCOME.value,
                    version=1,
                    **_details_columns(details),
                )
                session.add(row)
                session.flush()
                session.add(MeetingFacilitator(meeting_id=row.id, user_id=user_id, is_owner=True))
            return row
        except IntegrityError:
            continue  # join code collision: draw another
    raise ProtocolError("server.error")


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
        if row.phase != Phase.WELCOME.value and (
            columns["phases"] != row.phases or columns["template"] != row.template
        ):
            raise ProtocolError("meeting.template_locked")
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
        if in_use:
            raise DomainError("meeting.group_in_use")
        keys = {"meeting", "counts"}
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


def meeting_by_code(db: Database, code: str) -> MeetingRow | None:
    with db.read() as session:
        return session.scalar(select(MeetingRow).where(MeetingRow.join_code == code))


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
            raise ProtocolError("user.unknown", email=email[:254])
        if can_facilitate(session, other.id, meeting_id):
            raise ProtocolError("facilitator.already", email=email)
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
        raise ProtocolError("auth.beamer_key_invalid")
    return row


# --------------------------------------------------------------------------- phases


def move_phase(
    db: Database,
    *,
    user_id: int,
    meeting_id: str,
    direction: str,
    expected: str | None,
    client_id: str | None,
    now: datetime | None = None,
) -> tuple[dict[str, Any], Change | None]:
    def work(session: Session) -> tuple[dict[str, Any], Change | None]:
        require_facilitator(session, user_id, meeting_id)
        row = load_for_update(session, meeting_id)
        meeting = to_domain(row, session)
        at = now or utcnow()
        try:
            exp = Phase(expected) if expected else None
        except ValueError:
            raise ProtocolError("payload.invalid", detail="'from' is not a phase") from None
        event = meeting.advance(at, exp) if direction == "advance" else meeting.step_back(at, exp)
        row.phase = meeting.phase.value
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
        if Phase.FRAMEWORK_CHECK.value in (event.from_phase, event.to_phase):
            keys.add("framework_check")
        personal: set[int] = set()
        if Phase.SIGNING.value in (event.from_phase, event.to_phase):
            keys |= {"signing", "signing_tally"}
            # Whoever answered already sees whether the plan changed since (sign again).
            personal = set(
                session.scalars(
                    select(Signature.participant_id).where(Signature.meeting_id == meeting_id)
                )
            )
        change = commit_change(session, row, keys, personal)
        return {"phase": row.phase, "version": change.version}, change

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
        return {"timebox_seconds": row.timebox_seconds, "version": change.version}, change

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
        return {"seconds": chosen, "version": change.version}, change

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


# --------------------------------------------------------------------------- participants


def participant_by_device(db: Database, meeting_id: str, device_token: str) -> Participant | None:
    with db.read() as session:
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
                PartyDevice.status == "approved",
            )
        )
        return None if pid is None else session.get(Participant, pid)


def join(
    db: Database, *, meeting_id: str, device_token: str, name: object, group: object
) -> tuple[Participant, Change | None]:
    """Admit a phone. The device cookie makes it idempotent: the same phone joining
    again (a retry, a reload) is the same participant, with its name and group updated."""
    clean_name = validate_display_name(name)
    with db.transaction() as session:
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
            if (existing.name, existing.group) == (clean_name, chosen_group):
                return existing, None
            old_name = existing.name
            existing.name, existing.group = clean_name, chosen_group
            existing.name_key = name_key(clean_name)
            keys = {f"participant:{existing.id}", "counts"}
            keys |= _namesake_keys(session, meeting_id, existing.id, {clean_name, old_name})
            return existing, commit_change(session, row, keys, {existing.id})
        meeting.check_can_join()
        participant = Participant(
            meeting_id=meeting_id,
            device_hash=sha256(device_token),
            name=clean_name,
            name_key=name_key(clean_name),
            group=chosen_group,
        )
        session.add(participant)
        session.flush()
        keys = {f"participant:{participant.id}", "counts"}
        keys |= _namesake_keys(session, meeting_id, participant.id, {clean_name})
        if row.phase == Phase.SIGNING.value:
            keys.add("signing_tally")  # one more person who can sign
        if row.tables_active and row.table_strategy in ("mixed", "random"):
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
                participant.table_id = sizes[0]
                keys.add("tables")
        change = commit_change(session, row, keys)
    return participant, change


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


def load_participant(session: Session, meeting_id: str, participant_id: object) -> Participant:
    if not isinstance(participant_id, int) or isinstance(participant_id, bool):
        raise ProtocolError("participant.unknown")
    p = session.get(Participant, participant_id)
    if p is None or p.meeting_id != meeting_id:
        raise ProtocolError("participant.unknown")
    return p


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
                    SpeakRequest.status.in_(["waiting", "speaking"]),
                )
            )
        )
        for request in waiting:
            if request.participant_id == p.id:
                request.status, request.finished_at = "cancelled", utcnow()
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
        return {"participant_id": p.id, "version": change.version}, change

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
        p.role = new_role.value
        change = commit_change(
            session,
            row,
            {f"participant:{p.id}", "counts", "ranking", "tables", "signing_tally"},
            {p.id},
        )
        return {"participant_id": p.id, "role": p.role, "version": change.version}, change

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action="participant.set_role",
        work=work,
    )


# --------------------------------------------------------------------------- presence


def register_worker(db: Database, worker_id: str, *, only_worker: bool = False) -> None:
    """Start of a server process: clear connections of workers that stopped beating
    (a crash, kill -9), so presence is true again. With SQLite this process is the only
    worker, so every older connection is stale."""
    now = utcnow()
    with db.transaction() as session:
        if only_worker:
            session.execute(delete(Connection))
            session.execute(delete(Worker))
        session.add(Worker(id=worker_id, started_at=now, heartbeat_at=now))
    sweep_dead_workers(db)


def heartbeat(db: Database, worker_id: str) -> None:
    now = utcnow()
    with db.transaction() as session:
        done = session.execute(
            update(Worker).where(Worker.id == worker_id).values(heartbeat_at=now)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            # Swept while stalled: come back, or every sweep would drop our sockets.
            session.add(Worker(id=worker_id, started_at=now, heartbeat_at=now))


def sweep_dead_workers(db: Database) -> list[Change]:
    """Remove workers (and their connections) silent for too long; returns the presence
    changes, one per meeting that had people on them."""
    cutoff = utcnow() - STALE_WORKER
    with db.transaction() as session:
        dead = list(session.scalars(select(Worker.id).where(Worker.heartbeat_at < cutoff)))
        orphaned = Connection.worker_id.in_(dead) | Connection.worker_id.not_in(
            select(Worker.id).where(Worker.heartbeat_at >= cutoff)
        )
        keys: dict[str, set[str]] = defaultdict(set)
        for meeting_id, audience, pid in session.execute(
            select(Connection.meeting_id, Connection.audience, Connection.participant_id).where(
                orphaned
            )
        ):
            keys[meeting_id] |= _presence_keys(audience, pid)
        if not dead and not keys:
            return []
        session.execute(delete(Connection).where(orphaned))
        session.execute(delete(Worker).where(Worker.id.in_(dead)))
        changes = []
        for meeting_id, touched in keys.items():
            row = session.get(MeetingRow, meeting_id)
            if row is not None:
                changes.append(commit_change(session, row, touched))
        return changes


def unregister_worker(db: Database, worker_id: str) -> None:
    with db.transaction() as session:
        session.execute(delete(Connection).where(Connection.worker_id == worker_id))
        session.execute(delete(Worker).where(Worker.id == worker_id))


def connect(
    db: Database,
    *,
    sid: str,
    meeting_id: str,
    audience: str,
    worker_id: str,
    participant_id: int | None = None,
    user_id: int | None = None,
) -> Change:
    """Record a live socket. Presence is versioned like any change, so an update read
    later always carries a version at least as new as the presence it shows."""
    with db.transaction() as session:
        row = load_for_update(session, meeting_id)
        session.add(
            Connection(
                sid=sid,
                meeting_id=meeting_id,
                audience=audience,
                participant_id=participant_id,
                user_id=user_id,
                worker_id=worker_id,
            )
        )
        return commit_change(session, row, _presence_keys(audience, participant_id))


def disconnect(db: Database, sid: str) -> Change | None:
    with db.transaction() as session:
        conn = session.get(Connection, sid)
        if conn is None:
            return None
        session.delete(conn)
        row = load_for_update(session, conn.meeting_id)
        return commit_change(session, row, _presence_keys(conn.audience, conn.participant_id))


def _presence_keys(audience: str, participant_id: int | None) -> set[str]:
    if audience == "phone" and participant_id is not None:
        return {f"participant:{participant_id}", "counts"}
    return {"screens"}


def sids_of_participants(db: Database, participant_ids: Iterable[int]) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Connection.sid).where(Connection.participant_id.in_(list(participant_ids)))
            )
        )


def sids_of_audience(db: Database, meeting_id: str, audience: str) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Connection.sid).where(
                    Connection.meeting_id == meeting_id, Connection.audience == audience
                )
            )
        )


def console_sids_of_user(db: Database, user_id: int) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Connection.sid).where(
                    Connection.user_id == user_id, Connection.audience == "console"
                )
            )
        )
