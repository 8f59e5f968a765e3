"""Breakout tables: splitting the room, table names and questions, the host's pen."""

from collections import Counter

import pytest

from shared.domain import DomainError
from shared.domain.errors import MESSAGES
from shared.domain.tables import (
    FOUR_YEARS,
    NAME_MAX,
    QUESTION_MAX,
    TABLES_MAX,
    Strategy,
    check_count,
    check_host,
    parse_strategy,
    seat,
    validate_question,
    validate_table_name,
)
from tests.unit.refusals import refusal_codes


def refused(code, action, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        action(*args, **kwargs)
    assert error.value.code == code
    assert "{" not in error.value.message and code in MESSAGES
    return error.value


def room(**groups):
    """People as (id, group): ids numbered in order, e.g. room(bewoner=6, ambtenaar=3)."""
    people = []
    for group, n in groups.items():
        people += [(len(people) + i + 1, group) for i in range(n)]
    return people


def groups_at(table, people):
    group_of = dict(people)
    return Counter(group_of[pid] for pid in table)


def everyone_once(tables, people):
    seated = [pid for table in tables for pid in table]
    return sorted(seated) == sorted(pid for pid, _group in people)


def test_limits():
    assert (TABLES_MAX, NAME_MAX, QUESTION_MAX) == (60, 60, 500)
    assert FOUR_YEARS.endswith("?")


# --- strategy and count --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "strategy"),
    [("theme", Strategy.THEME), ("mixed", Strategy.MIXED), ("random", Strategy.RANDOM)],
)
def test_the_three_strategies(value, strategy):
    assert parse_strategy(value) is strategy
    assert parse_strategy(strategy) is strategy


@pytest.mark.parametrize("value", ["", "Mixed", "alphabet", None, 1, ["theme"]])
def test_an_unknown_strategy_is_refused(value):
    refused("tables.strategy_invalid", parse_strategy, value)


@pytest.mark.parametrize("count", [1, 2, TABLES_MAX])
def test_a_count_of_1_to_60_tables(count):
    assert check_count(count) == count


@pytest.mark.parametrize("count", [0, -1, TABLES_MAX + 1, True, False, 2.0, "3", None])
def test_a_count_out_of_bounds_or_not_a_whole_number_is_refused(count):
    error = refused("tables.count_invalid", check_count, count)
    assert error.params == {"max": TABLES_MAX} and "60" in error.message


# --- seating -------------------------------------------------------------------------------


def test_mixed_spreads_each_group_evenly_over_the_tables():
    people = room(bewoner=6, ambtenaar=3)
    tables = seat(people, 3, Strategy.MIXED)
    assert len(tables) == 3
    assert everyone_once(tables, people)
    for table in tables:
        assert groups_at(table, people) == {"bewoner": 2, "ambtenaar": 1}


def test_mixed_keeps_groups_and_table_sizes_within_one_of_each_other():
    people = room(bewoner=7, ambtenaar=4, ondernemer=2)
    # interleaved arrival must not matter
    people = sorted(people, key=lambda p: (p[0] % 3, p[0]))
    tables = seat(people, 3, Strategy.MIXED)
    assert everyone_once(tables, people)
    sizes = [len(table) for table in tables]
    assert max(sizes) - min(sizes) <= 1
    for group, total in Counter(group for _pid, group in people).items():
        shares = [groups_at(table, people)[group] for table in tables]
        assert sum(shares) == total and max(shares) - min(shares) <= 1


def test_mixed_is_deterministic_and_ignores_the_seed():
    people = room(bewoner=5, ambtenaar=4)
    assert seat(people, 2, Strategy.MIXED, seed=1) == seat(people, 2, Strategy.MIXED, seed=2)


def test_random_seats_everyone_once_and_is_deterministic_per_seed():
    people = room(bewoner=12, ambtenaar=8)
    first = seat(people, 4, Strategy.RANDOM, seed=42)
    assert first == seat(people, 4, Strategy.RANDOM, seed=42)
    assert everyone_once(first, people)
    assert sorted(len(table) for table in first) == [5, 5, 5, 5]
    others = [seat(people, 4, Strategy.RANDOM, seed=s) for s in range(1, 6)]
    assert all(everyone_once(tables, people) for tables in others)
    assert any(tables != first for tables in others)


def test_seating_does_not_change_the_list_of_people():
    people = room(bewoner=4, ambtenaar=2)
    before = list(people)
    seat(people, 2, Strategy.RANDOM, seed=3)
    seat(people, 2, Strategy.MIXED)
    assert people == before


def test_one_table_seats_everyone_there():
    people = room(bewoner=3, ambtenaar=2)
    for strategy in (Strategy.MIXED, Strategy.RANDOM):
        tables = seat(people, 1, strategy, seed=7)
        assert len(tables) == 1 and everyone_once(tables, people)


def test_more_tables_than_people_leaves_some_tables_empty():
    people = room(bewoner=2)
    tables = seat(people, 4, Strategy.MIXED)
    assert [len(table) for table in tables] == [1, 1, 0, 0]
    assert everyone_once(tables, people)


@pytest.mark.parametrize("strategy", list(Strategy))
def test_nobody_to_seat_is_refused(strategy):
    refused("tables.nobody", seat, [], 3, strategy)


# --- names, questions, host ----------------------------------------------------------------


def test_a_table_name_is_1_to_60_characters_on_one_line():
    assert validate_table_name("  Groen \n en  spelen ") == "Groen en spelen"
    assert validate_table_name("n" * NAME_MAX) == "n" * NAME_MAX
    for name in ["", "   ", "\u200b", None, 3, ["Groen"], "n" * (NAME_MAX + 1)]:
        error = refused("table.name_invalid", validate_table_name, name)
        assert error.params == {"max": NAME_MAX} and "60" in error.message


def test_a_table_question_is_optional_and_at_most_500_characters():
    assert validate_question("  Waar staan we \r\n over vier jaar? ") == (
        "Waar staan we\nover vier jaar?"
    )
    assert validate_question("") == ""
    assert validate_question(None) == ""
    assert validate_question(7) == ""
    assert validate_question("q" * QUESTION_MAX) == "q" * QUESTION_MAX
    assert validate_question(FOUR_YEARS) == FOUR_YEARS
    error = refused("table.question_too_long", validate_question, "q" * (QUESTION_MAX + 1))
    assert error.params == {"max": QUESTION_MAX} and "500" in error.message


def test_only_the_host_writes_the_tables_proposals():
    check_host(5, 5)
    refused("table.not_host", check_host, 5, 6)
    refused("table.not_host", check_host, None, 6)


# --- messages ------------------------------------------------------------------------------


def _every_refusal():
    yield lambda: parse_strategy("alphabet")
    yield lambda: check_count(0)
    yield lambda: seat([], 2, Strategy.MIXED)
    yield lambda: validate_table_name("")
    yield lambda: validate_question("q" * 501)
    yield lambda: check_host(1, 2)


def test_every_refusal_has_an_actionable_message():
    assert refusal_codes(_every_refusal()) == {
        "tables.strategy_invalid",
        "tables.count_invalid",
        "tables.nobody",
        "table.name_invalid",
        "table.question_too_long",
        "table.not_host",
    }
