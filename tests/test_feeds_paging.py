"""Paged feeds (RFC 5005) and the API cursor: walked while articles keep arriving, including
transactions that commit out of order, a poller sees every article exactly once."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import timedelta
from typing import Any

import aiohttp
import asyncpg
import feedparser

from tests.test_feeds_support import T0, Art, add_source, feed_settings, insert, many, reset, serve

LIMIT = 7


async def get_json(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(url) as resp:
        assert resp.status == 200, await resp.text()
        data: dict[str, Any] = json.loads(await resp.read())
        return data


async def test_paged_feed_links_follow_rfc_5005(database_url: str, pool: asyncpg.Pool) -> None:
    await reset(pool)
    await add_source(pool)
    await many(pool, 10)
    settings = feed_settings(database_url)
    async with serve(settings, pool) as (base, _app), aiohttp.ClientSession() as http:
        async with http.get(f"{base}/feeds/kalsel.atom?limit=4") as resp:
            plain = feedparser.parse(await resp.read())
        rels = {link.rel: link.href for link in plain.feed.links}
        assert rels["first"] == f"{base}/feeds/kalsel.atom?limit=4&page=1"
        url: str | None = rels["first"]
        titles: list[str] = []
        archives = []
        while url:
            async with http.get(url) as resp:
                body = await resp.read()
                cache = resp.headers["Cache-Control"]
                assert 'rel="first"' in resp.headers["Link"]  # RFC 8288 links too
            doc = feedparser.parse(body)
            rels = {link.rel: link.href for link in doc.feed.links}
            assert rels["current"] == f"{base}/feeds/kalsel.atom?limit=4"
            assert rels["first"].endswith("page=1")
            assert rels.get("next") == rels.get("prev-archive")
            archives.append(b"<fh:archive/>" in body)
            if "cursor=" in url:
                assert "max-age=3600" in cache, "archive pages are stable"
            titles += [e.title for e in doc.entries]
            url = rels.get("next")
    assert titles == [f"Berita {i}" for i in reversed(range(10))]  # ingestion order, newest first
    assert archives == [False, True, True]


async def test_pollers_see_every_article_exactly_once_while_articles_arrive(
    database_url: str, pool: asyncpg.Pool
) -> None:
    await reset(pool)
    await add_source(pool)
    await many(pool, 25, prefix="Awal")
    rng = random.Random(7)
    done = asyncio.Event()

    async def writer() -> None:
        for round_ in range(12):
            # An ordinary batch, with publication times all over the place.
            async with pool.acquire() as conn, conn.transaction():
                for i in range(3):
                    when = T0 + timedelta(minutes=rng.randint(-5000, 5000))
                    await insert(conn, Art(f"Batch {round_}.{i}", published_at=when))
            # Out of order: A takes its id first but commits after B.
            async with pool.acquire() as conn_a:
                tx = conn_a.transaction()
                await tx.start()
                await insert(conn_a, Art(f"Lambat {round_}"))
                await insert(pool, Art(f"Cepat {round_}"))
                await asyncio.sleep(0.06)  # pollers walk while A is still open
                await tx.commit()
            await asyncio.sleep(0.01)
        done.set()

    async def feed_poller(base: str) -> tuple[list[str], int]:
        seen: list[str] = []
        known: set[str] = set()
        walks = 0
        async with aiohttp.ClientSession() as http:
            while True:
                final = done.is_set()
                fresh: list[str] = []
                url: str | None = f"{base}/feeds/kalsel.json?limit={LIMIT}&page=1"
                while url:
                    doc = await get_json(http, url)
                    ids = [item["id"] for item in doc["items"]]
                    old = next((i for i, x in enumerate(ids) if x in known), None)
                    fresh += ids if old is None else ids[:old]
                    # Newest first: once a known article shows, the rest is known too.
                    url = doc.get("next_url") if old is None else None
                assert len(fresh) == len(set(fresh)), "one walk shows an article once"
                seen += fresh
                known.update(fresh)
                walks += 1
                if final:
                    return seen, walks
                await asyncio.sleep(0.005)

    async def api_poller(base: str) -> list[int]:
        got: list[int] = []
        cursor = None
        async with aiohttp.ClientSession() as http:
            while True:
                final = done.is_set()
                query = f"limit=9&cursor={cursor}" if cursor else "limit=9"
                doc = await get_json(http, f"{base}/api/v1/articles?{query}")
                got += [a["id"] for a in doc["articles"]]
                cursor = doc["cursor"] or cursor
                if doc["next"] is None:
                    if final:
                        return got
                    await asyncio.sleep(0.005)

    async with serve(feed_settings(database_url), pool) as (base, _app):
        (seen, walks), got, _ = await asyncio.gather(feed_poller(base), api_poller(base), writer())
    stored = await pool.fetch("SELECT id, canonical_url FROM articles ORDER BY id")
    assert len(stored) == 25 + 12 * 5
    assert walks > 20, "the poller walked many times while articles arrived"
    assert sorted(seen) == sorted(r["canonical_url"] for r in stored)
    assert len(seen) == len(set(seen))
    assert sorted(got) == [r["id"] for r in stored] and len(got) == len(set(got))
