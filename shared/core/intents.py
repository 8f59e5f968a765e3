"""One client intent, one short transaction: run it once per client id, check who may do
it, say which view keys changed, and give the change the meeting's next version as the
transaction commits. The hub broadcasts after the commit and the ack.
"""

from __future__ import annotations

import hashlib
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import Integer, Table, bindparam, case, event, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql import Executable

from shared.core.batches import Batcher, one_per
from shared.core.db import READS, Database, forget_reads, read_once
from shared.core.keys import AUDIENCES, audiences_for
from shared.core.models import (
    Intent,
    MeetingClock,
    MeetingFacilitator,
    Participant,
    utcnow,
)
from shared.core.models import Meeting as MeetingRow
from shared.core.screens import PersonRow, people_rows
from shared.domain import DomainError


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Change:
    """What a committed intent changed, for the hub: which views to refresh."""

    meeting_id: str
    #: the meeting's version this change has, given when its transaction commits
    version: int = 0
    #: view keys whose content changed, e.g. "meeting", "participant:12", "counts"
    keys: set[str] = field(default_factory=set)
    #: participants whose own view ("you") changed
    personal: set[int] = field(default_factory=set)
    #: participants who lost access (removed): their sockets are closed
    evicted: set[int] = field(default_factory=set)
    #: which parts of those participants' own view changed (None: any of them)
    you_parts: set[str] | None = None
    #: every client of the meeting must take a new snapshot (`shared.realtime.marks`)
    resync: bool = False


Result = tuple[dict[str, Any], Change | None]
#: what a waiting intent ends with: its result, or the error to raise
Outcome = Result | BaseException


#: the changes of the open transaction, in order, waiting for their versions
CHANGES = "plandag.changes"


def commit_change(
    session: Session,
    meeting: MeetingRow,
    keys: set[str],
    personal: Iterable[int] = (),
    evicted: Iterable[int] = (),
    *,
    you_parts: Iterable[str] | None = None,
) -> Change:
    """Record what this intent changed. The change gets the meeting's next version when
    the transaction commits (`advance_clocks`). ``you_parts`` names the parts of the
    ``personal`` participants' own view that changed, when the change knows (a phone's
    answer changes its answer): only those are rebuilt and sent."""
    change = Change(
        meeting.id,
        0,
        set(keys),
        set(personal),
        set(evicted),
        None if you_parts is None else set(you_parts),
    )
    session.info.setdefault(CHANGES, []).append(change)
    return change


_CLOCKS = cast(Table, MeetingClock.__table__)


def _advance_statement() -> Any:
    """One statement per meeting and commit: the counter moves by the transaction's
    changes and each audience's last version to the last change it sees (``k_<a>``: that
    change's place in the transaction, 0 for none). SQLite and PostgreSQL both read the
    old ``version`` on the right-hand side, and both return the new one."""
    c = _CLOCKS.c
    seen = {
        audience: case(
            (bindparam(f"k_{audience}", type_=Integer) > 0, c.version + bindparam(f"k_{audience}")),
            else_=c[audience],
        )
        for audience in AUDIENCES
    }
    return (
        update(_CLOCKS)
        .where(c.meeting_id == bindparam("m"))
        .values(version=c.version + bindparam("n", type_=Integer), **seen)
        .returning(c.version)
    )


_ADVANCE = _advance_statement()


def advance_clocks(session: Session) -> None:
    """Give the transaction's changes their versions: the last statement before the
    commit, so writers on several workers hold a meeting's clock row only while they
    commit (and a change's version is the order of the commits)."""
    changes: list[Change] = session.info.pop(CHANGES, None) or []
    per_meeting: dict[str, list[Change]] = {}
    for change in changes:
        per_meeting.setdefault(change.meeting_id, []).append(change)
    # In the order of the meetings' ids: two transactions that advance several clocks
    # (a sweep of dead workers, a stopping worker) lock them in the same order.
    for meeting_id, mine in sorted(per_meeting.items()):
        places = {audience: 0 for audience in AUDIENCES}
        for place, change in enumerate(mine, start=1):
            for audience in audiences_for(change.keys):
                places[audience] = place
        params = {"m": meeting_id, "n": len(mine)}
        params |= {f"k_{audience}": place for audience, place in places.items()}
        last = session.execute(_ADVANCE, params).scalar()
        if last is None:  # the meeting is gone: nobody is told
            continue
        for place, change in enumerate(mine, start=1):
            change.version = int(last) - len(mine) + place


