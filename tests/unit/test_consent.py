"""The consent rule, unit and property-based: a proposal is adopted if and only if no
objection stands among the eligible when the round closes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain import DomainError, Role
from shared.domain.consent import (
    TEXT_MAX,
    Answer,
    ConsentRound,
    Ending,
    Outcome,
    Response,
    RoundFacts,
    eligible_at_open,
    objection_endings,
)
from tests.unit.refusals import refusal_codes


def test_eligibility_is_participants_and_informants_unless_widened():
    people = [
        (1, Role.PARTICIPANT),
        (2, Role.INFORMANT),
        (3, Role.FRAMEWORK_PARTY),
        (4, Role.OBSERVER),
    ]
    assert eligible_at_open(people) == {1, 2}
    widened = frozenset({Role.PARTICIPANT, Role.INFORMANT, Role.FRAMEWORK_PARTY})
    assert eligible_at_open(people, widened) == {1, 2, 3}


def test_one_reasoned_objection_stops_a_proposal_until_withdrawn():
    r = ConsentRound(eligible={1, 2, 3})
    r.answer(1, "consent")
    r.answer(2, "concern", "  Let op de  geluidsoverlast ")
    r.answer(3, "objection", "Het plein wordt dan te druk voor de ouderen.")
    assert r.outcome() is Outcome.NOT_ADOPTED and r.standing_objections() == [3]
    r.withdraw_objection(3)
    assert r.outcome() is Outcome.ADOPTED
    assert r.close() is Outcome.ADOPTED
    assert r.concerns() == [(2, "Let op de geluidsoverlast")]
    assert r.tally() == {
        "eligible": 3,
        "answered": 3,
        "consent": 1,
        "concern": 1,
        "objection": 0,
        "withdrawn": 1,
    }


def test_the_last_answer_counts_while_open():
    r = ConsentRound(eligible={1})
    r.answer(1, "objection", "Te duur")
    r.answer(1, "consent")
    assert r.outcome() is Outcome.ADOPTED
    assert r.answers[1].text == ""


def test_not_answering_does_not_block():
    assert ConsentRound(eligible={1, 2}).close() is Outcome.ADOPTED


def test_refusals_change_nothing():
    r = ConsentRound(eligible={1})
    r.answer(1, "consent")
    for action in (
        lambda: r.answer(1, "objection", ""),
        lambda: r.answer(1, "objection", "x" * (TEXT_MAX + 1)),
        lambda: r.answer(1, "concern", "   "),
        lambda: r.answer(1, "maybe"),
        lambda: r.answer(9, "consent"),
        lambda: r.withdraw_objection(1),
    ):
        with pytest.raises(DomainError):
            action()
    assert r.answers[1].answer is Answer.CONSENT and r.eligible == {1}
    r.close()
    with pytest.raises(DomainError) as closed:
        r.answer(1, "objection", "Te laat")
    assert closed.value.code == "consent.closed"
    assert r.answers[1].answer is Answer.CONSENT


def test_a_late_joiner_is_added_and_a_leaver_no_longer_counts():
    r = ConsentRound(eligible={1})
    assert r.add(2) is True and r.add(2) is False
    r.answer(2, "objection", "Ik kan hier niet mee leven.")
    assert r.outcome() is Outcome.NOT_ADOPTED
    r.leave(2)
    assert r.outcome() is Outcome.ADOPTED
    assert 2 in r.answers  # kept for the record


def test_every_refusal_has_an_actionable_message():
    closed = ConsentRound(eligible={1}, open=False)
    assert refusal_codes(
        [
            lambda: closed.answer(1, "consent"),
            lambda: ConsentRound(eligible={1}).answer(2, "consent"),
            lambda: ConsentRound(eligible={1}).answer(1, "perhaps"),
            lambda: ConsentRound(eligible={1}).answer(1, "concern", ""),
            lambda: ConsentRound(eligible={1}).answer(1, "objection", None),
            lambda: ConsentRound(eligible={1}).withdraw_objection(1),
            closed.close,
        ]
    ) == {
        "consent.closed",
        "consent.ineligible",
        "consent.answer_invalid",
        "consent.concern_required",
        "consent.reason_required",
        "consent.no_objection",
        "consent.already_closed",
    }


# --------------------------------------------------------------------------- properties

PEOPLE = st.integers(min_value=1, max_value=8)
STEP = st.one_of(
    st.tuples(
        st.just("answer"),
        PEOPLE,
        st.sampled_from(["consent", "concern", "objection"]),
        st.sampled_from(["", "Het plein wordt te druk.", "  "]),
    ),
    st.tuples(st.just("withdraw"), PEOPLE),
    st.tuples(st.just("join"), PEOPLE),
    st.tuples(st.just("leave"), PEOPLE),
)


@settings(max_examples=400, deadline=None)
@given(initial=st.sets(PEOPLE, max_size=6), steps=st.lists(STEP, max_size=40))
def test_adopted_if_and_only_if_no_objection_stands_among_the_eligible(initial, steps):
    """Random answers, changes, withdrawals, late joiners and leavers, checked against a
    model written the obvious way."""
    r = ConsentRound(eligible=set(initial))
    eligible = set(initial)
    last: dict[int, tuple[str, bool]] = {}  # person -> (answer, objection withdrawn)
    for step in steps:
        kind, person = step[0], step[1]
        try:
            if kind == "answer":
                r.answer(person, step[2], step[3])
            elif kind == "withdraw":
                r.withdraw_objection(person)
            elif kind == "join":
                r.add(person)
            else:
                r.leave(person)
        except DomainError:
            # A refused step changes nothing; check the model agrees it should be refused.
            if kind == "answer":
                assert person not in eligible or (
                    step[2] in ("concern", "objection") and not step[3].strip()
                )
            elif kind == "withdraw":
                assert person not in eligible or last.get(person, ("", False)) != (
                    "objection",
                    False,
                )
            continue
        if kind == "answer":
            last[person] = (step[2], False)
        elif kind == "withdraw":
            last[person] = ("objection", True)
        elif kind == "join":
            eligible.add(person)
        else:
            eligible.discard(person)
    standing = {
        p
        for p, (answer, withdrawn) in last.items()
        if p in eligible and answer == "objection" and not withdrawn
    }
    assert r.eligible == eligible
    assert set(r.standing_objections()) == standing
    outcome = r.close()
    assert (outcome is Outcome.ADOPTED) == (not standing)
    tally = r.tally()
    assert tally["objection"] == len(standing)
    assert tally["answered"] == sum(1 for p in last if p in eligible)


# --- superseded rounds and how objections end -------------------------------------------


def test_amending_under_an_open_round_supersedes_it_and_keeps_its_answers():
    r = ConsentRound(eligible={1, 2})
    r.answer(1, "objection", "Te dicht bij de slaapkamers.")
    assert r.supersede() is Outcome.SUPERSEDED
    assert not r.open and r.answers[1].text == "Te dicht bij de slaapkamers."
    with pytest.raises(DomainError) as error:
        r.supersede()
    assert error.value.code == "consent.already_closed"


def facts(round_id, version, outcome, **answers):
    out = {}
    for key, value in answers.items():
        kind, _, flag = value.partition("/")
        out[int(key[1:])] = Response(Answer(kind), "reden", withdrawn=flag == "withdrawn")
    return RoundFacts(round_id, version, outcome, out, text=version)


def test_an_objection_integrated_in_the_next_version_says_so():
    endings = objection_endings(
        [
            facts(1, 1, "superseded", p7="objection", p8="consent"),
            facts(2, 2, "adopted", p7="consent", p8="consent"),
        ]
    )
    assert [(e.participant_id, e.ending, e.later_round_id, e.later_version) for e in endings] == [
        (7, Ending.INTEGRATED, 2, 2)
    ]
    assert endings[0].later_answer is Answer.CONSENT


def test_an_objection_raised_again_then_integrated():
    endings = objection_endings(
        [
            facts(1, 1, "not_adopted", p7="objection"),
            facts(2, 2, "not_adopted", p7="objection"),
            facts(3, 3, "adopted"),  # the objector did not answer on version 3
        ]
    )
    assert [(e.round_id, e.ending, e.later_round_id) for e in endings] == [
        (1, Ending.RAISED_AGAIN, 2),
        (2, Ending.INTEGRATED, 3),
    ]
    assert endings[1].later_answer is None


def test_withdrawn_standing_and_open_objections():
    endings = objection_endings(
        [
            facts(1, 1, "not_adopted", p1="objection/withdrawn", p2="objection"),
        ]
    )
    assert [e.ending for e in endings] == [Ending.WITHDRAWN, Ending.STANDING]
    still = objection_endings([facts(1, 1, None, p2="objection")])
    assert [e.ending for e in still] == [Ending.OPEN]


def test_an_objection_is_not_called_integrated_when_the_same_text_was_adopted():
    endings = objection_endings(
        [
            facts(1, 1, "not_adopted", p7="objection"),
            facts(2, 1, "adopted"),  # asked again about version 1; the objector stayed silent
        ]
    )
    assert [(e.ending, e.later_round_id) for e in endings] == [(Ending.ADOPTED_UNCHANGED, 2)]
