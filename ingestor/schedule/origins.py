"""The politeness ledger in PostgreSQL: the `OriginLedger` the fetcher is given in a worker process."""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg

from config.settings import Settings
from ingestor import store
from ingestor.fetch import Grant

__all__ = ["SharedOrigins"]

# A place is held from the request's start to its response; past the longest request (the
# total timeout) a place whose holder is unreachable frees itself. The margin is slack.
_LEASE_MARGIN = 30.0


class SharedOrigins:
    """Per-origin places, start reservations and Retry-After, shared by every process.

    `holder` names this process in `origin_slots` (see `close`, which frees its places).
    """

    def __init__(self, pool: asyncpg.Pool, settings: Settings, holder: str) -> None:
        self._pool = pool
        # An application_name holds 63 bytes; the end of a worker id (pid, random) is unique.
        self.holder = holder[-63:]
        self._lease = settings.total_timeout + _LEASE_MARGIN
        self._known: set[tuple[str, int]] = set()  # (origin, cap) whose rows exist
        self._marker: asyncpg.pool.PoolConnectionProxy | None = None
        self._marking = asyncio.Lock()

    async def _mark(self) -> None:
        """Hold one pooled connection named after the holder for as long as we hold places.

        PostgreSQL drops the session when this process dies, however it dies, and with it the
        claim on our places (see store.take_origin_slot). Reopened after a database restart.
        """
        if self._marker is not None and not self._marker.is_closed():
            return
        async with self._marking:
            if self._marker is not None and not self._marker.is_closed():
                return
            if self._marker is not None:
                with contextlib.suppress(Exception):
                    await self._pool.release(self._marker)
                self._marker = None
            conn = await self._pool.acquire()
            try:
                await store.mark_holder(conn, self.holder)
            except BaseException:
                await self._pool.release(conn)
                raise
            self._marker = conn

    async def take(
        self, origin: str, source_id: str, *, cap: int, gap: float, next_gap: float
    ) -> Grant:
        await self._mark()
        if (origin, cap) not in self._known:
            await store.ensure_origin(self._pool, origin, cap)
            self._known.add((origin, cap))
        while True:
            slot, wait, deferred = await store.take_origin_turn(
                self._pool, origin, source_id, self.holder,
                cap=cap, gap=gap, next_gap=next_gap, lease_seconds=self._lease,
            )  # fmt: skip
            if wait is not None or deferred:
                return Grant(slot=slot, wait=wait or 0.0, deferred=deferred)
            # The origin's row went away (a wiped database): make it again.
            await store.ensure_origin(self._pool, origin, cap)

    async def place(self, origin: str, *, cap: int) -> int | None:
        await self._mark()
        return await store.take_origin_slot(
            self._pool, origin, self.holder, cap=cap, lease_seconds=self._lease
        )

    async def give(self, origin: str, slot: int) -> None:
        await store.give_origin_slot(self._pool, origin, slot, self.holder)

    async def defer(self, origin: str, source_id: str, seconds: float) -> None:
        await store.defer_origin(self._pool, origin, source_id, seconds)

    async def close(self) -> None:
        """Free the places this process still holds and its marker connection (shutdown)."""
        try:
            await store.release_origin_slots(self._pool, self.holder)
        finally:
            marker, self._marker = self._marker, None
            if marker is not None:
                await self._pool.release(marker)  # the pool's reset clears application_name
