"""The one error type of the domain core.

Every refusal carries a stable ``code`` (clients and tests match on it) and a message a
person can act on. Messages are English templates marked with ``N_`` so the web layer
can translate them (Dutch by default) before formatting in the parameters.
"""

from __future__ import annotations

from typing import Any


def N_(text: str) -> str:
    """Mark a string for translation without translating it (pure core, no Babel)."""
    return text


#: code -> English message template; ``{name}`` placeholders come from the error's params.
MESSAGES: dict[str, str] = {
    # phases
    "phase.at_end": N_("The meeting has ended; there is no next phase."),
    "phase.at_start": N_("The meeting has not started yet; there is no earlier phase."),
    "phase.stale": N_(
        "The meeting is already in the phase '{phase}'. Your screen was behind; "
        "it has been brought up to date."
    ),
    "phase.needs_open_question": N_(
        "Set the open question of the meeting before starting: everyone works on it."
    ),
    "phase.round_open": N_(
        "A consent round is still open. Close it before moving on: nobody's answer is lost."
    ),
    "phase.needs_issue_statement": N_(
        "Write the issue statement before framing: the framing phase presents it."
    ),
    # templates
    "template.unknown": N_("Choose one of the process templates."),
    "template.no_phases": N_("Choose at least one phase for a custom process."),
    "template.phase_unknown": N_("'{value}' is not a phase Plandag knows."),
    "template.phase_order": N_(
        "Phases must keep their order (framing, sharing, proposals, consent, "
        "framework check, signing) and appear once each."
    ),
    "template.phase_requires": N_("The phase '{phase}' needs the phase '{required}' before it."),
    # meeting preparation
    "meeting.title_invalid": N_("Give the meeting a title of 1 to {max} characters."),
    "meeting.text_too_long": N_("'{field}' can be at most {max} characters."),
    "meeting.date_invalid": N_("Enter the date as YYYY-MM-DD."),
    "meeting.language_invalid": N_("Choose Dutch or English as the meeting's language."),
    "meeting.language_locked": N_(
        "The plan is sealed in this language; the meeting's language cannot change any more."
    ),
    "meeting.groups_invalid": N_(
        "Give between 1 and {max} groups, each 1 to {max_length} characters, each once."
    ),
    "meeting.timebox_invalid": N_("A phase timer runs between 1 and {max} minutes."),
    "meeting.page_seconds_invalid": N_(
        "Each page stays on the beamer between {min} and {max} seconds."
    ),
    "meeting.group_in_use": N_(
        "A group that participants already chose cannot be removed; rename it instead."
    ),
    "meeting.ended": N_("This meeting has ended; joining is closed."),
    # participants
    "participant.name_invalid": N_("Enter a name of 1 to {max} characters."),
    "participant.group_unknown": N_("Choose one of the groups of this meeting."),
    "participant.role_unknown": N_("'{value}' is not a role in a meeting."),
    "participant.removed": N_("The facilitator has removed you from this meeting."),
}


class DomainError(Exception):
    """A refused intent: stable ``code``, human ``message``, and the ``params`` behind it."""

    def __init__(self, code: str, message: str | None = None, **params: Any) -> None:
        self.code = code
        self.params = params
        #: the untranslated template, kept so a caller can translate then format
        self.template = message if message is not None else MESSAGES.get(code, code)
        self.message = _format(self.template, params)
        super().__init__(f"{code}: {self.message}")

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _format(template: str, params: dict[str, Any]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
