"""Preparing a meeting and admitting participants: validation lives in the core."""

import pytest

from shared.domain import DomainError, Meeting, MeetingDetails, Phase, Role
from shared.domain.meeting import (
    JOIN_CODE_ALPHABET,
    format_join_code,
    new_join_code,
    normalize_join_code,
    validate_display_name,
    validate_groups,
    validate_role,
)


def details(**overrides):
    values = dict(
        title="Plandag Zuidplein",
        template="nieuwe_route",
        groups=["Bewoners", "Gemeente", "Jongeren"],
        open_question="Hoe wordt het plein weer van iedereen?",
        issue_statement="Sinds de zomer is er spanning.",
        place="Buurthuis De Linde",
        date_text="2026-12-05",
    )
    values.update(overrides)
    return MeetingDetails.from_input(**values)


def test_a_prepared_meeting_keeps_clean_values():
    d = details(title="  Plandag \t Zuidplein ", groups=["Bewoners", " ", "Gemeente"])
    assert d.title == "Plandag Zuidplein"
    assert d.groups == ("Bewoners", "Gemeente")
    assert d.phases[0] is Phase.FRAMING and d.date.isoformat() == "2026-12-05"
    assert d.language == "nl"  # held in Dutch unless chosen otherwise
    assert details(language="en").language == "en"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": ""}, "meeting.title_invalid"),
        ({"title": "x" * 121}, "meeting.title_invalid"),
        ({"template": "nope"}, "template.unknown"),
        ({"groups": []}, "meeting.groups_invalid"),
        ({"groups": ["Bewoners", "bewoners"]}, "meeting.groups_invalid"),
        ({"groups": ["x" * 41]}, "meeting.groups_invalid"),
        ({"groups": [f"g{i}" for i in range(21)]}, "meeting.groups_invalid"),
        ({"open_question": "x" * 501}, "meeting.text_too_long"),
        ({"issue_statement": "x" * 5001}, "meeting.text_too_long"),
        ({"date_text": "5 december"}, "meeting.date_invalid"),
        ({"language": "de"}, "meeting.language_invalid"),
        ({"language": ""}, "meeting.language_invalid"),
    ],
)
def test_bad_preparation_is_refused_with_a_reason(overrides, code):
    with pytest.raises(DomainError) as refused:
        details(**overrides)
    assert refused.value.code == code
    assert refused.value.message and "{" not in refused.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fatima", "Fatima"),
        ("  Jan   de  Vries ", "Jan de Vries"),
        ("Zoë Ørsted-Çelik", "Zoë Ørsted-Çelik"),
        ("Zoe\u0308", "Zoë"),  # decomposed diacritic is stored composed
        ("a\u202eevil", "aevil"),  # no right-to-left override tricks in names
        ("x" * 60, "x" * 60),
    ],
)
def test_display_names_are_cleaned(raw, expected):
    assert validate_display_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\u200b", "x" * 61, None, 42, ["Jan"]])
def test_display_names_outside_1_to_60_characters_are_refused(raw):
    with pytest.raises(DomainError) as refused:
        validate_display_name(raw)
    assert refused.value.code == "participant.name_invalid"
    assert "60" in refused.value.message


def test_groups_match_regardless_of_case_and_unknown_groups_are_refused():
    meeting = Meeting(phases=(Phase.SHARING,), groups=("Bewoners", "Gemeente"))
    assert meeting.validate_group(" bewoners ") == "Bewoners"
    for bad in ("Politie", "", None, 3):
        with pytest.raises(DomainError) as refused:
            meeting.validate_group(bad)
        assert refused.value.code == "participant.group_unknown"


def test_roles():
    assert validate_role("framework_party") is Role.FRAMEWORK_PARTY
    with pytest.raises(DomainError) as refused:
        validate_role("facilitator")
    assert refused.value.code == "participant.role_unknown"


def test_groups_must_be_text():
    with pytest.raises(DomainError):
        validate_groups("Bewoners")
    with pytest.raises(DomainError):
        validate_groups(["Bewoners", 7])


def test_join_codes_are_short_unambiguous_and_forgiving_to_type():
    codes = {new_join_code() for _ in range(300)}
    assert len(codes) > 290
    for code in codes:
        assert len(code) == 6 and set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set(JOIN_CODE_ALPHABET) & set("0O1IL2Z5S8BDQUV")
    assert normalize_join_code(" ace-479 ") == "ACE479"
    assert format_join_code("ACE479") == "ACE-479"


def test_errors_know_their_json():
    error = DomainError("participant.name_invalid", max=60)
    assert error.to_dict() == {
        "code": "participant.name_invalid",
        "message": "Enter a name of 1 to 60 characters.",
    }
