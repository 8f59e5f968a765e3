"""Typed SQLAlchemy rows. The domain core never sees these: services map rows to domain
objects and back. Every schema change comes with an Alembic migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.domain.aftercare import AgreementStatus, Duty, FollowKind
from shared.domain.consent import Answer, Outcome
from shared.domain.frameworks import DeviceStatus, Verdict
from shared.domain.framing import Recognition
from shared.domain.meeting import Role
from shared.domain.phases import Phase
from shared.domain.process import DraftKind, MemberRole, PersonStatus, ProcessKind, State
from shared.domain.proposals import ConsentStatus, ProposalStatus, VotingMode
from shared.domain.sharing import Anonymity, Moderation, WallMode
from shared.domain.sharing import Status as ContributionStatus
from shared.domain.signing import SignatureStatus
from shared.domain.speaking import RequestStatus
from shared.domain.tables import Strategy

#: ``date`` where a column named ``date`` hides the type (Meeting)
Day = date


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite keeps no zone), always handed out as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """A state stored as its text (the column stays a plain VARCHAR) and handed out as
    the domain's enum: code compares with ``Status.VISIBLE``, never with a string, and a
    value outside the enum is refused on the way in."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
        list[int]: JSON,
    }


class User(Base):
    """A facilitator account (procesbegeleider)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, stored lower case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: werkzeug scrypt hash; empty until the person sets a password through a link
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: signed into every login's session cookie; raised on logout and password change,
    #: so every cookie issued before (copied ones too) stops working
    session_epoch: Mapped[int] = mapped_column(default=0)


class LoginToken(Base):
    """A one-time login link (the first account's set-up link, a reset)."""

    __tablename__ = "login_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of the token in the link; the token itself is never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: None: the link creates the first facilitator account
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Meeting(Base):
    """A prepared or running meeting (planbijeenkomst)."""

    __tablename__ = "meetings"
    #: unguessable public id used in console and beamer URLs
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: short code typed on phones; unique among all meetings
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(String(20))
    #: the working phases, in order (a fixed template's, or the custom choice)
    phases: Mapped[list[str]]
    #: the parties in the room people pick from when joining
    groups: Mapped[list[str]]
    open_question: Mapped[str] = mapped_column(Text, default="")
    issue_statement: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    date: Mapped[date | None] = mapped_column(Date)
    #: the meeting's language: the beamer's, the phones' default and the plan document's
    language: Mapped[str] = mapped_column(String(2), default="nl", server_default="nl")
    #: where the meeting is now; see shared.domain.phases
    phase: Mapped[Phase] = mapped_column(EnumText(Phase, 20), default=Phase.WELCOME)
    phase_started_at: Mapped[datetime | None]
    #: the current phase's time budget, when the facilitator set one
    timebox_seconds: Mapped[int | None]
    #: secret in the beamer link, so a venue computer needs no facilitator login
    beamer_key: Mapped[str] = mapped_column(String(64))
    #: sharing: "pre" (approve first) or "post" (shown at once, can be hidden)
    moderation: Mapped[Moderation] = mapped_column(EnumText(Moderation, 8), default=Moderation.POST)
    #: sharing: "named" (the room sees names) or "anonymous" (only the facilitator does)
    anonymity: Mapped[Anonymity] = mapped_column(EnumText(Anonymity, 12), default=Anonymity.NAMED)
    #: the beamer's wall: "newest" first or grouped by "themes"
    wall_mode: Mapped[WallMode] = mapped_column(EnumText(WallMode, 8), default=WallMode.NEWEST)
    #: the contribution shown in large type on the beamer
    spotlight_id: Mapped[int | None]
    #: the sharing prompt phones and the beamer show now
    prompt_id: Mapped[int | None]
    #: the information item the beamer shows now (framing)
    shown_info_id: Mapped[int | None]
    #: the recognition check phones answer now (the latest one, open or closed)
    recognition_id: Mapped[int | None]
    #: the current round ("everyone a voice, in turn"), if one runs
    round_id: Mapped[int | None]
    #: support voting: "simple" (one tap per proposal) or "dots"
    voting_mode: Mapped[VotingMode] = mapped_column(
        EnumText(VotingMode, 8), default=VotingMode.SIMPLE
    )
    #: dots per person, and at most this many on one proposal (dot voting)
    voting_dots: Mapped[int] = mapped_column(default=3)
    voting_max_per_proposal: Mapped[int] = mapped_column(default=1)
    voting_open: Mapped[bool] = mapped_column(default=False)
    #: when voting was last opened (None: never): before the first time the phones say
    #: voting has not started (not that it is closed); a merge made before it can no
    #: longer be undone
    voting_opened_at: Mapped[datetime | None]
    #: roles that vote (framework parties and observers only when allowed)
    voting_roles: Mapped[list[str]] = mapped_column(default=lambda: ["participant", "informant"])
    #: the room works at tables (else in plenary), split this way
    tables_active: Mapped[bool] = mapped_column(default=False)
    table_strategy: Mapped[Strategy | None] = mapped_column(EnumText(Strategy, 8))
    #: proposals that go to the consent phase, in order
    shortlist: Mapped[list[int]] = mapped_column(default=list)
    #: the consent round phones answer now (the latest, open or closed)
    consent_round_id: Mapped[int | None]
    #: roles that answer in consent rounds (framework parties, observers when allowed)
    consent_roles: Mapped[list[str]] = mapped_column(default=lambda: ["participant", "informant"])
    #: the Alle Hens questions: who comes together again if something does not work
    plan_followup: Mapped[str] = mapped_column(Text, default="")
    #: ... and who evaluates the plan, where and when
    plan_evaluation: Mapped[str] = mapped_column(Text, default="")
    #: when and where the people who reconvene meet (optional; in the .ics)
    followup_date: Mapped[Day | None] = mapped_column(Date)
    followup_place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: when and where the plan is evaluated (listed on the meetings page when near)
    evaluation_date: Mapped[Day | None] = mapped_column(Date)
    evaluation_place: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: a meeting made from a sealed plan: which, why (reconvene or evaluation) and about
    #: which of its agreements; its own plan names the first one's fingerprint
    follows_id: Mapped[str | None] = mapped_column(
        ForeignKey(
            "meetings.id", ondelete="SET NULL", use_alter=True, name="fk_meetings_follows_id"
        ),
        index=True,
    )
    follows_kind: Mapped[FollowKind | None] = mapped_column(EnumText(FollowKind, 12))
    follows_agreements: Mapped[list[int]] = mapped_column(default=list, server_default="[]")
    #: the room consented to publishing the plan (a consent round on publication)
    publication_consented_at: Mapped[datetime | None]
    #: seconds each page of long content stays on the beamer before the next one
    beamer_page_seconds: Mapped[int] = mapped_column(default=12, server_default="12")
    #: the final round on the whole plan adopted it
    plan_adopted: Mapped[bool] = mapped_column(default=False)
    #: a consent round is open now (the phase cannot be left meanwhile)
    consent_round_open: Mapped[bool] = mapped_column(default=False)
    #: the facilitator locked the kaders; a change after this is a new version
    frameworks_locked_at: Mapped[datetime | None]
    #: the kader the beamer presents now (framing)
    shown_framework_id: Mapped[int | None]
    #: the facilitator closed signing; the plan document was sealed then
    signing_closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingFacilitator(Base):
    """Who may run a meeting: its owner and co-facilitators."""

    __tablename__ = "meeting_facilitators"
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    is_owner: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Participant(Base):
    """A person in the room, joined from a phone without an account."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("meeting_id", "device_hash"),
        Index("ix_participants_meeting_name_key", "meeting_id", "name_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: sha256 of the device cookie: a reload or reconnect resumes this participant
    device_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(60))
    #: the name as namesakes are found by (case and width folded): see domain.wording
    name_key: Mapped[str] = mapped_column(String(60), default="", server_default="")
    group: Mapped[str] = mapped_column(String(40))
    role: Mapped[Role] = mapped_column(EnumText(Role, 20), default=Role.PARTICIPANT)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when the facilitator removed them; the row stays for the record
    removed_at: Mapped[datetime | None]
    #: the breakout table this person sits at, while the room works at tables
    table_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_tables.id", ondelete="SET NULL", use_alter=True)
    )
    #: the language their screen speaks (shared.i18n.LANGUAGES; "" before it was known):
    #: the facilitator sees the room's languages to arrange interpretation
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")


class MeetingClock(Base):
    """A meeting's version counter, in a row of its own: every commit that changes
    something clients see advances it by its changes, as its last statement
    (`shared.core.intents`), so the writers of a meeting on several workers hold this
    row only while they commit, and the meeting's own row is not written per change."""

    __tablename__ = "meeting_clocks"
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    #: changes committed so far; a flush and a snapshot carry the value they read
    version: Mapped[int] = mapped_column(Integer, default=0)
    #: per audience, the version of the last change it sees (the phones' room views are
    #: shared by every phone until ``phone`` moves)
    console: Mapped[int] = mapped_column(Integer, default=0)
    beamer: Mapped[int] = mapped_column(Integer, default=0)
    phone: Mapped[int] = mapped_column(Integer, default=0)


class Connection(Base):
    """One live Socket.IO connection. Presence is derived from these rows, so every
    worker sees the same room; a worker that died leaves rows its successor clears."""

    __tablename__ = "connections"
    __table_args__ = (Index("ix_connections_meeting_audience", "meeting_id", "audience"),)
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    #: console, beamer or phone
    audience: Mapped[str] = mapped_column(String(10))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    worker_id: Mapped[str] = mapped_column(String(32), index=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)


class Worker(Base):
    """A server process; its heartbeat tells others whether its connections are real."""

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: digests of its secret and its seal key (`shared.deployment.fingerprint`):
    #: every worker of a deployment has the same, or `plandag check` says which differs
    fingerprint: Mapped[str | None] = mapped_column(String(80))


class Intent(Base):
    """A client write already carried out, by the client-made id it came with: a retry
    of the same write gets the stored result instead of being counted again."""

    __tablename__ = "intents"
    __table_args__ = (UniqueConstraint("actor", "client_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: "u:<user id>" or "p:<participant id>"
    actor: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(64))
    #: the event name, so a reused id for another event is refused
    action: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhaseTransition(Base):
    """The meeting's phase history, for the record and the plan document."""

    __tablename__ = "phase_transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    from_phase: Mapped[Phase] = mapped_column(EnumText(Phase, 20))
    to_phase: Mapped[Phase] = mapped_column(EnumText(Phase, 20))
    at: Mapped[datetime]
    #: the facilitator who moved the meeting
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Prompt(Base):
    """A question the facilitator asks in the sharing phase."""

    __tablename__ = "prompts"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Theme(Base):
    """A group of contributions on the wall, made by the facilitator."""

    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Contribution(Base):
    """A short text a participant shares; the facilitator always knows the author."""

    __tablename__ = "contributions"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompts.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    #: pending, visible, hidden or withdrawn
    status: Mapped[ContributionStatus] = mapped_column(EnumText(ContributionStatus, 12))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: who last approved, hid or restored it, and when (the record of moderation)
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None]


class InfoItem(Base):
    """Information an informant brings to the framing phase."""

    __tablename__ = "info_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    #: who presents it, as the room may see them (empty: not named)
    informant: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatementVersion(Base):
    """Each version of the issue statement the room was asked about."""

    __tablename__ = "statement_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RecognitionCheck(Base):
    """ "Do you recognise yourself in the issue statement?" asked about one version."""

    __tablename__ = "recognition_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    statement_number: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class RecognitionAnswer(Base):
    __tablename__ = "recognition_answers"
    __table_args__ = (UniqueConstraint("check_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(
        ForeignKey("recognition_checks.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: yes, partly or no
    answer: Mapped[Recognition] = mapped_column(EnumText(Recognition, 8))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpeakRequest(Base):
    """A tap on "I want to say something"; the queue is these rows in id order."""

    __tablename__ = "speak_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: waiting, speaking, done or cancelled
    status: Mapped[RequestStatus] = mapped_column(EnumText(RequestStatus, 10))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class SpeakingRound(Base):
    """Everyone a voice, in turn: a fixed order and where the round is."""

    __tablename__ = "speaking_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    order: Mapped[list[int]]
    position: Mapped[int] = mapped_column(default=0)
    #: who actually had their turn (not skipped), for the voice balance
    spoke: Mapped[list[int]] = mapped_column(default=list)
    ended: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkTable(Base):
    """A breakout table (werkvorm), with a host who writes its proposals."""

    __tablename__ = "work_tables"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    #: e.g. the thematafel question: where should this stand in four years?
    question: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL", use_alter=True)
    )
    #: tables of an earlier split stay for the record; only the latest are active
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Proposal(Base):
    """What could we do? Written on a phone, at a table, or by the facilitator."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: the participant who wrote it (a table's host writes for the table)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    table_id: Mapped[int | None] = mapped_column(ForeignKey("work_tables.id", ondelete="SET NULL"))
    #: made by the facilitator from a contribution or a theme
    from_contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL")
    )
    from_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    what: Mapped[str] = mapped_column(Text, default="")
    who: Mapped[str] = mapped_column(Text, default="")
    where: Mapped[str] = mapped_column(Text, default="")
    when: Mapped[str] = mapped_column(Text, default="")
    #: open, withdrawn or merged
    status: Mapped[ProposalStatus] = mapped_column(
        EnumText(ProposalStatus, 10), default=ProposalStatus.OPEN
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    #: after consent rounds: adopted, or parked by the facilitator
    consent_status: Mapped[ConsentStatus | None] = mapped_column(EnumText(ConsentStatus, 10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalVersion(Base):
    """Every version of a proposal, with who changed it and when."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    number: Mapped[int]
    fields: Mapped[dict[str, Any]]
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Vote(Base):
    """A voter's support for one proposal: 1 in simple mode, dots in dot voting."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int] = mapped_column(default=0)


class ConsentRound(Base):
    """A consent round on one version of a proposal, or on the whole plan."""

    __tablename__ = "consent_rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: None: the round is on the whole plan
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    #: the proposal version the room answers about
    proposal_version: Mapped[int | None]
    #: exactly the text the round asks about, fixed when it opens: a proposal version's
    #: fields, or the whole plan. A round never changes the text it asks about.
    subject: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: who answers, fixed when the round opened (late joiners added by the facilitator)
    eligible: Mapped[list[int]]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    #: when closed: adopted, not_adopted (an objection stood) or superseded (the text
    #: was amended while it was open; a new round asks about the new version)
    outcome: Mapped[Outcome | None] = mapped_column(EnumText(Outcome, 12))
    #: "" for a proposal or the whole plan; "publication": may the plan be published?
    topic: Mapped[str] = mapped_column(String(12), default="", server_default="")


class ConsentAnswer(Base):
    """A person's current answer in a round; every change is also in consent_log."""

    __tablename__ = "consent_answers"
    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("consent_rounds.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: consent, concern or objection
    answer: Mapped[Answer] = mapped_column(EnumText(Answer, 10))
    #: the concern or the objection's reason
    text: Mapped[str] = mapped_column(Text, default="")
    #: the objector withdrew the objection
    withdrawn: Mapped[bool] = mapped_column(default=False)
    #: the facilitator asked the objector whether an amendment resolves it
    asked: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentLog(Base):
    """Every answer, change, withdrawal and kept objection, in order: the record."""

    __tablename__ = "consent_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("consent_rounds.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: answer, withdraw or keep
    action: Mapped[str] = mapped_column(String(10))
    answer: Mapped[str] = mapped_column(String(10), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Agreement(Base):
    """An agreement in the plan: an adopted proposal with what, who, where and when."""

    __tablename__ = "agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_rounds.id", ondelete="SET NULL")
    )
    #: the proposal version the round adopted
    proposal_version: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    what: Mapped[str] = mapped_column(Text, default="")
    who: Mapped[str] = mapped_column(Text, default="")
    where: Mapped[str] = mapped_column(Text, default="")
    when: Mapped[str] = mapped_column(Text, default="")
    #: the concerns voiced when it was adopted, recorded with it
    concerns: Mapped[list[str]] = mapped_column(default=list)
    #: the current version (1: as adopted); every edit is an agreement_versions row
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementVersion(Base):
    """Every version of an agreement: version 1 as the round adopted it, then each edit
    with who made it and when."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    #: title, description, what, who, where, when
    fields: Mapped[dict[str, Any]]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalMerge(Base):
    """A merge of one proposal into another, with what it moved, so that it can be
    undone exactly (until voting opens or the support on the target changes)."""

    __tablename__ = "proposal_merges"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    #: voter id (as text) -> count on each proposal before the merge, and on the target
    #: after it
    source_votes: Mapped[dict[str, Any]]
    target_votes: Mapped[dict[str, Any]]
    target_after: Mapped[dict[str, Any]]
    #: the shortlist before the merge (the source leaves it)
    shortlist_before: Mapped[list[int]]
    #: voting was open when it was merged (freed dots may have been spent since: no undo)
    voting_was_open: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]


class FrameworkParty(Base):
    """A framework-setting party (kaderstellende partij), invited by a personal link."""

    __tablename__ = "framework_parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: the organisation, e.g. "Gemeente Utrecht"
    name: Mapped[str] = mapped_column(String(80))
    #: the secret in the personal link (renewable, like the beamer key)
    invite_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: the representative, once the link was first used
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartyDevice(Base):
    """A device that opened a party's personal link: the first is the representative's;
    a second one waits for the facilitator's approval."""

    __tablename__ = "party_devices"
    __table_args__ = (UniqueConstraint("party_id", "device_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(
        ForeignKey("framework_parties.id", ondelete="CASCADE"), index=True
    )
    device_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: approved, pending or refused
    status: Mapped[DeviceStatus] = mapped_column(EnumText(DeviceStatus, 10))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Framework(Base):
    """A framework: a limit the plan must fit. Its words are in framework_versions."""

    __tablename__ = "frameworks"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: the party it comes from (None: set by the facilitators)
    party_id: Mapped[int | None] = mapped_column(
        ForeignKey("framework_parties.id", ondelete="SET NULL")
    )
    #: the current version number
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FrameworkVersion(Base):
    """Every version of a framework's words; versions after the lock are the visible record."""

    __tablename__ = "framework_versions"
    __table_args__ = (UniqueConstraint("framework_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    after_lock: Mapped[bool] = mapped_column(default=False)
    #: who wrote it: a facilitator or a party's representative
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FrameworkFlag(Base):
    """A proposal may conflict with a framework: raised with a note before the consent round."""

    __tablename__ = "framework_flags"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    #: raised by a party's representative, or by a facilitator
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: cleared (resolved) flags stay for the record
    cleared_at: Mapped[datetime | None]


class FrameworkCheckRow(Base):
    """The verdict on one agreement against one framework, in the framework check phase."""

    __tablename__ = "framework_checks"
    __table_args__ = (UniqueConstraint("agreement_id", "framework_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    #: the kader version the verdict was given on
    framework_version: Mapped[int]
    #: fits or does_not_fit
    verdict: Mapped[Verdict] = mapped_column(EnumText(Verdict, 14))
    explanation: Mapped[str] = mapped_column(Text, default="")
    #: the party's representative who recorded it ...
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    #: ... or the facilitator, on the party's behalf
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(Base):
    """A follow-up agreement (vervolgafspraak): who does what by when, usually about an
    agreement that does not fit a framework."""

    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="SET NULL")
    )
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(Text)
    when: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Signature(Base):
    """A person's signature under the plan, or their decision not to sign."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    #: signed or declined
    status: Mapped[SignatureStatus] = mapped_column(EnumText(SignatureStatus, 10))
    #: the full name signed with
    name: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the drawn signature (PNG), if any, and its sha256
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    #: sha256 of the plan text the person saw when signing
    plan_digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanSeal(Base):
    """The sealed plan: its canonical form and the server's signature over it, made
    when signing closed. Documents are rendered from this, never from live data."""

    __tablename__ = "plan_seals"
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    canonical: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(32))
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)


# --------------------------------------------------------------------------- before the day


class Process(Base):
    """The process around a plan meeting (Nieuwe Route or Alle Hens): its preparation
    lives here; the plan meeting is ``meeting_id``. Its facilitators are the meeting's."""

    __tablename__ = "processes"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[ProcessKind] = mapped_column(EnumText(ProcessKind, 20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: from this day on the preparation may be purged (retention)
    purge_after: Mapped[date | None] = mapped_column(Date)
    #: when it was purged: only the sealed plan is left
    purged_at: Mapped[datetime | None]
    #: the meeting was started although a no-go condition was marked, confirmed by
    started_despite_no_go_at: Mapped[datetime | None]
    started_despite_no_go_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: the go/no-go verdict when the meeting started (what the plan document records)
    start_verdict: Mapped[str | None] = mapped_column(String(10))


class CoreMember(Base):
    """A member of the core group (kerngroep): a facilitator (who logs in) or a
    framework party's representative (through a personal link)."""

    __tablename__ = "core_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MemberRole] = mapped_column(EnumText(MemberRole, 12))
    name: Mapped[str] = mapped_column(String(120))
    #: the framework party (organisation) a representative speaks for
    organisation: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: sha256 of the secret in a representative's personal link
    link_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Draft(Base):
    """A text the core group writes together: the issue statement, or a party's kader.
    Its words are in draft_versions; the settled version is what reaches the meeting."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DraftKind] = mapped_column(EnumText(DraftKind, 12))
    #: a kader's party, by its representative in the core group
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_members.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    settled_version: Mapped[int | None]
    settled_at: Mapped[datetime | None]
    settled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the meeting's kader a settled framework draft became
    framework_id: Mapped[int | None] = mapped_column(
        ForeignKey("frameworks.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftVersion(Base):
    __tablename__ = "draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    #: who wrote it: a facilitator, or a member through their link
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftComment(Base):
    __tablename__ = "draft_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    #: the version it was written about
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_members.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvolvedPerson(Base):
    """Someone to reach (betrokkene) before the day. Private to the facilitators."""

    __tablename__ = "involved_people"
    #: one phone holds at most one invitation of a process
    __table_args__ = (UniqueConstraint("process_id", "device_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    #: one of the meeting's groups: the group they join with
    group: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(120), default="")
    #: how to reach them (phone, e-mail, address)
    contact: Mapped[str] = mapped_column(Text, default="")
    #: who contacts them
    contact_by: Mapped[str] = mapped_column(String(120), default="")
    #: the language of their invitation letter
    language: Mapped[str] = mapped_column(String(2), default="nl")
    status: Mapped[PersonStatus] = mapped_column(
        EnumText(PersonStatus, 20), default=PersonStatus.TO_CONTACT
    )
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: the secret in their personal invitation (link and QR code); None: not invited
    invite_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime | None]
    #: sha256 of the device cookie of the phone that claimed the invitation: one phone
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: the participant they became on the day, through the invitation
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Preparation(Base):
    """A preparation conversation (voorbereidend gesprek). Its notes are private to the
    process's facilitators: never in the room, never in the plan document."""

    __tablename__ = "preparations"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("involved_people.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    held_by: Mapped[str] = mapped_column(String(120))
    concerns: Mapped[str] = mapped_column(Text, default="")
    needs_to_know: Mapped[str] = mapped_column(Text, default="")
    #: None: not asked or not decided yet
    agrees_to_take_part: Mapped[bool | None]
    agrees_to_be_named: Mapped[bool | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InfoNeed(Base):
    """Information that must be shared on the day, raised in conversations; its
    informant presents it as an information item in framing."""

    __tablename__ = "info_needs"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    informant_id: Mapped[int | None] = mapped_column(
        ForeignKey("involved_people.id", ondelete="SET NULL")
    )
    info_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("info_items.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InfoNeedRaiser(Base):
    """Who raised a need: one need, several people."""

    __tablename__ = "info_need_raisers"
    need_id: Mapped[int] = mapped_column(
        ForeignKey("info_needs.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("involved_people.id", ondelete="CASCADE"), primary_key=True
    )


class Assessment(Base):
    """One judgement on a go/no-go condition or principle; the latest per key counts,
    the earlier ones are its history."""

    __tablename__ = "assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))
    state: Mapped[State] = mapped_column(EnumText(State, 10))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessLog(Base):
    """What happened in the preparation, without its private words: statuses, drafts
    settled, invitations, the purge."""

    __tablename__ = "process_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    #: e.g. the status a person moved to; never a note
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# --------------------------------------------------------------------------- after the day


class PlanPerson(Base):
    """A participant the facilitator named after the day: for an agreement (one of its
    "who", who may update its status) or to reconvene (who sees the signals)."""

    __tablename__ = "plan_people"
    __table_args__ = (UniqueConstraint("meeting_id", "participant_id", "duty", "agreement_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    duty: Mapped[Duty] = mapped_column(EnumText(Duty, 12))
    #: for an agreement's people; None to reconvene
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AgreementUpdate(Base):
    """A dated status update beside a sealed agreement (its text never changes)."""

    __tablename__ = "agreement_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AgreementStatus] = mapped_column(EnumText(AgreementStatus, 10))
    note: Mapped[str] = mapped_column(Text, default="")
    #: by a named participant ...
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    #: ... or a facilitator
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanSignal(Base):
    """ "This is not working": a participant's signal on an agreement, with a reason."""

    __tablename__ = "plan_signals"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the follow-up meeting that took it up
    taken_up_by: Mapped[str | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))


class PlanKey(Base):
    """A participant's personal link to the plan page (for a lost or new phone)."""

    __tablename__ = "plan_keys"
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Publication(Base):
    """A plan published on this server's public pages, after the room consented."""

    __tablename__ = "publications"
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    #: the public address's id (not the meeting id, which the console uses)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: exactly what the public pages show, fixed when it was published (the preview the
    #: facilitator read): a later purge of names cannot change it
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
