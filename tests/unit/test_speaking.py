"""The speaking queue and rounds in turn, as plain data without any app."""

import pytest

from shared.domain import DomainError
from shared.domain.speaking import (
    RequestStatus,
    Round,
    SpeakingQueue,
    SpeakRequest,
    round_order,
)
from tests.unit.refusals import refusal_codes

WAITING = RequestStatus.WAITING
SPEAKING = RequestStatus.SPEAKING
DONE = RequestStatus.DONE
CANCELLED = RequestStatus.CANCELLED


def queue_of(*participants: int) -> SpeakingQueue:
    queue = SpeakingQueue(requests=[])
    for n, participant_id in enumerate(participants, start=1):
        queue.request(participant_id, new_id=100 + n)
    return queue


def refused(code, action, *args):
    with pytest.raises(DomainError) as error:
        action(*args)
    assert error.value.code == code
    return error.value


# --- the queue ---------------------------------------------------------------------------


def test_asking_to_speak_queues_in_order():
    queue = SpeakingQueue(requests=[])
    first, created = queue.request(7, new_id=1)
    assert created and first == SpeakRequest(id=1, participant_id=7, status=WAITING)
    second, created = queue.request(8, new_id=2)
    assert created and second.id == 2
    assert [r.participant_id for r in queue.waiting()] == [7, 8]


def test_a_double_tap_or_retry_does_not_queue_twice():
    queue = SpeakingQueue(requests=[])
    first, _ = queue.request(7, new_id=1)
    again, created = queue.request(7, new_id=2)
    assert again is first and not created
    assert len(queue.requests) == 1


def test_asking_while_speaking_returns_the_speaking_request():
    queue = queue_of(7)
    queue.start(101)
    same, created = queue.request(7, new_id=200)
    assert not created and same.id == 101 and same.status is SPEAKING


def test_asking_again_after_speaking_or_withdrawing_queues_anew():
    queue = queue_of(7, 8)
    queue.start(101)
    queue.finish(101)
    queue.cancel(8)
    again, created = queue.request(7, new_id=300)
    assert created and again.id == 300 and again.status is WAITING
    other, created = queue.request(8, new_id=301)
    assert created and other.id == 301
    assert [r.id for r in queue.waiting()] == [300, 301]


def test_a_request_rebuilt_from_rows_is_recognised():
    queue = SpeakingQueue(
        requests=[
            SpeakRequest(id=1, participant_id=5, status=DONE),
            SpeakRequest(id=2, participant_id=6, status=WAITING),
        ]
    )
    found, created = queue.request(6, new_id=3)
    assert found.id == 2 and not created


def test_withdrawing_a_waiting_request():
    queue = queue_of(7, 8)
    withdrawn = queue.cancel(7)
    assert withdrawn.id == 101 and withdrawn.status is CANCELLED
    assert [r.participant_id for r in queue.waiting()] == [8]


def test_withdrawing_without_a_waiting_request_is_refused():
    queue = queue_of(7)
    refused("queue.not_waiting", queue.cancel, 8)
    queue.cancel(7)
    refused("queue.not_waiting", queue.cancel, 7)  # a second tap on "withdraw"
    queue = queue_of(7)
    queue.start(101)
    refused("queue.not_waiting", queue.cancel, 7)  # the floor is not withdrawn


def test_giving_the_floor_ends_the_previous_turn_and_reports_both_changes():
    queue = queue_of(7, 8, 9)
    changed = queue.start(101)
    assert [(r.id, r.status) for r in changed] == [(101, SPEAKING)]
    changed = queue.start(102)
    assert [(r.id, r.status) for r in changed] == [(101, DONE), (102, SPEAKING)]
    assert queue.speaking() is not None and queue.speaking().participant_id == 8
    assert [r.participant_id for r in queue.waiting()] == [9]


def test_giving_the_floor_out_of_order_is_allowed():
    queue = queue_of(7, 8, 9)
    queue.start(103)
    assert queue.speaking().participant_id == 9
    assert [r.participant_id for r in queue.waiting()] == [7, 8]


def test_giving_the_floor_to_a_request_that_is_not_waiting_is_refused():
    queue = queue_of(7, 8)
    queue.start(101)
    refused("queue.not_waiting", queue.start, 101)  # two facilitators, one tap each
    queue.cancel(8)
    refused("queue.not_waiting", queue.start, 102)
    queue.finish(101)
    refused("queue.not_waiting", queue.start, 101)
    refused("queue.unknown", queue.start, 999)


