"""`kill -9` under ingestion: a batch caught half-written leaves no rows, and a restart completes it.

A batch of articles is one transaction. The first proof stops a real `warta ingest` exactly in
the middle of one (a test transaction holds an uncommitted row with the identity of an article
halfway through the batch, so the worker's INSERT waits on it after writing the ones before),
kills it with SIGKILL, and shows that nothing of the batch survived, then that a restarted
worker stores every article exactly once. The second kills workers at random moments, round
after round.
"""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import asyncpg
import pytest

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import BUREAUS, run_pass, truncate
from tests.reliability.budget import pick, record
from tests.reliability.procs import Warta, wait_until
from warta.simsite import SimSite

_COLUMNS = (
    "identity, url, canonical_url, source_id, title, text, authors, published_at,"
    " date_source, first_seen_at, content_hash"
)


def _env(settings: Settings) -> dict[str, str]:
    return {
        "WARTA_DATABASE_URL": settings.database_url or "", "WARTA_SEEDS": str(settings.seeds),
        "WARTA_MIN_HOST_SPACING": "0", "WARTA_TICK_SECONDS": "1", "WARTA_LEASE_SECONDS": "10",
        "WARTA_LOG_LEVEL": "WARNING",
    }  # fmt: skip


def _expected(site: SimSite, bureaus: tuple[str, ...] = BUREAUS) -> set[str]:
    return {a.url for b in bureaus for a in site.articles(b)}


async def _exactly_once(pool: asyncpg.Pool, urls: set[str]) -> None:
    row = await pool.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT url) AS urls, count(DISTINCT identity) AS ids"
        " FROM articles"
    )
    stored = {r["url"] for r in await pool.fetch("SELECT url FROM articles")}
    assert not urls - stored, f"lost: {sorted(urls - stored)[:5]}"
    assert row["n"] == row["urls"] == row["ids"], f"duplicated: {dict(row)}"


async def _restart_until_stored(
    settings: Settings, pool: asyncpg.Pool, tmp_path: Path, urls: set[str]
) -> float:
    """A fresh `warta ingest` after the dead one's leases expire; seconds until all is stored."""
    worker = await Warta(tmp_path, _env(settings), "ingest").start()
    try:

        async def done() -> bool:
            assert worker.alive(), worker.log()[-3000:]
            stored = await pool.fetch("SELECT url FROM articles WHERE url = ANY($1)", list(urls))
            return len(stored) >= len(urls)

        took = await wait_until(done, 90, "every article stored after the restart")
    finally:
        assert await worker.stop() == 0, worker.log()[-3000:]
    return took


@pytest.mark.timeout(240)
async def test_kill_9_in_the_middle_of_a_batch_write_leaves_no_partial_rows(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source], tmp_path: Path
) -> None:
    kalsel = [s for s in sources if s.id == "sim-kalsel"]
    await truncate(pool)
    await run_pass(settings, pool, kalsel)  # learn the batch: ids follow insertion order
    rows = await pool.fetch(f"SELECT {_COLUMNS} FROM articles ORDER BY id")
    assert len(rows) == len(site.articles("kalsel")) > 4
    victim = dict(rows[len(rows) // 2])
    await truncate(pool)
    await pool.execute(
        "INSERT INTO sources (id, name, base_url, timezone, config, enabled)"
        " VALUES ('blocker', 'Blocker', 'http://blocker.invalid', 'WIB', '{}', false)"
    )
    blocker = await asyncpg.connect(settings.database_url)
    worker = Warta(tmp_path, _env(settings), "ingest", "--once", "--source", "sim-kalsel")
    try:
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute(
            f"INSERT INTO articles ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
            " $10, $11)",
            *{**victim, "source_id": "blocker"}.values(),
        )
        await worker.start()

        async def insert_waits() -> bool:
            assert worker.alive(), worker.log()[-3000:]
            return bool(
                await pool.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE '%INSERT INTO articles%' AND pid <> $1",
                    blocker.get_server_pid(),
                )
            )

        await wait_until(insert_waits, 60, "the worker's batch insert waiting mid-batch")
        # Ids are taken by every INSERT and never given back: this many rows were written.
        written = await pool.fetchval("SELECT last_value FROM articles_id_seq")
        worker.kill()
        await worker.stop()
        await tx.rollback()
    finally:
        await blocker.close()
        await worker.stop()

    async def backend_gone() -> bool:
        return not await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%INSERT INTO articles%'"
            " AND pid <> pg_backend_pid()"
        )

    await wait_until(backend_gone, 30, "the dead worker's transaction ended")
    assert written >= len(rows) // 2, "the killed batch had written rows before it stopped"
    for table in ("articles", "article_regions", "article_topics", "pending_urls"):
        assert await pool.fetchval(f"SELECT count(*) FROM {table}") == 0, f"partial {table}"
    assert not await pool.fetchval(
        "SELECT count(*) FROM fetch_state WHERE source_id = 'sim-kalsel'"
    ), "no validators saved: the next run is not answered 304 for what the dead one lost"

    await pool.execute("DELETE FROM sources WHERE id = 'blocker'")
    urls = _expected(site, ("kalsel",))
    took = await _restart_until_stored(settings, pool, tmp_path, urls)
    await _exactly_once(pool, urls)
    record("kill9_mid_batch", rows_written_then_rolled_back=written, restart_s=round(took, 1))


@pytest.mark.timeout(900)
async def test_workers_killed_at_random_moments_lose_and_double_nothing(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    rounds = int(pick(full=5, quick=1))
    rng = random.Random(8)
    urls = _expected(site)
    kills = 0
    partial: list[int] = []  # articles stored when the workers died, per round
    started = time.monotonic()
    for _ in range(rounds):
        await truncate(pool)
        for bureau in BUREAUS:  # slow pages keep the workers busy long enough to be caught
            site.set_fault(bureau, "/berita/*", "slow")
        workers = [await Warta(tmp_path, _env(settings), "ingest").start() for _ in range(2)]
        try:

            async def some_stored() -> bool:
                return bool(await pool.fetchval("SELECT count(*) FROM articles"))

            # Mid-run: some batches are in, others are being fetched or written.
            await wait_until(some_stored, 60, "the workers' first batch")
            await asyncio.sleep(rng.uniform(0.0, 3.0))
            for worker in workers:
                worker.kill()
                await worker.stop()
                kills += 1
            partial.append(int(await pool.fetchval("SELECT count(*) FROM articles")))
        finally:
            site.clear_faults()
            for worker in workers:
                await worker.stop()
        await _restart_until_stored(settings, pool, tmp_path, urls)
        await _exactly_once(pool, urls)
    record(
        "kill9_random",
        rounds=rounds,
        workers_killed=kills,
        stored_when_killed=partial,
        articles=len(urls),
        seconds=round(time.monotonic() - started),
    )
