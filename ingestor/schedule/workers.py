"""Continuous workers: each of N tasks claims one due source, runs it, and claims the next at once.

No tick gathers a batch and waits for its slowest member: a worker that finishes a source
claims the next due one straight away, so one slow source (a long Crawl-delay, a stalled
server) holds one worker, never the others. A worker with nothing due sleeps until the next
source falls due (asking PostgreSQL, where due-ness lives), at most `idle_max` seconds so that
sources made due by other processes or by an operator are seen; `wake` cuts the sleep short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping, Sequence

import asyncpg

from ingestor import store
from ingestor.schedule.pipeline import refresh_source
from ingestor.schedule.runstate import IngestContext, RunSummary
from ingestor.sources import Source

__all__ = ["Workers", "run_claimed", "worker_id"]

log = logging.getLogger(__name__)
_AFTER_CRASH = 60.0  # seconds before a source whose run crashed is tried again
_IDLE_MIN = 0.05  # never spin: a source due "now" but not claimable yet is retried after this


def worker_id() -> str:
    """A lease owner name unique to this process (host, pid, random suffix)."""
    return f"{socket.gethostname()}:{os.getpid()}:{random.getrandbits(24):06x}"


def next_interval(source: Source, summary: RunSummary) -> float:
    """Seconds until the next run, as the run's cadence said (the source's bound otherwise)."""
    if summary.next_poll_s is not None:
        return summary.next_poll_s
    return source.poll_max_seconds * random.uniform(0.9, 1.1)


async def _renew(ctx: IngestContext, source_id: str, owner: str) -> None:
    """Heartbeat: renew the lease every third of its time while the source runs."""
    lease = ctx.settings.lease_seconds
    while True:
        await asyncio.sleep(lease / 3)
        try:
            await store.renew_lease(ctx.pool, source_id, owner, lease_seconds=lease)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("%s: lease not renewed: %s", source_id, exc, extra={"source_id": source_id})


async def run_source(
    ctx: IngestContext, sources: Mapping[str, Source], owner: str, source_id: str
) -> RunSummary | None:
    """Run one claimed source with its lease renewed meanwhile, then release it.

    A crash of the run (the database went away, or a bug) is logged and recorded in the
    summary, never raised: it is never another source's problem.
    """
    source = sources.get(source_id)
    if source is None:  # in the database but no longer in this process's catalogue
        await store.release_source(ctx.pool, source_id, owner, next_in=3600)
        return None
    heartbeat = asyncio.create_task(_renew(ctx, source_id, owner))
    try:
        summary = await refresh_source(ctx, source)
    except Exception as exc:
        log.exception("%s %s: run failed", source.id, source.base_url,
                      extra={"source_id": source.id, "url": source.base_url})  # fmt: skip
        with contextlib.suppress(Exception):  # if this fails too, the lease expires
            await store.release_source(ctx.pool, source_id, owner, next_in=_AFTER_CRASH)
        return RunSummary(source_id=source.id, run_id="-", ok=False,
                          error_kind="internal", error_message=str(exc)[:500])  # fmt: skip
    finally:
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)
    await store.release_source(ctx.pool, source_id, owner, next_in=next_interval(source, summary))
    return summary


class Workers:
    """N worker tasks over the sources table; `once` runs each selected source at most once.

    Continuous (`once=False`): `run` returns after `stop`. Once: each worker stops when nothing
    it may run is due, so `run` returns when the pass is over (`warta ingest --once`).
    """

    def __init__(
        self,
        ctx: IngestContext,
        sources: Mapping[str, Source],
        owner: str,
        *,
        count: int,
        idle_max: float,
        once: bool = False,
        only: Sequence[str] = (),
        limit: int | None = None,
        progress: Callable[[RunSummary], None] | None = None,
    ) -> None:
        self.ctx, self.sources, self.owner = ctx, sources, owner
        self._count, self._idle_max, self._once = count, idle_max, once
        self._only, self._limit, self._progress = list(only), limit, progress
        self._ran: list[str] = []  # claimed by this pass, in order (once: never again)
        self._claiming = 0  # claims under way, counted against `limit`
        self._summaries: list[RunSummary] = []
        self._stopping = False
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Cut every idle worker's sleep short (a source may have fallen due, or we stop)."""
        self._wake.set()
        self._wake = asyncio.Event()  # the sleepers hold the old one, which is now set

    def stop(self) -> None:
        """Claim nothing more; sources already running finish (see `Scheduler.stop`)."""
        self._stopping = True
        self.wake()

    async def run(self) -> list[RunSummary]:
        """Run the workers until stopped (or, once, until the pass is over); the summaries."""
        await asyncio.gather(*(self._work() for _ in range(self._count)))
        return self._summaries

    async def _work(self) -> None:
        while not self._stopping:
            if self._limit is not None and len(self._ran) + self._claiming >= self._limit:
                return
            self._claiming += 1
            try:
                claimed = await store.claim_due_sources(
                    self.ctx.pool, self.owner, limit=1,
                    lease_seconds=self.ctx.settings.lease_seconds, only=self._only,
                    exclude=self._ran if self._once else (),
                )  # fmt: skip
            except Exception as exc:  # a worker must never die; try again after a while
                if isinstance(exc, OSError | asyncpg.PostgresError | asyncpg.InterfaceError):
                    log.warning("claiming sources failed: %s", exc)  # the database is away
                else:
                    log.exception("claiming sources failed")
                await self._sleep(self._idle_max)
                continue
            finally:
                self._claiming -= 1
            if not claimed:
                if self._once:
                    return
                await self._idle()
                continue
            self._ran.append(claimed[0])
            summary = await run_source(self.ctx, self.sources, self.owner, claimed[0])
            if summary is not None:
                self._summaries.append(summary)
                if self._progress is not None:
                    self._progress(summary)

    async def _idle(self) -> None:
        """Sleep until the next source falls due, within [_IDLE_MIN, idle_max]."""
        try:
            due = await store.seconds_until_due(self.ctx.pool, only=self._only)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            due = None  # the claim will say what is wrong
        delay = self._idle_max if due is None else due
        await self._sleep(min(max(delay, _IDLE_MIN), self._idle_max))

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)


async def run_claimed(
    ctx: IngestContext,
    sources: Mapping[str, Source],
    owner: str,
    *,
    only: Sequence[str] = (),
    limit: int = 100,
    progress: Callable[[RunSummary], None] | None = None,
) -> list[RunSummary]:
    """One pass: run what is due (at most `limit` sources, each once) with `workers` at a time.

    Sources are claimed one at a time as workers free up, not all at the start, so a source
    waiting its turn holds no lease and another process may run it meanwhile.
    """
    workers = Workers(
        ctx, sources, owner, count=ctx.settings.workers, idle_max=ctx.settings.tick_seconds,
        once=True, only=only, limit=limit, progress=progress,
    )  # fmt: skip
    return await workers.run()
