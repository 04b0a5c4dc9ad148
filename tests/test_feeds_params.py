"""Feed query parameters: each filter, their combinations, 404 for unknown slugs, 400 for bad ones."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import quote

import aiohttp
import asyncpg
import pytest

from database.pool import create_pool
from tests.test_feeds_support import T0, Art, add_source, feed_settings, insert, reset, serve


@pytest.fixture(scope="module")
async def base(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[str]:
    await reset(pool)
    await add_source(pool, "src-kalsel")
    await add_source(pool, "src-jatim", name="ANTARA Jawa Timur", timezone="WIB")
    rows = [
        Art("Banjir melanda Tapin", regions=("kalsel", "kalsel/tapin"), topics=("lingkungan",)),
        Art("Harga karet naik di Banjarmasin", regions=("kalsel", "kalsel/banjarmasin"),
            topics=("ekonomi",), published_at=T0 + timedelta(hours=1)),
        Art("Festival kuliner Surabaya", source="src-jatim", regions=("jatim", "jatim/surabaya"),
            topics=("ekonomi",), published_at=T0 + timedelta(hours=2)),
        Art("Pasar terapung ramai", summary="Kunjungan ke pasar di Lok Baintan meningkat",
            regions=("kalsel",), topics=("ekonomi",), published_at=T0 + timedelta(hours=3)),
        Art("Pemprov rilis data ékspor kopi", regions=("kalsel",),
            published_at=T0 + timedelta(hours=4)),
        Art("English desk: flood relief", lang="en", regions=("kalsel",),
            published_at=T0 + timedelta(hours=5)),
    ]  # fmt: skip
    ids = [await insert(pool, art) for art in rows]
    # A syndicated copy of the flood story, from another bureau: collapsed unless duplicates=1.
    await insert(
        pool,
        Art("Banjir melanda Tapin (salinan)", source="src-jatim", regions=("kalsel",),
            topics=("lingkungan",), duplicate_of=ids[0], published_at=T0 + timedelta(minutes=5)),
    )  # fmt: skip
    async with serve(feed_settings(database_url), pool) as (url, _app):
        yield url


async def titles(base: str, path: str) -> list[str]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        assert resp.status == 200, await resp.text()
        return [item["title"] for item in json.loads(await resp.read())["items"]]


async def status_text(base: str, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        return resp.status, await resp.text()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/feeds/all.json?limit=2", ["English desk: flood relief", "Pemprov rilis data ékspor kopi"]),
        ("/feeds/kalsel/tapin.json", ["Banjir melanda Tapin"]),
        ("/feeds/topics/ekonomi.json", ["Pasar terapung ramai", "Festival kuliner Surabaya",
                                        "Harga karet naik di Banjarmasin"]),
        ("/feeds/topics/ekonomi.json?region=kalsel",
         ["Pasar terapung ramai", "Harga karet naik di Banjarmasin"]),
        ("/feeds/kalsel.json?topic=ekonomi&region=kalsel/banjarmasin",
         ["Harga karet naik di Banjarmasin"]),
        ("/feeds/all.json?source=src-jatim", ["Festival kuliner Surabaya"]),
        ("/feeds/all.json?lang=en", ["English desk: flood relief"]),
        # Full text: 'simple' configuration, accents folded both ways, summary included.
        ("/feeds/all.json?q=ekspor", ["Pemprov rilis data ékspor kopi"]),
        ("/feeds/all.json?q=%C3%A9kspor%20KOPI", ["Pemprov rilis data ékspor kopi"]),
        ("/feeds/all.json?q=baintan", ["Pasar terapung ramai"]),
        ("/feeds/all.json?q=banjir%20-tapin", []),
        ("/feeds/all.json?q=%21%21%20%3A", []),  # no words at all: nothing, and no error
        (f"/feeds/all.json?since={quote('2025-12-18T11:00:00+00:00')}"
         f"&until={quote('2025-12-18T19:30:00+07:00')}",
         ["Pemprov rilis data ékspor kopi", "Pasar terapung ramai"]),
        ("/feeds/all.json?filter=karet|kuliner", ["Festival kuliner Surabaya",
                                                   "Harga karet naik di Banjarmasin"]),
        (r"/feeds/kalsel.json?filter=\bpasar\b&filterout=terapung", []),
        (r"/feeds/kalsel.json?filter=\bpasar\b", ["Pasar terapung ramai"]),
        ("/feeds/kalsel.json?filterout=^(banjir|harga|pasar|pemprov)", ["English desk: flood relief"]),
        ("/feeds/topics/lingkungan.json", ["Banjir melanda Tapin"]),
        ("/feeds/topics/lingkungan.json?duplicates=1",
         ["Banjir melanda Tapin (salinan)", "Banjir melanda Tapin"]),
    ],
)  # fmt: skip
async def test_filters_select_the_right_articles(base: str, path: str, expected: list[str]) -> None:
    assert await titles(base, path) == expected


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/feeds/atlantis.rss", "atlantis"),
        ("/feeds/kalsel/atlantis.atom", "kalsel/atlantis"),
        ("/feeds/topics/astrologi.json", "astrologi"),
        ("/feeds/all.rss?topic=astrologi", "astrologi"),
        ("/feeds/all.rss?region=kalsel/atlantis", "kalsel/atlantis"),
        ("/feeds/all.rss?source=nobody", "nobody"),
    ],
)
async def test_unknown_slugs_are_404(base: str, path: str, needle: str) -> None:
    status, text = await status_text(base, path)
    assert status == 404 and needle in text


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("since=yesterday", "since"),
        ("since=2025-12-18T08:00:00", "since"),  # no offset: ambiguous, refused
        ("since=2025-12-19T00:00:00Z&until=2025-12-18T00:00:00Z", "since"),
        ("lang=Indonesian", "lang"),
        ("topic=Ekonomi!", "topic"),
        ("region=../etc", "region"),
        ("duplicates=maybe", "duplicates"),
        ("page=0", "page"),
        ("page=1&cursor=1-1", "page"),
        ("cursor=garbage", "cursor"),
        ("cursor=ffffffffffffffff-1", "cursor"),  # beyond PostgreSQL's bigint
        ("cursor=1-8000000000000000", "cursor"),
        ("filter=" + "a" * 201, "filter"),
        ("filter=(unclosed", "filter"),
        ("filterout=a{2,1}", "filterout"),
        ("q=" + "kata%20" * 60, "q"),
        ("topic=ekonomi&topic=bencana", "topic"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    base: str, query: str, name: str
) -> None:
    status, text = await status_text(base, f"/feeds/all.rss?{query}")
    assert status == 400, text
    assert text.startswith(f"{name}:"), text


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"((a|b){1,20}){1,255}\1b\1", "nested repeats over 1000"),
        (r"(a|b)*c\1", "backreferences"),
    ],
)
async def test_a_costly_pattern_is_refused_before_it_runs(
    database_url: str, pool: asyncpg.Pool, pattern: str, reason: str
) -> None:
    """A backreference makes PostgreSQL's regex engine backtrack (the first pattern takes
    minutes on a 5 KB title), and nested counted repeats blow up its automaton: both are the
    client's 400 at once, and the database never sees them."""
    article_id = await insert(pool, Art("ab" * 2500, regions=("kalsel",)))
    settings = feed_settings(database_url, feed_query_timeout=30.0)
    try:
        async with serve(settings, pool) as (url, _app), aiohttp.ClientSession() as http:
            started = time.monotonic()
            async with http.get(f"{url}/feeds/all.rss?filter={quote(pattern)}") as resp:
                text = await resp.text()
            assert resp.status == 400 and text.startswith(f"filter: {reason}"), text
            assert time.monotonic() - started < 1.0, "refused before any query ran"
    finally:
        await pool.execute("DELETE FROM articles WHERE id = $1", article_id)