class Clock(NamedTuple):
    version: int
    #: audience -> the version of the last change it sees
    seen: dict[str, int]


def clock_of(session: Session, meeting_id: str) -> Clock:
    """The meeting's committed version (read first by a flush or a snapshot: whatever
    they read after it is at least that new)."""
    c = _CLOCKS.c
    row = session.execute(
        select(c.version, c.console, c.beamer, c.phone).where(c.meeting_id == meeting_id)
    ).first()
    if row is None:
        return Clock(0, {})
    return Clock(
        int(row[0]), dict(zip(AUDIENCES, (int(row[1]), int(row[2]), int(row[3])), strict=True))
    )


LATER = "plandag.later"
#: how many writes the transaction has made (statements, flushes, rows written later)
WRITES = "plandag.writes"


def write_later(session: Session, statement: Executable, params: dict[str, Any]) -> None:
    """A write that nothing reads back before the commit (a phone's answer, a line of the
    record): kept, and run with the other rows of its statement as one ``executemany``
    when the transaction commits, or first thing when it runs its next statement (so a
    later read in the same transaction still sees it). A batch of a thousand answers
    then writes each table once, not once per answer.

    Rows of one statement are written in the order they were given. Statements are
    grouped, so a row written later must not depend on a row of another statement
    written later (no foreign key between them), nor may a row the unit of work
    flushes depend on one."""
    later: list[tuple[Executable, dict[str, Any]]] = session.info.setdefault(LATER, [])
    later.append((statement, params))


def write_at_commit(session: Session, statement: Executable, params: dict[str, Any]) -> None:
    """A row that no statement of the transaction reads (the batch's write ids): unlike
    `write_later`, not written before the next statement, only at the commit, so a
    batch writes them in one ``executemany`` even when its intents read."""
    session.info.setdefault(AT_COMMIT, []).append((statement, params))


def _run_later(session: Session, *, committing: bool = False) -> None:
    later = session.info.pop(LATER, None) or []
    if later and len(later) > session.info.get(LATER_MARK, 0):
        # Rows of the intent being run go out now: it has written.
        session.info[WRITES] = session.info.get(WRITES, 0) + 1
    session.info[LATER_MARK] = 0
    if committing:
        later += session.info.pop(AT_COMMIT, ())
    if not later:
        return
    grouped: dict[Executable, list[dict[str, Any]]] = {}
    for statement, params in later:
        grouped.setdefault(statement, []).append(params)
    session.info[RUNNING_LATER] = True
    try:
        for statement, rows in grouped.items():
            forget_reads(session, _table_of(statement))
            session.execute(statement, rows)
    finally:
        session.info.pop(RUNNING_LATER, None)


#: where the rows the running intent wrote later start (`GroupCommit`)
LATER_MARK = "plandag.later_mark"
RUNNING_LATER = "plandag.running_later"
AT_COMMIT = "plandag.at_commit"


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    session = state.session
    if session.info.get(RUNNING_LATER):
        return
    if session.info.get(LATER):
        _run_later(session)
    if state.is_insert or state.is_update or state.is_delete:
        session.info[WRITES] = session.info.get(WRITES, 0) + 1
        forget_reads(session, _table_of(state.statement))


@event.listens_for(Session, "after_flush")
def _count_flush(session: Session, _context: Any) -> None:
    session.info[WRITES] = session.info.get(WRITES, 0) + 1
    if session.info.get(READS):
        for changed in (session.new, session.dirty, session.deleted):
            for obj in changed:
                forget_reads(session, getattr(obj, "__tablename__", None))


def _table_of(statement: Any) -> str | None:
    return getattr(getattr(statement, "table", None), "name", None)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the rest is written with the transaction
    _run_later(session)
    advance_clocks(session)
    for result, change in session.info.pop(RESULTS, ()):
        result["version"] = change.version  # what the ack (and a retry's) tells
    _run_later(session, committing=True)


