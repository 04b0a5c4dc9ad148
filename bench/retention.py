"""Benchmark: retention at scale, batched deletes (what Warta does) beside dropping a partition.

Run: .venv/bin/python bench/retention.py [--per-day N] [--dsn postgresql://...]

One migrated database holds two days of articles (--per-day each, default 250,000, with their
region and topic links), published evenly over the last 48 hours. Then, side by side:

- batched: `ingestor.store.delete_expired` removes the older day exactly as the daily retention
  job does (batches of WARTA_RETENTION_BATCH rows, each its own transaction; cascades to the
  link tables, every index maintained), followed by the VACUUM that must reclaim the space;
- partition: the same two days copied into a table partitioned by day on published_at with the
  same indexes, and the older partition detached and dropped.

For each: wall time, WAL written, and the rows per second; the figures are then extrapolated to
a million articles a day. Without --dsn an embedded PostgreSQL in a temporary directory is used.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from config.catalogue import load_catalogue, sync_catalogue
from config.settings import Settings
from database.embedded import EmbeddedPostgres
from database.pool import create_pool, migrate
from ingestor import store

TOPICS = ["ekonomi", "politik", "hukum", "olahraga", "pendidikan", "kesehatan", "lingkungan"]
DAY = 86_400.0

# Articles lo..hi published evenly over the 48 hours before `now` (oldest first).
_ARTICLES = """
WITH p AS (SELECT array_agg(key ORDER BY key) AS keys FROM regions WHERE kind = 'province')
INSERT INTO articles (identity, url, canonical_url, source_id, title, summary, text, authors,
                      published_at, date_source, region, topics, content_hash)
SELECT 'ret/' || i, 'https://ret.example/berita/' || i || '/judul',
       'https://ret.example/berita/' || i || '/judul', 'bench',
       'Berita nomor ' || i || ' dari ' || p.keys[1 + i % 38],
       'Ringkasan berita nomor ' || i || ' tentang ' || ($4::text[])[1 + i % 7] || '.',
       repeat('Isi berita nomor ' || i || ' yang cukup panjang untuk sebuah paragraf. ', 20),
       '{Pewarta Bench}', $3::timestamptz - interval '48 hours'
         + (i * 172800.0 / $5) * interval '1 second', 'meta',
       p.keys[1 + i % 38], ARRAY[($4::text[])[1 + i % 7]], md5(i::text)
