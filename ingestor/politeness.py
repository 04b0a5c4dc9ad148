"""Keep each origin's load polite: a concurrency cap per origin, spaced starts, a global cap."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from types import TracebackType

__all__ = ["Politeness"]

# Past this many remembered origins, idle ones are forgotten so memory stays bounded.
_PRUNE_AT = 4096


@dataclass(slots=True)
class _Origin:
    sem: asyncio.Semaphore
    next_start: float = 0.0
    last_start: float = float("-inf")
    crawl_delay: float = 0.0
    users: int = 0


@dataclass(slots=True)
class _Slot:
    """What `Politeness.slot` holds; released on exit, also on cancellation."""

    owner: Politeness
    origin: str
    state: _Origin | None = field(default=None)

    async def __aenter__(self) -> None:
        self.state = await self.owner._acquire(self.origin)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.state is not None:
            self.owner._release(self.state)
            self.state = None


class Politeness:
    """Per-origin limits shared by every fetch of one process.

    An origin gets at most `per_origin` requests in flight, and successive request starts are at
    least `spacing` seconds apart (or the robots.txt Crawl-delay, if larger), plus up to `jitter`
    times that at random so that our requests do not arrive in lockstep. `global_limit` caps all
    origins together. Retry-After deferrals are kept per (origin, source): one throttled feed
    must not stall the other sources on the same host (the failure FreshRSS #7870 reported).
    """

    def __init__(
        self,
        *,
        per_origin: int,
        global_limit: int,
        spacing: float,
        jitter: float = 0.0,
        max_crawl_delay: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self._per_origin = per_origin
        self._global = asyncio.Semaphore(global_limit)
        self._spacing = spacing
        self._jitter = jitter
        self._max_crawl_delay = max_crawl_delay
        self._rng = rng or random.Random()
        self._origins: dict[str, _Origin] = {}
        self._deferred: dict[tuple[str, str], float] = {}

    def slot(self, origin: str) -> _Slot:
        """`async with politeness.slot(origin):` waits for a turn on `origin` and holds it."""
        return _Slot(self, origin)

    def set_crawl_delay(self, origin: str, seconds: float | None) -> None:
        """Raise the spacing for `origin` to its robots.txt Crawl-delay, capped."""
        delay = min(max(seconds or 0.0, 0.0), self._max_crawl_delay)
        state = self._origins.get(origin)
        if state is None:
            if delay == 0.0:
                return
            state = self._state(origin)
        state.crawl_delay = delay
        # The request that fetched robots.txt was spaced by the old gap; the next one must
        # already keep the Crawl-delay after it.
        state.next_start = max(state.next_start, state.last_start + delay)

    def defer(self, origin: str, source_id: str, seconds: float) -> None:
        """Hold requests for (origin, source) back for `seconds` (a Retry-After)."""
        key = (origin, source_id)
        until = time.monotonic() + max(seconds, 0.0)
        self._deferred[key] = max(until, self._deferred.get(key, 0.0))

    def deferred_for(self, origin: str, source_id: str) -> float:
        """Seconds (origin, source) must still wait because of a Retry-After; 0.0 if none."""
        if not self._deferred:
            return 0.0
        key = (origin, source_id)
        until = self._deferred.get(key)
        if until is None:
            return 0.0
        remaining = until - time.monotonic()
        if remaining <= 0:
            del self._deferred[key]
            return 0.0
        return remaining

    def _state(self, origin: str) -> _Origin:
        state = self._origins.get(origin)
        if state is None:
            if len(self._origins) >= _PRUNE_AT:
                self._prune()
            state = self._origins[origin] = _Origin(asyncio.Semaphore(self._per_origin))
        return state

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._origins.items() if s.users == 0 and s.next_start < now]:
            del self._origins[key]
        for dkey in [k for k, until in self._deferred.items() if until < now]:
            del self._deferred[dkey]

    async def _acquire(self, origin: str) -> _Origin:
        state = self._state(origin)
        state.users += 1
        try:
            await state.sem.acquire()
        except BaseException:
            state.users -= 1
            raise
        try:
            gap = max(self._spacing, state.crawl_delay)
            # Reserve our start time before sleeping, so concurrent waiters queue up behind us
            # instead of all waking at once.
            now = time.monotonic()
            start = max(now, state.next_start)
            state.last_start = start
            if gap > 0.0:
                state.next_start = start + gap * (1.0 + self._jitter * self._rng.random())
            if start > now:
                await asyncio.sleep(start - now)
            # Taken last: a request waiting for a busy origin must not hold a global slot.
            await self._global.acquire()
        except BaseException:
            state.sem.release()
            state.users -= 1
            raise
        return state

    def _release(self, state: _Origin) -> None:
        self._global.release()
        state.sem.release()
        state.users -= 1
