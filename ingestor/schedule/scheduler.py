"""The ingest side of a process: continuous workers, plus APScheduler for the periodic jobs only.

Source runs are not scheduled by APScheduler: due-ness lives in PostgreSQL and the workers
(`ingestor.schedule.workers`) claim sources as they free up. APScheduler keeps what is
periodic by nature: retention (daily) and the lease sweep. The one AsyncIOScheduler of the
process is created in `start` and shut down in `stop`; `async with Scheduler(...)` pairs them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ingestor import store
from ingestor.schedule.runstate import IngestContext
from ingestor.schedule.workers import Workers, worker_id
from ingestor.sources import Source

__all__ = ["Scheduler"]

log = logging.getLogger(__name__)
_RETENTION_LOCK = 0x5741525452  # "WARTR"
_SWEEP_SECONDS = 60.0


class Scheduler:
    """Workers that claim due sources continuously, and the periodic jobs beside them."""

    def __init__(
        self, ctx: IngestContext, sources: Sequence[Source], *, stop_deadline: float = 20.0
    ) -> None:
        self.ctx = ctx
        self.sources = {s.id: s for s in sources}
        self.owner = worker_id()
        self.workers = Workers(
            ctx, self.sources, self.owner,
            count=ctx.settings.workers, idle_max=ctx.settings.tick_seconds,
        )  # fmt: skip
        self._stop_deadline = stop_deadline
        self._periodic: AsyncIOScheduler | None = None
        self._running: asyncio.Task[Any] | None = None

    def start(self) -> None:
        """Start the workers and the periodic jobs (in a running event loop)."""
        self._running = asyncio.create_task(self.workers.run())
        self._periodic = AsyncIOScheduler(timezone="UTC")
        # Retention an hour after start, then daily: not at start, so restarts stay cheap.
        self._periodic.add_job(
            self.retention, "interval", hours=24, coalesce=True, max_instances=1,
            next_run_time=datetime.now(UTC) + timedelta(hours=1),
        )  # fmt: skip
        self._periodic.add_job(
            self.sweep, "interval", seconds=_SWEEP_SECONDS, coalesce=True, max_instances=1
        )
        self._periodic.start()

    async def __aenter__(self) -> Scheduler:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop(self._stop_deadline)

    async def retention(self) -> None:
        """Daily: delete expired articles; one process at a time (advisory lock), never fatal."""
        settings = self.ctx.settings
        try:
            async with self.ctx.pool.acquire() as conn:
                if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _RETENTION_LOCK):
                    return  # another process is on it
                try:
                    deleted = await store.delete_expired(
                        self.ctx.pool,
                        older_than=timedelta(days=settings.retention_days),
                        batch=settings.retention_batch,
                    )
                finally:
                    await conn.execute("SELECT pg_advisory_unlock($1)", _RETENTION_LOCK)
            log.info(
                "retention: deleted %d articles older than %d days",
                deleted,
                settings.retention_days,
            )
        except Exception:  # the next day's run retries
            log.exception("retention failed")

    async def sweep(self) -> None:
        """Every minute: clear the leases and politeness places of processes that died."""
        try:
            leases = await store.sweep_leases(self.ctx.pool)
            places = await store.sweep_origins(self.ctx.pool)
        except Exception as exc:  # the next sweep retries; expired leases are claimable anyway
            log.warning("lease sweep failed: %s", exc)
            return
        if leases or places:
            log.info("lease sweep: %d source leases, %d origin places or deferrals cleared",
                     leases, places)  # fmt: skip

    async def stop(self, deadline: float) -> None:
        """Claim nothing more, let running sources finish within `deadline` s, release leases."""
        if self._periodic is not None:
            self._periodic.shutdown(wait=False)
            self._periodic = None
        running, self._running = self._running, None
        if running is None:
            return
        self.workers.stop()
        done, _ = await asyncio.wait({running}, timeout=deadline)
        if not done:
            running.cancel()
        results = await asyncio.gather(running, return_exceptions=True)
        if isinstance(results[0], Exception):
            log.error("workers ended with %r", results[0])
        await store.release_leases(self.ctx.pool, self.owner)
