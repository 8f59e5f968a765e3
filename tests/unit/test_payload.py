"""The socket edge parses a payload's types once; lengths are the domain's to judge."""

from __future__ import annotations

import pytest

from shared.domain import DomainError
from shared.domain.sharing import validate_text
from shared.realtime.sockets import Payload


def test_a_long_text_passes_the_edge_and_is_refused_by_the_domain_with_its_limit() -> None:
    long = "woord " * 400  # 2,400 characters: over the contribution limit, under the payload's
    text = Payload({"text": long}, 32_000).text("text")
    assert text == long
    with pytest.raises(DomainError) as refused:
        validate_text(text)
    assert refused.value.code == "contribution.text_invalid"
    assert refused.value.params["max"] == 1000  # the message names the real limit


def test_the_payload_limit_bounds_what_a_text_can_cost() -> None:
    with pytest.raises(DomainError) as refused:
        Payload({"text": "x" * 40_000}, 32_000)
    assert refused.value.code == "payload.too_large"


@pytest.mark.parametrize("value", [12, ["a"], {"a": 1}, True])
def test_a_text_field_must_be_text(value: object) -> None:
    with pytest.raises(DomainError) as refused:
        Payload({"text": value}, 32_000).text("text")
    assert refused.value.code == "payload.invalid"


def test_ids_are_parsed_once_as_whole_numbers() -> None:
    payload = Payload({"id": 7, "flag": True, "bad": "7", "neg": -1}, 32_000)
    assert payload.integer("id") == 7
    assert payload.optional_integer("missing") is None
    for name in ("flag", "bad", "neg", "missing"):
        with pytest.raises(DomainError):
            payload.integer(name)
