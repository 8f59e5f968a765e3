"""Proposals ("what could we do?"), support voting, merging and the shortlist.

Support voting shows where the room's energy is before consent rounds: simple support
(one tap per proposal) or dot voting (N dots a person, at most M on one proposal).
Merging duplicates carries supporters over without counting anyone twice; a withdrawn
or merged proposal no longer takes votes, and the dots on it return to their owners.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import Role, clean_block, clean_line

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
PLAN_FIELD_MAX = 300
REASON_MAX = 500
DOTS_MAX = 50
#: the fields of a proposal (and of the agreement it becomes), in the order people read them
PROPOSAL_FIELDS = ("title", "description", "what", "who", "where", "when")

MESSAGES.update(
    {
        "proposal.title_invalid": N_("Give the proposal a title of 1 to {max} characters."),
        "proposal.text_too_long": N_("'{field}' can be at most {max} characters."),
        "proposal.unknown": N_("That proposal does not exist in this meeting."),
        "proposal.closed": N_(
            "This proposal was withdrawn or merged into another one; it no longer changes "
            "or takes support."
        ),
        "proposal.reason_required": N_(
            "Say why the proposal is withdrawn (1 to {max} characters): the room sees it."
        ),
        "proposal.merge_self": N_("A proposal cannot be merged into itself."),
        "proposal.changed_meanwhile": N_(
            "Someone else saved a new version meanwhile (now version {version}). Look at it "
            "first, then make your change on it."
        ),
        "proposal.source_hidden": N_(
            "Only a contribution that the room can see can become a proposal."
        ),
        "proposal.phase_closed": N_("Proposals can be written only in the proposals phase."),
        "proposal.role": N_("Observers follow the meeting but do not write proposals."),
        "vote.closed": N_("Voting is not open. Wait until the facilitator opens it."),
        "vote.role": N_("Your role in this meeting does not vote on proposals."),
        "vote.no_dots_left": N_(
            "You have used all {total} of your dots. Take one back to move it."
        ),
        "vote.proposal_full": N_("You can give at most {max} to one proposal."),
        "vote.already_supported": N_(
            "You already support this proposal. Tap 'take back' to undo your support."
        ),
        "merge.unknown": N_("This proposal is not merged into another one."),
        "merge.voting_opened": N_(
            "Voting was open at or since the merge, so support may have moved on: the merge "
            "can no longer be undone. Withdraw or edit the proposals instead."
        ),
        "merge.support_changed": N_(
            "The support on the merged proposal changed since the merge, so it can no longer "
            "be undone exactly."
        ),
        "merge.in_consent": N_(
            "A consent round was held on one of these proposals, so the merge can no longer be "
            "undone."
        ),
        "merge.target_closed": N_(
            "The proposal it was merged into was withdrawn or merged itself; undo that first."
        ),
        "vote.nothing_to_undo": N_("You have no support on this proposal to take back."),
        "voting.rules_invalid": N_(
            "Dots per person must be 1 to {max}, and at most that many on one proposal."
        ),
        "voting.mode_invalid": N_("Choose simple support or dot voting."),
        "voting.rules_locked": N_(
            "Votes have been cast under these rules; they cannot change now."
        ),
        "shortlist.invalid": N_("The shortlist can only hold open proposals, each once."),
    }
)


class ProposalStatus(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


class ConsentStatus(StrEnum):
    """What consent decided about a proposal (none yet: null)."""

    ADOPTED = "adopted"
    #: an objection stands and cannot be integrated now: it gets no further round
    PARKED = "parked"


class VotingMode(StrEnum):
    #: one tap per proposal: I support this
    SIMPLE = "simple"
    #: N dots per person, at most M on one proposal
    DOTS = "dots"


#: Who votes by default: the people the plan is for. Framework parties and observers
#: vote only when the facilitator allows it.
DEFAULT_VOTERS = frozenset({Role.PARTICIPANT, Role.INFORMANT})


@dataclass
class ProposalFields:
    title: str
    description: str = ""
    what: str = ""
    who: str = ""
    where: str = ""
    when: str = ""

    @classmethod
    def from_input(cls, data: Mapping[str, object]) -> ProposalFields:
        raw_title = data.get("title")
        title = clean_line(raw_title) if isinstance(raw_title, str) else ""
        if not 1 <= len(title) <= TITLE_MAX:
            raise DomainError("proposal.title_invalid", max=TITLE_MAX)
        values: dict[str, str] = {}
        for name, limit in (
            ("description", DESCRIPTION_MAX),
            ("what", PLAN_FIELD_MAX),
            ("who", PLAN_FIELD_MAX),
            ("where", PLAN_FIELD_MAX),
            ("when", PLAN_FIELD_MAX),
        ):
            raw = data.get(name)
            text = clean_block(raw) if isinstance(raw, str) else ""
            if len(text) > limit:
                raise DomainError("proposal.text_too_long", field=name, max=limit)
            values[name] = text
        return cls(title=title, **values)

    def as_dict(self) -> dict[str, str]:
        return {
            "title": self.title,
            "description": self.description,
            "what": self.what,
            "who": self.who,
            "where": self.where,
            "when": self.when,
        }


def validate_reason(reason: object) -> str:
    text = clean_block(reason) if isinstance(reason, str) else ""
    if not 1 <= len(text) <= REASON_MAX:
        raise DomainError("proposal.reason_required", max=REASON_MAX)
    return text


@dataclass
class VotingRules:
    mode: VotingMode = VotingMode.SIMPLE
    dots: int = 3
    max_per_proposal: int = 1
    open: bool = False
    voters: frozenset[Role] = DEFAULT_VOTERS

    @classmethod
    def configure(
        cls, mode: object, dots: object, max_per_proposal: object, voters: frozenset[Role]
    ) -> VotingRules:
        try:
            chosen = VotingMode(str(mode))
        except ValueError:
            raise DomainError("voting.mode_invalid") from None
        if chosen is VotingMode.SIMPLE:
            return cls(mode=chosen, dots=0, max_per_proposal=1, voters=voters)
        if (
            not isinstance(dots, int)
            or not isinstance(max_per_proposal, int)
            or isinstance(dots, bool)
            or isinstance(max_per_proposal, bool)
            or not 1 <= dots <= DOTS_MAX
            or not 1 <= max_per_proposal <= dots
        ):
            raise DomainError("voting.rules_invalid", max=DOTS_MAX)
        return cls(mode=chosen, dots=dots, max_per_proposal=max_per_proposal, voters=voters)

    @property
    def per_proposal(self) -> int:
        return 1 if self.mode is VotingMode.SIMPLE else self.max_per_proposal


@dataclass
class Ballot:
    """One voter's support: proposal id -> dots (1 per proposal in simple mode).
    ``open_ids`` are the proposals still taking support: dots on a withdrawn or merged
    one no longer count against the voter's budget."""

    rules: VotingRules
    role: Role
    votes: dict[int, int] = field(default_factory=dict)

    def used(self, open_ids: AbstractSet[int]) -> int:
        return sum(n for pid, n in self.votes.items() if pid in open_ids)

    def remaining(self, open_ids: AbstractSet[int]) -> int | None:
        if self.rules.mode is VotingMode.SIMPLE:
            return None
        return max(0, self.rules.dots - self.used(open_ids))

    def give(self, proposal_id: int, status: ProposalStatus, open_ids: AbstractSet[int]) -> int:
        self._check(status)
        have = self.votes.get(proposal_id, 0)
        if have and self.rules.mode is VotingMode.SIMPLE:
            raise DomainError("vote.already_supported")
        if have >= self.rules.per_proposal:
            raise DomainError("vote.proposal_full", max=self.rules.per_proposal)
        if self.rules.mode is VotingMode.DOTS and self.used(open_ids) >= self.rules.dots:
            raise DomainError("vote.no_dots_left", total=self.rules.dots)
        self.votes[proposal_id] = have + 1
        return have + 1

    def take_back(self, proposal_id: int, status: ProposalStatus) -> int:
        self._check(status)
        have = self.votes.get(proposal_id, 0)
        if have <= 0:
            raise DomainError("vote.nothing_to_undo")
        self.votes[proposal_id] = have - 1
        return have - 1

    def _check(self, status: ProposalStatus) -> None:
        if not self.rules.open:
            raise DomainError("vote.closed")
        if self.role not in self.rules.voters:
            raise DomainError("vote.role")
        if status is not ProposalStatus.OPEN:
            raise DomainError("proposal.closed")


