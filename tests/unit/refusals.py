"""Helpers shared by the domain unit tests."""

from collections.abc import Callable, Iterable

import pytest

from shared.domain import DomainError
from shared.domain.errors import MESSAGES


def refusal_codes(actions: Iterable[Callable[[], object]]) -> set[str]:
    """Run each action, which must be refused, and check its message is complete and
    actionable; return the codes seen."""
    codes = set()
    for action in actions:
        with pytest.raises(DomainError) as error:
            action()
        code, params = error.value.code, error.value.params
        codes.add(code)
        assert code in MESSAGES
        formatted = MESSAGES[code].format(**params)
        assert "{" not in formatted and formatted.endswith((".", "?"))
        assert error.value.message == formatted
    return codes
