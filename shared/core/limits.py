"""Small in-process guards: per-key sliding-window limits and running blocking work off
the event loop. Both are caches in the sense of the design: losing them on a restart
loses nothing a person made."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Limiter:
    """At most ``limit`` events per ``window`` seconds per key (0: no limit)."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count one event for ``key``; False (and not counted) when over the limit."""
        if self.limit <= 0:
            return True
        hits = self._window(key, time.monotonic(), create=True)
        assert hits is not None
        if len(hits) >= self.limit:
            return False
        hits.append(time.monotonic())
        return True

    def exceeded(self, key: str) -> bool:
        """Whether ``key`` used up its budget, without counting anything. For budgets
        that only failures spend: check first, then ``hit`` when the attempt fails."""
        if self.limit <= 0:
            return False
        hits = self._window(key, time.monotonic(), create=False)
        return hits is not None and len(hits) >= self.limit

    def hit(self, key: str) -> None:
        """Count one failure for ``key``."""
        if self.limit <= 0:
            return
        now = time.monotonic()
        hits = self._window(key, now, create=True)
        assert hits is not None
        if len(hits) < self.limit:
            hits.append(now)

    def give_back(self, key: str) -> None:
        """Undo the last `allow` for ``key``: what it counted turned out not to count."""
        hits = self._window(key, time.monotonic(), create=False)
        if hits:
            hits.pop()

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)

    def _window(self, key: str, now: float, *, create: bool) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            if not create:
                return None
            if len(self._hits) >= self.max_keys:
                self._prune(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
        if len(self._hits) >= self.max_keys:
            self._hits.clear()


def offload(async_mode: str) -> Callable[..., Any]:
    """A runner that executes CPU-heavy C code (password hashing) in a real OS thread,
    so green threads keep serving sockets meanwhile."""
    if async_mode == "gevent":
        import gevent

        def run_gevent(fn: Callable[..., T], *args: Any) -> T:
            return gevent.get_hub().threadpool.apply(fn, args)  # type: ignore[no-any-return]

        return run_gevent
    if async_mode == "eventlet":
        from eventlet import tpool

        def run_eventlet(fn: Callable[..., T], *args: Any) -> T:
            return tpool.execute(fn, *args)  # type: ignore[no-any-return]

        return run_eventlet
    return lambda fn, *args: fn(*args)


class TokenBucket:
    """``rate`` events per second sustained, ``burst`` at once."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
