"""Tick with APScheduler, claim due sources from PostgreSQL, run them with bounded concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ingestor import store
from ingestor.schedule.pipeline import refresh_source
from ingestor.schedule.runstate import IngestContext, RunSummary
from ingestor.sources import Source

__all__ = ["Scheduler", "run_claimed"]

log = logging.getLogger(__name__)
_RETENTION_LOCK = 0x5741525452  # "WARTR"
_AFTER_CRASH = 60.0  # seconds before a source whose run crashed is tried again


def worker_id() -> str:
    """A lease owner name unique to this process (host, pid, random suffix)."""
    return f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(24):06x}"


def next_interval(source: Source, summary: RunSummary) -> float:
    """Seconds until the next run, as the run's cadence said (the source's bound otherwise)."""
    if summary.next_poll_s is not None:
        return summary.next_poll_s
    return source.poll_max_seconds * random.uniform(0.9, 1.1)


async def _renew(ctx: IngestContext, source_id: str, owner: str) -> None:
    lease = ctx.settings.lease_seconds
    while True:
        await asyncio.sleep(lease / 3)
        await store.renew_lease(ctx.pool, source_id, owner, lease_seconds=lease)


async def run_claimed(
    ctx: IngestContext,
    sources: Mapping[str, Source],
    owner: str,
    *,
    only: Sequence[str] = (),
    limit: int = 100,
    progress: Callable[[RunSummary], None] | None = None,
) -> list[RunSummary]:
    """Claim what is due, run each claimed source once, release; returns the summaries.

    While a source runs, its lease is renewed every third of the lease time, so a long run
    is never taken over by another process; a crashed process stops renewing and its
    leases expire.
    """
    claimed = await store.claim_due_sources(
        ctx.pool, owner, limit=limit, lease_seconds=ctx.settings.lease_seconds, only=only
    )
    gate = asyncio.Semaphore(ctx.settings.workers)

    async def one(source_id: str) -> RunSummary | None:
        source = sources.get(source_id)
        if source is None:  # in the database but no longer in this process's catalogue
            await store.release_source(ctx.pool, source_id, owner, next_in=3600)
            return None
        async with gate:
            heartbeat = asyncio.create_task(_renew(ctx, source_id, owner))
            try:
                summary = await refresh_source(ctx, source)
            except Exception as exc:  # the database went away, or a bug: never the others' problem
                log.exception("%s %s: run failed", source.id, source.base_url,
                              extra={"source_id": source.id, "url": source.base_url})  # fmt: skip
                summary = RunSummary(source_id=source.id, run_id="-", ok=False,
                                     error_kind="internal", error_message=str(exc)[:500])  # fmt: skip
                with contextlib.suppress(Exception):  # if this fails too, the lease expires
                    await store.release_source(ctx.pool, source_id, owner, next_in=_AFTER_CRASH)
                return summary
            finally:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
        if progress is not None:
            progress(summary)
        await store.release_source(
            ctx.pool, source_id, owner, next_in=next_interval(source, summary)
        )
        return summary

    results = await asyncio.gather(*(one(sid) for sid in claimed))
    return [r for r in results if r is not None]


class Scheduler:
    """APScheduler only ticks (coalesced, one at a time); due-ness lives in the database."""

    def __init__(self, ctx: IngestContext, sources: Sequence[Source]) -> None:
        self.ctx = ctx
        self.sources = {s.id: s for s in sources}
        self.owner = worker_id()
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._current: asyncio.Task[Any] | None = None

    async def tick(self) -> None:
        self._current = asyncio.current_task()
        try:
            await run_claimed(self.ctx, self.sources, self.owner, limit=self.ctx.settings.workers)
        except Exception:  # a tick must never kill the scheduler; the next tick retries
            log.exception("ingest tick failed")
        finally:
            self._current = None

    def start(self) -> None:
        self._scheduler.add_job(
            self.tick, "interval", seconds=self.ctx.settings.tick_seconds,
            coalesce=True, max_instances=1, next_run_time=datetime.now(UTC),
        )  # fmt: skip
        # Retention an hour after start, then daily: not at start, so restarts stay cheap.
        self._scheduler.add_job(
            self.retention, "interval", hours=24, coalesce=True, max_instances=1,
            next_run_time=datetime.now(UTC) + timedelta(hours=1),
        )  # fmt: skip
        self._scheduler.start()

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

    async def stop(self, deadline: float) -> None:
        """Stop claiming, let the running tick finish within `deadline` s, release our leases."""
        # Pause first: APScheduler's shutdown cancels running jobs at once, and a tick cut
        # short that way logs a CancelledError traceback on every stop.
        self._scheduler.pause()
        await asyncio.sleep(0)  # a tick submitted just now starts and registers itself
        current = self._current
        if current is not None and not current.done():
            done, _ = await asyncio.wait({current}, timeout=deadline)
            if not done:
                current.cancel()
                await asyncio.gather(current, return_exceptions=True)
        self._scheduler.shutdown(wait=False)
        await store.release_leases(self.ctx.pool, self.owner)
