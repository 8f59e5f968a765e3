"""Consent rounds: "can everyone live with this?"

Consent is not a majority vote. Each eligible person answers consent, consent with a
concern, or objection with a reason; the last answer counts while the round is open.
A proposal is adopted when the round closes and no objection stands among the eligible:
an objection stands until its objector withdraws it (an amendment or an explanation
resolved it). Not answering does not block. Who is eligible is fixed when the round
opens; the facilitator can add a late joiner, and someone removed from the meeting
leaves the round.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import Role, clean_block

TEXT_MAX = 2000

MESSAGES.update(
    {
        "consent.closed": N_("This round is closed; answers no longer change."),
        "consent.ineligible": N_(
            "You do not take part in this round. Ask the facilitator if you should."
        ),
        "consent.answer_invalid": N_("Answer consent, consent with a concern, or objection."),
        "consent.concern_required": N_(
            "Write your concern (1 to {max} characters): it is recorded with the proposal."
        ),
        "consent.reason_required": N_(
            "An objection needs a reason (1 to {max} characters): what harm does it do, and "
            "why can you not live with it?"
        ),
        "consent.no_objection": N_("You have no standing objection in this round to withdraw."),
        "consent.already_closed": N_("This round was already closed."),
        "consent.round_open": N_("Close the open round before opening the next one."),
        "consent.phase_closed": N_("Consent rounds are held in the consent phase."),
        "agreement.unknown": N_("That agreement is not in this meeting's plan."),
        "plan.adopted": N_(
            "The whole plan was adopted in the final consent round, so its text no longer "
            "changes. Record a follow-up agreement, or adopt an amended plan in a new round."
        ),
    }
)


class Answer(StrEnum):
    CONSENT = "consent"
    CONCERN = "concern"
    OBJECTION = "objection"


class Outcome(StrEnum):
    ADOPTED = "adopted"
    #: an objection stands: amend, park or drop the proposal
    OPEN = "open"


#: Who answers by default: the people the plan is for.
DEFAULT_ELIGIBLE = frozenset({Role.PARTICIPANT, Role.INFORMANT})


def eligible_at_open(
    people: Iterable[tuple[int, Role]], roles: frozenset[Role] = DEFAULT_ELIGIBLE
) -> set[int]:
    """Who answers in a round, fixed when it opens and recorded with it."""
    return {pid for pid, role in people if role in roles}


@dataclass
class Response:
    answer: Answer
    #: the concern, or the objection's reason
    text: str = ""
    #: the objector withdrew the objection (it no longer stands)
    withdrawn: bool = False

    @property
    def stands(self) -> bool:
        return self.answer is Answer.OBJECTION and not self.withdrawn


@dataclass
class ConsentRound:
    eligible: set[int]
    open: bool = True
    answers: dict[int, Response] = field(default_factory=dict)

    def answer(self, participant_id: int, value: object, text: object = "") -> Response:
        self._check_open()
        if participant_id not in self.eligible:
            raise DomainError("consent.ineligible")
        try:
            kind = Answer(str(value))
        except ValueError:
            raise DomainError("consent.answer_invalid") from None
        cleaned = clean_block(text) if isinstance(text, str) else ""
        if kind is Answer.CONCERN and not 1 <= len(cleaned) <= TEXT_MAX:
            raise DomainError("consent.concern_required", max=TEXT_MAX)
        if kind is Answer.OBJECTION and not 1 <= len(cleaned) <= TEXT_MAX:
            raise DomainError("consent.reason_required", max=TEXT_MAX)
        if kind is Answer.CONSENT:
            cleaned = ""
        response = Response(kind, cleaned)
        self.answers[participant_id] = response  # the last answer counts
        return response

    def withdraw_objection(self, participant_id: int) -> Response:
        """The objector says the amendment or explanation resolves it."""
        self._check_open()
        response = self.answers.get(participant_id)
        if participant_id not in self.eligible or response is None or not response.stands:
            raise DomainError("consent.no_objection")
        response.withdrawn = True
        return response

    def add(self, participant_id: int) -> bool:
        """A late joiner, added by the facilitator while the round is open."""
        self._check_open()
        if participant_id in self.eligible:
            return False
        self.eligible.add(participant_id)
        return True

    def leave(self, participant_id: int) -> None:
        """Someone removed from the meeting no longer takes part; their answer stays in
        the record but counts no more."""
        self.eligible.discard(participant_id)

    def close(self) -> Outcome:
        if not self.open:
            raise DomainError("consent.already_closed")
        self.open = False
        return self.outcome()

    def standing_objections(self) -> list[int]:
        return sorted(pid for pid, r in self.answers.items() if pid in self.eligible and r.stands)

    def outcome(self) -> Outcome:
        return Outcome.OPEN if self.standing_objections() else Outcome.ADOPTED

    def concerns(self) -> list[tuple[int, str]]:
        return sorted(
            (pid, r.text)
            for pid, r in self.answers.items()
            if pid in self.eligible and r.answer is Answer.CONCERN
        )

    def tally(self) -> dict[str, int]:
        counted = {pid: r for pid, r in self.answers.items() if pid in self.eligible}
        return {
            "eligible": len(self.eligible),
            "answered": len(counted),
            "consent": sum(1 for r in counted.values() if r.answer is Answer.CONSENT),
            "concern": sum(1 for r in counted.values() if r.answer is Answer.CONCERN),
            "objection": sum(1 for r in counted.values() if r.stands),
            "withdrawn": sum(
                1 for r in counted.values() if r.answer is Answer.OBJECTION and r.withdrawn
            ),
        }

    def _check_open(self) -> None:
        if not self.open:
            raise DomainError("consent.closed")
