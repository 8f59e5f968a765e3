"""A meeting, its participants and the rules for preparing and running it."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from .errors import DomainError
from .events import PhaseChanged, TimerSet
from .phases import ENTRY_GUARDS, EXIT_GUARDS, Phase, Template, phases_for, sequence

TITLE_MAX = 120
OPEN_QUESTION_MAX = 500
ISSUE_STATEMENT_MAX = 5000
PLACE_MAX = 200
GROUPS_MAX = 20
GROUP_NAME_MAX = 40
NAME_MAX = 60
TIMEBOX_MAX_MINUTES = 480
#: how long each page of long content stays on the beamer
PAGE_SECONDS_MIN, PAGE_SECONDS_MAX = 4, 120
#: the languages a meeting can be held in: the beamer, the phones' default and the plan
#: document speak it
MEETING_LANGUAGES = ("nl", "en")
#: the languages a person's own screen can speak (their phone, a party's screen): the
#: languages of the neighbourhood next to the meeting's
SCREEN_LANGUAGES = ("nl", "en", "ar", "tr", "pl")


def screen_language(value: object) -> str:
    """A person's screen language, or "" when it is not one Plandag speaks."""
    return value if isinstance(value, str) and value in SCREEN_LANGUAGES else ""


#: Letters and digits nobody confuses when reading from a beamer or typing on a phone:
#: no 0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V.
JOIN_CODE_ALPHABET = "ACEFGHJKMNPRTWXY34679"
JOIN_CODE_LENGTH = 6

#: control characters, zero-width and direction overrides, and lone surrogates (which
#: no database or JSON encoder accepts)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SPACES = re.compile(r"\s+")


class Role(StrEnum):
    PARTICIPANT = "participant"
    INFORMANT = "informant"
    FRAMEWORK_PARTY = "framework_party"
    OBSERVER = "observer"


def clean_line(text: str) -> str:
    """One line of user text: NFC, no control or direction-override characters,
    runs of white space folded to one space, trimmed."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def clean_block(text: str) -> str:
    """A block of user text: like ``clean_line`` but keeps line breaks (max two in a row)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def validate_display_name(name: object) -> str:
    if not isinstance(name, str):
        raise DomainError("participant.name_invalid", max=NAME_MAX)
    cleaned = clean_line(name)
    if not 1 <= len(cleaned) <= NAME_MAX:
        raise DomainError("participant.name_invalid", max=NAME_MAX)
    return cleaned


def validate_role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise DomainError("participant.role_unknown", value=str(value)[:40]) from None


def validate_groups(groups: object) -> tuple[str, ...]:
    if not isinstance(groups, list | tuple):
        raise DomainError("meeting.groups_invalid", max=GROUPS_MAX, max_length=GROUP_NAME_MAX)
    if not all(isinstance(g, str) for g in groups):
        raise DomainError("meeting.groups_invalid", max=GROUPS_MAX, max_length=GROUP_NAME_MAX)
    # Blank lines in the form are not groups; duplicates are a typo worth pointing out.
    cleaned = tuple(c for c in (clean_line(g) for g in groups) if c)
    folded = {g.casefold() for g in cleaned}
    if (
        not 1 <= len(cleaned) <= GROUPS_MAX
        or len(folded) != len(cleaned)
        or any(len(g) > GROUP_NAME_MAX for g in cleaned)
    ):
        raise DomainError("meeting.groups_invalid", max=GROUPS_MAX, max_length=GROUP_NAME_MAX)
    return cleaned


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(text: str) -> str:
    """What a person typed (lower case, spaces, a dash, an O for a 0) as a stored code."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def format_join_code(code: str) -> str:
    """Split in two halves for reading aloud and from the back of a hall: ``ACE-479``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


@dataclass
class MeetingDetails:
    """What a facilitator prepares; validated as a whole."""

    title: str
    template: Template
    phases: tuple[Phase, ...]
    groups: tuple[str, ...]
    open_question: str = ""
    issue_statement: str = ""
    place: str = ""
    date: date | None = None
    language: str = "nl"

    @classmethod
    def from_input(
        cls,
        *,
        title: str,
        template: str,
        groups: list[str] | tuple[str, ...],
        custom_phases: list[str] | None = None,
        open_question: str = "",
        issue_statement: str = "",
        place: str = "",
        date_text: str = "",
        language: str = "nl",
    ) -> MeetingDetails:
        clean_title = clean_line(title)
        if not 1 <= len(clean_title) <= TITLE_MAX:
            raise DomainError("meeting.title_invalid", max=TITLE_MAX)
        phases = phases_for(template, custom_phases)
        question = clean_block(open_question)
        statement = clean_block(issue_statement)
        clean_place = clean_line(place)
        for label, value, limit in (
            ("open question", question, OPEN_QUESTION_MAX),
            ("issue statement", statement, ISSUE_STATEMENT_MAX),
            ("place", clean_place, PLACE_MAX),
        ):
            if len(value) > limit:
                raise DomainError("meeting.text_too_long", field=label, max=limit)
        when: date | None = None
        if date_text.strip():
            try:
                when = date.fromisoformat(date_text.strip())
            except ValueError:
                raise DomainError("meeting.date_invalid") from None
        if language not in MEETING_LANGUAGES:
            raise DomainError("meeting.language_invalid")
        return cls(
            title=clean_title,
            template=Template(template),
            phases=phases,
            groups=validate_groups(groups),
            open_question=question,
            issue_statement=statement,
            place=clean_place,
            date=when,
            language=language,
        )


