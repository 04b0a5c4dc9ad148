"""Politeness across processes: two `warta ingest` processes, two sources on one origin.

The newsroom sees both processes' requests: with the ledger in PostgreSQL the origin's cap
(one request at a time) and spacing hold for the two together; without it (the control) each
process keeps only its own, and the server sees them overlap.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from database.pool import create_pool
from ingestor import store
from ingestor.fetch import Fetcher, FetchPolicy, make_session
from ingestor.schedule import SharedOrigins
from tests.conftest import ROOT, truncate
from tests.faultserver import FaultServer, fast_settings
from tests.newsroom import Newsroom, Request, write_seeds
from tests.reliability.procs import wait_until

SPACING = 0.3
PAGES = 6


def _overlap(requests: list[Request]) -> int:
    events = sorted([(r.at, 1) for r in requests] + [(r.done or r.at, -1) for r in requests])
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


async def _ingest_both(pool: asyncpg.Pool, database_url: str, seeds: Path, shared: bool) -> None:
    """Run `warta ingest --once` for each source in its own process, both starting together."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(
        WARTA_DATABASE_URL=database_url, WARTA_SEEDS=str(seeds), WARTA_LOG_LEVEL="WARNING",
        WARTA_MIN_HOST_SPACING=str(SPACING), WARTA_HOST_SPACING_JITTER="0",
        WARTA_PER_HOST_CONCURRENCY="1", WARTA_SHARED_POLITENESS="1" if shared else "0",
    )  # fmt: skip
    procs: list[asyncio.subprocess.Process] = []
    # A barrier: both processes wait on this table lock at their catalogue sync, so that
    # neither is done before the other has started up.
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE sources IN SHARE ROW EXCLUSIVE MODE")
        for source_id in ("desk-a", "desk-b"):
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "warta.cli",
                    "ingest",
                    "--once",
                    "--source",
                    source_id,
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )

        async def both_waiting() -> bool:
            assert all(p.returncode is None for p in procs), "an ingest process died"
            return (
                await pool.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE '%INSERT INTO sources%'"
                )
                == 2
            )

        await wait_until(both_waiting, 60, "both processes at the barrier")
    for proc in procs:
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()[-3000:]


async def _run(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path, shared: bool
) -> list[Request]:
    async with Newsroom(articles=PAGES, delay=0.15) as room:
        seeds = write_seeds(tmp_path / "seeds", [("desk-a", room.base), ("desk-b", room.base)])
        await truncate(pool)
        await pool.execute("TRUNCATE origins, origin_slots, origin_deferrals")
        await _ingest_both(pool, database_url, seeds, shared)
    requests = sorted(room.requests, key=lambda r: r.at)
    # Both sources were served in full, and both processes were at it at the same time.
    a = [r for r in requests if "desk-a" in r.path]
    b = [r for r in requests if "desk-b" in r.path]
    assert len(a) == len(b) == PAGES + 1
    assert max(a[0].at, b[0].at) < min(a[-1].at, b[-1].at), "the two runs did not overlap"
    return requests


@pytest.mark.timeout(300)
async def test_two_processes_keep_one_origin_s_cap_and_spacing_together(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    requests = await _run(database_url, pool, tmp_path, shared=True)
    assert _overlap(requests) == 1, "more than one request at once on the origin"
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    # Each process sleeps to its reserved start on its own, and the server sees each request
    # after a latency that varies on a loaded machine: one gap may shrink by that variation,
    # but the starts stay a gap apart on average. Without the ledger, requests overlap.
    assert min(gaps) >= SPACING * 0.5, sorted(gaps)[:3]
    assert sum(gaps) / len(gaps) >= SPACING * 0.9, sorted(gaps)[:3]
    assert not await pool.fetchval("SELECT count(*) FROM origin_slots WHERE holder IS NOT NULL")


@pytest.mark.timeout(300)
async def test_control_without_the_ledger_the_processes_overlap(
    database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    requests = await _run(database_url, pool, tmp_path, shared=False)
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    assert _overlap(requests) > 1 or min(gaps) < SPACING * 0.9


async def test_a_retry_after_recorded_by_one_process_holds_in_another(pool: asyncpg.Pool) -> None:
    origin = "http://127.0.0.1:9"
    await pool.execute("TRUNCATE origins, origin_slots, origin_deferrals")
    await store.ensure_origin(pool, origin, 1)
    await store.defer_origin(pool, origin, "desk-a", 30)
    turn = {"cap": 1, "gap": 0.0, "next_gap": 0.0, "lease_seconds": 60.0}
    slot, wait, deferred = await store.take_origin_turn(pool, origin, "desk-a", "other", **turn)
    assert slot is None and wait is None and 25 < deferred <= 30
    # Another source of the same host is not held back by it (FreshRSS #7870).
    assert await store.take_origin_turn(pool, origin, "desk-b", "other", **turn) == (0, 0.0, 0.0)
    # The only place is held, by a holder whose marker session is gone: it counts as free.
    assert await store.take_origin_slot(pool, origin, "third", cap=1, lease_seconds=60) == 0
    async with pool.acquire() as conn:
        await store.mark_holder(conn, "third")
        slot, wait, deferred = await store.take_origin_turn(pool, origin, "x", "fourth", **turn)
        assert slot is None and wait == 0.0 and deferred == 0.0, "a live holder keeps its place"
        assert await store.take_origin_slot(pool, origin, "fourth", cap=1, lease_seconds=60) is None


async def test_starts_are_reserved_a_gap_apart_in_the_order_asked(pool: asyncpg.Pool) -> None:
    origin = "http://127.0.0.1:10"
    await pool.execute("TRUNCATE origins, origin_slots, origin_deferrals")
    await store.ensure_origin(pool, origin, 2)
    turn = {"cap": 2, "gap": 5.0, "next_gap": 6.0, "lease_seconds": 60.0}
    first = await store.take_origin_turn(pool, origin, "a", "p1", **turn)
    second = await store.take_origin_turn(pool, origin, "b", "p2", **turn)
    assert first == (0, 0.0, 0.0)
    # Reserved after the first's jittered gap, holding no place until then.
    assert second[0] is None and 5.5 < second[1] <= 6.0  # type: ignore[operator]


async def test_fetches_go_on_with_this_process_s_limits_when_the_ledger_fails(
    database_url: str,
) -> None:
    settings = fast_settings(min_host_spacing=0.05)
    gone = await create_pool(database_url, min_size=1, max_size=2)
    ledger = SharedOrigins(gone, settings, "gone")
    await gone.close()  # every ledger call now fails
    policy = FetchPolicy("polite", allow_private_network=True, respect_robots=False)
    async with FaultServer() as server:
        session = make_session(settings)
        try:
            fetcher = Fetcher(settings, session, ledger=ledger)
            outs = [await fetcher.get(server.url(f"/page/{i}"), source=policy) for i in range(3)]
        finally:
            await session.close()
    assert all(o.ok for o in outs), [o.error_message for o in outs]
    starts = [s.at for s in server.seen]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.045, "spaced here instead"
