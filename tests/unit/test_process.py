"""The rules of the process before the day, in plain Python: statuses from
conversations, who may invite or inform, the go/no-go verdict and the start, the
checklist from the data, and the purge's conditions."""

from __future__ import annotations

from datetime import date

import pytest

from shared.domain import DomainError
from shared.domain.process import (
    CONDITIONS,
    DraftKind,
    Facts,
    MemberRole,
    PersonStatus,
    ProcessKind,
    State,
    Verdict,
    check_can_inform,
    check_can_invite,
    check_may_write_draft,
    check_purge,
    check_start,
    checklist,
    parse_state,
    status_after_conversation,
    status_reason,
    validate_draft,
    validate_member,
    validate_person,
    verdict,
)

TODAY = date(2026, 12, 3)
CONDITION_KEYS = [c.key for c in CONDITIONS if c.kind == "condition"]


def code(fn, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        fn(*args, **kwargs)
    return caught.value.code


@pytest.mark.parametrize(
    ("current", "held_on", "agrees", "expected"),
    [
        (PersonStatus.TO_CONTACT, date(2026, 12, 10), None, PersonStatus.PLANNED),
        (PersonStatus.TO_CONTACT, TODAY, None, PersonStatus.HELD),
        (PersonStatus.PLANNED, TODAY, True, PersonStatus.WILL_TAKE_PART),
        (PersonStatus.HELD, date(2026, 11, 1), False, PersonStatus.WILL_NOT_TAKE_PART),
        # "Not safe" is the facilitators' judgement: a conversation does not lift it.
        (PersonStatus.NOT_SAFE, TODAY, True, PersonStatus.NOT_SAFE),
        # A decision stands until a conversation decides otherwise: a follow-up planned
        # ahead, or one held without a new answer, does not undo it.
        (PersonStatus.WILL_TAKE_PART, date(2026, 12, 10), None, PersonStatus.WILL_TAKE_PART),
        (PersonStatus.WILL_TAKE_PART, TODAY, None, PersonStatus.WILL_TAKE_PART),
        (PersonStatus.WILL_NOT_TAKE_PART, TODAY, None, PersonStatus.WILL_NOT_TAKE_PART),
        (PersonStatus.WILL_NOT_TAKE_PART, TODAY, True, PersonStatus.WILL_TAKE_PART),
    ],
)
def test_a_conversation_says_where_the_person_stands(current, held_on, agrees, expected):
    assert status_after_conversation(current, held_on, TODAY, agrees) == expected


def test_only_will_not_take_part_keeps_a_reason():
    assert status_reason(PersonStatus.WILL_NOT_TAKE_PART, "  Geen tijd. ") == "Geen tijd."
    assert status_reason(PersonStatus.HELD, "Geen tijd.") == ""
    assert code(status_reason, PersonStatus.WILL_NOT_TAKE_PART, "x" * 1001) == (
        "process.text_too_long"
    )


def test_nobody_marked_not_safe_is_invited_or_informs():
    assert code(check_can_invite, "A", PersonStatus.NOT_SAFE) == "process.invite_not_safe"
    assert code(check_can_invite, "A", PersonStatus.WILL_NOT_TAKE_PART) == (
        "process.invite_declined"
    )
    check_can_invite("A", PersonStatus.TO_CONTACT)  # an invitation can open the contact
    assert code(check_can_inform, "A", PersonStatus.NOT_SAFE) == "process.informant_not_safe"
    check_can_inform("A", PersonStatus.WILL_TAKE_PART)


def test_a_representative_writes_only_their_own_partys_kaders():
    check_may_write_draft(
        DraftKind.STATEMENT, is_facilitator=True, member_id=None, draft_member_id=None
    )
    check_may_write_draft(DraftKind.FRAMEWORK, is_facilitator=False, member_id=4, draft_member_id=4)
    for kind, draft_member in ((DraftKind.FRAMEWORK, 5), (DraftKind.STATEMENT, None)):
        assert (
            code(
                check_may_write_draft,
                kind,
                is_facilitator=False,
                member_id=4,
                draft_member_id=draft_member,
            )
            == "process.draft_not_yours"
        )


def test_inputs_are_cleaned_and_bounded():
    statement, kader = DraftKind.STATEMENT, DraftKind.FRAMEWORK
    assert validate_draft("  Het\u200b plein ", "a\r\n\r\n\r\nb", statement) == (
        "Het plein",
        "a\n\nb",
    )
    assert code(validate_draft, "", "tekst", statement) == "process.draft_invalid"
    assert code(validate_draft, "titel", "x" * 5001, statement) == "process.draft_invalid"
    # a kader draft fits what the meeting takes for a kader once it is settled
    validate_draft("Budget", "x" * 3000, kader)
    assert code(validate_draft, "Budget", "x" * 3001, kader) == "process.draft_invalid"
    assert code(validate_member, "Jan", MemberRole.PARTY, "x" * 81) == "process.member_invalid"
    assert code(validate_member, "Jan", MemberRole.PARTY, "") == "process.member_invalid"
    assert validate_member(" Jan ", MemberRole.FACILITATOR, None) == ("Jan", "")
    person = validate_person(
        name=" Fatima ",
        group="Bewoners",
        groups=["Bewoners"],
        organisation=None,
        contact="06\n1234",
        contact_by=7,
        language="xx",
    )
    assert (person.name, person.contact, person.contact_by, person.language) == (
        "Fatima",
        "06\n1234",
        "",
        "nl",
    )
    assert (
        code(
            validate_person,
            name="F",
            group="Marsmannetjes",
            groups=["Bewoners"],
            organisation="",
            contact="",
            contact_by="",
            language="nl",
        )
        == "process.group_unknown"
    )


def test_the_verdict_is_no_go_when_any_condition_is_not_met():
    assert verdict({}) == Verdict.OPEN
    all_met = dict.fromkeys(CONDITION_KEYS, State.MET)
    assert verdict(all_met) == Verdict.GO
    # a principle not met does not decide it
    assert verdict({**all_met, "voluntary": State.NOT_MET}) == Verdict.GO
    assert verdict({**all_met, "safe": State.NOT_MET}) == Verdict.NO_GO
    assert verdict({**all_met, "safe": State.UNKNOWN}) == Verdict.OPEN


def test_a_start_with_a_no_go_needs_confirmation():
    assert check_start({}, confirmed=False) is False
    marked = {"not_too_soon": State.NOT_MET}
    assert code(check_start, marked, confirmed=False) == "process.no_go"
    assert check_start(marked, confirmed=True) is True
    assert code(parse_state, "weather", "met") == "process.condition_unknown"
    assert code(parse_state, "safe", "perhaps") == "process.state_unknown"


def test_the_checklist_follows_the_data():
    nothing = checklist(ProcessKind.NIEUWE_ROUTE, Facts())
    assert [s.key for s in nothing] == [
        "core_group",
        "statement",
        "kaders",
        "sought",
        "prepared",
        "information",
        "invited",
        "go_no_go",
    ]
    assert {s.state for s in nothing} == {"open"}
    ready = Facts(
        facilitator_members=1,
        party_members=1,
        statement_settled=True,
        kaders_settled=2,
        people=12,
        taking_part=6,
        prepared=6,
        needs=3,
        needs_with_informant=3,
        to_invite=6,
        invited=6,
        came=6,
        verdict=Verdict.GO,
    )
    assert {s.state for s in checklist(ProcessKind.NIEUWE_ROUTE, ready)} == {"done"}
    steps = {s.key: s for s in checklist(ProcessKind.NIEUWE_ROUTE, ready)}
    # a kader in draft, one need without informant, a no-go: each shows
    changed = Facts(**{**ready.__dict__, "kaders_unsettled": 1, "needs_with_informant": 2})
    changed_steps = {s.key: s.state for s in checklist(ProcessKind.NIEUWE_ROUTE, changed)}
    assert changed_steps["kaders"] == "open" and changed_steps["information"] == "open"
    no_go = Facts(**{**ready.__dict__, "verdict": Verdict.NO_GO})
    assert {s.key: s.state for s in checklist(ProcessKind.NIEUWE_ROUTE, no_go)}["go_no_go"] == (
        "warning"
    )
    assert steps["invited"].detail[1] == {"invited": 6, "to_invite": 6, "came": 6}
    alle_hens = [s.key for s in checklist(ProcessKind.ALLE_HENS, ready)]
    assert alle_hens[:2] == ["coordinator", "open_question"] and "core_group" not in alle_hens


def test_a_purge_needs_its_date_a_still_room_and_the_title_typed():
    fine = {
        "purge_after": TODAY,
        "today": TODAY,
        "running": False,
        "typed_title": " Plandag  Oost",
        "title": "Plandag Oost",
    }
    check_purge(**fine)
    assert code(check_purge, **{**fine, "purge_after": None}) == "process.purge_no_date"
    assert code(check_purge, **{**fine, "purge_after": date(2026, 12, 4)}) == (
        "process.purge_too_early"
    )
    assert code(check_purge, **{**fine, "running": True}) == "process.purge_running"
    assert code(check_purge, **{**fine, "typed_title": "plandag oost"}) == "process.purge_confirm"
