"""The process around a plan meeting: the core group and its drafts, everyone involved
and their preparation conversations, information needs and informants, invitations,
the Alle Hens go/no-go, and retention. Plain rules; the service stores them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .frameworks import DESCRIPTION_MAX as KADER_MAX
from .frameworks import PARTY_NAME_MAX
from .meeting import ISSUE_STATEMENT_MAX, clean_block, clean_line, screen_language

MESSAGES.update(
    {
        "process.kind_unknown": N_("Choose Nieuwe Route or Alle Hens as the process."),
        "process.exists": N_("This meeting already has a process."),
        "process.unknown": N_("There is no such process, or you cannot see it."),
        "process.purged": N_(
            "The preparation of this process was purged on {date}; nothing can be added."
        ),
        "process.not_member": N_(
            "You are not in the core group of this process: that draft belongs to another process."
        ),
        "process.member_invalid": N_(
            "Give the member's name (1 to {max} characters) and, for a framework party, its "
            "organisation (1 to {org_max} characters)."
        ),
        "process.party_required": N_("Choose the framework party whose kader this is."),
        "process.member_facilitator": N_("Choose one of the meeting's facilitators."),
        "process.member_already": N_("{name} is already in the core group."),
        "process.draft_invalid": N_(
            "A draft needs a title of 1 to {title_max} characters and a text of 1 to "
            "{text_max} characters."
        ),
        "process.draft_unknown": N_("There is no such draft in this process."),
        "process.draft_not_yours": N_(
            "You can write new versions of your own party's kaders only; comment on the others."
        ),
        "process.meeting_started": N_(
            "The meeting has started: what the core group settles now no longer reaches it."
        ),
        "process.draft_version_unknown": N_("That draft has no version {number}."),
        "process.comment_invalid": N_("A comment is 1 to {max} characters."),
        "process.person_invalid": N_("Give the person's name (1 to {max} characters)."),
        "process.text_too_long": N_("'{field}' can be at most {max} characters."),
        "process.person_unknown": N_("That person is not on the list of this process."),
        "process.status_unknown": N_("Choose one of the statuses."),
        "process.group_unknown": N_("Choose one of the meeting's groups."),
        "process.conversation_invalid": N_(
            "Give the date of the conversation (YYYY-MM-DD) and who held it."
        ),
        "process.need_invalid": N_("An information need has a title of 1 to {max} characters."),
        "process.need_unknown": N_("There is no such information need in this process."),
        "process.informant_not_listed": N_(
            "An informant must be a person on the list of this process."
        ),
        "process.informant_not_safe": N_(
            "{name} is marked as not safe to take part, or will not take part: choose another "
            "informant."
        ),
        "process.invite_not_safe": N_(
            "{name} is marked as not safe to take part: no invitation is sent."
        ),
        "process.invite_declined": N_(
            "{name} will not take part: change the status first if that changed."
        ),
        "process.invitation_invalid": N_(
            "This invitation is not valid (any more). Ask the facilitators for a new one, or "
            "join with the meeting's code."
        ),
        "process.invitation_this_device": N_(
            "This phone is already in the meeting as {name}. Open the invitation on the "
            "invited person's own phone, or ask a facilitator."
        ),
        "process.invitation_other_device": N_(
            "This invitation was already used on another phone. Ask a facilitator to renew it "
            "if that phone is lost."
        ),
        "process.condition_unknown": N_("'{key}' is not one of the conditions."),
        "process.state_unknown": N_("Choose met, not met or unknown."),
        "process.no_go": N_(
            "A no-go condition is marked in the go/no-go assessment ({count}). Start only if "
            "the facilitators have weighed this."
        ),
        "process.purge_date_invalid": N_("Enter the purge date as YYYY-MM-DD."),
        "process.purge_too_early": N_(
            "The preparation can be purged from {date} on, the date chosen for this process."
        ),
        "process.purge_no_date": N_("Choose the date after which this process may be purged."),
        "process.purge_before_meeting": N_(
            "Choose a purge date on or after the day of the meeting ({date})."
        ),
        "process.purge_running": N_(
            "The meeting is under way or still to come. Purge after it has closed."
        ),
        "process.purge_confirm": N_(
            "Type the meeting's title exactly to confirm the purge: it cannot be undone."
        ),
    }
)

NAME_MAX = 120
#: a representative's organisation becomes the meeting's framework party
ORGANISATION_MAX = PARTY_NAME_MAX
CONTACT_MAX = 300
TITLE_MAX = 120
#: what the meeting takes: an issue statement, a kader's description
DRAFT_MAX = {"statement": ISSUE_STATEMENT_MAX, "framework": KADER_MAX}
COMMENT_MAX = 2000
NOTE_MAX = 5000
REASON_MAX = 1000
NEED_TEXT_MAX = 2000


class ProcessKind(StrEnum):
    NIEUWE_ROUTE = "nieuwe_route"
    ALLE_HENS = "alle_hens"


class MemberRole(StrEnum):
    #: one of the meeting's facilitators, who logs in
    FACILITATOR = "facilitator"
    #: a framework party's representative, through a personal link
    PARTY = "party"


class DraftKind(StrEnum):
    STATEMENT = "statement"
    FRAMEWORK = "framework"


class PersonStatus(StrEnum):
    TO_CONTACT = "to_contact"
    PLANNED = "planned"
    HELD = "held"
    WILL_TAKE_PART = "will_take_part"
    WILL_NOT_TAKE_PART = "will_not_take_part"
    NOT_SAFE = "not_safe"


class State(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    GO = "go"
    NO_GO = "no_go"
    OPEN = "open"


@dataclass(frozen=True)
class Condition:
    key: str
    #: "condition" (go/no-go) or "principle" (uitgangspunt)
    kind: str
    label: str


#: The Alle Hens conditions, each worded so that "met" is the go side, and its
#: principles (uitgangspunten). A condition not met is a no-go.
CONDITIONS: tuple[Condition, ...] = (
    Condition("most_want_it", "condition", N_("Most participants want the conference")),
    Condition("shared_outcome", "condition", N_("They want to work towards a shared outcome")),
    Condition("enough_at_stake", "condition", N_("Enough is at stake (the facts are not slight)")),
    Condition("no_refusal", "condition", N_("No participant decidedly refuses")),
    Condition("not_too_soon", "condition", N_("It is not too soon after an escalation")),
    Condition("safe", "condition", N_("It is safe")),
    Condition("independent_coordinator", "principle", N_("An independent coordinator")),
    Condition("time_and_means", "principle", N_("Time and means for the preparation")),
    Condition("open_question", "principle", N_("One open question")),
    Condition("everyone_may_take_part", "principle", N_("Everyone involved may take part")),
    Condition("everyone_a_voice", "principle", N_("Everyone has a voice")),
    Condition("voluntary", "principle", N_("Taking part is voluntary")),
    Condition("safe_participation", "principle", N_("Everyone can take part safely")),
)
CONDITION_KEYS = {c.key: c for c in CONDITIONS}


def parse_kind(value: object) -> ProcessKind:
    try:
        return ProcessKind(str(value))
    except ValueError:
        raise DomainError("process.kind_unknown") from None


def _line(value: object, maximum: int, code: str, **params: int) -> str:
    text = clean_line(value) if isinstance(value, str) else ""
    if not 1 <= len(text) <= maximum:
        raise DomainError(code, None, **params)
    return text


def optional_line(value: object, field: str, maximum: int) -> str:
    text = clean_line(value) if isinstance(value, str) else ""
    if len(text) > maximum:
        raise DomainError("process.text_too_long", field=field, max=maximum)
    return text


def optional_block(value: object, field: str, maximum: int) -> str:
    text = clean_block(value) if isinstance(value, str) else ""
    if len(text) > maximum:
        raise DomainError("process.text_too_long", field=field, max=maximum)
    return text


def validate_member(name: object, role: MemberRole, organisation: object) -> tuple[str, str]:
    clean = _line(name, NAME_MAX, "process.member_invalid", max=NAME_MAX, org_max=ORGANISATION_MAX)
    org = clean_line(organisation) if isinstance(organisation, str) else ""
    if role == MemberRole.PARTY and not 1 <= len(org) <= ORGANISATION_MAX:
        raise DomainError("process.member_invalid", max=NAME_MAX, org_max=ORGANISATION_MAX)
    return clean, org if role == MemberRole.PARTY else ""


def validate_draft(title: object, text: object, kind: DraftKind) -> tuple[str, str]:
    """A draft fits what the meeting takes once it is settled."""
    clean_title = clean_line(title) if isinstance(title, str) else ""
    clean_text = clean_block(text) if isinstance(text, str) else ""
    text_max = DRAFT_MAX[kind.value]
    if not (1 <= len(clean_title) <= TITLE_MAX and 1 <= len(clean_text) <= text_max):
        raise DomainError("process.draft_invalid", title_max=TITLE_MAX, text_max=text_max)
    return clean_title, clean_text


def validate_comment(text: object) -> str:
    clean = clean_block(text) if isinstance(text, str) else ""
    if not 1 <= len(clean) <= COMMENT_MAX:
        raise DomainError("process.comment_invalid", max=COMMENT_MAX)
    return clean


def check_may_write_draft(
    kind: DraftKind, *, is_facilitator: bool, member_id: int | None, draft_member_id: int | None
) -> None:
    """Facilitators write every draft; a party's representative writes new versions of
    their own party's kaders only (and comments on all)."""
    if is_facilitator:
        return
    if kind != DraftKind.FRAMEWORK or member_id is None or member_id != draft_member_id:
        raise DomainError("process.draft_not_yours")


