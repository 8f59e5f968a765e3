"""Proposals: fields, support voting (simple and dots), withdrawal, merging, the shortlist."""

import pytest

from shared.domain import DomainError, Role
from shared.domain.errors import MESSAGES
from shared.domain.proposals import (
    DEFAULT_VOTERS,
    DESCRIPTION_MAX,
    DOTS_MAX,
    PLAN_FIELD_MAX,
    REASON_MAX,
    TITLE_MAX,
    Ballot,
    ProposalFields,
    ProposalStatus,
    VotingMode,
    VotingRules,
    check_merge,
    merge_support,
    ranking,
    validate_reason,
    validate_shortlist,
)
from tests.unit.refusals import refusal_codes

OPEN = ProposalStatus.OPEN
WITHDRAWN = ProposalStatus.WITHDRAWN
MERGED = ProposalStatus.MERGED


def refused(code, action, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        action(*args, **kwargs)
    assert error.value.code == code
    assert "{" not in error.value.message and code in MESSAGES
    return error.value


def simple(open_=True, voters=DEFAULT_VOTERS):
    return VotingRules(
        mode=VotingMode.SIMPLE, dots=0, max_per_proposal=1, open=open_, voters=voters
    )


def dots(n=3, per=2, open_=True, voters=DEFAULT_VOTERS):
    return VotingRules(
        mode=VotingMode.DOTS, dots=n, max_per_proposal=per, open=open_, voters=voters
    )


def ballot(rules, role=Role.PARTICIPANT, **votes):
    return Ballot(rules=rules, role=role, votes={int(k[1:]): n for k, n in votes.items()})


def test_limits():
    assert (TITLE_MAX, DESCRIPTION_MAX, PLAN_FIELD_MAX, REASON_MAX, DOTS_MAX) == (
        120,
        2000,
        300,
        500,
        50,
    )


# --- fields --------------------------------------------------------------------------------


def test_fields_are_cleaned_and_optional_fields_default_to_empty():
    fields = ProposalFields.from_input(
        {
            "title": "  Bankjes  op \u202ehet plein ",
            "what": " Drie \r\n bankjes ",
            "who": "Wijkraad",
        }
    )
    assert fields.title == "Bankjes op het plein"
    assert fields.as_dict() == {
        "title": "Bankjes op het plein",
        "description": "",
        "what": "Drie\nbankjes",
        "who": "Wijkraad",
        "where": "",
        "when": "",
    }


def test_a_title_of_exactly_the_maximum_is_accepted():
    assert ProposalFields.from_input({"title": "t" * TITLE_MAX}).title == "t" * TITLE_MAX
    # the limit applies after cleaning: surrounding space does not count
    assert len(ProposalFields.from_input({"title": "  " + "t" * TITLE_MAX + "  "}).title) == 120


@pytest.mark.parametrize("title", ["", "   ", "\u200b\u202e", None, 7, ["Bankjes"], "t" * 121])
def test_a_proposal_needs_a_title_of_1_to_120_characters(title):
    error = refused("proposal.title_invalid", ProposalFields.from_input, {"title": title})
    assert error.params == {"max": TITLE_MAX} and "120" in error.message


def test_a_missing_title_is_refused():
    refused("proposal.title_invalid", ProposalFields.from_input, {})


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("description", DESCRIPTION_MAX),
        ("what", PLAN_FIELD_MAX),
        ("who", PLAN_FIELD_MAX),
        ("where", PLAN_FIELD_MAX),
        ("when", PLAN_FIELD_MAX),
    ],
)
def test_each_optional_field_has_its_own_limit(name, limit):
    fields = ProposalFields.from_input({"title": "Bankjes", name: "x" * limit})
    assert getattr(fields, name) == "x" * limit
    error = refused(
        "proposal.text_too_long",
        ProposalFields.from_input,
        {"title": "Bankjes", name: "x" * (limit + 1)},
    )
    assert error.params == {"field": name, "max": limit}
    assert f"'{name}'" in error.message and str(limit) in error.message


@pytest.mark.parametrize("value", [None, 3, ["tekst"], {"a": 1}, 2.5])
def test_non_text_optional_fields_are_treated_as_empty(value):
    fields = ProposalFields.from_input(
        {"title": "Bankjes", "description": value, "what": value, "when": value}
    )
    assert fields.description == fields.what == fields.when == ""


