"""Shared fixtures: one real PostgreSQL per test session, a fresh database per module."""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from config.catalogue import load_catalogue, sync_catalogue
from config.settings import Settings, load_settings
from database.embedded import EmbeddedPostgres
from database.pool import create_pool, migrate
from ingestor import store
from ingestor.schedule.runstate import RunSummary
from ingestor.schedule.workers import run_claimed, worker_id
from ingestor.sources.load import load_sources
from ingestor.sources.model import Source
from warta.demo import write_simsite_seeds
from warta.service import ingest_context
from warta.simsite import SimSite

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches PostgreSQL, so that `-m database` selects exactly those.

    .ci/run runs that selection a second time against a separately started server.
    """
    for item in items:
        if "pg_server_dsn" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)


@pytest.fixture(scope="session")
def pg_server_dsn() -> Iterator[str]:
    """WARTA_TEST_DATABASE_URL, or a private PostgreSQL for this test session.

    There is deliberately no skip: when no database can be had, the database tests fail.
    """
    url = os.environ.get("WARTA_TEST_DATABASE_URL")
    if url:
        yield url
        return
    # Not under pytest's temporary tree: any pytest starting on the machine resets
    # /tmp/pytest-of-<user> to mode 0700, and the server (run as its own system user when we
    # are root) would lose its data directory mid-session.
    root = Path(tempfile.mkdtemp(prefix="warta-test-pg-"))
    root.chmod(0o755)
    server = EmbeddedPostgres(root)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def with_database(dsn: str, name: str) -> str:
    """The same server DSN pointing at another database."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="module")
async def database_url(pg_server_dsn: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh, empty database for the test module, dropped afterwards."""
    module = re.sub(r"[^a-z0-9]+", "_", request.module.__name__.lower())[-30:]
    name = f"t_{module}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_server_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield with_database(pg_server_dsn, name)
    admin = await asyncpg.connect(pg_server_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="module")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A migrated database with the region/topic catalogue loaded."""
    db_pool = await create_pool(database_url, min_size=1, max_size=8)
    await migrate(db_pool)
    await sync_catalogue(db_pool, load_catalogue())
    try:
        yield db_pool
    finally:
        await db_pool.close()


async def truncate(db_pool: asyncpg.Pool) -> None:
    """Empty the write-side tables (the catalogue stays)."""
    await db_pool.execute(
        "TRUNCATE articles, article_regions, article_topics, ingestion_log, fetch_state,"
        " sources RESTART IDENTITY CASCADE"
    )


# --- The simulated regional site, a catalogue pointing at it, and settings for it ---------------
# Module-scoped like the database: each test module gets its own site and its own database.

BUREAUS = ("kalsel", "kaltim", "jatim", "www")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
async def site() -> AsyncIterator[SimSite]:
    sim = SimSite(bureaus=BUREAUS)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture(scope="module")
def seeds_dir(site: SimSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_simsite_seeds(site, tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def settings(
    database_url: str, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    base = load_settings(
        {
            "WARTA_DATABASE_URL": database_url,
            "WARTA_SEEDS": str(seeds_dir),
            "WARTA_DATA_DIR": str(tmp_path_factory.mktemp("data")),
            "WARTA_PORT": str(free_port()),
        }
    )
    # The simulated site is ours: no need to space requests out in tests.
    return replace(base, min_host_spacing=0.0)


@pytest.fixture(scope="module")
def sources(settings: Settings) -> list[Source]:
    return load_sources(settings.seeds, provinces={p.slug for p in load_catalogue().provinces})


async def run_pass(
    settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> list[RunSummary]:
    """One ingest pass over every source, due or not, as `warta ingest --once` does it."""
    await store.sync_sources(pool, sources)
    await pool.execute(
        "UPDATE sources SET next_run_at = now(), circuit_open_until = NULL, lease_owner = NULL,"
        " lease_expires_at = NULL"
    )
    async with ingest_context(settings, pool) as ctx:
        return await run_claimed(ctx, {s.id: s for s in sources}, worker_id())


async def ingest(settings: Settings, pool: asyncpg.Pool, sources: list[Source]) -> None:
    """One pass that must succeed for every source."""
    summaries = await run_pass(settings, pool, sources)
    assert summaries and all(s.ok for s in summaries), [
        (s.source_id, s.error_message) for s in summaries
    ]
