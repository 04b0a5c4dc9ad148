"""The in-process cache of rendered documents: one render per miss, dropped when articles change."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from feeds.changes import Change, Scope
from feeds.response import Representation

__all__ = ["CacheStats", "FeedCache"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class CacheStats:
    hits: int = 0
    misses: int = 0
    coalesced: int = 0  # requests that waited for a render already running
    invalidated: int = 0
    evicted: int = 0


@dataclass(slots=True)
class _Slot:
    rep: Representation
    scope: Scope
    expires: float
    keys: list[str]
    size: int  # the body plus room for its compressed variants
    live: bool = True


@dataclass(slots=True)
class _Flight:
    task: asyncio.Task[Representation]
    scope: Scope
    stale: bool = False  # an invalidation arrived while rendering: serve it, do not keep it
    keys: list[str] = field(default_factory=list)


class FeedCache:
    """Rendered documents by key, bounded in number of keys, in bytes and in age.

    Concurrent misses for one key share one render. Invalidation (a NOTIFY from the write
    side) drops every document whose scope the change may touch, and marks renders in
    progress so that what they read before the change is not kept. `ttl` bounds staleness
    should a notification ever be missed; `max_entries=0` turns caching off (renders are
    still shared between concurrent requests).
    """

    def __init__(self, max_entries: int, ttl: float, max_bytes: int = 128 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.bytes = 0
        self.stats = CacheStats()
        self._slots: dict[str, _Slot] = {}
        self._flights: dict[str, _Flight] = {}

    def __len__(self) -> int:
        return len({id(s) for s in self._slots.values()})

    def get(self, key: str) -> Representation | None:
        """The cached document, if fresh; counts a hit (a miss is counted by the render)."""
        slot = self._slots.get(key)
        if slot is None:
            return None
        if slot.expires < time.monotonic():
            self._drop(slot)
            return None
        self.stats.hits += 1
        return slot.rep

    async def get_or_render(
        self,
        key: str,
        scope: Scope,
        render: Callable[[], Awaitable[Representation]],
        *,
        alias: str | None = None,
    ) -> Representation:
        """The document for `key`, rendering it unless cached or already being rendered.

        `alias` (the request's raw path and query) is stored as a second key, so the next
        identical request is found without parsing its parameters.
        """
        found = self.get(key)
        if found is not None:
            if alias and alias not in self._slots:
                slot = self._slots[key]
                slot.keys.append(alias)
                self._slots[alias] = slot
            return found
        flight = self._flights.get(key)
        if flight is None:
            self.stats.misses += 1
            task = asyncio.ensure_future(render())
            flight = _Flight(task, scope, keys=[key])
            self._flights[key] = flight
            task.add_done_callback(lambda t: self._landed(key, flight))
        else:
            self.stats.coalesced += 1
        if alias and alias not in flight.keys:
            flight.keys.append(alias)
        # shield: a client that hangs up must not cancel the render others are waiting for.
        return await asyncio.shield(flight.task)

    def _landed(self, key: str, flight: _Flight) -> None:
        self._flights.pop(key, None)
        if flight.task.cancelled() or flight.task.exception() is not None:
            return  # the exception went to the waiting requests; nothing is cached
        if flight.stale or self.max_entries <= 0 or not flight.task.result().cacheable:
            return
        rep = flight.task.result()
        size = len(rep.body) * 3 // 2
        for k in flight.keys:
            old = self._slots.get(k)
            if old is not None:
                self._drop(old)
        # Oldest insertion first; aliases count, so the key bound is on keys, not documents.
        while self._slots and (
            len(self._slots) + len(flight.keys) > self.max_entries
            or self.bytes + size > self.max_bytes
        ):
            self._drop(next(iter(self._slots.values())))
            self.stats.evicted += 1
        slot = _Slot(rep, flight.scope, time.monotonic() + self.ttl, flight.keys, size)
        for k in flight.keys:
            self._slots[k] = slot
        self.bytes += size

    def _drop(self, slot: _Slot) -> None:
        if slot.live:
            slot.live = False
            self.bytes -= slot.size
        for k in slot.keys:
            if self._slots.get(k) is slot:
                del self._slots[k]

    def invalidate(self, change: Change) -> int:
        """Drop what `change` may affect; returns how many documents went."""
        doomed = {id(s): s for s in self._slots.values() if s.scope.affected_by(change)}
        for slot in doomed.values():
            self._drop(slot)
        for flight in self._flights.values():
            if flight.scope.affected_by(change):
                flight.stale = True
        self.stats.invalidated += len(doomed)
        return len(doomed)

    def clear(self) -> None:
        """Forget everything (the change listener lost its connection: changes were missed)."""
        for slot in self._slots.values():
            slot.live = False
        self._slots.clear()
        self.bytes = 0
        for flight in self._flights.values():
            flight.stale = True