def merge_support(
    source: Mapping[int, int], target: Mapping[int, int], per_proposal: int
) -> dict[int, int]:
    """Supporters of both proposals (voter id -> count) after merging source into
    target: everyone keeps their support, nobody counts twice or above the limit per
    proposal; what does not fit returns to the voter."""
    merged = dict(target)
    for voter, count in source.items():
        if count > 0:
            merged[voter] = min(per_proposal, merged.get(voter, 0) + count)
    return {voter: n for voter, n in merged.items() if n > 0}


def check_merge(
    source_id: int, source: ProposalStatus, target_id: int, target: ProposalStatus
) -> None:
    if source_id == target_id:
        raise DomainError("proposal.merge_self")
    if source is not ProposalStatus.OPEN or target is not ProposalStatus.OPEN:
        raise DomainError("proposal.closed")


def validate_shortlist(ids: object, open_ids: set[int]) -> list[int]:
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise DomainError("shortlist.invalid")
    if len(set(ids)) != len(ids) or not set(ids) <= open_ids:
        raise DomainError("shortlist.invalid")
    return list(ids)


def ranking(support: Mapping[int, int], order: Mapping[int, int]) -> list[tuple[int, int]]:
    """Proposals by support, most first; ties by when they were made (``order``)."""
    return sorted(support.items(), key=lambda item: (-item[1], order.get(item[0], 0)))