@dataclass(frozen=True)
class PersonFields:
    name: str
    group: str
    organisation: str
    contact: str
    contact_by: str
    language: str


def validate_person(
    *,
    name: object,
    group: object,
    groups: tuple[str, ...] | list[str],
    organisation: object,
    contact: object,
    contact_by: object,
    language: object,
) -> PersonFields:
    clean_name = _line(name, NAME_MAX, "process.person_invalid", max=NAME_MAX)
    chosen = clean_line(group) if isinstance(group, str) else ""
    if chosen not in groups:
        raise DomainError("process.group_unknown")
    return PersonFields(
        clean_name,
        chosen,
        optional_line(organisation, "organisation", ORGANISATION_MAX),
        optional_block(contact, "contact", CONTACT_MAX),
        optional_line(contact_by, "contact_by", NAME_MAX),
        screen_language(language) or "nl",
    )


def parse_status(value: object) -> PersonStatus:
    try:
        return PersonStatus(str(value))
    except ValueError:
        raise DomainError("process.status_unknown") from None


def status_reason(status: PersonStatus, reason: object) -> str:
    """Only "will not take part" keeps a reason (if given)."""
    text = optional_block(reason, "reason", REASON_MAX)
    return text if status == PersonStatus.WILL_NOT_TAKE_PART else ""


