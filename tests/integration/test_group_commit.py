"""Group commit: the intents of one meeting that arrive while a batch of that meeting is
being committed are committed together. Each still counts once, is refused alone, gets
its own version, and is answered only after the commit that stores it."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.consent import service as consent
from shared.core.db import Database
from shared.core.intents import clock_of, commit_change, committer, load_for_update, run_intent
from shared.core.models import ConsentAnswer, ConsentLog, Intent, Vote
from shared.core.screens import people_rows
from shared.domain import DomainError
from shared.meeting.service import remove_participant
from shared.proposals import service as proposals
from shared.screens import you_views
from tests.integration.test_features import Room, _proposal
from tests.integration.test_features import meeting as meeting  # the fixture


def _consent_round(meeting: Room, phones: int) -> tuple[list[int], int]:
    meeting.go_to("proposals")
    people = [meeting.phone(f"Buur {i}") for i in range(phones)]
    pid = _proposal(meeting, people[0], "Schoonmaakploeg")
    meeting.go_to("consent")
    opened = meeting.facilitate(consent.open_round, proposal_id=pid, whole_plan=False)
    meeting.hub.deliver()
    return people, opened["round_id"]


def _answer(
    meeting: Room, pid: int, client_id: str, round_id: int, value: str, text: str = ""
) -> Any:
    """A phone's consent answer, as its socket's handler calls it."""
    return consent.answer(
        meeting.db,
        meeting_id=meeting.id,
        participant_id=pid,
        client_id=client_id,
        round_id=round_id,
        value=value,
        text=text,
    )


def _hold(db: Database, meeting_id: str, gate: threading.Event) -> threading.Thread:
    """An intent whose commit waits for ``gate``: everything sent meanwhile queues."""

    inside = threading.Event()

    def work(_session: Any) -> tuple[dict[str, Any], None]:
        inside.set()
        gate.wait(10)
        return {}, None

    held = threading.Thread(
        target=run_intent,
        args=(db,),
        kwargs={
            "meeting_id": meeting_id,
            "actor": "u:0",
            "client_id": None,
            "action": "test.hold",
            "work": work,
        },
    )
    held.start()
    assert inside.wait(10)  # it is being committed now
    return held


def _in_one_batch(meeting: Room, steps: list[Any]) -> dict[int, Any]:
    """Run ``steps`` (intents) queued, in this order, behind a held commit, so they are
    committed as one batch; each one's result or refusal."""
    db, gate, group = meeting.db, threading.Event(), committer(meeting.db)
    results: dict[int, Any] = {}

    def run(i: int) -> None:
        try:
            results[i] = steps[i]()
        except DomainError as error:
            results[i] = error

    held = _hold(db, meeting.id, gate)
    threads = []
    for i in range(len(steps)):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
        while group.waiting(meeting.id) < len(threads):
            time.sleep(0.005)  # in this order
    gate.set()
    for t in [held, *threads]:
        t.join(10)
    return results


