"""Frameworks: the limits a plan must fit, set by the framework-setting parties.

Before the meeting the facilitator and the parties write the frameworks; the facilitator
locks them, after which a change is a new version (both stay in the record). In the
meeting a framework can be flagged on a proposal that may conflict with it. After the final
consent on the whole plan, the parties check every agreement against every framework: *fits*,
or *does not fit* with an explanation. The plan goes ahead unchanged if and only if every
agreement was checked against the current version of every framework and fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import clean_block, clean_line
from .phases import Phase

TITLE_MAX = 120
DESCRIPTION_MAX = 3000
PARTY_NAME_MAX = 80
NOTE_MAX = 1000
EXPLANATION_MAX = 2000
FOLLOWUP_WHAT_MAX = 1000
FOLLOWUP_WHO_MAX = 300
FOLLOWUP_WHEN_MAX = 200

#: While proposals are written and tested, a proposal can be flagged.
FLAG_PHASES = frozenset({Phase.PROPOSALS, Phase.CONSENT})

MESSAGES.update(
    {
        "framework.title_invalid": N_("Give the framework a title of 1 to {max} characters."),
        "framework.description_too_long": N_(
            "The description of a framework can be at most {max} characters."
        ),
        "framework.unknown": N_("That framework is not in this meeting."),
        "framework.locked": N_(
            "The frameworks are locked. Ask the facilitator: a change is now a new version "
            "in the record."
        ),
        "framework.not_own": N_("You can only write the frameworks of your own party."),
        "framework.already_locked": N_("The frameworks are already locked."),
        "framework.not_locked": N_(
            "Lock the frameworks first: the room sees them, and flags them, once they are final."
        ),
        "framework.none": N_("There are no frameworks in this meeting yet."),
        "framework.unchanged": N_("Nothing changed in this framework."),
        "framework.frozen": N_(
            "The plan is being signed against these frameworks, so they no longer change."
        ),
        "framework.not_locked_yet": N_(
            "Lock the frameworks before the framework check: the parties check the final words."
        ),
        "party.device_is_participant": N_(
            "This device already takes part in the meeting as {name}. Open the personal "
            "link on another device, or ask the facilitator."
        ),
        "party.name_invalid": N_("Give the party a name of 1 to {max} characters."),
        "party.unknown": N_("That framework party is not in this meeting."),
        "party.invite_claimed": N_(
            "This personal link is already in use on another device. The facilitator has "
            "been asked to allow this device."
        ),
        "party.device_refused": N_(
            "The facilitator did not allow this device for this personal link."
        ),
        "party.no_request": N_("There is no device waiting for approval with that number."),
        "flag.note_required": N_(
            "Say in a note (1 to {max} characters) how the proposal may conflict with the "
            "framework."
        ),
        "flag.phase_closed": N_(
            "Framework conflicts are flagged while proposals are written and tested "
            "(proposals and consent phases)."
        ),
        "flag.unknown": N_("That flag is not in this meeting."),
        "flag.not_own": N_("Only the facilitator or whoever raised this flag can remove it."),
        "check.needs_plan": N_(
            "The framework check starts after the final consent round on the whole plan has "
            "adopted it."
        ),
        "check.phase_closed": N_("Framework checks are recorded in the framework check phase."),
        "check.verdict_invalid": N_("Choose: fits, or does not fit."),
        "check.explanation_required": N_(
            "Explain why the agreement does not fit the framework (1 to {max} characters)."
        ),
        "check.explanation_too_long": N_("An explanation can be at most {max} characters."),
        "check.not_your_kader": N_(
            "You check the frameworks of your own party; another party checks this one."
        ),
        "check.incomplete": N_(
            "The framework check is not complete: {missing} of {total} checks are still open."
        ),
        "check.needs_followup": N_(
            "Record a follow-up agreement (who does what by when) for every agreement "
            "that does not fit: {titles}."
        ),
        "followup.invalid": N_(
            "A follow-up agreement says what is done (1 to {what} characters), who does it "
            "(1 to {who}) and by when (1 to {when})."
        ),
        "followup.unknown": N_("That follow-up agreement is not in this meeting."),
        "followup.phase_closed": N_(
            "Follow-up agreements are recorded in the framework check phase."
        ),
        "check.kader_changed": N_(
            "This framework changed while you were reading it (now version {version}). Read "
            "it again and give your verdict on the new words."
        ),
    }
)


# --------------------------------------------------------------------------- kaders


def validate_party_name(name: object) -> str:
    cleaned = clean_line(name) if isinstance(name, str) else ""
    if not 1 <= len(cleaned) <= PARTY_NAME_MAX:
        raise DomainError("party.name_invalid", max=PARTY_NAME_MAX)
    return cleaned


def validate_framework(title: object, description: object) -> tuple[str, str]:
    clean_title = clean_line(title) if isinstance(title, str) else ""
    if not 1 <= len(clean_title) <= TITLE_MAX:
        raise DomainError("framework.title_invalid", max=TITLE_MAX)
    text = clean_block(description) if isinstance(description, str) else ""
    if len(text) > DESCRIPTION_MAX:
        raise DomainError("framework.description_too_long", max=DESCRIPTION_MAX)
    return clean_title, text


@dataclass(frozen=True)
class FrameworkVersion:
    number: int
    title: str
    description: str
    #: made after the kaders were locked (a visible change in the record)
    after_lock: bool = False


@dataclass
class Framework:
    """One framework and its versions. Before the lock the draft is edited in place; after
    the lock every change is a new version and the earlier ones stay."""

    party_id: int | None
    versions: list[FrameworkVersion] = field(default_factory=list)

    @property
    def current(self) -> FrameworkVersion:
        return self.versions[-1]

    @classmethod
    def new(cls, party_id: int | None, title: object, description: object) -> Framework:
        clean_title, text = validate_framework(title, description)
        return cls(party_id, [FrameworkVersion(1, clean_title, text)])

    def edit(self, title: object, description: object, *, locked: bool) -> FrameworkVersion:
        clean_title, text = validate_framework(title, description)
        current = self.current
        if (clean_title, text) == (current.title, current.description):
            raise DomainError("framework.unchanged")
        if not locked:
            version = FrameworkVersion(current.number, clean_title, text, current.after_lock)
            self.versions[-1] = version
        else:
            version = FrameworkVersion(current.number + 1, clean_title, text, after_lock=True)
            self.versions.append(version)
        return version


def check_party_may_write(
    *, locked: bool, actor_party_id: int | None, framework_party_id: int | None
) -> None:
    """A party writes its own frameworks, and only before the lock. ``actor_party_id`` is
    None for the facilitator, who may always write (after the lock as a new version)."""
    if actor_party_id is None:
        return
    if locked:
        raise DomainError("framework.locked")
    if framework_party_id != actor_party_id:
        raise DomainError("framework.not_own")


# --------------------------------------------------------------------------- flags


def validate_flag(phase: Phase, note: object) -> str:
    if phase not in FLAG_PHASES:
        raise DomainError("flag.phase_closed")
    text = clean_block(note) if isinstance(note, str) else ""
    if not 1 <= len(text) <= NOTE_MAX:
        raise DomainError("flag.note_required", max=NOTE_MAX)
    return text


# --------------------------------------------------------------------------- the check


class DeviceStatus(StrEnum):
    """A device that opened a party's personal link."""

    APPROVED = "approved"
    #: a second device, waiting until the facilitator allows or refuses it
    PENDING = "pending"
    REFUSED = "refused"


