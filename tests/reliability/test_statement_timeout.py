"""A statement timeout on the article insert: the batch rolls back and the next run stores it."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from config.catalogue import load_catalogue
from config.settings import Settings, load_settings
from database.pool import create_pool
from ingestor import store
from ingestor.schedule.workers import run_claimed, worker_id
from ingestor.sources.load import load_sources
from ingestor.sources.model import Source
from tests.conftest import free_port, truncate
from tests.reliability.budget import record
from tests.reliability.pgctl import query
from warta.demo import write_simsite_seeds
from warta.service import ingest_context
from warta.simsite import SimSite

PROVINCES = {p.slug for p in load_catalogue().provinces}


@pytest.fixture(scope="module")
def settings(dsn: str, site: SimSite, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    seeds = write_simsite_seeds(site, tmp_path_factory.mktemp("seeds"))
    base = load_settings(
        {"WARTA_DATABASE_URL": dsn, "WARTA_SEEDS": str(seeds), "WARTA_PORT": str(free_port())}
    )
    return replace(base, min_host_spacing=0.0)


@pytest.fixture(scope="module")
def sources(settings: Settings) -> list[Source]:
    return load_sources(settings.seeds, provinces=PROVINCES)


async def one_pass(
    settings: Settings, pool: asyncpg.Pool, sources: list[Source], only: tuple[str, ...]
) -> list[Any]:
    await store.sync_sources(pool, sources)
    await pool.execute("UPDATE sources SET next_run_at = now(), circuit_open_until = NULL")
    async with ingest_context(settings, pool) as ctx:
        return await run_claimed(ctx, {s.id: s for s in sources}, worker_id(), only=only)


_COLUMNS = (
    "identity, url, canonical_url, source_id, title, text, authors, published_at,"
    " date_source, first_seen_at, content_hash"
)


@pytest.mark.timeout(120)
async def test_statement_timeout_on_insert_is_retried_in_the_next_run(
    site: SimSite, settings: Settings, sources: list[Source], dsn: str
) -> None:
    # A first pass tells us the row the pipeline writes for one kalsel article.
    pool = await create_pool(dsn, min_size=1, max_size=4)
    try:
        await truncate(pool)
        await one_pass(settings, pool, sources, ("sim-kalsel",))
        victim = site.articles("kalsel")[3].url
        row = await pool.fetchrow(f"SELECT {_COLUMNS} FROM articles WHERE url = $1", victim)
        assert row is not None
        await truncate(pool)
        await store.sync_sources(pool, sources)
    finally:
        await pool.close()

    # Every new connection of the ingest pool now gives a statement 1.5 s at most.
    await query(dsn, "ALTER DATABASE warta_faults SET statement_timeout = '1500ms'")
    pool = await create_pool(dsn, min_size=1, max_size=4)
    blocker = await asyncpg.connect(dsn)
    try:
        # An uncommitted row with the same identity: the pipeline's insert must wait on it.
        # It belongs to another source row: the foreign key's share lock on sim-kalsel's row
        # would make the claim (FOR UPDATE SKIP LOCKED) pass the source over.
        await pool.execute(
            "INSERT INTO sources (id, name, base_url, timezone, config, enabled) VALUES"
            " ('blocker', 'Blocker', 'http://blocker.invalid', 'WIB', '{}', false)"
        )
        tx = blocker.transaction()
        await tx.start()
        await blocker.execute(
            f"INSERT INTO articles ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
            " $10, $11)",
            *{**dict(row), "source_id": "blocker"}.values(),
        )
        started = time.monotonic()
        first = await one_pass(settings, pool, sources, ("sim-kalsel",))
        waited = time.monotonic() - started
        await tx.rollback()
        assert len(first) == 1 and not first[0].ok, "the run reports the failure"
        assert "statement timeout" in (first[0].error_message or ""), first[0].error_message
        state = await pool.fetchrow(
            "SELECT lease_owner, consecutive_failures FROM sources WHERE id = 'sim-kalsel'"
        )
        assert state["lease_owner"] is None, "the lease is given back, not left to expire"
        assert state["consecutive_failures"] == 0, "the database's fault is not the source's"
        assert await pool.fetchval("SELECT count(*) FROM articles") == 0, "no partial batch"

        second = await one_pass(settings, pool, sources, ("sim-kalsel",))
        assert second[0].ok and second[0].new == len(site.articles("kalsel"))
        assert await pool.fetchval("SELECT count(*) FROM articles WHERE url = $1", victim) == 1
    finally:
        await blocker.close()
        await pool.close()
        await query(dsn, "ALTER DATABASE warta_faults RESET statement_timeout")
    record("statement_timeout", retried=True, first_run_s=round(waited, 1))
