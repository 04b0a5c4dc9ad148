"""Open the one asyncpg pool and apply the numbered SQL migrations under an advisory lock."""

from __future__ import annotations

import itertools
import json
import logging
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

__all__ = ["Migration", "SchemaState", "create_pool", "load_migrations", "migrate", "schema_state"]

log = logging.getLogger(__name__)

# Any constant works as long as every Warta process uses the same one: it serializes
# concurrent `migrate` calls so two processes starting together cannot race.
_MIGRATION_LOCK = 0x5741525441  # "WARTA"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


@dataclass(frozen=True, slots=True)
class SchemaState:
    applied: int
    latest: int

    @property
    def current(self) -> bool:
        return self.applied >= self.latest


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Timestamps come back aware in UTC whatever the server's zone is.
    await conn.execute("SET TIME ZONE 'UTC'")
    # asyncpg prepares every statement, and after five runs PostgreSQL may switch to a generic
    # plan that ignores the values. Feed queries are shaped by their values (a topic of 1% or
    # of 50% of the articles, a window of a day or of two years), and a generic plan for them
    # measured 1-3 s where the custom one takes 20 ms; planning anew costs well under 1 ms.
    await conn.execute("SET plan_cache_mode = force_custom_plan")
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """The process's one pool; every connection speaks UTC and decodes JSON."""
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=60
    )
    assert pool is not None
    return pool


def load_migrations() -> list[Migration]:
    """The packaged migrations in version order; a duplicate version is a packaging bug.

    Gaps are allowed: numbers are reserved for branches that land in any order, and `migrate`
    applies whatever version is missing from the database, whatever its place.
    """
    found: list[Migration] = []
    for entry in resources.files("database.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for before, migration in itertools.pairwise(found):
        if migration.version == before.version:
            raise RuntimeError(
                f"migration numbering broken: two files numbered {migration.version:04d}"
            )
    return found


_MIGRATION_TIMEOUT = 24 * 3600.0


async def migrate(pool: asyncpg.Pool) -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied."""
    migrations = load_migrations()
    applied_now: list[int] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            for migration in migrations:
                if migration.version in done:
                    continue
                async with conn.transaction():
                    # No command timeout: on a large table a migration may rewrite millions of
                    # rows, and stopping it at a minute would only roll it back to start over.
                    await conn.execute(migration.sql, timeout=_MIGRATION_TIMEOUT)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        migration.version,
                        migration.name,
                    )
                log.info("applied migration %04d_%s", migration.version, migration.name)
                applied_now.append(migration.version)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    return applied_now


async def schema_state(pool: asyncpg.Pool) -> SchemaState:
    """How far the database is migrated compared with the code (for /readyz)."""
    versions = [m.version for m in load_migrations()]
    async with pool.acquire() as conn:
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        rows = await conn.fetch("SELECT version FROM schema_migrations") if exists else []
    done = {r["version"] for r in rows}
    # Applied up to the first code version still missing (a late-landing lower number counts).
    missing = [v for v in versions if v not in done]
    applied = missing[0] - 1 if missing else max([*versions, *done], default=0)
    return SchemaState(applied=applied, latest=max(versions, default=0))
