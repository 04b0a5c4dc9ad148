"""LISTEN for article changes on one pooled connection, and hold the WebSub ping lock there."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from feeds.changes import CHANNEL, Change

__all__ = ["PING_LOCK", "ChangeListener"]

log = logging.getLogger(__name__)

# Session advisory lock held by the one replica that pings the WebSub hub. It lives on the
# listening connection, so it goes away with the process (or its connection) and another
# replica takes over at its next try.
PING_LOCK = 0x5741525450  # "WARTP"
_DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


class ChangeListener:
    """Call `on_change` for every NOTIFY on the articles channel, from now until `stop`.

    When the connection is lost, notifications sent meanwhile are lost too, so `on_reset`
    runs on every (re)connection: whatever was derived from the articles may be stale. The
    listener retries with backoff.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        on_change: Callable[[Change], None],
        on_reset: Callable[[], None],
        *,
        want_lock: bool = False,
        check_every: float = 5.0,
    ) -> None:
        self._pool = pool
        self._on_change = on_change
        self._on_reset = on_reset
        self._want_lock = want_lock
        self._check_every = check_every
        self._task: asyncio.Task[None] | None = None
        self.leader = False  # holds PING_LOCK
        self.server_pid: int | None = None  # backend listening now (for operators and tests)
        self.connected = asyncio.Event()
        self.notifications = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="warta-change-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _notified(self, conn: object, pid: int, channel: str, payload: object) -> None:
        self.notifications += 1
        change = Change.from_payload(payload if isinstance(payload, str) else "")
        try:
            self._on_change(change)
        except Exception:  # a subscriber's bug must not stop the listening
            log.exception("change handler failed for payload %.80r", payload)

    async def _session(self, conn: asyncpg.Connection) -> None:
        """Listen on `conn` until it is lost; try for the ping lock meanwhile."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(CHANNEL, self._notified)
        self.server_pid = conn.get_server_pid()
        self.connected.set()
        # Changes made while nobody listened are unknown: start from a clean slate.
        self._on_reset()
        while not lost.is_set():
            if self._want_lock and not self.leader:
                self.leader = bool(
                    await conn.fetchval("SELECT pg_try_advisory_lock($1)", PING_LOCK)
                )
                if self.leader:
                    log.info("this replica pings the WebSub hub")
            else:
                await conn.fetchval("SELECT 1")  # notice a dead connection promptly
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=self._check_every)

    async def _run(self) -> None:
        delay = 0.5
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await self._pool.acquire()
                await self._session(conn)
                delay = 0.5
            except _DB_ERRORS as exc:
                log.warning("change listener: %s; retrying in %.1fs", exc, delay)
            finally:
                self.connected.clear()
                self.leader = False
                self.server_pid = None
                if conn is not None:
                    with contextlib.suppress(*_DB_ERRORS):
                        await conn.remove_listener(CHANNEL, self._notified)
                    # Releasing runs pg_advisory_unlock_all (or drops a dead connection).
                    with contextlib.suppress(*_DB_ERRORS):
                        await self._pool.release(conn)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