class Verdict(StrEnum):
    FITS = "fits"
    DOES_NOT_FIT = "does_not_fit"


class CheckStatus(StrEnum):
    #: nothing to check: no kaders, or no agreements
    NONE = "none"
    INCOMPLETE = "incomplete"
    #: every agreement checked against every kader, and all fit
    UNCHANGED = "unchanged"
    CHANGES_NEEDED = "changes_needed"


def validate_verdict(verdict: object, explanation: object) -> tuple[Verdict, str]:
    try:
        kind = Verdict(str(verdict))
    except ValueError:
        raise DomainError("check.verdict_invalid") from None
    text = clean_block(explanation) if isinstance(explanation, str) else ""
    if len(text) > EXPLANATION_MAX:
        raise DomainError("check.explanation_too_long", max=EXPLANATION_MAX)
    if kind is Verdict.DOES_NOT_FIT and not text:
        raise DomainError("check.explanation_required", max=EXPLANATION_MAX)
    return kind, text


def check_may_record(*, actor_party_id: int | None, framework_party_id: int | None) -> None:
    """Framework parties record the check of their own frameworks; the facilitator may record
    any check on a party's behalf (the record says so). ``actor_party_id`` None is the
    facilitator."""
    if actor_party_id is not None and actor_party_id != framework_party_id:
        raise DomainError("check.not_your_kader")


