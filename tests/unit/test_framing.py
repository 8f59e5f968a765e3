"""Framing: issue statement versions, the recognition check and information items."""

import pytest

from shared.domain import DomainError
from shared.domain.framing import (
    COMMENT_MAX,
    INFO_TEXT_MAX,
    INFO_TITLE_MAX,
    STATEMENT_MAX,
    Recognition,
    RecognitionCheck,
    validate_info_item,
    validate_statement,
)
from tests.unit.refusals import refusal_codes


def refused(code, action, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        action(*args, **kwargs)
    assert error.value.code == code
    assert "{" not in error.value.message
    return error.value


def test_limits():
    assert (STATEMENT_MAX, COMMENT_MAX, INFO_TITLE_MAX, INFO_TEXT_MAX) == (5000, 500, 120, 5000)


# --- issue statement -----------------------------------------------------------------------


def test_a_statement_is_cleaned_but_keeps_its_paragraphs():
    raw = "  Sinds de   zomer\tis er spanning.\r\n\r\n\r\n\r\nWie   hoort erbij? \u200b"
    assert validate_statement(raw) == "Sinds de zomer is er spanning.\n\nWie hoort erbij?"


def test_a_statement_of_exactly_the_maximum_is_accepted():
    assert len(validate_statement("x" * STATEMENT_MAX)) == STATEMENT_MAX
    # folded white space does not count against the limit
    assert validate_statement("  " + "x" * STATEMENT_MAX + "  ") == "x" * STATEMENT_MAX


@pytest.mark.parametrize("raw", ["", "   \n\t ", "\u200b", "x" * (STATEMENT_MAX + 1), None, 5])
def test_an_empty_too_long_or_non_text_statement_is_refused(raw):
    error = refused("statement.invalid", validate_statement, raw)
    assert str(STATEMENT_MAX) in error.message


# --- recognition check ---------------------------------------------------------------------


def test_answers_are_recorded_with_a_cleaned_comment():
    check = RecognitionCheck(statement_version=2)
    assert check.open and check.answers == {}
    assert check.answer(1, "yes") is True
    assert check.answer(2, Recognition.PARTLY, "  mist   de  jongeren ") is True
    assert check.answer(3, "no", None) is True
    assert check.answers == {
        1: (Recognition.YES, ""),
        2: (Recognition.PARTLY, "mist de jongeren"),
        3: (Recognition.NO, ""),
    }
    assert check.answered() == 3


def test_the_same_answer_twice_changes_nothing():
    check = RecognitionCheck(statement_version=1)
    assert check.answer(1, "partly", "deels") is True
    assert check.answer(1, "partly", " deels ") is False  # equal once cleaned
    assert check.answer(1, "partly", None) is True  # dropping the comment is a change
    assert check.answer(1, "partly", "") is False


def test_an_answer_may_change_while_open_and_the_last_one_counts():
    check = RecognitionCheck(statement_version=1)
    check.answer(1, "no", "te vaag")
    assert check.answer(1, "yes") is True
    assert check.answers[1] == (Recognition.YES, "")
    assert check.tally() == {"yes": 1, "partly": 0, "no": 0}
    assert check.answered() == 1


@pytest.mark.parametrize("value", ["maybe", "", "YES", " yes", None, 1, True, ["yes"]])
def test_an_answer_other_than_yes_partly_or_no_is_refused(value):
    check = RecognitionCheck(statement_version=1)
    refused("recognition.answer_invalid", check.answer, 1, value)
    assert check.answers == {}


def test_a_comment_of_exactly_the_maximum_is_accepted_and_one_more_refused():
    check = RecognitionCheck(statement_version=1)
    assert check.answer(1, "yes", "x" * COMMENT_MAX) is True
    error = refused("recognition.comment_too_long", check.answer, 2, "yes", "x" * (COMMENT_MAX + 1))
    assert str(COMMENT_MAX) in error.message
    assert 2 not in check.answers


def test_a_comment_that_is_not_text_is_refused():
    check = RecognitionCheck(statement_version=1)
    refused("recognition.comment_too_long", check.answer, 1, "yes", {"x": 1})
    refused("recognition.comment_too_long", check.answer, 1, "yes", 42)


def test_after_closing_answers_are_refused_and_kept():
    check = RecognitionCheck(statement_version=3)
    check.answer(1, "yes")
    check.close()
    assert not check.open
    refused("recognition.closed", check.answer, 1, "no")
    refused("recognition.closed", check.answer, 2, "nonsense")  # closed is said first
    refused("recognition.closed", check.close)
    assert check.answers == {1: (Recognition.YES, "")}
    assert check.tally() == {"yes": 1, "partly": 0, "no": 0}


def test_the_tally_always_has_all_three_keys():
    check = RecognitionCheck(statement_version=1)
    assert check.tally() == {"yes": 0, "partly": 0, "no": 0}
    assert check.answered() == 0
    for participant_id, value in enumerate(["yes", "no", "no", "partly", "no"]):
        check.answer(participant_id, value)
    assert check.tally() == {"yes": 1, "partly": 1, "no": 3}
    assert list(check.tally()) == ["yes", "partly", "no"]
    assert check.answered() == 5


def test_a_check_rebuilt_from_rows():
    check = RecognitionCheck(
        statement_version=4, open=False, answers={9: (Recognition.NO, "waarom")}
    )
    assert check.tally()["no"] == 1 and check.answered() == 1


def test_checks_do_not_share_their_answers():
    a, b = RecognitionCheck(statement_version=1), RecognitionCheck(statement_version=2)
    a.answer(1, "yes")
    assert b.answers == {}


# --- information items ---------------------------------------------------------------------


def test_an_information_item_is_cleaned():
    title, text = validate_info_item(
        "  Cijfers   overlast\n2025 ", "Bron: wijkagent.\r\n\r\n\r\nMeldingen  per maand."
    )
    assert title == "Cijfers overlast 2025"
    assert text == "Bron: wijkagent.\n\nMeldingen per maand."


def test_an_information_item_may_have_no_text():
    assert validate_info_item("Plattegrond", "   ") == ("Plattegrond", "")


def test_information_limits_at_the_boundary():
    title, text = validate_info_item("t" * INFO_TITLE_MAX, "x" * INFO_TEXT_MAX)
    assert len(title) == INFO_TITLE_MAX and len(text) == INFO_TEXT_MAX
    error = refused("info.title_invalid", validate_info_item, "t" * (INFO_TITLE_MAX + 1), "")
    assert str(INFO_TITLE_MAX) in error.message
    error = refused("info.text_too_long", validate_info_item, "t", "x" * (INFO_TEXT_MAX + 1))
    assert str(INFO_TEXT_MAX) in error.message


@pytest.mark.parametrize("title", ["", "   ", "\u200b\u202e", None, 7, ["Cijfers"]])
def test_an_information_item_needs_a_title(title):
    refused("info.title_invalid", validate_info_item, title, "tekst")


@pytest.mark.parametrize("text", [None, 3, ["tekst"]])
def test_information_text_must_be_text(text):
    refused("info.text_too_long", validate_info_item, "Cijfers", text)


# --- messages ------------------------------------------------------------------------------


def _every_refusal():
    closed = RecognitionCheck(statement_version=1, open=False)
    yield lambda: validate_statement("")
    yield lambda: closed.answer(1, "yes")
    yield closed.close
    yield lambda: RecognitionCheck(statement_version=1).answer(1, "maybe")
    yield lambda: RecognitionCheck(statement_version=1).answer(1, "yes", "x" * 501)
    yield lambda: validate_info_item("", "")
    yield lambda: validate_info_item("t", "x" * 5001)


def test_every_refusal_has_an_actionable_message():
    assert refusal_codes(_every_refusal()) == {
        "statement.invalid",
        "recognition.closed",
        "recognition.answer_invalid",
        "recognition.comment_too_long",
        "info.title_invalid",
        "info.text_too_long",
    }