def status_after_conversation(
    current: PersonStatus, held_on: date, today: date, agrees: bool | None
) -> PersonStatus:
    """What a recorded conversation says about the person: planned (a date ahead), held,
    and whether they will take part. A decision already made (will or will not take
    part) stands until a conversation decides otherwise; "not safe" is the
    facilitators' judgement, which no conversation lifts."""
    decided = (PersonStatus.WILL_TAKE_PART, PersonStatus.WILL_NOT_TAKE_PART)
    if current == PersonStatus.NOT_SAFE:
        return current
    if held_on > today:
        return current if current in decided else PersonStatus.PLANNED
    if agrees is True:
        return PersonStatus.WILL_TAKE_PART
    if agrees is False:
        return PersonStatus.WILL_NOT_TAKE_PART
    return current if current in decided else PersonStatus.HELD


def check_can_invite(name: str, status: PersonStatus) -> None:
    if status == PersonStatus.NOT_SAFE:
        raise DomainError("process.invite_not_safe", name=name)
    if status == PersonStatus.WILL_NOT_TAKE_PART:
        raise DomainError("process.invite_declined", name=name)


def check_can_inform(name: str, status: PersonStatus) -> None:
    if status in (PersonStatus.NOT_SAFE, PersonStatus.WILL_NOT_TAKE_PART):
        raise DomainError("process.informant_not_safe", name=name)


def validate_need(title: object, text: object) -> tuple[str, str]:
    clean_title = _line(title, TITLE_MAX, "process.need_invalid", max=TITLE_MAX)
    return clean_title, optional_block(text, "text", NEED_TEXT_MAX)


def parse_state(key: object, state: object) -> tuple[str, State]:
    if not isinstance(key, str) or key not in CONDITION_KEYS:
        raise DomainError("process.condition_unknown", key=str(key)[:40])
    try:
        return key, State(str(state))
    except ValueError:
        raise DomainError("process.state_unknown") from None


def verdict(states: dict[str, State]) -> Verdict:
    """No-go when any condition is not met; go when every condition is met; else open.
    Principles do not decide it (the console lists those not met)."""
    conditions = [c.key for c in CONDITIONS if c.kind == "condition"]
    got = [states.get(key, State.UNKNOWN) for key in conditions]
    if State.NOT_MET in got:
        return Verdict.NO_GO
    if all(s == State.MET for s in got):
        return Verdict.GO
    return Verdict.OPEN


def no_go_conditions(states: dict[str, State]) -> list[str]:
    return [
        c.key for c in CONDITIONS if c.kind == "condition" and states.get(c.key) == State.NOT_MET
    ]


def check_start(states: dict[str, State], *, confirmed: bool) -> bool:
    """Starting the meeting with a no-go condition marked needs the facilitator's
    confirmation. Returns whether it starts despite one."""
    marked = no_go_conditions(states)
    if marked and not confirmed:
        raise DomainError("process.no_go", count=len(marked))
    return bool(marked)


