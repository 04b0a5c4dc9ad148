"""Both plans of a filtered feed give the same pages: the bounded walk and the facets index.

feeds.plan walks a bounded stretch of the driving index and, when that comes back short, asks
the GIN index over (facets, search). Here the budgets are cut to a few rows, so nearly every
feed below takes the index path, and each feed, followed page by page through its cursors, must
list exactly what the unbounded walk lists. The articles go in through the store, as in
production, with words that occur only with some topics (the case the index is there for).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import timedelta

import asyncpg
import pytest

from database.pool import create_pool, load_migrations
from database.records import ArticleRecord
from feeds import plan
from feeds.params import FeedParams, parse_params
from feeds.query import empty_feed_date, feed_page
from ingestor import store
from tests.conftest import with_database
from tests.test_feeds_support import T0, Art, add_source, insert, reset

REGIONS = ("kalsel", "kalsel/tapin", "kaltim", "jatim")
TOPICS = {"lingkungan": "banjir", "ekonomi": "harga", "olahraga": "laga", "hukum": "sidang"}
SOURCES = ("src-a", "src-b", "src-c")


def article(n: int, rng: random.Random) -> store.StoredArticle:
    source = rng.choice(SOURCES)
    topics = rng.sample(sorted(TOPICS), rng.randint(0, 2))
    regions = rng.sample(REGIONS, rng.randint(0, 2))
    words = [TOPICS[t] for t in topics] + rng.sample(["kota", "warga", "Dinas"], 1)
    url = f"https://{source}.example/berita/{n}"
    record = ArticleRecord(
        url=url, title=f"Berita {n} " + " ".join(words), canonical_url=url,
        summary=f"Nomor {n % 10} ringkasan.", text="Isi.", lang=rng.choice(["id", "id", "en"]),
        published_at=T0 - timedelta(minutes=rng.randrange(20_000)), date_source="meta",
        content_hash=f"h{n}",
    )  # fmt: skip
    return store.StoredArticle(
        record=record, identity=url, source_id=source, first_seen_at=T0,
        regions=tuple((r, "source") for r in regions),
        topics=tuple((t, 1.0, "keywords") for t in topics),
    )  # fmt: skip


@pytest.fixture(scope="module")
async def stored(pool: asyncpg.Pool) -> asyncpg.Pool:
    await reset(pool)
    for source in SOURCES:
        await add_source(pool, source)
    rng = random.Random(14)
    items = [article(n, rng) for n in range(600)]
    for lo in range(0, len(items), 50):  # 12 transactions: several ingestion xids
        await store.save_articles(pool, items[lo : lo + 50])
    await pool.execute("UPDATE articles SET duplicate_of = id - 1 WHERE id % 17 = 0")
    return pool


def random_params(rng: random.Random) -> FeedParams:
    query: dict[str, list[str]] = {"limit": [str(rng.randint(3, 12))]}
    for name in rng.sample(["q", "region", "topic", "source", "since", "filter", "lang"], 3):
        value = {
            "q": lambda: rng.choice([*TOPICS.values(), "kota", "nomor"]),
            "region": lambda: rng.choice(REGIONS),
            "topic": lambda: rng.choice(sorted(TOPICS)),
            "source": lambda: rng.choice(SOURCES),
            "since": lambda: (T0 - timedelta(minutes=rng.randrange(20_000))).isoformat(),
            "filter": lambda: rng.choice(["Nomor [12]", "warga", "zzz"]),
            "lang": lambda: "en",
        }[name]()
        query[name] = [value]
    if rng.random() < 0.3:
        query["duplicates"] = ["1"]
    return parse_params(query, default_limit=10, max_limit=50)


async def whole_feed(
    pool: asyncpg.Pool, params: FeedParams, *, ingestion: bool, ascending: bool
) -> list[list[int]]:
    """Every page's article ids, following the next cursor (a plain feed: its one page)."""
    pages = []
    for _ in range(200):
        page = await feed_page(pool, params, ingestion=ingestion, ascending=ascending)
        pages.append([row.id for row in page.rows])
        if not ingestion or page.next is None:
            return pages
        params = replace(params, cursor=page.next)
    raise AssertionError("the cursor never ended")


def cut_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan, "WALK_BUDGET", 2)
    monkeypatch.setattr(plan, "WALK_FACTOR", 1)
    monkeypatch.setattr(plan, "LONG_BUDGET", 4)
    monkeypatch.setattr(plan, "LONG_FACTOR", 2)