@event.listens_for(Session, "after_transaction_end")
def _forget_versions(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back (a commit has written them already)
        for name in (CHANGES, RESULTS, MEETING_ROW, LATER, LATER_MARK, AT_COMMIT, WRITES, READS):
            session.info.pop(name, None)


MEETING_ROW = "plandag.meeting_row"
#: (result, change) of the transaction's intents: the result tells the change's version
RESULTS = "plandag.results"


def load_for_update(session: Session, meeting_id: str, *, alone: bool = True) -> MeetingRow:
    """The meeting's row, locked for this transaction (read once per transaction: a
    batch of intents of one meeting shares it). ``alone``: no other write of the
    meeting runs meanwhile (PostgreSQL ``FOR UPDATE``: the facilitator's moves, which
    change what the others check). Otherwise ``FOR SHARE``: the phones' answers, votes
    and cards of several workers run side by side, and a move waits for them (and they
    for it). SQLite has one writer anyway."""
    cached: dict[str, MeetingRow] = session.info.setdefault(MEETING_ROW, {})
    row = cached.get(meeting_id)
    if row is None:
        row = session.scalar(
            select(MeetingRow).where(MeetingRow.id == meeting_id).with_for_update(read=not alone)
        )
        if row is None:
            raise DomainError("meeting.unknown")
        cached[meeting_id] = row
    return row


def form_once(
    session: Session, meeting_id: str, actor: str, client_id: str | None, action: str
) -> bool:
    """Whether a page form's write id was already carried out (a repeated post, a
    double click); else record it. Forms without an id always run."""
    if not client_id:
        return False
    client_id = client_id[:64]
    if session.scalar(
        select(Intent.id).where(Intent.actor == actor, Intent.client_id == client_id)
    ):
        return True
    try:
        # its own savepoint: a second post of the same form racing this one finds the
        # row, and counts once instead of failing
        with session.begin_nested():
            session.add(
                Intent(
                    meeting_id=meeting_id,
                    actor=actor,
                    client_id=client_id,
                    action=action,
                    result={},
                )
            )
    except IntegrityError:
        return True
    return False


def can_facilitate(session: Session, user_id: int, meeting_id: str) -> bool:
    return (
        session.scalar(
            select(MeetingFacilitator.user_id).where(
                MeetingFacilitator.meeting_id == meeting_id,
                MeetingFacilitator.user_id == user_id,
            )
        )
        is not None
    )


def require_facilitator(session: Session, user_id: int, meeting_id: str) -> None:
    # Unknown and foreign meetings look the same: ids are not confirmed to outsiders.
    if not can_facilitate(session, user_id, meeting_id):
        raise DomainError("meeting.unknown")


#: one intent's unit of work, run in the batch's transaction
Unit = Callable[[Session], Result]


@dataclass(eq=False)
class _Job:
    meeting_id: str
    actor: str
    client_id: str | None
    action: str
    work: Unit
    #: runs with no other write of its meeting beside it (`load_for_update`)
    alone: bool = True
    retried: bool = False


class _Unsafe(Exception):
    """An intent run without a savepoint failed after it had written: only rolling the
    whole batch back undoes that."""


class GroupCommit:
    """Intents of one meeting that arrive while another batch of that meeting is being
    committed wait for it and are then committed together (`shared.core.batches`): one
    transaction, a refused intent leaves no trace and does not touch the others, the
    meeting's versions and the rows written later (`write_later`) are written once, and
    each intent's ack comes only after that commit. A thousand phones answering within
    a second cost a few dozen commits, not a thousand; a lone intent is committed at
    once.

    A batch first runs without savepoints: most intents check everything before they
    write, so one that is refused has written nothing and is simply left out. If one
    fails after it has written (a statement, a flush, or its rows written later), the
    batch is rolled back and run again with a savepoint per intent, which undoes just
    that one."""

    def __init__(self, db: Database, *, max_batch: int = 200) -> None:
        # Weakly: it is kept per database (`one_per`), and must not keep its key alive.
        self._db = weakref.ref(db)
        self.batches: Batcher[_Job] = Batcher(self._commit, max_batch=max_batch)
        #: batches committed, intents in them, batches run again with savepoints
        self.stats: Counter[str] = Counter()

    def waiting(self, meeting_id: str) -> int:
        """Intents of the meeting queued behind the batch being committed (for tests)."""
        return self.batches.waiting(meeting_id)

    def submit(self, job: _Job) -> Result:
        result: Result = self.batches.submit(job.meeting_id, job)
        return result

    def _commit(self, meeting_id: str, batch: list[_Job]) -> list[Outcome]:
        try:
            try:
                return self._commit_once(meeting_id, batch, savepoints=False)
            except _Unsafe:
                self.stats["with_savepoints"] += 1
                return self._commit_once(meeting_id, batch, savepoints=True)
        except Exception as error:  # the commit itself failed: nothing was stored
            if len(batch) > 1:  # judge each alone (another worker stored one of the ids)
                return [self._commit(meeting_id, [job])[0] for job in batch]
            job = batch[0]
            if isinstance(error, IntegrityError) and job.client_id is not None and not job.retried:
                job.retried = True
                return self._commit(meeting_id, batch)  # the retry finds the stored result
            return [error]

    def _commit_once(
        self, meeting_id: str, batch: list[_Job], *, savepoints: bool
    ) -> list[Outcome]:
        self.stats["batches"] += 1
        self.stats["intents"] += len(batch)
        outcomes: list[Outcome] = []
        db = self._db()
        assert db is not None, "a database in use is alive"
        with db.transaction() as session:
            # The meeting's row, locked before the first savepoint: a lock taken inside
            # one would go with its rollback (PostgreSQL).
            alone = any(job.alone for job in batch)
            load_for_update(session, meeting_id, alone=alone)
            done = _stored_results(session, batch)
            made: dict[tuple[str, str], Change] = {}
            # The senders of this batch in one query, as columns: each intent's check of
            # its sender is then a lookup. Beside other workers' batches, each sender's
            # row is locked too: one person's intents (two tabs) still run one at a time.
            _prefetch_people(session, batch, lock=not alone)
            for job in batch:
                key = (job.actor, job.client_id) if job.client_id is not None else None
                if key is not None and key in done:
                    action, stored_meeting, result = done[key]
                    if action != job.action or stored_meeting != job.meeting_id:
                        outcomes.append(DomainError("payload.client_id_reused"))
                    else:
                        again = {**result, "duplicate": True}
                        if key in made:  # sent twice in this batch: its version is given
                            session.info.setdefault(RESULTS, []).append((again, made[key]))
                        outcomes.append((again, None))
                    continue
                outcome = (self._run_saved if savepoints else self._run_bare)(session, job)
                outcomes.append(outcome)
                if isinstance(outcome, BaseException):
                    continue
                if outcome[1] is not None:
                    session.info.setdefault(RESULTS, []).append(outcome)
                    if key is not None:
                        made[key] = outcome[1]
                if key is not None:
                    done[key] = (job.action, job.meeting_id, outcome[0])
                    write_at_commit(  # nothing reads these back (`done` answers a retry)
                        session,
                        _ADD_INTENT,
                        {
                            "meeting_id": job.meeting_id,
                            "actor": job.actor,
                            "client_id": job.client_id,
                            "action": job.action,
                            "result": outcome[0],
                            "created_at": utcnow(),
                        },
                    )
        return outcomes

    @staticmethod
    def _run_saved(session: Session, job: _Job) -> Outcome:
        changes = len(session.info.get(CHANGES, ()))
        mark = len(session.info.get(LATER, ()))
        savepoint = session.begin_nested()
        try:
            result = job.work(session)
            savepoint.commit()
        except Exception as error:
            savepoint.rollback()
            forget_reads(session, None)  # what it wrote and read is undone
            _forget_later(session, mark)
            _forget_changes(session, changes)
            return error
        return result

    @staticmethod
    def _run_bare(session: Session, job: _Job) -> Outcome:
        changes = len(session.info.get(CHANGES, ()))
        mark = session.info[LATER_MARK] = len(session.info.get(LATER, ()))
        writes = session.info.get(WRITES, 0)
        try:
            result = job.work(session)
        except Exception as error:
            if session.info.get(WRITES, 0) != writes or _has_changes(session):
                raise _Unsafe from error
            _forget_later(session, mark)
            _forget_changes(session, changes)
            return error
        if _has_changes(session):
            # Its objects go out now, so a later intent's failure is judged on its own.
            session.flush()
        return result


#: the write ids of a batch, in one statement for the batch
_ADD_INTENT = insert(cast(Table, Intent.__table__))


def _stored_results(
    session: Session, batch: list[_Job]
) -> dict[tuple[str, str], tuple[str, str, dict[str, Any]]]:
    """The results already stored for the batch's write ids (a retry)."""
    keys = [(job.actor, job.client_id) for job in batch if job.client_id is not None]
    if not keys:
        return {}
    return {
        (row.actor, row.client_id): (row.action, row.meeting_id, row.result)
        for row in session.execute(
            select(
                Intent.actor, Intent.client_id, Intent.action, Intent.meeting_id, Intent.result
            ).where(tuple_(Intent.actor, Intent.client_id).in_(keys))
        )
    }


def _has_changes(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted)


def _forget_later(session: Session, mark: int) -> None:
    """A refused intent's rows written later are not written."""
    later = session.info.get(LATER)
    if later is not None:
        del later[mark:]


def _forget_changes(session: Session, mark: int) -> None:
    """A refused intent's change never happened: it takes no version."""
    changes = session.info.get(CHANGES)
    if changes is not None:
        del changes[mark:]


def _prefetch_people(session: Session, batch: list[_Job], *, lock: bool) -> None:
    """The senders of the batch's phone intents in one query, as columns (``lock``:
    their rows locked for the transaction, on PostgreSQL)."""
    ids = {int(job.actor[2:]) for job in batch if job.actor.startswith("p:")}
    if ids:
        lock = lock and session.get_bind().dialect.name == "postgresql"
        _senders(session).update((p.id, p) for p in people_rows(session, ids, lock=lock))


def _senders(session: Session) -> dict[int, PersonRow]:
    return read_once(session, Participant.__tablename__, "senders", dict)


def _batch_person(session: Session, meeting_id: str, participant_id: int) -> PersonRow:
    """The sender as the batch read it, or as the database has it now when an intent
    of the batch has changed participants since (`read_once`)."""
    if participant_id is None:
        raise DomainError("participant.unknown")
    held = _senders(session)
    person = held.get(participant_id)
    if person is None:
        found = people_rows(session, [participant_id])
        if not found:
            raise DomainError("participant.unknown")
        person = held[participant_id] = found[0]
    if person.meeting_id != meeting_id:
        raise DomainError("participant.unknown")
    return person


def committer(db: Database) -> GroupCommit:
    return one_per(db, "group_commit", lambda: GroupCommit(db))


def run_intent(
    db: Database,
    *,
    meeting_id: str,
    actor: str,
    client_id: str | None,
    action: str,
    work: Unit,
    alone: bool = True,
) -> Result:
    """Carry out a client write once per client-made id, committed before it returns
    (with the other intents of its meeting that arrived meanwhile: `GroupCommit`). A
    retry of a write that was already committed returns the stored result and changes
    nothing. A refused write is not stored: a retry is judged afresh. ``alone``: see
    `load_for_update`; a write that is not alone runs beside other workers' writes of
    its meeting, so it must not depend on what another person's write changes."""
    return committer(db).submit(_Job(meeting_id, actor, client_id, action, work, alone))


Work = Callable[[Session, MeetingRow], Result]


def facilitator_intent(
    db: Database, user_id: int, meeting_id: str, client_id: str, action: str, work: Work
) -> Result:
    def run(session: Session) -> Result:
        require_facilitator(session, user_id, meeting_id)
        return work(session, load_for_update(session, meeting_id))

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"u:{user_id}",
        client_id=client_id,
        action=action,
        work=run,
    )


def participant_intent(
    db: Database,
    participant_id: int,
    meeting_id: str,
    client_id: str,
    action: str,
    work: Callable[[Session, MeetingRow, PersonRow], Result],
    *,
    alone: bool = False,
) -> Result:
    """A phone's intent. ``work`` gets its sender as columns (read once per batch for
    all its senders); one that changes the person loads the object itself. It runs
    beside the other phones' intents of its meeting (on other workers) unless it is
    ``alone``: one that depends on what others' intents change (a table's seats, the
    speaking queue's order)."""

    def run(session: Session) -> Result:
        row = load_for_update(session, meeting_id)
        person = _batch_person(session, meeting_id, participant_id)
        if person.removed_at is not None:
            raise DomainError("participant.removed")
        return work(session, row, person)

    return run_intent(
        db,
        meeting_id=meeting_id,
        actor=f"p:{participant_id}",
        client_id=client_id,
        action=action,
        work=run,
        alone=alone,
    )


def load_participant(session: Session, meeting_id: str, participant_id: int) -> Participant:
    if participant_id is None:
        raise DomainError("participant.unknown")
    p = session.get(Participant, participant_id)
    if p is None or p.meeting_id != meeting_id:
        raise DomainError("participant.unknown")
    return p
