"""Process templates and the phase state machine.

A meeting walks a fixed sequence: ``welcome`` (the room fills up), the phases of its
template, then ``closed``. The sequence and the guards are data: the tables below are
the whole workflow; ``Meeting.advance``/``step_back`` only read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Protocol

from .errors import DomainError


class GuardedState(Protocol):
    """What the phase guards read of a meeting (``meeting.Meeting`` has all of it). A
    protocol, so that this module does not import the meeting that imports it."""

    @property
    def open_question(self) -> str: ...
    @property
    def issue_statement(self) -> str: ...
    @property
    def consent_round_open(self) -> bool: ...
    @property
    def plan_adopted(self) -> bool: ...
    @property
    def kaders_unlocked(self) -> bool: ...
    @property
    def check_blocker(self) -> DomainError | None: ...
    @property
    def signing_closed(self) -> bool: ...


class Phase(StrEnum):
    WELCOME = "welcome"
    FRAMING = "framing"
    SHARING = "sharing"
    PROPOSALS = "proposals"
    CONSENT = "consent"
    FRAMEWORK_CHECK = "framework_check"
    SIGNING = "signing"
    CLOSED = "closed"


#: The working phases in their one canonical order.
WORK_PHASES: tuple[Phase, ...] = (
    Phase.FRAMING,
    Phase.SHARING,
    Phase.PROPOSALS,
    Phase.CONSENT,
    Phase.FRAMEWORK_CHECK,
    Phase.SIGNING,
)


class Template(StrEnum):
    ALLE_HENS = "alle_hens"
    NIEUWE_ROUTE = "nieuwe_route"
    CUSTOM = "custom"


#: The phases each fixed template runs.
TEMPLATE_PHASES: dict[Template, tuple[Phase, ...]] = {
    Template.ALLE_HENS: (
        Phase.FRAMING,
        Phase.SHARING,
        Phase.PROPOSALS,
        Phase.CONSENT,
        Phase.SIGNING,
    ),
    Template.NIEUWE_ROUTE: WORK_PHASES,
}

#: A phase that builds on another needs it earlier in the meeting: consent rounds are
#: held on proposals, the kader check and signing work on the plan that consent made.
REQUIRES: dict[Phase, Phase] = {
    Phase.CONSENT: Phase.PROPOSALS,
    Phase.FRAMEWORK_CHECK: Phase.CONSENT,
    Phase.SIGNING: Phase.CONSENT,
}

Guard = Callable[[GuardedState], DomainError | None]


def _needs_open_question(meeting: GuardedState) -> DomainError | None:
    if not meeting.open_question.strip():
        return DomainError("phase.needs_open_question")
    return None


def _needs_issue_statement(meeting: GuardedState) -> DomainError | None:
    if not meeting.issue_statement.strip():
        return DomainError("phase.needs_issue_statement")
    return None


def _no_open_round(meeting: GuardedState) -> DomainError | None:
    if meeting.consent_round_open:
        return DomainError("phase.round_open")
    return None


def _needs_adopted_plan(meeting: GuardedState) -> DomainError | None:
    if not meeting.plan_adopted:
        return DomainError("check.needs_plan")
    return None


def _kaders_locked(meeting: GuardedState) -> DomainError | None:
    if meeting.kaders_unlocked:
        return DomainError("framework.not_locked_yet")
    return None


def _check_done(meeting: GuardedState) -> DomainError | None:
    return meeting.check_blocker


def _needs_plan_to_sign(meeting: GuardedState) -> DomainError | None:
    if not meeting.plan_adopted:
        return DomainError("signing.needs_plan")
    return None


def _signing_closed(meeting: GuardedState) -> DomainError | None:
    if not meeting.signing_closed:
        return DomainError("signing.open")
    return None


#: Checked when the meeting moves forward out of a phase. Later capabilities add theirs
#: (an unsigned plan, ...) here rather than in scattered ifs.
EXIT_GUARDS: dict[Phase, tuple[Guard, ...]] = {
    Phase.WELCOME: (_needs_open_question,),
    Phase.CONSENT: (_no_open_round,),
    Phase.FRAMEWORK_CHECK: (_check_done,),
    Phase.SIGNING: (_signing_closed,),
}

#: Checked when the meeting moves forward into a phase.
ENTRY_GUARDS: dict[Phase, tuple[Guard, ...]] = {
    Phase.FRAMING: (_needs_issue_statement,),
    Phase.FRAMEWORK_CHECK: (_needs_adopted_plan, _kaders_locked),
    Phase.SIGNING: (_needs_plan_to_sign,),
}


def phases_for(template: Template | str, custom: Iterable[str] | None = None) -> tuple[Phase, ...]:
    """The working phases of a template, validated; ``custom`` only for the custom one."""
    try:
        tpl = Template(template)
    except ValueError:
        raise DomainError("template.unknown") from None
    if tpl is not Template.CUSTOM:
        return TEMPLATE_PHASES[tpl]
    chosen: list[Phase] = []
    for value in custom or ():
        try:
            chosen.append(Phase(value))
        except ValueError:
            raise DomainError("template.phase_unknown", value=value) from None
    return validate_custom_phases(chosen)


def validate_custom_phases(chosen: Sequence[Phase]) -> tuple[Phase, ...]:
    if not chosen:
        raise DomainError("template.no_phases")
    if any(p not in WORK_PHASES for p in chosen):
        raise DomainError("template.phase_order")
    positions = [WORK_PHASES.index(p) for p in chosen]
    if positions != sorted(set(positions)):
        raise DomainError("template.phase_order")
    for phase in chosen:
        required = REQUIRES.get(phase)
        if required is not None and required not in chosen:
            raise DomainError("template.phase_requires", phase=phase.value, required=required.value)
    return tuple(chosen)


def sequence(phases: Sequence[Phase]) -> tuple[Phase, ...]:
    """The full walk of a meeting: welcome, its phases, closed."""
    return (Phase.WELCOME, *phases, Phase.CLOSED)
