"""`kill -9` under ingestion: a batch caught half-written leaves no rows, and a restart completes it.

A batch of articles is one transaction. The first proof stops a real `warta ingest` exactly in
the middle of one (a test transaction holds an uncommitted row with the identity of an article
halfway through the batch, so the worker's INSERT waits on it after writing the ones before),
kills it with SIGKILL, and shows that nothing of the batch survived, then that a restarted
worker stores every article exactly once. The second kills workers round after round at
moments that really differ (mid-fetch, mid-store, mid-commit, during a lease renewal), each
armed after a random share of the run.
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


# Where a worker can be when it dies, and how each moment is caught (see _arm).
MOMENTS = ("mid-fetch", "mid-store", "mid-commit", "lease-renewal")
_GATE_KEY = 0x57474154  # advisory lock the test's gate trigger waits on
_GATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION warta_test_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_lock_shared({_GATE_KEY});
    PERFORM pg_advisory_unlock_shared({_GATE_KEY});
    RETURN NEW;
END $$
"""
_GATES = {
    # Before each row: the worker stops inside its batch INSERT.
    "mid-store": "CREATE TRIGGER warta_test_gate BEFORE INSERT ON articles"
    " FOR EACH ROW EXECUTE FUNCTION warta_test_gate()",
    # Deferred to COMMIT: the worker stops inside its COMMIT, the batch fully written.
    "mid-commit": "CREATE CONSTRAINT TRIGGER warta_test_gate AFTER INSERT ON articles"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION warta_test_gate()",
}
_CAUGHT = {
    "mid-store": "wait_event = 'advisory' AND query LIKE '%INSERT INTO articles%'",
    "mid-commit": "wait_event = 'advisory' AND query ILIKE 'commit%'",
    "lease-renewal": "wait_event_type = 'Lock' AND query LIKE 'UPDATE sources SET lease_expires_at%'",
}


async def _caught(pool: asyncpg.Pool, moment: str) -> bool:
    return bool(
        await pool.fetchval(f"SELECT count(*) FROM pg_stat_activity WHERE {_CAUGHT[moment]}")
    )


async def _kill_at(
    moment: str, site: SimSite, pool: asyncpg.Pool, blocker: asyncpg.Connection,
    workers: list[Warta], rng: random.Random,
) -> None:  # fmt: skip
    """Wait until a worker is at `moment`, then kill every worker with SIGKILL.

    mid-fetch: an article page was just requested (the site answers it 2 s later), killed a
    random part of the way into it. mid-store / mid-commit: a trigger on `articles` waits on an
    advisory lock the test holds, so a worker's batch stops inside its INSERT or its COMMIT.
    lease-renewal: the test locks the source rows, so a worker's lease heartbeat waits.
    """

    def alive() -> None:
        for worker in workers:
            assert worker.alive(), worker.log()[-3000:]

    if moment == "mid-fetch":
        before = sum(r.path_qs.startswith("/berita/") for r in site.requests)

        async def fetching() -> bool:
            alive()
            now = sum(r.path_qs.startswith("/berita/") for r in site.requests)
            return now > before

        await wait_until(fetching, 60, "an article page requested", every=0.05)
        await asyncio.sleep(rng.uniform(0.0, 1.5))  # the page is answered after 2 s
    else:
        if moment in _GATES:
            await blocker.execute("SELECT pg_advisory_lock($1)", _GATE_KEY)
            await blocker.execute(_GATES[moment])
        else:
            await blocker.execute("BEGIN")
            await blocker.execute("SELECT 1 FROM sources FOR UPDATE")

        async def at_moment() -> bool:
            alive()
            return await _caught(pool, moment)

        await wait_until(at_moment, 60, f"a worker caught {moment}", every=0.05)
    for worker in workers:
        worker.kill()
        await worker.stop()


async def _open_gates(blocker: asyncpg.Connection, moment: str) -> None:
    """Undo what _kill_at set up; a dead worker's waiting backend then ends its transaction."""
    if moment in _GATES:
        await blocker.execute("DROP TRIGGER IF EXISTS warta_test_gate ON articles")
        await blocker.execute("SELECT pg_advisory_unlock_all()")
    elif moment == "lease-renewal":
        await blocker.execute("ROLLBACK")


@pytest.mark.timeout(1200)
async def test_workers_killed_at_random_moments_lose_and_double_nothing(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    rounds = int(pick(full=8, quick=2))
    rng = random.Random(8)
    moments = [MOMENTS[i % len(MOMENTS)] for i in range(rounds)]
    rng.shuffle(moments)
    urls = _expected(site)
    kills = 0
    partial: list[int] = []  # articles stored when the workers died, per round
    started = time.monotonic()
    blocker = await asyncpg.connect(settings.database_url)
    try:
        await blocker.execute(_GATE_FUNCTION)
        for moment in moments:
            await truncate(pool)
            # A random few bureaus answer at once and are stored early; the others' slow pages
            # keep the workers busy long enough to be caught.
            quick = rng.sample(BUREAUS, rng.randint(0, 2))
            for bureau in BUREAUS:
                if bureau not in quick:
                    site.set_fault(bureau, "/berita/*", "slow")
            early = len(_expected(site, tuple(quick)))
            workers = [await Warta(tmp_path, _env(settings), "ingest").start() for _ in range(2)]
            try:

                async def stored_early(early: int = early) -> bool:
                    return int(await pool.fetchval("SELECT count(*) FROM articles")) >= early

                await wait_until(stored_early, 120, "the quick bureaus stored")
                await asyncio.sleep(rng.uniform(0.0, 4.0))  # then arm at a random point
                await _kill_at(moment, site, pool, blocker, workers, rng)
                kills += len(workers)
                partial.append(int(await pool.fetchval("SELECT count(*) FROM articles")))
            finally:
                site.clear_faults()
                await _open_gates(blocker, moment)
                for worker in workers:
                    await worker.stop()
            await _restart_until_stored(settings, pool, tmp_path, urls)
            await _exactly_once(pool, urls)
    finally:
        await blocker.close()
    record(
        "kill9_random",
        rounds=rounds,
        workers_killed=kills,
        moments=moments,
        stored_when_killed=partial,
        articles=len(urls),
        seconds=round(time.monotonic() - started),
    )
