"""Create and close the process's shared resources in one place: database (embedded or not) and pool."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from config.catalogue import Catalogue, load_catalogue, sync_catalogue
from config.settings import Settings
from database.embedded import EmbeddedPostgres
from database.pool import create_pool, migrate

__all__ = ["database", "prepare_database"]

log = logging.getLogger(__name__)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """The one pool, over WARTA_DATABASE_URL or a private PostgreSQL in the data directory."""
    embedded: EmbeddedPostgres | None = None
    dsn = settings.database_url
    if dsn is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(embedded.start)
    try:
        pool = await create_pool(dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        try:
            yield pool
        finally:
            await pool.close()
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


async def prepare_database(pool: asyncpg.Pool) -> Catalogue:
    """Migrate, then mirror the region/topic catalogue the read side lists."""
    applied = await migrate(pool)
    if applied:
        log.info("database migrated to version %d", applied[-1])
    catalogue = load_catalogue()
    await sync_catalogue(pool, catalogue)
    return catalogue
