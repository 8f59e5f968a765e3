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
        "consent.amend_round_open": N_(
            "A round on this proposal is open. Amending it closes that round as superseded "
            "(its answers stay on the record with the version they were given on) and opens "
            "a new round on the new version. Confirm to go ahead."
        ),
        "consent.amend_plan_round_open": N_(
            "A round on the whole plan is open. Changing the plan closes that round as "
            "superseded (its answers stay on the record) and opens a new round on the plan "
            "as it is then. Confirm to go ahead."
        ),
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
    #: an objection stood when the round closed: amend, park or drop the proposal
    NOT_ADOPTED = "not_adopted"
    #: the text was amended while the round was open: the round ended, its answers stay
    #: on the record with the version they were given on, and a new round asks anew
    SUPERSEDED = "superseded"


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
        return Outcome.NOT_ADOPTED if self.standing_objections() else Outcome.ADOPTED

    def supersede(self) -> Outcome:
        """The text changed under the round: it ends without a decision."""
        if not self.open:
            raise DomainError("consent.already_closed")
        self.open = False
        return Outcome.SUPERSEDED

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


# --------------------------------------------------------------------------- the record


class Ending(StrEnum):
    """How an objection ended, as the record tells it."""

    #: the objector withdrew it (an explanation resolved it)
    WITHDRAWN = "withdrawn"
    #: the text was amended and a round on the new version adopted it without the
    #: objector objecting again
    INTEGRATED = "integrated"
    #: the same, unchanged text was adopted in a later round without the objector
    #: objecting again (nothing was integrated)
    ADOPTED_UNCHANGED = "adopted_unchanged"
    #: the objector objected again to the amended text (that objection ends on its own)
    RAISED_AGAIN = "raised_again"
    #: the round closed with it standing and no later round resolved it
    STANDING = "standing"
    #: its round is still open
    OPEN = "open"


@dataclass(frozen=True)
class RoundFacts:
    """One closed or open round of a proposal (or of the plan), as stored."""

    round_id: int
    #: the version of the text it asked about (None for rounds on the whole plan)
    version: int | None
    #: adopted, not_adopted, superseded, or None while open
    outcome: str | None
    #: eligible person -> their last answer in this round
    answers: dict[int, Response]
    #: what identifies the text it asked about (a version, or a digest of the plan): an
    #: objection is integrated only when a later round asked about other text
    text: object = None


@dataclass(frozen=True)
class ObjectionEnding:
    round_id: int
    participant_id: int
    ending: Ending
    #: for integrated and raised_again: the later round, and the version it asked about
    later_round_id: int | None = None
    later_version: int | None = None
    #: for integrated: what the objector answered on the amended text (None: no answer)
    later_answer: Answer | None = None


def objection_endings(rounds: Iterable[RoundFacts]) -> list[ObjectionEnding]:
    """How every objection in a proposal's rounds (oldest first) ended."""
    ordered = list(rounds)
    out: list[ObjectionEnding] = []
    for i, rnd in enumerate(ordered):
        for pid in sorted(rnd.answers):
            response = rnd.answers[pid]
            if response.answer is not Answer.OBJECTION:
                continue
            if response.withdrawn:
                out.append(ObjectionEnding(rnd.round_id, pid, Ending.WITHDRAWN))
                continue
            out.append(_ending_after(rnd, pid, ordered[i + 1 :]))
    return out


def _ending_after(rnd: RoundFacts, pid: int, later: list[RoundFacts]) -> ObjectionEnding:
    for nxt in later:
        said = nxt.answers.get(pid)
        if said is not None and said.stands:
            return ObjectionEnding(
                rnd.round_id, pid, Ending.RAISED_AGAIN, nxt.round_id, nxt.version, said.answer
            )
        if nxt.outcome == Outcome.ADOPTED.value:
            changed = nxt.text != rnd.text
            return ObjectionEnding(
                rnd.round_id,
                pid,
                Ending.INTEGRATED if changed else Ending.ADOPTED_UNCHANGED,
                nxt.round_id,
                nxt.version,
                None if said is None else said.answer,
            )
    if rnd.outcome is None:
        return ObjectionEnding(rnd.round_id, pid, Ending.OPEN)
    return ObjectionEnding(rnd.round_id, pid, Ending.STANDING)
