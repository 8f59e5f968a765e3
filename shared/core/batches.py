"""Batches: work for one key (a meeting) that arrives while a batch of that key is being
processed waits for it and is then processed together with the rest that arrived.

The first item to arrive leads and is processed at once, after one cooperative switch
(items already read from their sockets join it). Items that arrive meanwhile queue; when
a batch is done, its items get their outcomes and the first queued item leads the next
batch. So a lone item costs what it always did, and a thousand items within a second
cost a few dozen batches. Used for writes (`shared.core.intents.GroupCommit`: one
transaction per batch) and for the phones' snapshots (one read per batch).

The primitives are ``threading``'s: cooperative under gevent's and eventlet's
monkey-patching (the server), real locks in a plain test process.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from shared.domain import DomainError

T = TypeVar("T")


@dataclass(eq=False)
class _Ticket(Generic[T]):
    key: str
    item: T
    wake: threading.Event = field(default_factory=threading.Event)
    done: bool = False
    #: the item's result, or the exception its caller raises
    outcome: Any = None


class Batcher(Generic[T]):
    """``process`` gets a key and a batch of its items and returns one outcome per item,
    in order: a result, or an exception (raised to that item's caller alone)."""

    def __init__(
        self, process: Callable[[str, list[T]], list[Any]], *, max_batch: int = 200
    ) -> None:
        self.process = process
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queues: dict[str, list[_Ticket[T]]] = {}

    def waiting(self, key: str) -> int:
        """Items of the key queued behind the batch being processed (for tests)."""
        with self._lock:
            return len(self._queues.get(key, ()))

    def busy(self) -> bool:
        """Is any batch queued or being run?"""
        with self._lock:
            return bool(self._queues)

    def submit(self, key: str, item: T) -> Any:
        ticket = _Ticket(key, item)
        with self._lock:
            lead = key not in self._queues
            self._queues.setdefault(key, []).append(ticket)
        try:
            if not lead:
                ticket.wake.wait()  # set when it is done, or when it is handed the lead
            while not ticket.done:
                ticket.wake.clear()
                self._lead(ticket)
                if not ticket.done:
                    ticket.wake.wait()
        except BaseException:  # interrupted while it waits (a timeout, a killed greenlet)
            self._abandon(ticket)
            raise
        if isinstance(ticket.outcome, BaseException):
            raise ticket.outcome
        return ticket.outcome

    def _abandon(self, ticket: _Ticket[T]) -> None:
        """A waiter that stops waiting leaves the queue; if it had been handed the lead,
        it hands it on, so nobody behind it waits forever."""
        successor = None
        with self._lock:
            queue = self._queues.get(ticket.key)
            if ticket.done or queue is None or ticket not in queue:
                return  # done, or in the batch being processed: its outcome is dropped
            leading = queue[0] is ticket and ticket.wake.is_set()
            queue.remove(ticket)
            if leading:
                successor = queue[0] if queue else None
                if successor is None:
                    del self._queues[ticket.key]
        if successor is not None:
            successor.wake.set()

    def _lead(self, leader: _Ticket[T]) -> None:
        batch: list[_Ticket[T]] = []
        outcomes: list[Any] = []
        try:
            time.sleep(0)  # one switch first: items already on their way join
            with self._lock:
                queue = self._queues[leader.key]
                batch, queue[:] = queue[: self.max_batch], queue[self.max_batch :]
            outcomes = [DomainError("server.error")] * len(batch)
            outcomes = self.process(leader.key, [ticket.item for ticket in batch])
        finally:  # even if this greenlet is killed, nobody waits for it forever
            if not batch:  # stopped before it took the batch: it leaves the queue
                with self._lock:
                    self._queues[leader.key].remove(leader)
            self._hand_over(leader.key, batch, outcomes)

    def _hand_over(self, key: str, batch: list[_Ticket[T]], outcomes: list[Any]) -> None:
        for ticket, outcome in zip(batch, outcomes, strict=True):
            ticket.outcome, ticket.done = outcome, True
        with self._lock:
            queue = self._queues[key]
            successor = queue[0] if queue else None
            if successor is None:
                del self._queues[key]
        for ticket in batch:
            ticket.wake.set()
        if successor is not None:
            successor.wake.set()  # it is not done: it leads the next batch


B = TypeVar("B")
_OWNED: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def one_per(owner: Any, name: str, make: Callable[[], B]) -> B:
    """The one ``name`` of ``owner`` (a database: one queue of writes, one of phone
    snapshots), made on first use and gone with its owner."""
    held = _OWNED.setdefault(owner, {})
    if name not in held:
        held[name] = make()
    found: B = held[name]
    return found
