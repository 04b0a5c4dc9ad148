"""Keep each origin's load polite: a concurrency cap per origin, spaced starts, a global cap."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field

from ingestor.fetch.gate import Gate
from ingestor.fetch.ledger import OriginLedger

__all__ = ["Politeness", "Turn"]

log = logging.getLogger(__name__)

# Past this many remembered origins, idle ones are forgotten so memory stays bounded.
_PRUNE_AT = 4096
# While other processes hold every place on an origin, ask the ledger again after this long,
# doubling up to the ceiling (a place frees when a response arrives: usually well under it).
_POLL_FIRST, _POLL_CEILING = 0.02, 0.5


@dataclass(slots=True)
class _Origin:
    """One origin's state in this process."""

    gate: Gate = field(repr=False)
    next_start: float = 0.0
    last_start: float = float("-inf")
    crawl_delay: float = 0.0
    # The turn `try_acquire` hands out: it holds no ledger place and nobody changes it, so
    # every unspaced request on this origin can share one instead of building its own.
    free_turn: Turn | None = field(default=None, repr=False)


@dataclass(slots=True)
class Turn:
    """One request's place on an origin; `acquire` hands it out and `release` takes it back."""

    origin: str
    state: _Origin = field(repr=False)
    slot: int | None = None  # the place held in the shared ledger, if there is one