def test_a_withdrawal_reason_is_1_to_500_characters():
    assert validate_reason("  Dubbel \r\n met een ander ") == "Dubbel\nmet een ander"
    assert validate_reason("r" * REASON_MAX) == "r" * REASON_MAX
    for reason in ["", "   ", None, 5, "r" * (REASON_MAX + 1)]:
        error = refused("proposal.reason_required", validate_reason, reason)
        assert error.params == {"max": REASON_MAX} and "500" in error.message


# --- voting rules --------------------------------------------------------------------------


def test_simple_mode_ignores_the_dots():
    rules = VotingRules.configure("simple", "veel", True, DEFAULT_VOTERS)
    assert rules.mode is VotingMode.SIMPLE
    assert (rules.dots, rules.max_per_proposal, rules.per_proposal) == (0, 1, 1)
    assert rules.open is False and rules.voters == DEFAULT_VOTERS
    assert VotingRules.configure(VotingMode.SIMPLE, 99, 99, DEFAULT_VOTERS).per_proposal == 1


def test_dot_mode_keeps_valid_settings_and_the_voters():
    voters = frozenset({Role.PARTICIPANT, Role.FRAMEWORK_PARTY})
    rules = VotingRules.configure("dots", 5, 2, voters)
    assert rules.mode is VotingMode.DOTS
    assert (rules.dots, rules.max_per_proposal, rules.per_proposal) == (5, 2, 2)
    assert rules.voters == voters and rules.open is False
    assert VotingRules.configure("dots", 1, 1, voters).dots == 1
    assert VotingRules.configure("dots", DOTS_MAX, DOTS_MAX, voters).per_proposal == DOTS_MAX


@pytest.mark.parametrize(
    ("n", "per"),
    [
        (0, 1),
        (DOTS_MAX + 1, 1),
        (-3, 1),
        (3, 0),
        (3, 4),
        (3, -1),
        (True, 1),
        (3, True),
        (3.0, 1),
        ("3", 1),
        (None, 1),
        (3, None),
    ],
)
def test_dot_settings_out_of_bounds_or_not_whole_numbers_are_refused(n, per):
    error = refused("voting.rules_invalid", VotingRules.configure, "dots", n, per, DEFAULT_VOTERS)
    assert error.params == {"max": DOTS_MAX} and "50" in error.message


@pytest.mark.parametrize("mode", ["", "ranked", "DOTS", None, 1])
def test_an_unknown_voting_mode_is_refused(mode):
    refused("voting.mode_invalid", VotingRules.configure, mode, 3, 1, DEFAULT_VOTERS)


def test_by_default_voting_is_simple_and_closed_for_participants_and_informants():
    rules = VotingRules()
    assert rules.mode is VotingMode.SIMPLE and rules.open is False
    assert rules.voters == {Role.PARTICIPANT, Role.INFORMANT}


# --- simple support ------------------------------------------------------------------------


def test_simple_support_is_one_tap_per_proposal():
    b = ballot(simple())
    assert b.give(1, OPEN, {1, 2}) == 1
    assert b.give(2, OPEN, {1, 2}) == 1
    # A second tap says that the support is already given, not the dot-voting limit.
    error = refused("vote.already_supported", b.give, 1, OPEN, {1, 2})
    assert "already support" in error.message and "dot" not in error.message
    assert b.votes == {1: 1, 2: 1}
    assert b.remaining({1, 2}) is None


def test_simple_support_can_be_taken_back_and_given_again():
    b = ballot(simple(), p1=1)
    assert b.take_back(1, OPEN) == 0
    refused("vote.nothing_to_undo", b.take_back, 1, OPEN)
    assert b.give(1, OPEN, {1}) == 1


# --- dots ----------------------------------------------------------------------------------


def test_dots_are_limited_per_participant_across_open_proposals():
    b = ballot(dots(n=3, per=2))
    open_ids = {1, 2, 3}
    assert b.remaining(open_ids) == 3
    assert b.give(1, OPEN, open_ids) == 1
    assert b.give(1, OPEN, open_ids) == 2
    assert b.give(2, OPEN, open_ids) == 1
    assert (b.used(open_ids), b.remaining(open_ids)) == (3, 0)
    error = refused("vote.no_dots_left", b.give, 3, OPEN, open_ids)
    assert error.params == {"total": 3} and "3" in error.message
    assert b.votes == {1: 2, 2: 1}