def test_answers_that_arrive_during_a_commit_are_committed_together_each_once(meeting: Room):
    people, round_id = _consent_round(meeting, 8)
    db, gate = meeting.db, threading.Event()
    group = committer(db)
    batches, saved = group.stats["batches"], group.stats["with_savepoints"]
    held = _hold(db, meeting.id, gate)
    sends: list[tuple[int, str, str]] = [
        (pid, f"answer-{pid}", "objection" if pid == people[3] else "consent") for pid in people
    ]
    sends.append((people[1], f"answer-{people[1]}", "consent"))  # a retry, same id
    sends.append((people[2], "answer-bad-value", "maybe"))  # refused by the domain
    outcomes: dict[int, Any] = {}

    def send(i: int, pid: int, cid: str, value: str) -> None:
        try:
            reason = "Zaterdag werk ik." if value == "objection" else ""
            outcomes[i] = _answer(meeting, pid, cid, round_id, value, reason)
        except DomainError as error:
            outcomes[i] = error

    threads = [threading.Thread(target=send, args=(i, *s)) for i, s in enumerate(sends)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while group.waiting(meeting.id) < len(sends) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert group.waiting(meeting.id) == len(sends)  # every send waits for the held commit
    assert not outcomes  # nothing is answered before its commit
    gate.set()
    for t in [held, *threads]:
        t.join(10)
    assert group.stats["batches"] == batches + 2  # the held intent, then all the rest
    # the refused answer had written nothing: the batch needed no savepoints
    assert group.stats["with_savepoints"] == saved

    answered = [outcomes[i] for i in range(len(people))]
    versions = [result["version"] for result, _change in answered]
    assert len(set(versions)) == len(people)  # one version each, in order, no gaps
    assert sorted(versions) == list(range(min(versions), min(versions) + len(people)))
    retry, _ = outcomes[len(people)]
    assert retry["duplicate"] is True and retry["version"] == answered[1][0]["version"]
    refused = outcomes[len(people) + 1]
    assert isinstance(refused, DomainError) and refused.code == "consent.answer_invalid"

    with db.read() as s:
        stored = dict(
            (k, v)
            for k, v in s.execute(
                select(ConsentAnswer.answer, func.count())
                .where(ConsentAnswer.round_id == round_id)
                .group_by(ConsentAnswer.answer)
            ).all()
        )
        assert stored == {"consent": 7, "objection": 1}
        assert s.scalar(select(func.count()).where(Intent.client_id == "answer-bad-value")) == 0
        clock = clock_of(s, meeting.id)
        assert clock.version == max(versions)
        assert clock.seen["console"] == max(versions)

    for _result, change in answered:
        meeting.hub.changed(change)
    meeting.hub.deliver()
    tally = meeting.views("beamer")["consent_tally"]
    assert (tally["consent"], tally["objection"], tally["answered"]) == (7, 1, 8)


@pytest.mark.parametrize("broken_at", [0, 1])
def test_a_refused_intent_in_a_batch_leaves_its_neighbours_and_the_versions_intact(
    meeting: Room, broken_at: int
):
    """A write that fails after it has written and taken a version (here: an unexpected
    error, first or in the middle of the batch) is rolled back to its savepoint; the
    others are stored, and the version it took is given to the next one: no gap."""
    people, round_id = _consent_round(meeting, 3)
    db, gate = meeting.db, threading.Event()
    with db.read() as s:
        version_before = clock_of(s, meeting.id).version
    saved = committer(db).stats["with_savepoints"]
    held = _hold(db, meeting.id, gate)
    results: dict[str, Any] = {}

    def broken(session: Any) -> tuple[dict[str, Any], None]:
        session.add(Intent(meeting_id=meeting.id, actor="x", client_id="x", action="x", result={}))
        session.flush()
        commit_change(session, load_for_update(session, meeting.id), {"meeting"})
        raise RuntimeError("a bug after a write")

    def run(name: str, fn: Any) -> None:
        try:
            results[name] = fn()
        except Exception as error:
            results[name] = error

    jobs: dict[str, Any] = {
        "first": lambda: _answer(meeting, people[0], "first-answer", round_id, "consent"),
    }
    broken_job = {
        "broken": lambda: run_intent(
            db,
            meeting_id=meeting.id,
            actor="u:0",
            client_id="broken-1",
            action="test.broken",
            work=broken,
        )
    }
    jobs = {**broken_job, **jobs} if broken_at == 0 else {**jobs, **broken_job}
    jobs["last"] = lambda: _answer(
        meeting, people[1], "last-answer", round_id, "concern", "Wie betaalt?"
    )
    threads = []
    for name, fn in jobs.items():
        threads.append(threading.Thread(target=run, args=(name, fn)))
        threads[-1].start()
        while committer(db).waiting(meeting.id) < len(threads):
            time.sleep(0.005)  # keep the order: first, broken, last
    gate.set()
    for t in [held, *threads]:
        t.join(10)
    assert isinstance(results["broken"], RuntimeError)
    # it failed after writing: the batch was run again with a savepoint per intent
    assert committer(db).stats["with_savepoints"] == saved + 1
    first, last = results["first"][0], results["last"][0]
    assert first["version"] == version_before + 1  # the broken one took no version
    assert last["version"] == first["version"] + 1
    with db.read() as s:
        assert s.scalar(select(func.count()).where(Intent.actor == "x")) == 0
        assert s.scalar(select(func.count()).where(ConsentAnswer.round_id == round_id)) == 2
        clock = clock_of(s, meeting.id)
        assert clock.version == last["version"]
        assert clock.seen["console"] == last["version"]  # nor a place in what it saw


def test_a_phone_that_changes_its_mind_within_one_batch_is_stored_step_by_step(meeting: Room):
    """Answers are written later, with their batch; a withdrawal in the same batch still
    sees the objection it withdraws, and an objection made again stands again."""
    people, round_id = _consent_round(meeting, 2)
    db = meeting.db
    group = committer(db)
    batches, saved = group.stats["batches"], group.stats["with_savepoints"]
    me = people[1]
    steps: list[Any] = [
        lambda: _answer(meeting, me, "mind-1", round_id, "objection", "Te duur."),
        lambda: meeting.by(me, consent.resolve_objection, round_id=round_id, withdraw=True),
        lambda: _answer(meeting, me, "mind-3", round_id, "objection", "Toch te duur."),
        lambda: meeting.by(me, consent.resolve_objection, round_id=round_id, withdraw=True),
        lambda: meeting.by(me, consent.resolve_objection, round_id=round_id, withdraw=True),
    ]
    results = _in_one_batch(meeting, steps)
    assert group.stats["batches"] == batches + 2  # all five in one batch
    assert results[1]["withdrawn"] is True and results[3]["withdrawn"] is True
    assert isinstance(results[4], DomainError) and results[4].code == "consent.no_objection"
    assert group.stats["with_savepoints"] == saved  # the refusal had written nothing
    with db.read() as s:
        (stored,) = s.scalars(select(ConsentAnswer).where(ConsentAnswer.participant_id == me))
        assert (stored.answer, stored.text, stored.withdrawn) == (
            "objection",
            "Toch te duur.",
            True,
        )
        log = s.execute(
            select(ConsentLog.action, ConsentLog.text)
            .where(ConsentLog.participant_id == me)
            .order_by(ConsentLog.id)
        ).all()
        assert [tuple(r) for r in log] == [
            ("answer", "Te duur."),
            ("withdraw", "Te duur."),
            ("answer", "Toch te duur."),
            ("withdraw", "Toch te duur."),
        ]


def test_an_answer_sends_the_phone_only_its_answer_and_the_phone_keeps_the_rest(meeting: Room):
    people, round_id = _consent_round(meeting, 2)
    with meeting.db.read() as s:
        before = you_views(s, people_rows(s, [people[1]]))[people[1]]  # the snapshot's
    earlier = {pid: len(meeting.yous(pid)) for pid in people}
    meeting.by(people[1], consent.answer, round_id=round_id, value="concern", text="Wie betaalt?")
    meeting.hub.deliver()
    (sent,) = meeting.yous(people[1])[earlier[people[1]] :]
    assert sent["partial"] is True and sent["consent"]["answer"] == "concern"
    assert set(sent) == {"id", "name", "group", "role", "removed", "partial", "consent"}
    merged = {**before, **sent}
    del merged["partial"]
    with meeting.db.read() as s:
        # the merge is what a fresh snapshot says
        assert merged == you_views(s, people_rows(s, [people[1]]))[people[1]]
    assert len(meeting.yous(people[0])) == earlier[people[0]]  # nobody else's phone hears


def test_a_room_joining_at_once_is_committed_in_one_batch_and_counted_once_each(meeting: Room):
    """Joins and socket connects of one meeting queue behind a commit like any write; a
    phone that joins twice (a retried request) is still one participant."""
    from shared.meeting.service import join
    from shared.realtime.presence import connect

    db, gate = meeting.db, threading.Event()
    group = committer(db)
    batches = group.stats["batches"]
    held = _hold(db, meeting.id, gate)
    joined: dict[int, Any] = {}

    def phone(i: int) -> None:
        device = f"device-storm-{i % 6}-" + "x" * 20  # 6 devices, phone 6 and 7 retry
        person, change, _new = join(
            db, meeting_id=meeting.id, device_token=device, name=f"Buur {i % 6}", group="Bewoners"
        )
        joined[i] = person.id
        meeting.hub.changed(change)

    def socket(i: int) -> None:
        change = connect(
            db, sid=f"sid-{i}", meeting_id=meeting.id, audience="beamer", worker_id="w"
        )
        meeting.hub.changed(change)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(8)]
    threads += [threading.Thread(target=socket, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while group.waiting(meeting.id) < len(threads) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert group.waiting(meeting.id) == len(threads)
    gate.set()
    for t in [held, *threads]:
        t.join(10)
    assert group.stats["batches"] == batches + 2
    assert len(set(joined.values())) == 6 and joined[6] == joined[0] and joined[7] == joined[1]
    meeting.hub.deliver()
    counts = meeting.views("console")["counts"]
    assert counts["joined"] == 6, counts


def test_a_leader_stopped_before_its_commit_leaves_the_meeting_writable(
    meeting: Room, monkeypatch: Any
):
    """A greenlet killed while it leads (a worker shutting down) must not leave the
    meeting's queue behind: every later write would wait for it forever."""
    import shared.core.batches as batches

    people, round_id = _consent_round(meeting, 1)

    class Stopped(BaseException):
        pass

    def stop(_seconds: float) -> None:
        raise Stopped

    monkeypatch.setattr(batches.time, "sleep", stop)
    try:
        _answer(meeting, people[0], "stopped-1", round_id, "consent")
    except Stopped:
        pass
    else:
        raise AssertionError("the leader was not stopped")
    monkeypatch.undo()
    assert committer(meeting.db).waiting(meeting.id) == 0
    done = threading.Thread(
        target=_answer, args=(meeting, people[0], "after-stop", round_id, "consent")
    )
    done.start()
    done.join(5)
    assert not done.is_alive()  # answered, not stuck behind the stopped leader
    with meeting.db.read() as s:
        assert s.scalar(select(func.count()).where(Intent.client_id == "after-stop")) == 1


def test_a_database_no_longer_used_is_not_kept_alive_by_its_queues(tmp_path: Any) -> None:
    """The queues are kept per database; they must not hold it (a test run or a CLI that
    opens databases one after another would keep every engine and pool)."""
    import gc
    import weakref

    from shared.core import batches

    gc.collect()
    owned = len(batches._OWNED)
    db = Database(f"sqlite:///{tmp_path / 'gone.db'}")
    committer(db)
    assert len(batches._OWNED) == owned + 1
    gone = weakref.ref(db)
    del db
    gc.collect()
    assert gone() is None
    assert len(batches._OWNED) == owned  # and its entry went with it


def test_a_phone_removed_earlier_in_the_batch_is_refused_and_the_others_are_not(meeting: Room):
    """The batch reads its senders once; removing one of them in the same batch is seen
    by that sender's next intent."""
    people, round_id = _consent_round(meeting, 3)
    group = committer(meeting.db)
    batches = group.stats["batches"]
    ana, bram = people[1], people[2]
    results = _in_one_batch(
        meeting,
        [
            lambda: _answer(meeting, bram, "before", round_id, "consent"),
            lambda: _answer(meeting, ana, "ana-1", round_id, "consent"),
            lambda: meeting.facilitate(remove_participant, participant_id=bram),
            lambda: _answer(meeting, bram, "after", round_id, "concern", "Toch niet."),
            lambda: _answer(meeting, ana, "ana-2", round_id, "concern", "Wel een zorg."),
        ],
    )
    assert group.stats["batches"] == batches + 2  # one batch, behind the held one
    assert not isinstance(results[0], DomainError) and not isinstance(results[4], DomainError)
    assert isinstance(results[3], DomainError) and results[3].code == "participant.removed"
    with meeting.db.read() as s:
        stored = dict(
            (k, v)
            for k, v in s.execute(
                select(ConsentAnswer.participant_id, ConsentAnswer.answer).where(
                    ConsentAnswer.round_id == round_id
                )
            )
        )
    assert stored[bram] == "consent", "what he gave before his removal stays as it was"
    assert stored[ana] == "concern"


def _dot_voting(meeting: Room) -> tuple[int, int, int]:
    """Dot voting open, two dots per voter: a voter and two proposals."""
    meeting.go_to("proposals")
    voter, author = meeting.phone("Fatima"), meeting.phone("Bram")
    first, second = (
        _proposal(meeting, author, "Schoonmaakploeg"),
        _proposal(meeting, author, "Buurtfeest"),
    )
    meeting.facilitate(
        proposals.configure_voting,
        mode="dots",
        dots=2,
        max_per_proposal=2,
        allow_framework=False,
        allow_observers=False,
        open_=True,
    )
    meeting.hub.deliver()
    return voter, first, second


def test_dots_given_within_one_batch_count_against_the_voters_budget(meeting: Room):
    """A dot is written later, with its batch; the voter's next dot in the same batch
    still sees it, so the budget holds."""
    voter, first, second = _dot_voting(meeting)
    group = committer(meeting.db)
    batches = group.stats["batches"]
    give = [
        lambda pid=pid: meeting.by(voter, proposals.vote, proposal_id=pid, give=True)
        for pid in (first, first, second, second)
    ]
    take_back = lambda: meeting.by(voter, proposals.vote, proposal_id=first, give=False)  # noqa: E731
    results = _in_one_batch(meeting, [*give[:3], take_back, give[3]])
    assert group.stats["batches"] == batches + 2
    assert [r["count"] for r in (results[0], results[1])] == [1, 2]
    assert isinstance(results[2], DomainError) and results[2].code == "vote.no_dots_left"
    assert results[3]["count"] == 1 and results[3]["left"] == 1
    assert results[4]["count"] == 1 and results[4]["left"] == 0
    with meeting.db.read() as s:
        stored = dict(
            (k, v)
            for k, v in s.execute(
                select(Vote.proposal_id, Vote.count).where(Vote.participant_id == voter)
            )
        )
    assert stored == {first: 1, second: 1}


def test_a_proposal_withdrawn_within_a_batch_takes_no_more_dots_and_frees_its_own(
    meeting: Room,
):
    """The batch's voters share one read of the proposals; the facilitator's withdrawal
    in the same batch is seen by the votes after it."""
    voter, first, second = _dot_voting(meeting)
    group = committer(meeting.db)
    batches = group.stats["batches"]
    results = _in_one_batch(
        meeting,
        [
            lambda: meeting.by(voter, proposals.vote, proposal_id=first, give=True),
            lambda: meeting.by(voter, proposals.vote, proposal_id=first, give=True),
            lambda: meeting.facilitate(
                proposals.withdraw_proposal, proposal_id=first, reason="Dubbel."
            ),
            lambda: meeting.by(voter, proposals.vote, proposal_id=first, give=True),
            lambda: meeting.by(voter, proposals.vote, proposal_id=second, give=True),
            lambda: meeting.by(voter, proposals.vote, proposal_id=second, give=True),
        ],
    )
    assert group.stats["batches"] == batches + 2
    assert isinstance(results[3], DomainError) and results[3].code == "proposal.closed"
    # The two dots on the withdrawn one are free again: both go to the other proposal.
    assert [results[4]["count"], results[5]["count"]] == [1, 2]
    assert results[5]["left"] == 0