def parse_day(value: object, code: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(code) from None


def check_purge(
    *,
    purge_after: date | None,
    today: date,
    running: bool,
    typed_title: object,
    title: str,
) -> None:
    if purge_after is None:
        raise DomainError("process.purge_no_date")
    if today < purge_after:
        raise DomainError("process.purge_too_early", date=purge_after.isoformat())
    if running:
        raise DomainError("process.purge_running")
    if not isinstance(typed_title, str) or clean_line(typed_title) != clean_line(title):
        raise DomainError("process.purge_confirm")


# --------------------------------------------------------------------------- the checklist


@dataclass(frozen=True)
class Facts:
    """What the data says about the preparation (counted by the service)."""

    facilitator_members: int = 0
    party_members: int = 0
    statement_settled: bool = False
    statement_drafts: int = 0
    kaders_settled: int = 0
    kaders_unsettled: int = 0
    people: int = 0
    to_contact: int = 0
    taking_part: int = 0
    prepared: int = 0
    needs: int = 0
    needs_with_informant: int = 0
    to_invite: int = 0
    invited: int = 0
    came: int = 0
    open_question: bool = False
    coordinator: bool = False
    verdict: Verdict = Verdict.OPEN


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    #: "done", "open" or "warning"
    state: str
    #: (English template, its parameters) for the detail line
    detail: tuple[str, dict[str, int]]


def _step(key: str, label: str, done: bool, detail: str, **n: int) -> Step:
    return Step(key, label, "done" if done else "open", (detail, n))


def checklist(kind: ProcessKind, f: Facts) -> list[Step]:
    """The steps of the process with their state, derived from the data only."""
    sought = _step(
        "sought",
        N_("Everyone involved sought"),
        f.people > 0 and f.to_contact == 0,
        N_("On the list: {people}; still to contact: {to_contact}"),
        people=f.people,
        to_contact=f.to_contact,
    )
    prepared = _step(
        "prepared",
        N_("Everyone taking part prepared in a conversation"),
        f.taking_part > 0 and f.prepared >= f.taking_part,
        N_("Conversation held: {prepared} of {taking_part} taking part"),
        prepared=f.prepared,
        taking_part=f.taking_part,
    )
    information = _step(
        "information",
        N_("Information needs have informants"),
        f.needs > 0 and f.needs_with_informant == f.needs,
        N_("With an informant: {with_informant} of {needs}"),
        with_informant=f.needs_with_informant,
        needs=f.needs,
    )
    invited = _step(
        "invited",
        N_("Everyone taking part invited"),
        f.to_invite > 0 and f.invited >= f.to_invite,
        N_("Invited: {invited} of {to_invite}; came: {came}"),
        invited=f.invited,
        to_invite=f.to_invite,
        came=f.came,
    )
    go = Step(
        "go_no_go",
        N_("Go/no-go assessed"),
        {"go": "done", "no_go": "warning", "open": "open"}[f.verdict.value],
        (
            {
                "go": N_("Go: every condition is met"),
                "no_go": N_("No-go: a condition is not met"),
                "open": N_("Not every condition has been assessed"),
            }[f.verdict.value],
            {},
        ),
    )
    if kind == ProcessKind.NIEUWE_ROUTE:
        return [
            _step(
                "core_group",
                N_("Core group formed with the framework parties"),
                f.facilitator_members > 0 and f.party_members > 0,
                N_("Facilitators: {facilitators}; framework party representatives: {parties}"),
                facilitators=f.facilitator_members,
                parties=f.party_members,
            ),
            _step(
                "statement",
                N_("Issue statement settled by the core group"),
                f.statement_settled,
                N_("Versions written: {drafts}; the settled one reaches the meeting"),
                drafts=f.statement_drafts,
            ),
            _step(
                "kaders",
                N_("Kaders written and settled with the framework parties"),
                f.kaders_settled > 0 and f.kaders_unsettled == 0,
                N_("Settled: {settled}; still in draft: {unsettled}"),
                settled=f.kaders_settled,
                unsettled=f.kaders_unsettled,
            ),
            sought,
            prepared,
            information,
            invited,
            go,
        ]
    return [
        _step(
            "coordinator",
            N_("An independent coordinator"),
            f.coordinator,
            N_("Marked in the go/no-go assessment"),
        ),
        _step(
            "open_question",
            N_("One open question"),
            f.open_question,
            N_("Set on the meeting's form"),
        ),
        sought,
        prepared,
        information,
        invited,
        go,
    ]
