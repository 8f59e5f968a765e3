"""Contributions and their moderation, without any app."""

import pytest

from shared.domain import DomainError, Phase, Role
from shared.domain.errors import MESSAGES
from shared.domain.sharing import (
    TEXT_MAX,
    Anonymity,
    Contribution,
    Moderation,
    Status,
    check_can_write,
    choice,
    initial_status,
    validate_prompt,
    validate_text,
    validate_theme_name,
)


def card(status=Status.VISIBLE):
    return Contribution(id=1, author_id=7, text="Het plein is van ons allemaal.", status=status)


def refused(code, fn, *args):
    with pytest.raises(DomainError) as error:
        fn(*args)
    assert error.value.code == code
    assert "{" not in error.value.message and code in MESSAGES
    return error.value


def test_texts_of_1_to_1000_characters_are_accepted_and_cleaned():
    assert validate_text("  Eén  twee \r\n drie ") == "Eén twee\ndrie"
    assert len(validate_text("x" * TEXT_MAX)) == TEXT_MAX
    error = refused("contribution.text_invalid", validate_text, "x" * (TEXT_MAX + 1))
    assert error.params == {"max": 1000, "length": 1001}
    refused("contribution.text_invalid", validate_text, "   ")
    refused("contribution.text_invalid", validate_text, None)


def test_only_the_sharing_phase_and_writing_roles_may_write():
    check_can_write(Phase.SHARING, Role.INFORMANT)
    refused("contribution.phase_closed", check_can_write, Phase.FRAMING, Role.PARTICIPANT)
    refused("contribution.role", check_can_write, Phase.SHARING, Role.OBSERVER)


def test_moderation_decides_where_a_new_contribution_starts():
    assert initial_status(Moderation.PRE) is Status.PENDING
    assert initial_status(Moderation.POST) is Status.VISIBLE


def test_the_author_edits_and_pre_moderation_sends_the_new_words_back_for_approval():
    c = card()
    assert c.edit(7, "Nieuwe woorden", Phase.SHARING, Moderation.POST) is True
    assert c.status is Status.VISIBLE
    assert c.edit(7, "Nieuwe woorden", Phase.SHARING, Moderation.POST) is False
    assert c.edit(7, "Weer anders", Phase.SHARING, Moderation.PRE) is True
    assert c.status is Status.PENDING and not c.on_wall


def test_nobody_else_edits_or_withdraws_and_not_after_sharing():
    c = card()
    refused("contribution.not_yours", c.edit, 8, "Nee", Phase.SHARING, Moderation.POST)
    refused("contribution.not_yours", c.withdraw, 8, Phase.SHARING)
    refused("contribution.phase_closed", c.edit, 7, "Later", Phase.PROPOSALS, Moderation.POST)
    refused("contribution.phase_closed", c.withdraw, 7, Phase.PROPOSALS)
    c.withdraw(7, Phase.SHARING)
    assert c.status is Status.WITHDRAWN
    refused("contribution.gone", c.edit, 7, "Terug", Phase.SHARING, Moderation.POST)
    refused("contribution.gone", c.hide)


def test_hiding_is_final_for_the_room_and_idempotent():
    c = card()
    assert c.hide() is True and c.status is Status.HIDDEN
    assert c.hide() is False
    refused("contribution.gone", c.edit, 7, "Toch", Phase.SHARING, Moderation.POST)
    refused("contribution.not_pending", c.approve)
    assert not hasattr(c, "restore")


def test_approval_is_for_pending_contributions_only():
    c = card(Status.PENDING)
    c.approve()
    assert c.on_wall
    refused("contribution.not_pending", c.approve)


def test_names_and_settings():
    assert validate_theme_name("  Overlast ") == "Overlast"
    refused("theme.name_invalid", validate_theme_name, "")
    refused("theme.name_invalid", validate_theme_name, "x" * 61)
    assert validate_prompt("Wat deed het met je?") == "Wat deed het met je?"
    refused("prompt.invalid", validate_prompt, 3)
    assert choice(Anonymity, "anonymous", "anonymity") is Anonymity.ANONYMOUS
    refused("setting.invalid", choice, Moderation, "never", "moderation")
