"""Keep each origin's load polite: a concurrency cap per origin, spaced starts, a global cap."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from dataclasses import dataclass, field

__all__ = ["Politeness", "Turn"]

# Past this many remembered origins, idle ones are forgotten so memory stays bounded.
_PRUNE_AT = 4096


class _Gate:
    """A FIFO counting semaphore whose uncontended take costs no coroutine.

    `asyncio.Semaphore.acquire` is a coroutine even when free; on the fetch path (two gates per
    request) that was measurable against a bare aiohttp client.
    """

    __slots__ = ("free", "waiters")

    def __init__(self, size: int) -> None:
        self.free = size
        self.waiters: deque[asyncio.Future[None]] = deque()

    def try_take(self) -> bool:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return True
        return False

    async def take(self) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.give()  # handed a place just as we were cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):  # give() may have dropped it already
                    self.waiters.remove(waiter)
            raise

    def give(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # hand the place over directly: FIFO, no stampede
                return
        self.free += 1


@dataclass(slots=True)
class Turn:
    """One origin's state; `acquire` hands it out and `release` takes it back."""

    gate: _Gate = field(repr=False)
    next_start: float = 0.0
    last_start: float = float("-inf")
    crawl_delay: float = 0.0
    users: int = 0


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
        self._global = _Gate(global_limit)
        self._spacing = spacing
        self._jitter = jitter
        self._max_crawl_delay = max_crawl_delay
        self._rng = rng or random.Random()
        self._origins: dict[str, Turn] = {}
        self._deferred: dict[tuple[str, str], float] = {}

    def set_crawl_delay(self, origin: str, seconds: float | None) -> None:
        """Raise the spacing for `origin` to its robots.txt Crawl-delay, capped."""
        state = self._origins.get(origin)
        if not seconds and (state is None or state.crawl_delay == 0.0):
            return  # the usual case, nothing to change
        delay = min(max(seconds or 0.0, 0.0), self._max_crawl_delay)
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

    def _state(self, origin: str) -> Turn:
        state = self._origins.get(origin)
        if state is None:
            if len(self._origins) >= _PRUNE_AT:
                self._prune()
            state = self._origins[origin] = Turn(_Gate(self._per_origin))
        return state

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._origins.items() if s.users == 0 and s.next_start < now]:
            del self._origins[key]
        for dkey in [k for k, until in self._deferred.items() if until < now]:
            del self._deferred[dkey]

    def try_acquire(self, origin: str) -> Turn | None:
        """A turn on `origin` if one is free now and no spacing applies; else None (await
        `acquire`). Saves a coroutine on the common path when politeness is off."""
        state = self._origins.get(origin)
        if state is None or self._spacing > 0.0 or state.crawl_delay > 0.0:
            return None
        now = time.monotonic()
        if state.next_start > now or not state.gate.try_take():
            return None
        if not self._global.try_take():
            state.gate.give()
            return None
        state.users += 1
        state.last_start = now
        return state

    async def acquire(self, origin: str) -> Turn:
        """Wait for a turn on `origin`; pair with `release(turn)` in a finally block."""
        state = self._state(origin)
        state.users += 1
        try:
            if not state.gate.try_take():
                await state.gate.take()
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
            # Taken last: a request waiting for a busy origin must not hold a global place.
            if not self._global.try_take():
                await self._global.take()
        except BaseException:
            state.gate.give()
            state.users -= 1
            raise
        return state

    def release(self, state: Turn) -> None:
        """Give back a turn obtained from `acquire`."""
        self._global.give()
        state.gate.give()
        state.users -= 1
