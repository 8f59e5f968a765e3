"""The rules after the day (shared.domain.aftercare): who may update an agreement's
status, what a signal needs, dated appointments, when an evaluation is due, and what an
anonymous publication hides."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain import DomainError
from shared.domain.aftercare import (
    AgreementStatus,
    Appointment,
    check_may_update,
    evaluation_due,
    publication_question,
    redact_names,
    status_now,
    validate_appointment,
    validate_reason,
    validate_update,
)


def code(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def test_only_the_people_named_and_the_facilitators_update_a_status():
    check_may_update(facilitator=True, named=False)
    check_may_update(facilitator=False, named=True)
    assert code(lambda: check_may_update(facilitator=False, named=False)) == "aftercare.not_named"


def test_a_status_is_one_of_four_and_a_note_is_bounded():
    assert validate_update("under_way", "  Begonnen\r\nmet de school ") == (
        AgreementStatus.UNDER_WAY,
        "Begonnen\nmet de school",
    )
    assert code(lambda: validate_update("finished", "")) == "aftercare.status_unknown"
    assert code(lambda: validate_update("done", "x" * 1001)) == "aftercare.note_too_long"
    assert validate_update("done", None) == (AgreementStatus.DONE, "")


def test_the_latest_update_is_the_status_and_planned_before_any():
    assert status_now([]) is AgreementStatus.PLANNED
    assert status_now([AgreementStatus.UNDER_WAY, AgreementStatus.STUCK]) is AgreementStatus.STUCK


def test_a_signal_needs_a_reason():
    assert validate_reason(" Dicht op vrijdag ") == "Dicht op vrijdag"
    for bad in ("", "   ", None, 5, "x" * 1001, "\u202e"):
        assert code(lambda b=bad: validate_reason(b)) == "aftercare.reason_required"


def test_an_appointment_has_a_real_date_or_none():
    assert validate_appointment("2027-03-01", " Buurthuis ") == Appointment(
        date(2027, 3, 1), "Buurthuis"
    )
    assert validate_appointment("", "") == Appointment(None, "")
    for bad in ("2027-02-30", "1-3-2027", "２０２７-03-01", "2027-3-1"):
        assert code(lambda b=bad: validate_appointment(b, "")) == "aftercare.date_invalid"
    assert code(lambda: validate_appointment("", "x" * 201)) == "aftercare.place_too_long"


def test_an_evaluation_is_due_two_weeks_ahead_and_after_its_date():
    today = date(2026, 12, 3)
    assert evaluation_due(None, today) is None
    assert evaluation_due(date(2027, 1, 1), today) is None
    assert evaluation_due(date(2026, 12, 17), today) == "near"
    assert evaluation_due(date(2026, 12, 3), today) == "near"
    assert evaluation_due(date(2026, 12, 2), today) == "past"


def test_an_anonymous_publication_hides_every_name_whole_and_in_parts():
    names = ["Fatima Yilmaz", "Jan", "Fatima", "Yilmaz", "de"]
    text = "Fatima Yilmaz en jan regelen het; FATIMA belt. Januari en Jantje blijven."
    assert redact_names(text, names) == "… en … regelen het; … belt. Januari en Jantje blijven."
    # a one-letter "name" hides nothing, and nothing to hide changes nothing
    assert redact_names("a b c", ["a"]) == "a b c"
    assert redact_names("tekst", []) == "tekst"


def test_the_publication_question_says_whether_names_are_published():
    assert publication_question("nl", named=False, routes=False).endswith("zonder namen?")
    assert "met de namen" in publication_question("nl", named=True, routes=False)
    assert "routes van alle tafels" in publication_question("nl", named=False, routes=True)
    assert publication_question("en", named=False, routes=False).endswith("without names?")