FROM generate_series($1::bigint, $2::bigint) AS i, p
"""
_LINKS = """
INSERT INTO article_regions (article_id, region, reason, published_at)
SELECT id, region, 'source', published_at FROM articles WHERE id > $1;
INSERT INTO article_topics (article_id, topic, reason, published_at)
SELECT id, topics[1], 'section', published_at FROM articles WHERE id > $1
"""
_INDEXED = ("published_at DESC, id DESC", "source_id, published_at DESC, id DESC",
            "region, published_at DESC, id DESC", "url", "canonical_url", "content_hash",
            "ingest_xid, id", "source_id, ingest_xid, id")  # fmt: skip
_COPIED = ("identity, url, canonical_url, source_id, title, summary, text, authors, published_at,"
           " date_source, region, topics, content_hash")  # fmt: skip


async def wal_position(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))


async def fill(pool: asyncpg.Pool, per_day: int) -> float:
    started = time.monotonic()
    total = 2 * per_day
    now = await pool.fetchval("SELECT now()")
    for lo in range(0, total, 100_000):
        async with pool.acquire() as conn, conn.transaction():
            before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM articles")
            hi = min(lo + 100_000, total) - 1
            await conn.execute(_ARTICLES, lo, hi, now, TOPICS, total)
            for statement in _LINKS.split(";"):
                await conn.execute(statement, before)
    await pool.execute("VACUUM ANALYZE articles, article_regions, article_topics")
    return time.monotonic() - started


async def batched(pool: asyncpg.Pool, batch: int) -> tuple[int, float, float, int]:
    """(rows, seconds deleting, seconds vacuuming, WAL bytes) for the older day."""
    async with pool.acquire() as conn:
        wal = await wal_position(conn)
    started = time.monotonic()
    rows = await store.delete_expired(pool, older_than=timedelta(days=1), batch=batch)
    deleting = time.monotonic() - started
    started = time.monotonic()
    await pool.execute("VACUUM articles, article_regions, article_topics")
    vacuuming = time.monotonic() - started
    async with pool.acquire() as conn:
        wal = await wal_position(conn) - wal
    return rows, deleting, vacuuming, wal


async def partitioned(pool: asyncpg.Pool) -> tuple[int, float, int]:
    """(rows, seconds, WAL bytes) to detach and drop the older of two daily partitions."""
    now = await pool.fetchval("SELECT now()")
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE articles_p (LIKE articles INCLUDING DEFAULTS INCLUDING GENERATED)"
            " PARTITION BY RANGE (published_at)"
        )
        for n, (lo, hi) in enumerate(((-3, -1), (-1, 1))):
            await conn.execute(
                f"CREATE TABLE articles_p{n} PARTITION OF articles_p FOR VALUES FROM"
                f" ('{now + timedelta(days=lo)}') TO ('{now + timedelta(days=hi)}')"
            )
        for n, columns in enumerate(_INDEXED):
            await conn.execute(f"CREATE INDEX articles_p_i{n} ON articles_p ({columns})")
        await conn.execute("CREATE INDEX articles_p_search ON articles_p USING gin (search)")
        # The newer day as it is, and again a day earlier in place of the one deleted above.
        for shift, prefix in ((timedelta(0), ""), (timedelta(days=1), "p")):
            await conn.execute(
                f"INSERT INTO articles_p ({_COPIED}) SELECT '{prefix}' || identity,"
                f" {_COPIED.split(', ', 1)[1].replace('published_at', 'published_at - $1::interval')}"
                " FROM articles",
                shift,
            )
        await conn.execute("VACUUM ANALYZE articles_p")
        rows = int(await conn.fetchval("SELECT count(*) FROM articles_p0"))
        wal = await wal_position(conn)
        started = time.monotonic()
        await conn.execute("ALTER TABLE articles_p DETACH PARTITION articles_p0")
        await conn.execute("DROP TABLE articles_p0")
        took = time.monotonic() - started
        wal = await wal_position(conn) - wal
        await conn.execute("DROP TABLE articles_p")
    return rows, took, wal


async def run(server_dsn: str, per_day: int) -> None:
    admin = await asyncpg.connect(server_dsn)
    name = "bench_retention"
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = server_dsn.rsplit("/", 1)[0] + f"/{name}"
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        await migrate(pool)
        await sync_catalogue(pool, load_catalogue())
        await pool.execute(
            "INSERT INTO sources (id, name, base_url, timezone, config)"
            " VALUES ('bench', 'Bench', 'https://ret.example', 'WITA', '{}')"
        )
        took = await fill(pool, per_day)
        size = await pool.fetchval("SELECT pg_size_pretty(pg_total_relation_size('articles'))")
        print(f"{2 * per_day:,} articles over two days generated in {took:.0f} s ({size})")
        batch = Settings().retention_batch
        rows, deleting, vacuuming, wal = await batched(pool, batch)
        print(
            f"batched delete: {rows:,} rows in {deleting:.1f} s ({rows / deleting:,.0f} rows/s,"
            f" batches of {batch}) + VACUUM {vacuuming:.1f} s; WAL {wal / 2**20:,.0f} MiB"
            f" ({wal / max(rows, 1):,.0f} bytes/row)"
        )
        p_rows, p_took, p_wal = await partitioned(pool)
        print(
            f"drop partition: {p_rows:,} rows in {p_took * 1000:.0f} ms;"
            f" WAL {p_wal / 1024:,.0f} KiB"
        )
        per_second = rows / (deleting + vacuuming)
        print("at 1,000,000 articles a day:")
        print(
            f"  batched: {1e6 / per_second / 60:.1f} min of database work a day,"
            f" {wal / max(rows, 1) * 1e6 / 2**30:.1f} GiB of WAL a day"
            f" ({1e6 / DAY:.1f} rows/s deleted on average)"
        )
        print(f"  monthly partitions: one DROP a month, {p_took * 1000:.0f} ms here, no row WAL")
    finally:
        await pool.close()
        admin = await asyncpg.connect(server_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=250_000, help="articles per day")
    parser.add_argument("--dsn", help="a PostgreSQL server DSN (default: embedded)")
    args = parser.parse_args()
    if args.dsn:
        asyncio.run(run(args.dsn, args.per_day))
        return 0
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp))
        try:
            asyncio.run(run(pg.start(), args.per_day))
        finally:
            pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