class Politeness:
    """Per-origin limits shared by every fetch of one process, and by every process with a ledger.

    An origin gets at most `per_origin` requests in flight, and successive request starts are at
    least `spacing` seconds apart (or the robots.txt Crawl-delay, if larger), plus up to `jitter`
    times that at random so that our requests do not arrive in lockstep. `global_limit` caps all
    origins together. Retry-After deferrals are kept per (origin, source): one throttled feed
    must not stall the other sources on the same host (the failure FreshRSS #7870 reported).

    With a `ledger`, the per-origin place and the start time come from it, so the limits hold
    for the origin as a whole across processes; this process's own gate still comes first, so
    it never asks the ledger for more than `per_origin` places at once. Should the ledger fail
    (the database is down), requests fall back to the limits kept here.
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
        ledger: OriginLedger | None = None,
    ) -> None:
        self._per_origin = per_origin
        self._global = Gate(global_limit)
        self._spacing = spacing
        self._jitter = jitter
        self._max_crawl_delay = max_crawl_delay
        self._rng = rng or random.Random()
        self._ledger = ledger
        # try_acquire's precondition that holds for the whole run: no spacing, no ledger.
        self._unspaced = not spacing > 0.0 and ledger is None
        self._origins: dict[str, _Origin] = {}
        self._deferred: dict[tuple[str, str], float] = {}
        self._giving: set[asyncio.Task[None]] = set()  # places given back after a cancel

    @property
    def shared(self) -> bool:
        """Whether the limits are kept in a ledger shared with other processes."""
        return self._ledger is not None

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
        # already keep the Crawl-delay after it (the ledger does the same from its last start).
        state.next_start = max(state.next_start, state.last_start + delay)

    async def defer(self, origin: str, source_id: str, seconds: float) -> None:
        """Hold requests for (origin, source) back for `seconds` (a Retry-After), everywhere."""
        self._note_deferral(origin, source_id, seconds)
        if self._ledger is not None:
            try:
                await self._ledger.defer(origin, source_id, max(seconds, 0.0))
            except Exception as exc:  # kept here at least; the source's next run waits anyway
                log.warning("%s: Retry-After not shared: %s", origin, exc)

    def _note_deferral(self, origin: str, source_id: str, seconds: float) -> None:
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
            state = self._origins[origin] = _Origin(Gate(self._per_origin))
        return state

    def _prune(self) -> None:
        now = time.monotonic()
        # Idle: every place free and nobody waiting for one (a waiter sits in the gate's queue
        # from its first await, and a turn holds its place until it is released).
        size = self._per_origin
        idle = [
            k
            for k, s in self._origins.items()
            if s.gate.free == size and not s.gate.waiters and s.next_start < now
        ]
        for key in idle:
            del self._origins[key]
        for dkey in [k for k, until in self._deferred.items() if until < now]:
            del self._deferred[dkey]

    def try_acquire(self, origin: str) -> Turn | None:
        """A turn on `origin` if one is free now and no spacing or ledger applies; else None
        (await `acquire`). Saves a coroutine on the common path when politeness is off."""
        state = self._origins.get(origin)
        if state is None or not self._unspaced or state.crawl_delay > 0.0:
            return None
        now = time.monotonic()
        gate, total = state.gate, self._global
        # Gate.try_take on both, inlined: free places and nobody queued before us.
        if state.next_start > now or gate.free <= 0 or gate.waiters:
            return None
        if total.free <= 0 or total.waiters:
            return None
        gate.free -= 1
        total.free -= 1
        state.last_start = now
        turn = state.free_turn
        if turn is None:
            turn = state.free_turn = Turn(origin, state)
        return turn

    async def acquire(self, origin: str, source_id: str = "") -> Turn | None:
        """Wait for a turn on `origin`; pair with `release(turn)` in a finally block.

        None (nothing held) when the ledger says another process recorded a Retry-After for
        (origin, source_id): it is now in `deferred_for`, and the caller decides whether to wait.
        """
        state = self._state(origin)
        if not state.gate.try_take():
            await state.gate.take()
        turn = Turn(origin, state)
        try:
            gap = max(self._spacing, state.crawl_delay)
            shared = self._ledger is not None and await self._take_shared(turn, source_id, gap)
            if turn.slot is None and shared:  # deferred by a Retry-After another process saw
                state.gate.give()
                return None
            if not shared:
                await self._space_here(state, gap)
            # Taken last: a request waiting for a busy origin must not hold a global place.
            if not self._global.try_take():
                await self._global.take()
        except BaseException:
            if turn.slot is not None:
                self._give_later(turn)
            state.gate.give()
            raise
        return turn

    async def _space_here(self, state: _Origin, gap: float) -> None:
        # Reserve our start time before sleeping, so concurrent waiters queue up behind us
        # instead of all waking at once.
        now = time.monotonic()
        start = max(now, state.next_start)
        state.last_start = start
        if gap > 0.0:
            state.next_start = start + gap * (1.0 + self._jitter * self._rng.random())
        if start > now:
            await asyncio.sleep(start - now)

    async def _take_shared(self, turn: Turn, source_id: str, gap: float) -> bool:
        """Reserve the turn's start in the ledger, sleep until it, then hold a ledger place.

        True when the ledger answered (the turn then holds its place, or none when a
        Retry-After holds); False when it failed, so that this process's limits apply instead.
        The place is taken at the start, not while waiting for it: processes take turns in the
        order they reserved rather than whoever asks first after a place frees.
        """
        assert self._ledger is not None
        next_gap = gap * (1.0 + self._jitter * self._rng.random())
        try:
            grant = await self._ledger.take(
                turn.origin, source_id, cap=self._per_origin, gap=gap, next_gap=next_gap
            )
        except Exception as exc:
            log.warning("%s: shared politeness unavailable, using this process's: %s",
                        turn.origin, exc)  # fmt: skip
            return False
        if grant.deferred > 0.0:
            self._note_deferral(turn.origin, source_id, grant.deferred)
            return True
        turn.slot = grant.slot
        turn.state.last_start = time.monotonic() + grant.wait
        if grant.wait > 0.0:
            await asyncio.sleep(grant.wait)  # holding no place meanwhile
        poll = _POLL_FIRST
        while turn.slot is None:
            try:
                turn.slot = await self._ledger.place(turn.origin, cap=self._per_origin)
            except Exception as exc:
                log.warning("%s: shared politeness unavailable: %s", turn.origin, exc)
                return False
            if turn.slot is None:
                await asyncio.sleep(poll)  # every place is held by other processes
                poll = min(poll * 2.0, _POLL_CEILING)
        return True

    def release(self, turn: Turn) -> None:
        """Give back a turn obtained from `try_acquire` or `acquire`, but for its ledger place
        (`release_shared` gives both)."""
        state = turn.state
        # Gate.give inlined for the usual case, nobody waiting: once per request.
        total, gate = self._global, state.gate
        if total.waiters:
            total.give()
        else:
            total.free += 1
        if gate.waiters:
            gate.give()
        else:
            gate.free += 1

    async def release_shared(self, turn: Turn) -> None:
        """Give back a turn that holds a ledger place: the place first, so that a request of
        this process queued behind us finds it free."""
        assert self._ledger is not None and turn.slot is not None
        try:
            await asyncio.shield(self._ledger.give(turn.origin, turn.slot))  # even if cancelled
        except Exception as exc:  # the place's lease runs out instead
            log.warning("%s: place not given back: %s", turn.origin, exc)
        finally:
            self.release(turn)

    def _give_later(self, turn: Turn) -> None:
        """Give a ledger place back from a task (we were cancelled while holding it)."""
        assert self._ledger is not None and turn.slot is not None
        task = asyncio.create_task(self._ledger.give(turn.origin, turn.slot))
        self._giving.add(task)
        task.add_done_callback(self._given)

    def _given(self, task: asyncio.Task[None]) -> None:
        self._giving.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a place was not given back: %s", task.exception())
