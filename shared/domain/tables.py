"""Work formats: breakout tables, each with a host who writes the table's proposals.

The facilitator splits the room by theme (people pick the table of their theme), by
mixing the groups evenly over the tables, or at random; and brings everyone back to the
plenary with one action.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from enum import StrEnum

from .errors import MESSAGES, N_, DomainError
from .meeting import clean_block, clean_line

TABLES_MAX = 60
NAME_MAX = 60
QUESTION_MAX = 500
#: the thematafel question, offered as each table's default
FOUR_YEARS = N_("Where should this stand in four years, and what is the route there?")

MESSAGES.update(
    {
        "tables.count_invalid": N_("Choose between 1 and {max} tables."),
        "tables.strategy_invalid": N_("Split by theme, by mixing the groups, or at random."),
        "tables.no_themes": N_("Make themes first: splitting by theme makes one table per theme."),
        "tables.nobody": N_("Nobody is in the room yet to seat at tables."),
        "table.unknown": N_("That table does not exist in this meeting."),
        "table.not_host": N_(
            "Only the host of your table writes its proposals. Give your idea to your host."
        ),
        "table.host_elsewhere": N_("The host must be seated at this table."),
        "table.name_invalid": N_("Give the table a name of 1 to {max} characters."),
        "table.question_too_long": N_("The table's question can be at most {max} characters."),
        "tables.inactive": N_("The room is in plenary; there are no tables to choose now."),
        "tables.self_select_only": N_(
            "You can choose your own table only when the room is split by theme."
        ),
    }
)


class Strategy(StrEnum):
    #: one table per theme; people choose theirs on the phone
    THEME = "theme"
    #: the groups spread evenly over the tables
    MIXED = "mixed"
    RANDOM = "random"


def parse_strategy(value: object) -> Strategy:
    try:
        return Strategy(str(value))
    except ValueError:
        raise DomainError("tables.strategy_invalid") from None


def check_count(count: object) -> int:
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= TABLES_MAX:
        raise DomainError("tables.count_invalid", max=TABLES_MAX)
    return count


def seat(
    people: Sequence[tuple[int, str]], count: int, strategy: Strategy, seed: int = 0
) -> list[list[int]]:
    """Seat people (participant id, group) at ``count`` tables. Mixed: every group is
    dealt over the tables in turn, so each table gets a share of each group. Random:
    shuffled, then dealt. Deterministic for a given seed."""
    if not people:
        raise DomainError("tables.nobody")
    tables: list[list[int]] = [[] for _ in range(count)]
    if strategy is Strategy.RANDOM:
        order = [pid for pid, _group in people]
        random.Random(seed).shuffle(order)
    else:
        by_group: dict[str, list[int]] = {}
        for pid, group in people:
            by_group.setdefault(group, []).append(pid)
        order = [pid for group in by_group for pid in by_group[group]]
    for i, pid in enumerate(order):
        tables[i % count].append(pid)
    return tables


def validate_table_name(name: object) -> str:
    cleaned = clean_line(name) if isinstance(name, str) else ""
    if not 1 <= len(cleaned) <= NAME_MAX:
        raise DomainError("table.name_invalid", max=NAME_MAX)
    return cleaned


def validate_question(question: object) -> str:
    cleaned = clean_block(question) if isinstance(question, str) else ""
    if len(cleaned) > QUESTION_MAX:
        raise DomainError("table.question_too_long", max=QUESTION_MAX)
    return cleaned


def check_host(host_id: int | None, participant_id: int) -> None:
    if host_id != participant_id:
        raise DomainError("table.not_host")
