"""Shared fixtures: one real PostgreSQL per test session, a fresh database per module."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from config.catalogue import load_catalogue, sync_catalogue
from config.db import create_pool, migrate
from config.embedded import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pg_server_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """WARTA_TEST_DATABASE_URL, or a private PostgreSQL for this test session.

    There is deliberately no skip: when no database can be had, the database tests fail.
    """
    url = os.environ.get("WARTA_TEST_DATABASE_URL")
    if url:
        yield url
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg"))
    try:
        yield server.start()
    finally:
        server.stop()


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
