"""Kaders and the kader check, unit and property-based: the plan goes ahead unchanged if
and only if every agreement was checked against the current version of every kader and
fits; a kader changed after the lock keeps both versions; no check before the final
consent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain import DomainError, Meeting, Phase
from shared.domain.frameworks import (
    EXPLANATION_MAX,
    CheckStatus,
    Framework,
    FrameworkCheck,
    Verdict,
    check_may_record,
    check_party_may_write,
    validate_flag,
    validate_followup,
    validate_party_name,
)
from shared.domain.phases import TEMPLATE_PHASES, Template
from tests.unit.refusals import refusal_codes

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def check(agreements=(1, 2, 3), frameworks=None, adopted=True, phase=Phase.FRAMEWORK_CHECK):
    return FrameworkCheck(
        plan_adopted=adopted,
        phase=phase,
        agreements=list(agreements),
        frameworks=frameworks if frameworks is not None else {10: 1, 20: 1},
    )


def test_all_fit_goes_ahead_unchanged():
    c = check()
    for a in (1, 2, 3):
        for f in (10, 20):
            c.record(a, f, "fits", "")
    assert c.status() is CheckStatus.UNCHANGED and c.goes_ahead_unchanged()
    assert c.exit_blocker([], {}) is None


def test_one_missing_check_is_not_unchanged_and_blocks_leaving():
    c = check()
    for a, f in c.pairs()[:-1]:
        c.record(a, f, "fits", "")
    assert c.status() is CheckStatus.INCOMPLETE and not c.goes_ahead_unchanged()
    blocker = c.exit_blocker([], {})
    assert blocker is not None and blocker.code == "check.incomplete"
    assert blocker.params == {"missing": 1, "total": 6}


def test_does_not_fit_needs_an_explanation_and_a_followup():
    c = check()
    with pytest.raises(DomainError) as e:
        c.record(2, 10, "does_not_fit", "   ")
    assert e.value.code == "check.explanation_required"
    for a, f in c.pairs():
        c.record(a, f, "fits", "")
    c.record(2, 10, "does_not_fit", "Valt buiten het budget van de gemeente.")
    assert c.status() is CheckStatus.CHANGES_NEEDED and not c.goes_ahead_unchanged()
    assert c.not_fitting() == [(2, 10, "Valt buiten het budget van de gemeente.")]
    assert c.agreements_not_fitting() == [2]
    blocker = c.exit_blocker([], {2: "Speelplek"})
    assert blocker is not None and blocker.code == "check.needs_followup"
    assert "Speelplek" in blocker.message
    assert c.exit_blocker([2], {}) is None
    # The party reconsiders: the last verdict counts.
    c.record(2, 10, "fits", "")
    assert c.goes_ahead_unchanged()


def test_a_verdict_on_an_older_kader_version_must_be_given_again():
    c = check(agreements=(1,), frameworks={10: 1})
    c.record(1, 10, "fits", "")
    assert c.goes_ahead_unchanged()
    changed = check(agreements=(1,), frameworks={10: 2})
    changed.entries = dict(c.entries)
    assert changed.current(1, 10) is None
    assert changed.status() is CheckStatus.INCOMPLETE


def test_nothing_to_check_is_not_going_ahead_unchanged():
    assert check(frameworks={}).status() is CheckStatus.NONE
    assert not check(frameworks={}).goes_ahead_unchanged()
    assert not check(agreements=()).goes_ahead_unchanged()
    assert check(frameworks={}).exit_blocker([], {}) is None


def test_no_check_before_the_final_consent_or_outside_the_phase():
    codes = refusal_codes(
        [
            lambda: check(adopted=False).record(1, 10, "fits", ""),
            lambda: check(phase=Phase.CONSENT).record(1, 10, "fits", ""),
            lambda: check().record(99, 10, "fits", ""),
            lambda: check().record(1, 99, "fits", ""),
            lambda: check().record("1", 10, "fits", ""),
            lambda: check().record(1, 10, "maybe", ""),
            lambda: check().record(1, 10, "fits", "x" * (EXPLANATION_MAX + 1)),
        ]
    )
    assert codes == {
        "check.needs_plan",
        "check.phase_closed",
        "agreement.unknown",
        "framework.unknown",
        "check.verdict_invalid",
        "check.explanation_too_long",
    }


def test_the_phase_cannot_be_entered_before_the_plan_is_adopted():
    phases = TEMPLATE_PHASES[Template.NIEUWE_ROUTE]
    m = Meeting(phases=phases, phase=Phase.CONSENT, open_question="?", issue_statement="x")
    blocker = m.advance_blocker()
    assert blocker is not None and blocker.code == "check.needs_plan"
    m.plan_adopted = True
    m.advance(NOW)
    assert m.phase is Phase.FRAMEWORK_CHECK
    m.check_blocker = DomainError("check.incomplete", missing=1, total=2)
    with pytest.raises(DomainError) as e:
        m.advance(NOW)
    assert e.value.code == "check.incomplete"
    m.check_blocker = None
    m.advance(NOW)
    assert m.phase is Phase.SIGNING


@settings(max_examples=200, deadline=None)
@given(
    n_agreements=st.integers(0, 4),
    n_frameworks=st.integers(0, 3),
    verdicts=st.lists(st.sampled_from([None, "fits", "does_not_fit"]), min_size=12, max_size=12),
    stale=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_unchanged_iff_every_pair_checked_on_the_current_version_and_fits(
    n_agreements, n_frameworks, verdicts, stale
):
    agreements = list(range(1, n_agreements + 1))
    frameworks = {10 * (i + 1): 2 for i in range(n_frameworks)}
    c = check(agreements=agreements, frameworks=frameworks)
    expected = bool(agreements and frameworks)
    for i, (a, f) in enumerate(c.pairs()):
        verdict = verdicts[i]
        if verdict is None:
            expected = False
            continue
        c.record(a, f, verdict, "reden")
        if stale[i % 3]:
            # given on the version before the current one
            c.entries[(a, f)] = type(c.entries[(a, f)])(Verdict(verdict), "reden", 1)
            expected = False
        elif verdict == "does_not_fit":
            expected = False
    assert c.goes_ahead_unchanged() is expected


def test_a_kader_changed_after_the_lock_keeps_both_versions():
    k = Framework.new(7, "Budget", "Maximaal 50.000 euro.")
    k.edit("Budget", "Maximaal 60.000 euro.", locked=False)
    assert [v.number for v in k.versions] == [1]
    assert k.current.description == "Maximaal 60.000 euro."
    k.edit("Budget", "Maximaal 40.000 euro.", locked=True)
    assert [(v.number, v.description, v.after_lock) for v in k.versions] == [
        (1, "Maximaal 60.000 euro.", False),
        (2, "Maximaal 40.000 euro.", True),
    ]
    with pytest.raises(DomainError) as e:
        k.edit("Budget", "Maximaal 40.000 euro.", locked=True)
    assert e.value.code == "framework.unchanged"


def test_who_may_write_and_check_which_kader():
    check_party_may_write(locked=False, actor_party_id=1, framework_party_id=1)
    check_party_may_write(locked=True, actor_party_id=None, framework_party_id=1)
    check_may_record(actor_party_id=None, framework_party_id=1)
    check_may_record(actor_party_id=1, framework_party_id=1)
    codes = refusal_codes(
        [
            lambda: check_party_may_write(locked=True, actor_party_id=1, framework_party_id=1),
            lambda: check_party_may_write(locked=False, actor_party_id=1, framework_party_id=2),
            lambda: check_may_record(actor_party_id=1, framework_party_id=2),
            lambda: Framework.new(1, " ", ""),
            lambda: Framework.new(1, "Titel", "x" * 3001),
            lambda: validate_party_name(""),
            lambda: validate_party_name(None),
        ]
    )
    assert codes == {
        "framework.locked",
        "framework.not_own",
        "check.not_your_kader",
        "framework.title_invalid",
        "framework.description_too_long",
        "party.name_invalid",
    }


def test_flags_and_followups():
    assert (
        validate_flag(Phase.PROPOSALS, "  Raakt het  parkeerbeleid ") == "Raakt het parkeerbeleid"
    )
    assert validate_flag(Phase.CONSENT, "x") == "x"
    assert validate_followup(" Nieuw voorstel ", "Gemeente", "1 maart") == (
        "Nieuw voorstel",
        "Gemeente",
        "1 maart",
    )
    codes = refusal_codes(
        [
            lambda: validate_flag(Phase.SHARING, "note"),
            lambda: validate_flag(Phase.PROPOSALS, ""),
            lambda: validate_followup("wat", "", "wanneer"),
            lambda: validate_followup("wat", "wie", None),
        ]
    )
    assert codes == {"flag.phase_closed", "flag.note_required", "followup.invalid"}
