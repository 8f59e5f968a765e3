"""Framing: versions of the issue statement, the recognition check on one version, and
the information items informants share."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import ISSUE_STATEMENT_MAX, clean_block, clean_line

#: A version becomes the meeting's issue statement, so both share one limit.
STATEMENT_MAX = ISSUE_STATEMENT_MAX
COMMENT_MAX = 500
INFO_TITLE_MAX = 120
INFO_TEXT_MAX = 5000

MESSAGES.update(
    {
        "statement.invalid": N_("Write an issue statement of 1 to {max} characters."),
        "recognition.closed": N_(
            "This recognition check is closed; answers no longer change. "
            "Open a new check to ask again."
        ),
        "recognition.answer_invalid": N_("Answer yes, partly or no."),
        "recognition.comment_too_long": N_("Keep your comment to at most {max} characters."),
        "info.title_invalid": N_("Give the information a title of 1 to {max} characters."),
        "info.text_too_long": N_("The text of the information can be at most {max} characters."),
    }
)


class Recognition(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


_ANSWERS = frozenset(r.value for r in Recognition)


def validate_statement(text: object) -> str:
    if not isinstance(text, str):
        raise DomainError("statement.invalid", max=STATEMENT_MAX)
    cleaned = clean_block(text)
    if not 1 <= len(cleaned) <= STATEMENT_MAX:
        raise DomainError("statement.invalid", max=STATEMENT_MAX)
    return cleaned


@dataclass
class RecognitionCheck:
    """The question "do you recognise yourself in it?", asked of one statement version."""

    statement_version: int
    open: bool = True
    #: participant_id -> (answer, comment)
    answers: dict[int, tuple[Recognition, str]] = field(default_factory=dict)

    def answer(self, participant_id: int, value: object, comment: object = "") -> bool:
        """Record or change an answer; True when something changed (a retry changes nothing)."""
        if not self.open:
            raise DomainError("recognition.closed")
        if not isinstance(value, str) or value not in _ANSWERS:
            raise DomainError("recognition.answer_invalid")
        if comment is None:
            comment = ""
        if not isinstance(comment, str):
            raise DomainError("recognition.comment_too_long", max=COMMENT_MAX)
        cleaned = clean_block(comment)
        if len(cleaned) > COMMENT_MAX:
            raise DomainError("recognition.comment_too_long", max=COMMENT_MAX)
        # People change their mind while the check is open; the last answer counts.
        given = (Recognition(value), cleaned)
        if self.answers.get(participant_id) == given:
            return False
        self.answers[participant_id] = given
        return True

    def close(self) -> None:
        if not self.open:
            raise DomainError("recognition.closed")
        self.open = False

    def tally(self) -> dict[str, int]:
        """Counts per answer; every key is present so a beamer can draw all three bars."""
        counts = {r.value: 0 for r in Recognition}
        for value, _comment in self.answers.values():
            counts[value.value] += 1
        return counts

    def answered(self) -> int:
        return len(self.answers)


def validate_info_item(title: object, text: object) -> tuple[str, str]:
    """An informant's item: a short title for the list and an optional longer text."""
    if not isinstance(title, str):
        raise DomainError("info.title_invalid", max=INFO_TITLE_MAX)
    clean_title = clean_line(title)
    if not 1 <= len(clean_title) <= INFO_TITLE_MAX:
        raise DomainError("info.title_invalid", max=INFO_TITLE_MAX)
    if not isinstance(text, str):
        raise DomainError("info.text_too_long", max=INFO_TEXT_MAX)
    clean_text = clean_block(text)
    if len(clean_text) > INFO_TEXT_MAX:
        raise DomainError("info.text_too_long", max=INFO_TEXT_MAX)
    return clean_title, clean_text
