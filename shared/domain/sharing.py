"""Sharing: contributions on the wall, their moderation, themes and prompts.

Everyone can speak at once from their phone; the facilitator keeps it safe. Per meeting
the facilitator chooses pre- or post-moderation and whether the room sees names. The
facilitator always knows who wrote what.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from .errors import MESSAGES, N_, DomainError
from .meeting import Role, clean_block, clean_line
from .phases import Phase

TEXT_MAX = 1000
THEME_NAME_MAX = 60
PROMPT_MAX = 300

MESSAGES.update(
    {
        "contribution.text_invalid": N_(
            "Write between 1 and {max} characters; your text has {length}."
        ),
        "contribution.phase_closed": N_(
            "Contributions can be written and changed only while the sharing phase is open."
        ),
        "contribution.role": N_("Observers follow the meeting but do not write on the wall."),
        "contribution.unknown": N_("That contribution does not exist in this meeting."),
        "contribution.not_yours": N_("You can only change or withdraw your own contributions."),
        "contribution.gone": N_("This contribution was withdrawn or hidden and cannot change."),
        "contribution.not_pending": N_("Only a contribution waiting for approval can be approved."),
        "theme.name_invalid": N_("Give the theme a name of 1 to {max} characters."),
        "theme.unknown": N_("That theme does not exist in this meeting."),
        "prompt.invalid": N_("Write a prompt of 1 to {max} characters."),
        "prompt.unknown": N_("That prompt does not exist in this meeting."),
        "setting.invalid": N_("'{value}' is not a valid choice for {setting}."),
        "spotlight.not_visible": N_("Only a contribution that the room can see can be spotlit."),
    }
)


class Moderation(StrEnum):
    #: the facilitator approves each contribution before the room sees it
    PRE = "pre"
    #: shown at once; the facilitator can hide it
    POST = "post"


class Anonymity(StrEnum):
    NAMED = "named"
    ANONYMOUS = "anonymous"


class WallMode(StrEnum):
    NEWEST = "newest"
    THEMES = "themes"


class Status(StrEnum):
    PENDING = "pending"
    VISIBLE = "visible"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


#: Observers watch; everyone else in the room may write.
WRITING_ROLES = frozenset({Role.PARTICIPANT, Role.INFORMANT, Role.FRAMEWORK_PARTY})


def validate_text(text: object) -> str:
    if not isinstance(text, str):
        raise DomainError("contribution.text_invalid", max=TEXT_MAX, length=0)
    cleaned = clean_block(text)
    if not 1 <= len(cleaned) <= TEXT_MAX:
        raise DomainError("contribution.text_invalid", max=TEXT_MAX, length=len(cleaned))
    return cleaned


def validate_theme_name(name: object) -> str:
    cleaned = clean_line(name) if isinstance(name, str) else ""
    if not 1 <= len(cleaned) <= THEME_NAME_MAX:
        raise DomainError("theme.name_invalid", max=THEME_NAME_MAX)
    return cleaned


def validate_prompt(text: object) -> str:
    cleaned = clean_block(text) if isinstance(text, str) else ""
    if not 1 <= len(cleaned) <= PROMPT_MAX:
        raise DomainError("prompt.invalid", max=PROMPT_MAX)
    return cleaned


E = TypeVar("E", bound=StrEnum)


def choice(enum: type[E], value: object, setting: str) -> E:
    try:
        return enum(str(value))
    except ValueError:
        raise DomainError("setting.invalid", value=str(value)[:40], setting=setting) from None


def check_can_write(phase: Phase, role: Role) -> None:
    if phase is not Phase.SHARING:
        raise DomainError("contribution.phase_closed")
    if role not in WRITING_ROLES:
        raise DomainError("contribution.role")


def initial_status(moderation: Moderation) -> Status:
    return Status.PENDING if moderation is Moderation.PRE else Status.VISIBLE


@dataclass
class Contribution:
    id: int
    author_id: int
    text: str
    status: Status
    theme_id: int | None = None

    @property
    def on_wall(self) -> bool:
        """Whether the room (beamer, phones) may see it."""
        return self.status is Status.VISIBLE

    def _check_author(self, participant_id: int) -> None:
        if participant_id != self.author_id:
            raise DomainError("contribution.not_yours")
        if self.status in (Status.HIDDEN, Status.WITHDRAWN):
            raise DomainError("contribution.gone")

    def edit(self, participant_id: int, text: object, phase: Phase, moderation: Moderation) -> bool:
        """The author rewrites it while sharing is open. Under pre-moderation an edited
        text goes back for approval: the facilitator approved the old words, not these."""
        if phase is not Phase.SHARING:
            raise DomainError("contribution.phase_closed")
        self._check_author(participant_id)
        cleaned = validate_text(text)
        if cleaned == self.text:
            return False
        self.text = cleaned
        if moderation is Moderation.PRE:
            self.status = Status.PENDING
        return True

    def withdraw(self, participant_id: int, phase: Phase) -> None:
        if phase is not Phase.SHARING:
            raise DomainError("contribution.phase_closed")
        self._check_author(participant_id)
        self.status = Status.WITHDRAWN

    def hide(self) -> bool:
        """The facilitator takes it off the wall, in any phase, for good: a hidden text
        never reaches the room again, so there is no undo. Idempotent."""
        if self.status is Status.WITHDRAWN:
            raise DomainError("contribution.gone")
        if self.status is Status.HIDDEN:
            return False
        self.status = Status.HIDDEN
        return True

    def approve(self) -> None:
        if self.status is not Status.PENDING:
            raise DomainError("contribution.not_pending")
        self.status = Status.VISIBLE
