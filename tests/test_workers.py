"""Continuous workers: a slow source holds one worker while the others run every other source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest

from config.settings import Settings, load_settings
from ingestor import store
from ingestor.schedule import Scheduler
from ingestor.sources.load import load_sources
from ingestor.sources.model import Source
from tests.conftest import truncate
from tests.newsroom import Newsroom, write_seeds
from tests.reliability.procs import wait_until
from warta.service import ingest_context

FAST = [f"fast-{i:02d}" for i in range(20)]


@pytest.fixture
async def rooms() -> AsyncIterator[tuple[Newsroom, Newsroom]]:
    async with Newsroom() as slow, Newsroom() as fast:
        yield slow, fast


def _setup(database_url: str, tmp_path: Path, slow: Newsroom, fast: Newsroom) -> tuple[
    Settings, list[Source]
]:  # fmt: skip
    seeds = write_seeds(tmp_path / "seeds", [("slow", slow.base), *((f, fast.base) for f in FAST)])
    base = load_settings({"WARTA_DATABASE_URL": database_url, "WARTA_SEEDS": str(seeds)})
    settings = replace(
        base, workers=2, tick_seconds=1.0, min_host_spacing=0.0, per_host_concurrency=4,
        read_timeout=60.0, total_timeout=120.0,
    )  # fmt: skip
    return settings, load_sources(seeds)


async def _finished(pool: asyncpg.Pool, ids: list[str]) -> int:
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM sources WHERE id = ANY($1) AND last_run_at IS NOT NULL"
            " AND lease_owner IS NULL",
            ids,
        )
    )


async def test_fast_sources_all_run_while_a_slow_one_holds_a_worker(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path, rooms: tuple[Newsroom, Newsroom]
) -> None:
    slow, fast = rooms
    settings, sources = _setup(database_url, tmp_path, slow, fast)
    await truncate(pool)
    await store.sync_sources(pool, sources)
    # The slow source is the most overdue, so a worker takes it first.
    await pool.execute(
        "UPDATE sources SET next_run_at = now() - interval '1 hour' WHERE id = 'slow'"
    )
    slow.hold("/feed/slow.xml")
    async with (
        ingest_context(settings, pool) as ctx,
        Scheduler(ctx, sources, stop_deadline=10) as scheduler,
    ):

        async def slow_started() -> bool:
            return bool(slow.seen("/feed/slow.xml"))

        async def fast_done() -> bool:
            return await _finished(pool, FAST) == len(FAST)

        await wait_until(slow_started, 30, "the slow source's feed requested")
        await wait_until(fast_done, 60, "all twenty fast sources run while the slow one waits")
        # Still running: its feed is unanswered, its lease held, no run recorded.
        assert slow.seen("/feed/slow.xml")[0].done is None
        row = await pool.fetchrow("SELECT lease_owner, last_run_at FROM sources WHERE id = 'slow'")
        assert row["lease_owner"] == scheduler.owner and row["last_run_at"] is None
        slow.let_go()

        async def slow_done() -> bool:
            return await _finished(pool, ["slow"]) == 1

        await wait_until(slow_done, 30, "the slow source finishing once let go")
    feeds = [r for r in fast.seen("/feed/") if r.path != "/feed/slow.xml"]
    assert sorted(r.path for r in feeds) == sorted(f"/feed/{f}.xml" for f in FAST), "each once"
    held = slow.seen("/feed/slow.xml")[0]
    assert held.done is not None
    # All answered before the slow feed was; nearly all while it was held (a worker may have
    # run a fast source or two before the other had sent the slow feed's request).
    assert all(r.done is not None and r.done < held.done for r in feeds)
    assert sum(r.done is not None and r.done > held.at for r in feeds) >= len(FAST) - 2
    assert not await pool.fetchval("SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL")


async def test_shutdown_while_a_source_hangs_gives_its_lease_back(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path, rooms: tuple[Newsroom, Newsroom]
) -> None:
    slow, fast = rooms
    settings, sources = _setup(database_url, tmp_path, slow, fast)
    await truncate(pool)
    await store.sync_sources(pool, sources)
    await pool.execute("UPDATE sources SET next_run_at = now() + interval '1 hour'")
    await pool.execute("UPDATE sources SET next_run_at = now() WHERE id = 'slow'")
    slow.hold("/feed/slow.xml")
    async with ingest_context(settings, pool) as ctx:
        scheduler = Scheduler(ctx, sources)
        scheduler.start()

        async def slow_started() -> bool:
            return bool(slow.seen("/feed/slow.xml"))

        await wait_until(slow_started, 30, "the slow source's feed requested")
        assert await pool.fetchval("SELECT lease_owner FROM sources WHERE id = 'slow'")
        await asyncio.wait_for(scheduler.stop(0.5), 10)  # the run is cut off after 0.5 s
    assert not await pool.fetchval("SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL")
    assert not await pool.fetchval("SELECT count(*) FROM origin_slots WHERE holder IS NOT NULL")
    assert not fast.seen("/feed/"), "nothing else was due"


async def test_an_idle_worker_wakes_when_the_next_source_falls_due(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path, rooms: tuple[Newsroom, Newsroom]
) -> None:
    slow, fast = rooms
    settings, sources = _setup(database_url, tmp_path, slow, fast)
    # Idle sleeps are bounded by an hour here: only the due time can wake the worker.
    settings = replace(settings, tick_seconds=3600.0)
    await truncate(pool)
    await store.sync_sources(pool, sources)
    await pool.execute("UPDATE sources SET next_run_at = now() + interval '1 hour'")
    await pool.execute(
        "UPDATE sources SET next_run_at = now() + interval '1.5 seconds' WHERE id = 'fast-03'"
    )
    async with ingest_context(settings, pool) as ctx, Scheduler(ctx, sources, stop_deadline=5):

        async def ran() -> bool:
            return await _finished(pool, ["fast-03"]) == 1

        await wait_until(ran, 30, "fast-03 run once it fell due")
    assert [r.path for r in fast.seen("/feed/")] == ["/feed/fast-03.xml"]
