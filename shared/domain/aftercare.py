"""After the day: the sealed plan lives on. Each agreement has a status with a dated
history of updates by the people named in it and the facilitators; anyone who took
part can signal that an agreement is not working; the people named to reconvene see
the signals; follow-up and evaluation meetings are made from the plan; the room may
consent to publishing it. Plain rules; `shared.aftercare` stores them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import clean_block, clean_line

UPDATE_NOTE_MAX = 1000
#: signals one person may give on one agreement (more is a flood, not news)
SIGNALS_PER_PERSON = 10
SIGNAL_REASON_MAX = 1000
PLACE_MAX = 200
#: an evaluation this close (or past) is listed on the facilitator's meetings page
EVALUATION_NEAR = timedelta(days=14)

MESSAGES.update(
    {
        "aftercare.not_sealed": N_(
            "The plan is not sealed yet: its page opens once signing has closed."
        ),
        "aftercare.no_access": N_(
            "This device did not take part in the meeting. Use the phone you joined with, "
            "or ask the facilitator for a personal link."
        ),
        "aftercare.agreement_unknown": N_("That agreement is not in this plan."),
        "aftercare.status_unknown": N_(
            "Choose one of the statuses: planned, under way, done, stuck."
        ),
        "aftercare.note_too_long": N_("A note can be at most {max} characters."),
        "aftercare.not_named": N_(
            "Only the people named for this agreement and the facilitators can update its "
            "status. You can signal that it is not working."
        ),
        "aftercare.reason_required": N_(
            "Say why it is not working (1 to {max} characters): the people who reconvene "
            "need the reason."
        ),
        "aftercare.too_many_signals": N_(
            "You have sent {max} signals on this agreement. The people who reconvene have "
            "them; talk to them or to the facilitator."
        ),
        "aftercare.person_unknown": N_("That person did not take part in this meeting."),
        "aftercare.duty_unknown": N_("Choose what the person is named for."),
        "aftercare.nothing_chosen": N_("Choose at least one agreement for the follow-up meeting."),
        "aftercare.kind_unknown": N_("Choose a follow-up meeting or an evaluation meeting."),
        "aftercare.date_invalid": N_("Give the date as YYYY-MM-DD."),
        "aftercare.place_too_long": N_("The place can be at most {max} characters."),
        "publication.not_consented": N_(
            "The room has not consented to publishing this plan. Hold a consent round on "
            "publication during the meeting first."
        ),
        "publication.already": N_("This plan is already published."),
        "publication.confirm": N_(
            "Tick that you read the preview: the public page shows exactly that."
        ),
        "publication.confirm_withdraw": N_(
            "Tick that you want to take the publication down: its address stops working."
        ),
        "publication.not_published": N_("This plan is not published."),
        "publication.round_phase": N_(
            "A consent round on publication is held in the consent or signing phase, "
            "while the room is there, before signing closes."
        ),
    }
)


class AgreementStatus(StrEnum):
    PLANNED = "planned"
    UNDER_WAY = "under_way"
    DONE = "done"
    STUCK = "stuck"


class Duty(StrEnum):
    """What the facilitator names a participant for after the day."""

    #: one of the people in an agreement's "who": may update its status
    AGREEMENT = "agreement"
    #: comes together again if something does not work: sees the signals
    RECONVENE = "reconvene"


class FollowKind(StrEnum):
    """A meeting made from a sealed plan."""

    #: the people named to reconvene meet about agreements that are not working
    RECONVENE = "reconvene"
    #: the plan's evaluation: per agreement, what went well and what must change
    EVALUATION = "evaluation"


def validate_update(status: object, note: object) -> tuple[AgreementStatus, str]:
    try:
        chosen = AgreementStatus(str(status))
    except ValueError:
        raise DomainError("aftercare.status_unknown") from None
    text = clean_block(note) if isinstance(note, str) else ""
    if len(text) > UPDATE_NOTE_MAX:
        raise DomainError("aftercare.note_too_long", max=UPDATE_NOTE_MAX)
    return chosen, text


def check_may_update(*, facilitator: bool, named: bool) -> None:
    """The people named in an agreement and the facilitators update its status."""
    if not (facilitator or named):
        raise DomainError("aftercare.not_named")


def validate_reason(reason: object) -> str:
    text = clean_block(reason) if isinstance(reason, str) else ""
    if not 1 <= len(text) <= SIGNAL_REASON_MAX:
        raise DomainError("aftercare.reason_required", max=SIGNAL_REASON_MAX)
    return text


def check_signal_count(sent: int) -> None:
    if sent >= SIGNALS_PER_PERSON:
        raise DomainError("aftercare.too_many_signals", max=SIGNALS_PER_PERSON)


def validate_duty(duty: object) -> Duty:
    try:
        return Duty(str(duty))
    except ValueError:
        raise DomainError("aftercare.duty_unknown") from None


def validate_kind(kind: object) -> FollowKind:
    try:
        return FollowKind(str(kind))
    except ValueError:
        raise DomainError("aftercare.kind_unknown") from None


@dataclass(frozen=True)
class Appointment:
    """When and where people meet again (to reconvene, or to evaluate)."""

    date: date | None
    place: str


def validate_appointment(date_text: object, place: object) -> Appointment:
    raw = clean_line(date_text) if isinstance(date_text, str) else ""
    when = None
    if raw:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise DomainError("aftercare.date_invalid")
        try:
            when = date.fromisoformat(raw)
        except ValueError:
            raise DomainError("aftercare.date_invalid") from None
    where = clean_line(place) if isinstance(place, str) else ""
    if len(where) > PLACE_MAX:
        raise DomainError("aftercare.place_too_long", max=PLACE_MAX)
    return Appointment(when, where)


def evaluation_due(when: date | None, today: date) -> str | None:
    """ "past" or "near" (within two weeks) for a plan's evaluation date, else None."""
    if when is None:
        return None
    if when < today:
        return "past"
    if when - today <= EVALUATION_NEAR:
        return "near"
    return None