def test_dots_are_limited_per_proposal():
    b = ballot(dots(n=5, per=2))
    b.give(1, OPEN, {1})
    b.give(1, OPEN, {1})
    error = refused("vote.proposal_full", b.give, 1, OPEN, {1})
    assert error.params == {"max": 2} and "2" in error.message
    assert b.votes == {1: 2} and b.remaining({1}) == 3


def test_all_dots_may_go_to_one_proposal_when_the_rules_allow_it():
    b = ballot(dots(n=3, per=3))
    for expected in (1, 2, 3):
        assert b.give(4, OPEN, {4}) == expected
    refused("vote.proposal_full", b.give, 4, OPEN, {4})
    refused("vote.no_dots_left", b.give, 5, OPEN, {4, 5})


def test_taking_a_dot_back_lowers_the_count_and_frees_the_dot():
    b = ballot(dots(n=2, per=2), p1=2)
    refused("vote.no_dots_left", b.give, 2, OPEN, {1, 2})
    assert b.take_back(1, OPEN) == 1
    assert b.votes == {1: 1} and b.remaining({1, 2}) == 1
    assert b.give(2, OPEN, {1, 2}) == 1
    assert b.remaining({1, 2}) == 0


def test_nothing_to_take_back():
    b = ballot(dots(), p2=0)
    refused("vote.nothing_to_undo", b.take_back, 1, OPEN)
    refused("vote.nothing_to_undo", b.take_back, 2, OPEN)
    assert b.votes == {2: 0}


# --- closed voting, closed proposals -------------------------------------------------------


@pytest.mark.parametrize("rules", [simple(open_=False), dots(open_=False)])
def test_nothing_changes_once_voting_is_closed(rules):
    b = ballot(rules, p1=1)
    refused("vote.closed", b.give, 2, OPEN, {1, 2})
    refused("vote.closed", b.take_back, 1, OPEN)
    assert b.votes == {1: 1}


@pytest.mark.parametrize("status", [WITHDRAWN, MERGED])
@pytest.mark.parametrize("rules", [simple(), dots()])
def test_a_withdrawn_or_merged_proposal_takes_no_support_and_gives_none_back(rules, status):
    b = ballot(rules, p1=1)
    refused("proposal.closed", b.give, 1, status, set())
    refused("proposal.closed", b.take_back, 1, status)
    assert b.votes == {1: 1}


def test_dots_on_a_proposal_that_is_no_longer_open_return_to_the_voter():
    b = ballot(dots(n=3, per=3), p1=3)
    refused("vote.no_dots_left", b.give, 2, OPEN, {1, 2})
    # proposal 1 is withdrawn: it leaves the open set and its dots stop counting
    assert (b.used({2}), b.remaining({2})) == (0, 3)
    assert b.give(2, OPEN, {2}) == 1
    assert b.give(2, OPEN, {2}) == 2
    assert b.give(2, OPEN, {2}) == 3
    assert b.remaining({2}) == 0
    assert b.votes == {1: 3, 2: 3}


# --- roles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.INFORMANT])
def test_participants_and_informants_vote_by_default(role):
    assert ballot(simple(), role=role).give(1, OPEN, {1}) == 1


@pytest.mark.parametrize("role", [Role.FRAMEWORK_PARTY, Role.OBSERVER])
@pytest.mark.parametrize("make", [simple, dots])
def test_framework_parties_and_observers_do_not_vote_by_default(make, role):
    b = ballot(make(), role=role, p1=1)
    refused("vote.role", b.give, 2, OPEN, {1, 2})
    refused("vote.role", b.take_back, 1, OPEN)
    assert b.votes == {1: 1}


@pytest.mark.parametrize("role", [Role.FRAMEWORK_PARTY, Role.OBSERVER])
def test_the_facilitator_can_let_other_roles_vote(role):
    b = ballot(dots(voters=DEFAULT_VOTERS | {role}), role=role)
    assert b.give(1, OPEN, {1}) == 1
    assert b.take_back(1, OPEN) == 0
    # and the default voters can be left out
    refused("vote.role", ballot(simple(voters=frozenset({role}))).give, 1, OPEN, {1})


# --- merging -------------------------------------------------------------------------------


def test_merging_in_simple_mode_keeps_everyone_and_counts_nobody_twice():
    source = {1: 1, 2: 1}
    target = {2: 1, 3: 1}
    assert merge_support(source, target, 1) == {1: 1, 2: 1, 3: 1}