@dataclass
class Meeting:
    """The running state of a meeting: where it is and what the guards look at."""

    phases: tuple[Phase, ...]
    phase: Phase = Phase.WELCOME
    open_question: str = ""
    issue_statement: str = ""
    groups: tuple[str, ...] = ()
    phase_started_at: datetime | None = None
    timebox_seconds: int | None = None
    #: a consent round is still open (set by the caller from the record)
    consent_round_open: bool = False
    #: the final consent round on the whole plan adopted it
    plan_adopted: bool = False
    #: why the kader check is not finished (open checks, missing follow-ups), or None;
    #: set by the caller from ``FrameworkCheck.exit_blocker``
    check_blocker: DomainError | None = None
    #: the facilitator closed signing (the plan document is sealed)
    signing_closed: bool = False
    #: there are kaders and they are not locked yet (set by the caller)
    kaders_unlocked: bool = False
    _walk: tuple[Phase, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._walk = sequence(self.phases)
        if self.phase not in self._walk:
            # A phase the template does not run (data edited by hand): start over safely.
            self.phase = Phase.WELCOME

    @property
    def walk(self) -> tuple[Phase, ...]:
        return self._walk

    @property
    def ended(self) -> bool:
        return self.phase is Phase.CLOSED

    def next_phase(self) -> Phase | None:
        i = self._walk.index(self.phase)
        return self._walk[i + 1] if i + 1 < len(self._walk) else None

    def previous_phase(self) -> Phase | None:
        i = self._walk.index(self.phase)
        return self._walk[i - 1] if i > 0 else None

    def advance_blocker(self) -> DomainError | None:
        """Why the meeting cannot move forward now, or None: the console shows it."""
        target = self.next_phase()
        if target is None:
            return DomainError("phase.at_end")
        for guard in (*EXIT_GUARDS.get(self.phase, ()), *ENTRY_GUARDS.get(target, ())):
            refusal = guard(self)
            if refusal is not None:
                return refusal
        return None

    def back_blocker(self) -> DomainError | None:
        if self.previous_phase() is None:
            return DomainError("phase.at_start")
        return None

    def advance(self, now: datetime, expected: Phase | None = None) -> PhaseChanged:
        self._check_expected(expected)
        refusal = self.advance_blocker()
        if refusal is not None:
            raise refusal
        target = self.next_phase()
        assert target is not None
        return self._move(target, now)

    def step_back(self, now: datetime, expected: Phase | None = None) -> PhaseChanged:
        """Back one phase, e.g. to revisit framing. Entry guards are not re-checked: the
        phase was entered once already. Data made in later phases stays."""
        self._check_expected(expected)
        refusal = self.back_blocker()
        if refusal is not None:
            raise refusal
        target = self.previous_phase()
        assert target is not None
        return self._move(target, now)

    def set_timebox(self, minutes: int | None, now: datetime) -> TimerSet:
        """Give the current phase a time budget (the beamer counts down), or clear it."""
        if minutes is not None and not 1 <= minutes <= TIMEBOX_MAX_MINUTES:
            raise DomainError("meeting.timebox_invalid", max=TIMEBOX_MAX_MINUTES)
        self.timebox_seconds = None if minutes is None else minutes * 60
        started = self.phase_started_at or now
        return TimerSet(timebox_seconds=self.timebox_seconds, started_at=started)

    def check_can_join(self) -> None:
        if self.ended:
            raise DomainError("meeting.ended")

    def validate_group(self, group: object) -> str:
        if not isinstance(group, str):
            raise DomainError("participant.group_unknown")
        cleaned = clean_line(group)
        for known in self.groups:
            if known.casefold() == cleaned.casefold():
                return known
        raise DomainError("participant.group_unknown")

    def _check_expected(self, expected: Phase | None) -> None:
        # Two facilitators (or one double tap) moving from the same screen state: the
        # second move would skip a phase, so it is refused instead.
        if expected is not None and expected is not self.phase:
            raise DomainError("phase.stale", phase=self.phase.value)

    def _move(self, target: Phase, now: datetime) -> PhaseChanged:
        event = PhaseChanged(from_phase=self.phase.value, to_phase=target.value, started_at=now)
        self.phase = target
        self.phase_started_at = now
        self.timebox_seconds = None
        return event


def validate_page_seconds(value: object) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not PAGE_SECONDS_MIN <= value <= PAGE_SECONDS_MAX
    ):
        raise DomainError(
            "meeting.page_seconds_invalid", min=PAGE_SECONDS_MIN, max=PAGE_SECONDS_MAX
        )
    return value