@dataclass(frozen=True)
class CheckEntry:
    verdict: Verdict
    explanation: str
    #: the version of the kader this verdict was given on
    framework_version: int


@dataclass
class FrameworkCheck:
    """The plan against the frameworks: one verdict per (agreement, framework)."""

    plan_adopted: bool
    phase: Phase
    #: agreement ids in plan order
    agreements: list[int]
    #: kader id -> its current version number
    frameworks: Mapping[int, int]
    entries: dict[tuple[int, int], CheckEntry] = field(default_factory=dict)

    def record(
        self, agreement_id: object, framework_id: object, verdict: object, explanation: object
    ) -> CheckEntry:
        if not self.plan_adopted:
            raise DomainError("check.needs_plan")
        if self.phase is not Phase.FRAMEWORK_CHECK:
            raise DomainError("check.phase_closed")
        if not isinstance(agreement_id, int) or agreement_id not in self.agreements:
            raise DomainError("agreement.unknown")
        if not isinstance(framework_id, int) or framework_id not in self.frameworks:
            raise DomainError("framework.unknown")
        kind, text = validate_verdict(verdict, explanation)
        entry = CheckEntry(kind, text, self.frameworks[framework_id])
        self.entries[(agreement_id, framework_id)] = entry
        return entry

    def current(self, agreement_id: int, framework_id: int) -> CheckEntry | None:
        """The verdict that counts: one given on the framework's current version. A verdict
        on an older version was about other words and must be given again."""
        entry = self.entries.get((agreement_id, framework_id))
        if entry is None or entry.framework_version != self.frameworks.get(framework_id):
            return None
        return entry

    def pairs(self) -> list[tuple[int, int]]:
        return [(a, f) for a in self.agreements for f in sorted(self.frameworks)]

    def missing(self) -> list[tuple[int, int]]:
        return [(a, f) for a, f in self.pairs() if self.current(a, f) is None]

    def not_fitting(self) -> list[tuple[int, int, str]]:
        out = []
        for a, f in self.pairs():
            entry = self.current(a, f)
            if entry is not None and entry.verdict is Verdict.DOES_NOT_FIT:
                out.append((a, f, entry.explanation))
        return out

    def agreements_not_fitting(self) -> list[int]:
        seen = {a for a, _f, _e in self.not_fitting()}
        return [a for a in self.agreements if a in seen]

    def status(self) -> CheckStatus:
        if not self.agreements or not self.frameworks:
            return CheckStatus.NONE
        if self.not_fitting():
            # Known already: it will not go ahead unchanged, whatever is still open.
            return CheckStatus.CHANGES_NEEDED if not self.missing() else CheckStatus.INCOMPLETE
        return CheckStatus.INCOMPLETE if self.missing() else CheckStatus.UNCHANGED

    def goes_ahead_unchanged(self) -> bool:
        return self.status() is CheckStatus.UNCHANGED

    def exit_blocker(
        self, followed_up: Iterable[int], titles: Mapping[int, str]
    ) -> DomainError | None:
        """Why the meeting cannot leave the check yet: open checks, or an agreement that
        does not fit without a follow-up agreement."""
        if self.status() is CheckStatus.NONE:
            return None
        missing = self.missing()
        if missing:
            return DomainError("check.incomplete", missing=len(missing), total=len(self.pairs()))
        done = set(followed_up)
        without = [a for a in self.agreements_not_fitting() if a not in done]
        if without:
            names = ", ".join(titles.get(a, str(a)) for a in without)
            return DomainError("check.needs_followup", titles=names)
        return None


def validate_followup(what: object, who: object, when: object) -> tuple[str, str, str]:
    texts = []
    for value, limit in (
        (what, FOLLOWUP_WHAT_MAX),
        (who, FOLLOWUP_WHO_MAX),
        (when, FOLLOWUP_WHEN_MAX),
    ):
        text = clean_block(value) if isinstance(value, str) else ""
        if not 1 <= len(text) <= limit:
            raise DomainError(
                "followup.invalid",
                what=FOLLOWUP_WHAT_MAX,
                who=FOLLOWUP_WHO_MAX,
                when=FOLLOWUP_WHEN_MAX,
            )
        texts.append(text)
    return texts[0], texts[1], texts[2]