def test_merging_dots_adds_up_but_never_above_the_limit_per_proposal():
    source = {1: 2, 2: 1, 3: 2}
    target = {2: 1, 3: 2, 4: 1}
    assert merge_support(source, target, 3) == {1: 2, 2: 2, 3: 3, 4: 1}
    assert merge_support(source, target, 2) == {1: 2, 2: 2, 3: 2, 4: 1}


def test_voters_without_support_disappear_after_merging():
    assert merge_support({1: 0, 2: 1}, {3: 0, 4: 1}, 2) == {2: 1, 4: 1}
    assert merge_support({}, {}, 1) == {}
    assert merge_support({1: 0}, {1: 0}, 1) == {}


def test_merging_does_not_change_its_inputs():
    source = {1: 2, 2: 0}
    target = {1: 1, 3: 0}
    merged = merge_support(source, target, 2)
    assert merged == {1: 2}
    assert source == {1: 2, 2: 0} and target == {1: 1, 3: 0}
    merged[9] = 1
    assert 9 not in target


def test_only_two_different_open_proposals_can_be_merged():
    check_merge(1, OPEN, 2, OPEN)
    refused("proposal.merge_self", check_merge, 1, OPEN, 1, OPEN)
    for source, target in [(WITHDRAWN, OPEN), (MERGED, OPEN), (OPEN, WITHDRAWN), (OPEN, MERGED)]:
        refused("proposal.closed", check_merge, 1, source, 2, target)


# --- shortlist and ranking -----------------------------------------------------------------


def test_the_shortlist_holds_open_proposals_each_once_in_the_given_order():
    assert validate_shortlist([3, 1], {1, 2, 3}) == [3, 1]
    assert validate_shortlist([], {1}) == []
    ids = [2]
    result = validate_shortlist(ids, {2})
    assert result == ids and result is not ids


@pytest.mark.parametrize(
    "ids",
    [
        [1, 1],
        [4],
        [1, 4],
        [True],
        ["1"],
        [1.0],
        [None],
        (1, 2),
        {1, 2},
        "1,2",
        1,
        None,
    ],
)
def test_an_invalid_shortlist_is_refused(ids):
    refused("shortlist.invalid", validate_shortlist, ids, {1, 2, 3})


def test_ranking_puts_most_support_first_and_ties_in_creation_order():
    support = {10: 2, 11: 5, 12: 2, 13: 0, 14: 5}
    order = {10: 3, 11: 2, 12: 1, 13: 0, 14: 4}
    assert ranking(support, order) == [(11, 5), (14, 5), (12, 2), (10, 2), (13, 0)]
    assert ranking({}, {}) == []


# --- messages ------------------------------------------------------------------------------


def _every_refusal():
    yield lambda: ProposalFields.from_input({"title": ""})
    yield lambda: ProposalFields.from_input({"title": "t", "where": "x" * 301})
    yield lambda: validate_reason("")
    yield lambda: VotingRules.configure("dots", 0, 1, DEFAULT_VOTERS)
    yield lambda: VotingRules.configure("ranked", 3, 1, DEFAULT_VOTERS)
    yield lambda: ballot(dots(open_=False)).give(1, OPEN, {1})
    yield lambda: ballot(dots(), role=Role.OBSERVER).give(1, OPEN, {1})
    yield lambda: ballot(dots()).give(1, WITHDRAWN, set())
    yield lambda: ballot(dots(n=1, per=1), p1=1).give(2, OPEN, {1, 2})
    yield lambda: ballot(simple(), p1=1).give(1, OPEN, {1})
    yield lambda: ballot(dots(n=3, per=1), p1=1).give(1, OPEN, {1})
    yield lambda: ballot(dots()).take_back(1, OPEN)
    yield lambda: check_merge(1, OPEN, 1, OPEN)
    yield lambda: check_merge(1, MERGED, 2, OPEN)
    yield lambda: validate_shortlist([9], {1})


def test_every_refusal_has_an_actionable_message():
    assert refusal_codes(_every_refusal()) == {
        "proposal.title_invalid",
        "proposal.text_too_long",
        "proposal.reason_required",
        "voting.rules_invalid",
        "voting.mode_invalid",
        "vote.closed",
        "vote.role",
        "proposal.closed",
        "vote.no_dots_left",
        "vote.proposal_full",
        "vote.already_supported",
        "vote.nothing_to_undo",
        "proposal.merge_self",
        "shortlist.invalid",
    }