@pytest.mark.parametrize("where", ["client", "server"])
async def test_a_filtered_feed_that_times_out_under_load_is_503_with_retry_after(
    database_url: str, pool: asyncpg.Pool, where: str
) -> None:
    """A plain pattern whose query runs out of time because the server is busy (here: a
    writer holds the articles table) is not the client's fault: 503 with Retry-After, whether
    our own query timeout or the database's statement_timeout fired first; the query is
    cancelled on the server, and other feeds are answered meanwhile."""
    timeouts = {"client": (0.5, None), "server": (30.0, "500")}[where]
    settings = feed_settings(database_url, feed_query_timeout=timeouts[0])
    # asyncpg passes a DSN's unknown query parameters on as the session's settings.
    dsn = database_url + ("&" if "?" in database_url else "?") + f"statement_timeout={timeouts[1]}"
    feeds_pool = await create_pool(dsn if timeouts[1] else database_url, max_size=4)
    blocker = await asyncpg.connect(database_url)
    try:
        async with serve(settings, feeds_pool) as (url, _app), aiohttp.ClientSession() as http:
            async with blocker.transaction():
                await blocker.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
                async with http.get(f"{url}/feeds/all.rss?filter=Banjir") as resp:
                    text = await resp.text()
                    assert resp.status == 503, text
                    assert resp.headers["Retry-After"] == "5"
                    assert text == "feed query took too long"
            async with http.get(f"{url}/feeds/all.rss?filter=Banjir") as resp:
                assert resp.status == 200, "the same pattern runs once the load is gone"
        for _ in range(20):  # the cancel request is asynchronous; give it a moment
            running = await pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE state = 'active' AND query LIKE '%~*%' AND pid <> pg_backend_pid()"
            )
            if not running:
                break
            await asyncio.sleep(0.05)
        assert running == 0, "the query was cancelled on the server"
    finally:
        await blocker.close()
        await feeds_pool.close()
