"""The change stream: a poller that follows only its cursor ends with exactly the database's
articles, however writers interleave, and every change reaches it once, in commit order."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import asyncpg
import pytest

from database.pool import create_pool, load_migrations
from feeds.api import record
from feeds.query import articles
from ingestor import store
from tests.conftest import with_database
from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve

_CHANGE_FIELDS = ("change", "changed_at", "cursor", "deleted_at")


@pytest.fixture(scope="module")
async def base(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[str]:
    async with serve(feed_settings(database_url), pool) as (url, _app):
        yield url


@pytest.fixture
async def fresh(pool: asyncpg.Pool) -> None:
    await reset(pool)  # TRUNCATE articles empties the change log too (migration 0005)
    await add_source(pool, "src-full", republish="full")


class Poller:
    """A downstream copy kept only from /api/v1/changes: upsert records, delete tombstones."""

    def __init__(self, base: str, http: aiohttp.ClientSession, limit: int = 50) -> None:
        self.base, self.http, self.limit = base, http, limit
        self.cursor: str | None = None
        self.state: dict[int, dict[str, Any]] = {}
        self.seen: list[dict[str, Any]] = []

    async def poll(self) -> int:
        """Read pages until `next` is null; how many changes came."""
        came = 0
        while True:
            query = f"?limit={self.limit}" + (f"&cursor={self.cursor}" if self.cursor else "")
            async with self.http.get(f"{self.base}/api/v1/changes{query}") as resp:
                assert resp.status == 200, await resp.text()
                doc = await resp.json()
            for item in doc["changes"]:
                self.seen.append(item)
                if item["deleted_at"] is not None:
                    self.state.pop(item["id"], None)
                else:
                    self.state[item["id"]] = {
                        k: v for k, v in item.items() if k not in _CHANGE_FIELDS
                    }
            came += len(doc["changes"])
            self.cursor = doc["cursor"]  # stored after the page is applied
            if doc["next"] is None:
                return came


async def database_state(pool: asyncpg.Pool) -> dict[int, dict[str, Any]]:
    ids = [r["id"] for r in await pool.fetch("SELECT id FROM articles")]
    return {row.id: record(row) for row in await articles(pool, ids)}


class _Rollback(Exception):
    pass


async def _one_op(conn: asyncpg.Connection, rng: random.Random, counts: dict[str, int]) -> None:
    target = await conn.fetchval("SELECT id FROM articles ORDER BY random() LIMIT 1")
    roll = rng.random()
    if target is None or roll < 0.35:
        await insert(conn, Art(f"Berita {rng.randrange(10**6)}", source="src-full"), notify=False)
        counts["insert"] += 1
    elif roll < 0.5:  # a correction
        await conn.execute(
            "UPDATE articles SET title = $2, text = $3 WHERE id = $1",
            target, f"Ralat {rng.randrange(10**6)}", f"Teks {rng.random()}",
        )  # fmt: skip
        counts["update"] += 1
    elif roll < 0.6:  # re-classification
        await conn.execute(
            "UPDATE articles SET topics = $2, region = $3 WHERE id = $1",
            target, rng.sample(["ekonomi", "politik", "olahraga"], 2), rng.choice(["kalsel", "jatim"]),
        )  # fmt: skip
        counts["update"] += 1
    elif roll < 0.7:  # the cluster's canonical moves (deleting it later cascades to members)
        await conn.execute(
            "UPDATE articles SET duplicate_of = (SELECT id FROM articles WHERE id <> $1"
            " ORDER BY random() LIMIT 1) WHERE id = $1",
            target,
        )
        counts["update"] += 1
    elif roll < 0.78:  # bookkeeping only: no change to report
        await conn.execute("UPDATE articles SET checked_at = now() WHERE id = $1", target)
    else:
        await conn.execute("DELETE FROM articles WHERE id = $1", target)
        counts["delete"] += 1


async def _writer(pool: asyncpg.Pool, seed: int, transactions: int, counts: dict[str, int]) -> None:
    rng = random.Random(seed)
    for _ in range(transactions):
        async with pool.acquire() as conn:
            try:
                async with conn.transaction():
                    for _ in range(rng.choice((1, 1, 2, 3, 6))):  # short and long transactions
                        await _one_op(conn, rng, counts)
                        await asyncio.sleep(rng.uniform(0, 0.01))
                    if rng.random() < 0.1:
                        raise _Rollback
            except (_Rollback, asyncpg.DeadlockDetectedError, asyncpg.ForeignKeyViolationError):
                # Two writers picking the same rows may deadlock, or one may point a cluster
                # at an article the other just deleted: PostgreSQL rolls back, as in service.
                counts["rolled_back"] += 1


@pytest.mark.usefixtures("fresh")
async def test_a_cursor_follower_ends_with_the_database_state(
    pool: asyncpg.Pool, base: str
) -> None:
    counts = {"insert": 0, "update": 0, "delete": 0, "rolled_back": 0}
    async with aiohttp.ClientSession() as http:
        poller = Poller(base, http, limit=7)
        writers = asyncio.gather(
            _writer(pool, 1, 60, counts), _writer(pool, 2, 60, counts)
        )  # fmt: skip
        polled_while_writing = 0
        while not writers.done():
            polled_while_writing += await poller.poll()
            await asyncio.sleep(0.005)
        await writers
        await poller.poll()

    assert counts["insert"] > 20 and counts["update"] > 10 and counts["delete"] > 5, counts
    assert counts["rolled_back"] > 0 and polled_while_writing > 0, counts
    expected = await database_state(pool)
    assert expected and poller.state == expected
    # Exactly once: every logged change came, none twice.
    cursors = [item["cursor"] for item in poller.seen]
    assert len(cursors) == len(set(cursors))
    assert len(cursors) == await pool.fetchval("SELECT count(*) FROM article_changes")
    # Commit order: an article's insert comes first, and nothing after its deletion.
    history: dict[int, list[str]] = {}
    for item in poller.seen:
        history.setdefault(item["id"], []).append(item["change"])
    for article_id, kinds in history.items():
        assert kinds[0] == "insert", (article_id, kinds)
        assert "delete" not in kinds[:-1], (article_id, kinds)


@pytest.mark.usefixtures("fresh")
async def test_commit_order_not_transaction_order(pool: asyncpg.Pool, base: str) -> None:
    """An older transaction that commits last deletes an article a younger one inserted: in
    transaction-id order the tombstone would come first and the poller would keep the article."""
    async with pool.acquire() as old, pool.acquire() as young, aiohttp.ClientSession() as http:
        poller = Poller(base, http)
        tx = old.transaction()
        await tx.start()
        first = await insert(old, Art("Lebih dulu", source="src-full"), notify=False)
        later = await insert(young, Art("Kemudian", source="src-full"), notify=False)
        assert await poller.poll() == 1, "the younger commit is not held back by the idle one"
        assert set(poller.state) == {later}
        await old.execute("DELETE FROM articles WHERE id = $1", later)
        await tx.commit()
        assert await poller.poll() == 2
        assert [(i["id"], i["change"]) for i in poller.seen] == [
            (later, "insert"), (first, "insert"), (later, "delete")
        ]  # fmt: skip
        assert poller.state == await database_state(pool)
        assert set(poller.state) == {first}


@pytest.mark.usefixtures("fresh")
async def test_items_tombstones_and_paging(pool: asyncpg.Pool, base: str) -> None:
    kept = await insert(pool, Art("Banjir", source="src-full", topics=("lingkungan",)))
    dropped = await insert(pool, Art("Longsor", source="src-full"))
    url = await pool.fetchval("SELECT url FROM articles WHERE id = $1", dropped)
    await pool.execute("UPDATE articles SET title = 'Banjir (ralat)' WHERE id = $1", kept)
    await store.mark_checked(pool, [kept, dropped])  # bookkeeping: no change
    await pool.execute("DELETE FROM articles WHERE id = $1", dropped)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/api/v1/changes?limit=3") as resp:
            assert resp.status == 200 and resp.headers["Access-Control-Allow-Origin"] == "*"
            page = await resp.json()
        assert [(i["id"], i["change"]) for i in page["changes"]] == [
            (kept, "insert"), (dropped, "insert"), (kept, "update")
        ]  # fmt: skip
        # Records are as they are now; the deleted article's insert is a tombstone already.
        assert page["changes"][0]["title"] == "Banjir (ralat)"
        assert page["changes"][0]["topics"] == ["lingkungan"]
        assert page["changes"][0]["deleted_at"] is None
        assert page["changes"][1] == {
            "id": dropped, "url": url, "deleted_at": page["changes"][1]["deleted_at"],
            "change": "insert", "changed_at": page["changes"][1]["changed_at"],
            "cursor": page["changes"][1]["cursor"],
        }  # fmt: skip
        assert page["changes"][1]["deleted_at"].endswith("Z")
        assert page["cursor"] == page["changes"][-1]["cursor"] and page["next"]
        async with http.get(f"{base}/api/v1/changes?limit=1&cursor={page['cursor']}") as resp:
            last = await resp.json()
        assert len(last["changes"]) == 1 and last["next"] is None, "exhausted: no next"
        async with http.get(page["next"]) as resp:
            rest = await resp.json()
        assert [(i["id"], i["change"]) for i in rest["changes"]] == [(dropped, "delete")]
        tombstone = rest["changes"][0]
        assert set(tombstone) == {"id", "url", "deleted_at", "change", "changed_at", "cursor"}
        assert tombstone["url"] == url and tombstone["deleted_at"] == tombstone["changed_at"]
        assert rest["next"] is None and rest["cursor"] == tombstone["cursor"]
        # Caught up: the same cursor again gives nothing and keeps the position.
        async with http.get(f"{base}/api/v1/changes?cursor={rest['cursor']}") as resp:
            empty = await resp.json()
        assert empty == {"changes": [], "cursor": rest["cursor"], "next": None}
        for bad in ("cursor=1-2", "cursor=cz-1", "limit=0", "limit=%C2%B2", "region=kalsel"):
            async with http.get(f"{base}/api/v1/changes?{bad}") as resp:
                assert resp.status == 400, bad


@pytest.mark.usefixtures("fresh")
async def test_retention_deletions_are_tombstones(pool: asyncpg.Pool, base: str) -> None:
    old = await insert(pool, Art("Lama", source="src-full"))
    new = await insert(pool, Art("Baru", source="src-full"))
    await pool.execute(
        "UPDATE articles SET published_at = now() - interval '500 days' WHERE id = $1", old
    )
    async with aiohttp.ClientSession() as http:
        poller = Poller(base, http)
        await poller.poll()
        assert set(poller.state) == {old, new}
        assert await store.delete_expired(pool, older_than=timedelta(days=400), batch=10) == 1
        assert await poller.poll() == 1
        assert poller.seen[-1]["change"] == "delete" and poller.seen[-1]["id"] == old
        assert poller.state == await database_state(pool)


@pytest.mark.usefixtures("fresh")
async def test_pruned_changes_expire_old_cursors(pool: asyncpg.Pool, base: str) -> None:
    early = await insert(pool, Art("Awal", source="src-full"))
    async with aiohttp.ClientSession() as http:
        stale = Poller(base, http)
        await stale.poll()
        await pool.execute("UPDATE articles SET title = 'Awal (ralat)' WHERE id = $1", early)
        await pool.execute("DELETE FROM articles WHERE id = $1", early)
        later = await insert(pool, Art("Akhir", source="src-full"))
        kept = await insert(pool, Art("Lama tapi hidup", source="src-full"))
        # Retention prunes the log after the articles: old changes of deleted articles go; a
        # live article keeps its history, however old, or a new poller would never see it.
        await pool.execute(
            "UPDATE article_changes SET changed_at = now() - interval '500 days'"
            " WHERE article_id = ANY($1::bigint[])",
            [early, kept],
        )
        assert await store.delete_expired(pool, older_than=timedelta(days=400), batch=1) == 0
        assert await pool.fetchval("SELECT count(*) FROM article_changes") == 2
        async with http.get(f"{base}/api/v1/changes?cursor={stale.cursor}") as resp:
            assert resp.status == 410, "it missed the deletion: it must start over"
            assert "from the start" in await resp.text()
        fresh = Poller(base, http)
        await fresh.poll()
        assert [i["id"] for i in fresh.seen] == [later, kept]
        assert fresh.state == await database_state(pool)


async def test_articles_stored_before_the_migration_open_the_stream(pg_server_dsn: str) -> None:
    name = f"t_backfill_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_server_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = await create_pool(with_database(pg_server_dsn, name), max_size=2)
    try:
        migrations = load_migrations()
        async with db.acquire() as conn:
            for migration in migrations[:4]:
                await conn.execute(migration.sql)
        await add_source(db, "src-full")
        ids = [
            await insert(db, Art(f"Lama {i}", source="src-full"), facets=False) for i in range(3)
        ]
        async with db.acquire() as conn, conn.transaction():
            await conn.execute(migrations[4].sql)
        rows = await db.fetch(
            "SELECT t.seq, c.article_id, c.change FROM change_commits t"
            " JOIN article_changes c USING (xid) ORDER BY t.seq, c.id"
        )
        assert [(r["article_id"], r["change"]) for r in rows] == [(i, "insert") for i in ids]
        assert all(r["seq"] is not None for r in rows), "numbered as the migration committed"
    finally:
        await db.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
