"""The ingestion horizon: only Warta's own article writers hold back the API and paged feeds;
a stuck session elsewhere or a crashed writer does not, and nothing is ever skipped."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest

from tests.conftest import with_database
from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve


@pytest.fixture(scope="module")
async def base(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[str]:
    async with serve(feed_settings(database_url), pool, cache_entries=0) as (url, _app):
        yield url


@pytest.fixture
async def fresh(pool: asyncpg.Pool) -> None:
    await reset(pool)
    await add_source(pool)


@pytest.fixture
async def other_database(pg_server_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A session in another database of the same server, idle in a transaction that wrote."""
    name = f"other_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_server_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    conn = await asyncpg.connect(with_database(pg_server_dsn, name))
    try:
        yield conn
    finally:
        await conn.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def titles(base: str, path: str = "/api/v1/articles") -> list[str]:
    """Titles in the order the API (or a JSON Feed page) lists them."""
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        assert resp.status == 200, await resp.text()
        doc = await resp.json(content_type=None)
    return [str(a["title"]) for a in doc.get("articles", doc.get("items"))]


async def idle_with_xid(conn: asyncpg.Connection) -> int:
    """Open a transaction that holds a transaction id, and leave it idle."""
    await conn.execute("BEGIN")
    xid: int = await conn.fetchval("SELECT pg_current_xact_id()")
    return xid


@pytest.mark.usefixtures("fresh")
async def test_idle_transaction_in_another_database_does_not_freeze_the_api(
    pool: asyncpg.Pool, base: str, other_database: asyncpg.Connection
) -> None:
    await other_database.execute("CREATE TABLE t (x int)")
    stuck = await idle_with_xid(other_database)
    await other_database.execute("INSERT INTO t VALUES (1)")
    names = [f"Berita {i}" for i in range(3)]
    for name in names:
        await insert(pool, Art(name))
    # The server-wide horizon the API used before stops below the stuck transaction, so it
    # would show none of these articles while that session sits there.
    assert await pool.fetchval("SELECT pg_snapshot_xmin(pg_current_snapshot())") <= stuck
    assert await pool.fetchval("SELECT min(ingest_xid) FROM articles") > stuck
    assert await titles(base) == names
    names.append("Berita 3")
    await insert(pool, Art("Berita 3"))
    assert await titles(base) == names, "still advancing"
    assert await titles(base, "/feeds/all.json?page=1") == names[::-1], "paged feeds too"


@pytest.mark.usefixtures("fresh")
async def test_idle_transaction_in_our_database_that_wrote_no_article_does_not_freeze(
    pool: asyncpg.Pool, base: str
) -> None:
    async with pool.acquire() as other:
        await idle_with_xid(other)
        await other.execute("UPDATE sources SET stats = '{}'")  # an operator's session, say
        try:
            await insert(pool, Art("Berita"))
            assert await titles(base) == ["Berita"]
        finally:
            await other.execute("ROLLBACK")


@pytest.mark.usefixtures("fresh")
async def test_a_running_writer_holds_back_later_articles_until_it_commits(
    pool: asyncpg.Pool, base: str
) -> None:
    """Registered as the store registers (the lock first), a writer that took its transaction
    id elsewhere before inserting is waited for: its article sorts before later ones, and a
    reader that had passed those would have skipped it for good."""
    await insert(pool, Art("Pertama"))
    async with pool.acquire() as writer:
        await writer.execute("BEGIN")
        await writer.execute("LOCK TABLE articles IN ROW EXCLUSIVE MODE")
        await writer.execute("UPDATE sources SET stats = '{}'")  # takes the transaction id
        await insert(pool, Art("Kemudian"))
        assert await titles(base) == ["Pertama"], "the article above the running writer waits"
        await insert(writer, Art("Lambat"))
        await writer.execute("COMMIT")
    assert await titles(base) == ["Pertama", "Lambat", "Kemudian"], "the writer's xid first"


@pytest.mark.usefixtures("fresh")
async def test_a_crashed_writer_does_not_freeze_the_api(
    pool: asyncpg.Pool, base: str, database_url: str
) -> None:
    writer = await asyncpg.connect(database_url)
    await writer.set_type_codec(
        "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
    )
    await writer.execute("BEGIN")
    await insert(writer, Art("Tak pernah selesai"))
    await insert(pool, Art("Sesudahnya"))
    assert await titles(base) == []
    # The process dies mid-transaction: its server session ends, and with it the lock.
    await pool.execute("SELECT pg_terminate_backend($1)", writer.get_server_pid())
    writer.terminate()
    for _ in range(100):
        if await titles(base):
            break
        await asyncio.sleep(0.05)
    assert await titles(base) == ["Sesudahnya"]
