"""Migrations apply once under an advisory lock, and the schema serves newest-N queries by index."""

from __future__ import annotations

import asyncio

import asyncpg

from database.pool import create_pool, load_migrations, migrate, schema_state


async def test_concurrent_migrations_apply_each_version_once(database_url: str) -> None:
    pools = [await create_pool(database_url, min_size=1, max_size=2) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(p) for p in pools))
        applied = sorted(v for result in results for v in result)
        assert applied == [m.version for m in load_migrations()]
        assert await migrate(pools[0]) == []
        state = await schema_state(pools[0])
        assert state.current and state.applied == load_migrations()[-1].version
    finally:
        for p in pools:
            await p.close()


async def test_schema_holds_what_later_work_needs(pool: asyncpg.Pool) -> None:
    tables = {
        r["tablename"]
        for r in await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    assert {"sources", "fetch_state", "articles", "article_regions", "article_topics",
            "ingestion_log", "regions", "topics", "schema_migrations"} <= tables  # fmt: skip
    columns = {
        r["column_name"]
        for r in await pool.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'articles'"
        )
    }
    contract = {"url", "canonical_url", "title", "summary", "text", "authors", "published_at",
                "published_raw", "date_source", "updated_at", "lang", "image", "image_caption",
                "section", "tags", "place", "region", "regency", "topics", "related",
                "content_hash", "duplicate_of"}  # fmt: skip
    assert contract <= columns
    assert await pool.fetchval("SELECT count(*) FROM regions WHERE kind = 'province'") == 38


async def test_newest_for_a_region_uses_the_index(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        # Without statistics the planner may prefer a scan of a tiny table; forbid seq scans
        # to ask whether an index *can* serve the query in order without a sort.
        await conn.execute("SET enable_seqscan = off")
        await conn.execute("SET enable_bitmapscan = off")
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN SELECT article_id FROM article_regions WHERE region = 'kalsel'"
                " ORDER BY published_at DESC, article_id DESC LIMIT 50"
            )
        )
        assert "article_regions_newest_idx" in plan and "Sort" not in plan
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN SELECT article_id FROM article_topics WHERE topic = 'ekonomi'"
                " ORDER BY published_at DESC, article_id DESC LIMIT 50"
            )
        )
        assert "article_topics_newest_idx" in plan and "Sort" not in plan