async def test_the_index_path_lists_what_the_walk_lists(
    stored: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan, "FILTER_WINDOW", 15)  # filtered pages end mid-feed too
    rng = random.Random(3)
    cases, nonempty = 0, 0
    for _ in range(60):
        params = random_params(rng)
        for ingestion, ascending in ((False, False), (True, False), (True, True)):
            monkeypatch.setattr(plan, "WALK_BUDGET", 10**9)
            walked = await whole_feed(stored, params, ingestion=ingestion, ascending=ascending)
            cut_budgets(monkeypatch)
            indexed = await whole_feed(stored, params, ingestion=ingestion, ascending=ascending)
            assert indexed == walked, (params.query, ingestion, ascending)
            cases += 1
            nonempty += any(walked)
    assert nonempty > cases // 3  # the comparison is not between empty feeds


async def test_a_word_that_never_meets_the_topic_gives_an_empty_feed_dated_by_its_scope(
    stored: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut_budgets(monkeypatch)
    params = parse_params({"q": ["laga"], "topic": ["hukum"]}, default_limit=10, max_limit=50)
    # "laga" is only ever written with olahraga; an article with both topics would have it.
    both = await stored.fetchval(
        "SELECT count(*) FROM articles WHERE facets @> '{t:hukum,t:olahraga}'"
    )
    page = await feed_page(stored, params, ingestion=False)
    assert bool(page.rows) == bool(both)
    newest = await stored.fetchval(
        "SELECT max(a.changed_at) FROM articles a JOIN article_topics t ON t.article_id = a.id"
        " WHERE t.topic = 'hukum'"
    )
    assert await empty_feed_date(stored, params) == newest


async def test_facets_follow_the_links_the_store_writes(stored: asyncpg.Pool) -> None:
    mismatched = await stored.fetchval(
        """
        SELECT count(*) FROM articles a WHERE a.facets IS DISTINCT FROM (
            SELECT array_agg(f ORDER BY f) FROM (
                SELECT 'r:' || region AS f FROM article_regions WHERE article_id = a.id
                UNION SELECT 't:' || topic FROM article_topics WHERE article_id = a.id
                UNION SELECT 's:' || a.source_id) x)
        """
    )
    assert mismatched == 0


async def test_pairs_follow_the_facets_through_a_correction(stored: asyncpg.Pool) -> None:
    """Feeds naming a region and a topic walk article_pairs (migration 0010), which a trigger
    derives from the facets: it must hold every (region, topic) of every article, also after
    a correction moves an article to other regions and topics."""
    rng = random.Random(5)
    item = article(10_000, rng)
    moved = replace(
        item,
        record=replace(item.record, content_hash="corrected"),
        regions=(("jatim", "source"), ("kalsel/tapin", "source")),
        topics=(("hukum", 1.0, "keywords"), ("olahraga", 1.0, "keywords")),
    )
    article_id = await stored.fetchval("SELECT min(id) FROM articles")
    assert await store.update_article(stored, article_id, moved)
    mismatched = await stored.fetchval(
        """
        SELECT count(*) FROM articles a WHERE ARRAY(
            SELECT p.pair || p.published_at::text FROM article_pairs p
            WHERE p.article_id = a.id ORDER BY 1
        ) IS DISTINCT FROM ARRAY(
            SELECT r.region || '|' || t.topic || a.published_at::text
            FROM article_regions r, article_topics t
            WHERE r.article_id = a.id AND t.article_id = a.id ORDER BY 1
        )
        """
    )
    assert mismatched == 0
    pairs = await stored.fetch(
        "SELECT pair FROM article_pairs WHERE article_id = $1 ORDER BY pair", article_id
    )
    assert [p["pair"] for p in pairs] == [
        "jatim|hukum", "jatim|olahraga", "kalsel/tapin|hukum", "kalsel/tapin|olahraga",
    ]  # fmt: skip


async def test_the_pairs_migration_fills_the_pairs_of_articles_stored_before_it(
    pg_server_dsn: str,
) -> None:
    name = f"t_pairs_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_server_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    db = await create_pool(with_database(pg_server_dsn, name), max_size=2)
    try:
        migrations = load_migrations()
        pairs = next(i for i, m in enumerate(migrations) if m.version == 10)
        async with db.acquire() as conn:
            for migration in migrations[:pairs]:
                await conn.execute(migration.sql)
        await add_source(db, "src-kalsel")
        old = await insert(db, Art("Lama", regions=("kalsel", "kalsel/tapin"), topics=("hukum",)))
        async with db.acquire() as conn, conn.transaction():
            await conn.execute(migrations[pairs].sql)
        rows = await db.fetch("SELECT pair, article_id FROM article_pairs ORDER BY pair")
        assert [(r["pair"], r["article_id"]) for r in rows] == [
            ("kalsel/tapin|hukum", old), ("kalsel|hukum", old),
        ]  # fmt: skip
    finally:
        await db.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
