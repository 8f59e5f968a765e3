"""The phase state machine of both templates and the custom one, without any app."""

from datetime import UTC, datetime, timedelta

import pytest

from shared.domain import DomainError, Meeting, Phase, Template
from shared.domain.phases import TEMPLATE_PHASES, phases_for

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

ALLE_HENS = ["welcome", "framing", "sharing", "proposals", "consent", "signing", "closed"]
NIEUWE_ROUTE = [
    "welcome",
    "framing",
    "sharing",
    "proposals",
    "consent",
    "framework_check",
    "signing",
    "closed",
]


def ready(template: Template) -> Meeting:
    return Meeting(
        phases=TEMPLATE_PHASES[template],
        open_question="Hoe maken we het plein weer van iedereen?",
        issue_statement="Sinds de zomer is er spanning rond het plein.",
        groups=("Bewoners", "Gemeente"),
        # the walk is the subject here; the kader check's own guard is tested with it
        plan_adopted=True,
        signing_closed=True,
    )


@pytest.mark.parametrize(
    ("template", "walk"), [(Template.ALLE_HENS, ALLE_HENS), (Template.NIEUWE_ROUTE, NIEUWE_ROUTE)]
)
def test_each_template_walks_forward_through_every_phase_then_stops(template, walk):
    meeting = ready(template)
    seen = [meeting.phase.value]
    for step in range(1, len(walk)):
        event = meeting.advance(T0 + timedelta(minutes=step))
        assert event.from_phase == seen[-1]
        assert event.to_phase == walk[step]
        assert meeting.phase_started_at == T0 + timedelta(minutes=step)
        seen.append(meeting.phase.value)
    assert seen == walk
    with pytest.raises(DomainError) as refused:
        meeting.advance(T0)
    assert refused.value.code == "phase.at_end"
    assert meeting.phase is Phase.CLOSED


@pytest.mark.parametrize(
    ("template", "walk"), [(Template.ALLE_HENS, ALLE_HENS), (Template.NIEUWE_ROUTE, NIEUWE_ROUTE)]
)
def test_each_template_steps_back_through_every_phase_to_the_start(template, walk):
    meeting = ready(template)
    meeting.phase = Phase.CLOSED
    for step in range(len(walk) - 2, -1, -1):
        event = meeting.step_back(T0)
        assert event.to_phase == walk[step]
    assert meeting.phase is Phase.WELCOME
    with pytest.raises(DomainError) as refused:
        meeting.step_back(T0)
    assert refused.value.code == "phase.at_start"


def test_alle_hens_has_no_kader_check_and_nieuwe_route_has_one():
    assert Phase.FRAMEWORK_CHECK not in TEMPLATE_PHASES[Template.ALLE_HENS]
    assert Phase.FRAMEWORK_CHECK in TEMPLATE_PHASES[Template.NIEUWE_ROUTE]
    meeting = ready(Template.ALLE_HENS)
    meeting.phase = Phase.CONSENT
    assert meeting.advance(T0).to_phase == "signing"
    meeting = ready(Template.NIEUWE_ROUTE)
    meeting.phase = Phase.CONSENT
    assert meeting.advance(T0).to_phase == "framework_check"


@pytest.mark.parametrize("template", [Template.ALLE_HENS, Template.NIEUWE_ROUTE])
def test_starting_needs_the_open_question(template):
    meeting = ready(template)
    meeting.open_question = "   "
    assert meeting.advance_blocker().code == "phase.needs_open_question"
    with pytest.raises(DomainError) as refused:
        meeting.advance(T0)
    assert refused.value.code == "phase.needs_open_question"
    assert "open question" in refused.value.message
    assert meeting.phase is Phase.WELCOME and meeting.phase_started_at is None


@pytest.mark.parametrize("template", [Template.ALLE_HENS, Template.NIEUWE_ROUTE])
def test_framing_needs_the_issue_statement(template):
    meeting = ready(template)
    meeting.issue_statement = ""
    with pytest.raises(DomainError) as refused:
        meeting.advance(T0)
    assert refused.value.code == "phase.needs_issue_statement"
    assert meeting.phase is Phase.WELCOME


