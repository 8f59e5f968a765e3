"""The marks and leases of several workers (`shared.realtime.marks.RedisMarks`) against a
real Redis: one flusher per meeting, and no mark is stranded or lost with a flusher."""

from __future__ import annotations

import secrets

import pytest

from shared.realtime.marks import LocalMarks, Marks, RedisMarks
from tests.scaleout.conftest import engines

pytestmark = pytest.mark.scaleout


@pytest.fixture
def redis_client():
    import redis

    _pg, url = engines()
    return redis.Redis.from_url(url)


def test_one_flusher_per_meeting_and_it_lets_go_only_when_nothing_waits(redis_client):
    meeting = secrets.token_hex(6)
    one, two = RedisMarks(redis_client, "w1"), RedisMarks(redis_client, "w2")
    assert one.mark(meeting, Marks(keys={"counts"})) is True  # w1 flushes it now
    assert two.mark(meeting, Marks(keys={"ranking"}, personal={7}, parts={"votes"})) is False
    taken = one.take(meeting)
    assert taken.keys == {"counts", "ranking"} and taken.personal == {7}
    assert taken.parts == {"votes"}
    one.done(meeting)
    two.mark(meeting, Marks(keys={"queue"}))  # while w1 still holds the lease
    assert one.release(meeting) is False  # something waits: w1 keeps flushing
    assert one.take(meeting).keys == {"queue"}
    one.done(meeting)
    assert one.release(meeting) is True
    assert two.mark(meeting, Marks(keys={"meeting"})) is True  # now w2 is the flusher
    assert one.renew(meeting) is False and two.renew(meeting) is True


def test_what_a_dead_flusher_took_goes_to_the_next_one(redis_client):
    meeting = secrets.token_hex(6)
    dead = RedisMarks(redis_client, "dead", lease_ms=200)
    alive = RedisMarks(redis_client, "alive")
    assert dead.mark(meeting, Marks(keys={"consent_tally"}, personal={3}, parts=None))
    dead.take(meeting)  # and dies before it sent them
    assert meeting not in alive.orphans()  # its lease still runs
    import time

    time.sleep(0.3)
    assert meeting in alive.orphans()  # a heartbeat adopts the meeting
    again = alive.take(meeting)
    assert again.keys == {"consent_tally"} and again.personal == {3} and again.parts is None
    alive.done(meeting)
    assert alive.release(meeting) is True
    assert meeting not in alive.orphans()


def test_the_versions_sent_continue_with_the_next_flusher(redis_client):
    meeting = secrets.token_hex(6)
    RedisMarks(redis_client, "w1").sent(meeting, {"beamer": 12, "console": 14})
    assert RedisMarks(redis_client, "w2").last_sent(meeting) == {"beamer": 12, "console": 14}


def test_one_process_keeps_the_same_rules_in_memory():
    marks = LocalMarks()
    assert marks.mark("m", Marks(keys={"counts"})) is True
    assert marks.mark("m", Marks(personal={1}, parts={"consent"})) is False
    assert marks.mark("m", Marks(personal={2}, parts=None)) is False
    taken = marks.take("m")
    assert taken.personal == {1, 2} and taken.parts is None  # one asked for all parts
    marks.restore("m", Marks(keys={"ranking"}))
    assert marks.release("m") is False
    assert marks.take("m").keys == {"ranking"}
    assert marks.release("m") is True
    assert marks.mark("m", Marks(keys={"meeting"})) is True