def status_now(updates: Iterable[AgreementStatus]) -> AgreementStatus:
    """An agreement's status: the latest update's, planned before any."""
    current = AgreementStatus.PLANNED
    for status in updates:
        current = status
    return current


_NAME_MIN = 2


def redact_names(text: str, names: Iterable[str], mark: str = "…") -> str:
    """``text`` with every person's name (whole words, any case) replaced by ``mark``:
    what an anonymous meeting publishes. Longer names first, so "Jan de Vries" goes as
    a whole before "Jan"."""
    wanted = sorted(
        {clean_line(n) for n in names if len(clean_line(n)) >= _NAME_MIN}, key=len, reverse=True
    )
    if not wanted or not text:
        return text
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n) for n in wanted) + r")(?!\w)", re.IGNORECASE
    )
    return pattern.sub(mark, text)


_PUBLICATION_QUESTION = {
    "nl": {
        "plan": "Mag dit plan, als het verzegeld is, openbaar worden op de publieke pagina's van "
        "deze server: de afspraken, met een link om het te controleren",
        "routes": "Mogen de routes van alle tafels, als het plan verzegeld is, openbaar worden op "
        "de publieke pagina's van deze server, met een link om het plan te controleren",
        "named": ", met de namen die erin staan?",
        "anonymous": ", zonder namen?",
    },
    "en": {
        "plan": "May this plan, once sealed, be published on this server's public pages: its "
        "agreements, with a link to check it",
        "routes": "May every table's route, once the plan is sealed, be published on this "
        "server's public pages, with a link to check the plan",
        "named": ", with the names in it?",
        "anonymous": ", without names?",
    },
}


def publication_question(language: str, *, named: bool, routes: bool) -> str:
    """What a consent round on publication asks the room, in the meeting's language."""
    words = _PUBLICATION_QUESTION.get(language, _PUBLICATION_QUESTION["en"])
    return words["routes" if routes else "plan"] + words["named" if named else "anonymous"]