def test_a_custom_meeting_without_framing_does_not_need_an_issue_statement():
    meeting = Meeting(
        phases=phases_for("custom", ["sharing", "proposals"]), open_question="Wat nu?"
    )
    assert meeting.advance(T0).to_phase == "sharing"
    assert meeting.advance(T0).to_phase == "proposals"
    assert meeting.advance(T0).to_phase == "closed"


def test_stepping_back_into_framing_does_not_re_check_its_entry_guard():
    meeting = ready(Template.ALLE_HENS)
    meeting.advance(T0)
    meeting.advance(T0)
    meeting.issue_statement = ""
    assert meeting.step_back(T0).to_phase == "framing"


def test_a_stale_expected_phase_is_refused_so_a_double_tap_cannot_skip_a_phase():
    meeting = ready(Template.NIEUWE_ROUTE)
    meeting.advance(T0, expected=Phase.WELCOME)
    with pytest.raises(DomainError) as refused:
        meeting.advance(T0, expected=Phase.WELCOME)
    assert refused.value.code == "phase.stale"
    assert refused.value.params == {"phase": "framing"}
    assert meeting.phase is Phase.FRAMING
    with pytest.raises(DomainError):
        meeting.step_back(T0, expected=Phase.SHARING)
    assert meeting.phase is Phase.FRAMING


def test_a_closed_meeting_can_be_reopened_and_refuses_new_joiners_while_closed():
    meeting = ready(Template.ALLE_HENS)
    meeting.phase = Phase.CLOSED
    with pytest.raises(DomainError) as refused:
        meeting.check_can_join()
    assert refused.value.code == "meeting.ended"
    assert meeting.step_back(T0).to_phase == "signing"
    meeting.check_can_join()


def test_a_phase_change_clears_the_timer_and_a_timebox_is_bounded():
    meeting = ready(Template.ALLE_HENS)
    meeting.advance(T0)
    event = meeting.set_timebox(20, T0)
    assert event.timebox_seconds == 1200 and event.started_at == T0
    meeting.advance(T0)
    assert meeting.timebox_seconds is None
    for bad in (0, -5, 481):
        with pytest.raises(DomainError) as refused:
            meeting.set_timebox(bad, T0)
        assert refused.value.code == "meeting.timebox_invalid"


class TestCustomTemplate:
    def test_keeps_the_chosen_phases(self):
        assert phases_for("custom", ["sharing", "proposals", "consent"]) == (
            Phase.SHARING,
            Phase.PROPOSALS,
            Phase.CONSENT,
        )

    @pytest.mark.parametrize(
        ("chosen", "code"),
        [
            ([], "template.no_phases"),
            (["sharing", "framing"], "template.phase_order"),
            (["sharing", "sharing"], "template.phase_order"),
            (["welcome", "sharing"], "template.phase_order"),
            (["sharing", "consent"], "template.phase_requires"),
            (["proposals", "signing"], "template.phase_requires"),
            (["proposals", "framework_check"], "template.phase_requires"),
            (["dancing"], "template.phase_unknown"),
        ],
    )
    def test_refuses_an_impossible_process(self, chosen, code):
        with pytest.raises(DomainError) as refused:
            phases_for("custom", chosen)
        assert refused.value.code == code
        assert refused.value.message

    def test_refuses_an_unknown_template(self):
        with pytest.raises(DomainError) as refused:
            phases_for("town_hall")
        assert refused.value.code == "template.unknown"


def test_the_consent_phase_cannot_be_left_while_a_round_is_open():
    meeting = ready(Template.NIEUWE_ROUTE)
    meeting.phase = Phase.CONSENT
    meeting.consent_round_open = True
    with pytest.raises(DomainError) as refused:
        meeting.advance(T0)
    assert refused.value.code == "phase.round_open"
    assert meeting.phase is Phase.CONSENT
    meeting.consent_round_open = False
    assert meeting.advance(T0).to_phase == "framework_check"