def test_finishing_a_turn():
    queue = queue_of(7)
    queue.start(101)
    done = queue.finish(101)
    assert done.status is DONE and queue.speaking() is None


def test_finishing_what_does_not_have_the_floor_is_refused():
    queue = queue_of(7)
    refused("queue.not_speaking", queue.finish, 101)
    queue.start(101)
    queue.finish(101)
    refused("queue.not_speaking", queue.finish, 101)
    refused("queue.unknown", queue.finish, 999)


def test_upcoming_and_positions():
    queue = queue_of(1, 2, 3, 4, 5)
    assert [r.participant_id for r in queue.upcoming()] == [1, 2, 3]
    assert [r.participant_id for r in queue.upcoming(2)] == [1, 2]
    assert [r.participant_id for r in queue.upcoming(10)] == [1, 2, 3, 4, 5]
    assert queue.upcoming(0) == [] and queue.upcoming(-1) == []
    assert queue.position(1) == 1 and queue.position(5) == 5
    queue.start(101)
    queue.cancel(3)
    assert queue.position(1) is None  # speaking is not waiting
    assert queue.position(3) is None
    assert [queue.position(p) for p in (2, 4, 5)] == [1, 2, 3]
    assert queue.position(42) is None


def test_an_empty_queue():
    queue = SpeakingQueue(requests=[])
    assert queue.waiting() == [] and queue.speaking() is None and queue.upcoming() == []


# --- rounds ------------------------------------------------------------------------------


def test_rounds_alternate_the_groups():
    people = [(1, "A"), (2, "A"), (3, "B"), (4, "C"), (5, "B")]
    assert round_order(people) == (1, 3, 4, 2, 5)


def test_round_order_edge_cases():
    assert round_order([(4, "A"), (2, "A"), (9, "A")]) == (4, 2, 9)  # one group: join order
    assert round_order([(1, "A")]) == (1,)
    assert round_order([(1, "A"), (2, "B"), (1, "A")]) == (1, 2)  # listed twice, one turn
    assert round_order(((1, "B"), (2, "A"), (3, "A"), (4, "A"))) == (1, 2, 3, 4)
    refused("round.nobody", round_order, [])


def test_a_round_gives_each_person_a_turn_then_ends():
    r = Round(order=(1, 3, 4))
    assert r.current() == 1 and r.remaining() == (3, 4)
    assert r.advance() == 3
    assert r.skip() == 4  # 3 passes
    assert r.remaining() == ()
    assert r.advance() is None
    assert r.ended and r.current() is None and r.remaining() == ()


def test_a_late_joiner_gets_a_turn_at_the_end():
    r = Round(order=(1, 2))
    assert r.add(5) is True
    assert r.add(1) is False and r.add(5) is False  # already in the round
    assert r.order == (1, 2, 5) and r.remaining() == (2, 5)
    r.advance()
    r.advance()
    assert r.current() == 5
    r.add(6)  # joins while the last person speaks
    assert r.advance() == 6
    assert r.advance() is None and r.ended


def test_a_round_can_be_ended_early():
    r = Round(order=(1, 2, 3), position=1)
    assert r.current() == 2
    r.end()
    assert r.ended and r.current() is None and r.remaining() == ()


@pytest.mark.parametrize(
    ("action", "args"),
    [("advance", ()), ("skip", ()), ("add", (9,)), ("end", ())],
)
def test_every_action_on_an_ended_round_is_refused(action, args):
    r = Round(order=(1, 2), ended=True)
    refused("round.ended", getattr(r, action), *args)
    assert r.order == (1, 2) and r.position == 0


def test_a_round_rebuilt_past_its_end_has_no_current_person():
    assert Round(order=(1, 2), position=2).current() is None
    assert Round(order=()).current() is None


# --- messages ----------------------------------------------------------------------------


def _every_refusal():
    queue = queue_of(7)
    yield lambda: queue.cancel(8)
    yield lambda: queue.start(999)
    yield lambda: queue.finish(101)
    yield lambda: round_order([])
    yield lambda: Round(order=(1,), ended=True).advance()


def test_every_refusal_has_an_actionable_message():
    assert refusal_codes(_every_refusal()) == {
        "queue.not_waiting",
        "queue.unknown",
        "queue.not_speaking",
        "round.nobody",
        "round.ended",
    }
