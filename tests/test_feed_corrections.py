"""A correction moves the feed entry's updated time forward, even when the page's own
dateModified stays where it was (newsrooms often fix a story without touching it)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import asyncpg
import pytest
from lxml import etree

from database.records import ArticleRecord
from ingestor import store
from tests.test_feeds_support import T0, add_source, feed_settings, reset, serve

_ATOM = "{http://www.w3.org/2005/Atom}"
MODIFIED = T0 + timedelta(hours=1)  # the page's own dateModified


@pytest.fixture(scope="module")
async def base(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[str]:
    async with serve(feed_settings(database_url), pool, cache_entries=0) as (url, _app):
        yield url


async def entry_updated(base: str) -> dict[str, datetime]:
    """The one entry's updated time as each format says it."""
    out: dict[str, datetime] = {}
    async with aiohttp.ClientSession() as http:
        for fmt in ("atom", "rss", "json"):
            async with http.get(f"{base}/feeds/all.{fmt}") as resp:
                assert resp.status == 200
                body = await resp.read()
            if fmt == "json":
                (item,) = json.loads(body)["items"]
                stamp = item["date_modified"]
            else:
                tree = etree.fromstring(body)
                (node,) = tree.iter(f"{_ATOM}entry") if fmt == "atom" else tree.iter("item")
                found = node.find(f"{_ATOM}updated")
                if found is None:  # RSS says atom:updated only once it differs from pubDate
                    stamp = node.findtext("pubDate")
                    out[fmt] = datetime.strptime(stamp, "%a, %d %b %Y %H:%M:%S %z")
                    continue
                stamp = found.text
            out[fmt] = datetime.fromisoformat(stamp)
    return out


def stored(title: str, content_hash: str, updated_at: datetime | None) -> store.StoredArticle:
    url = "https://src-full.example/berita/1/banjir"
    record = ArticleRecord(
        url=url, title=title, canonical_url=url, summary="Ringkasan.", text="Satu.\n\nDua.",
        published_at=T0, date_source="jsonld", updated_at=updated_at, lang="id",
        region="kalsel", content_hash=content_hash,
    )  # fmt: skip
    return store.StoredArticle(
        record=record, identity=url, source_id="src-full", first_seen_at=T0,
        regions=(("kalsel", "source"),),
    )  # fmt: skip


async def test_a_correction_moves_the_entry_updated_forward(pool: asyncpg.Pool, base: str) -> None:
    await reset(pool)
    await add_source(pool, "src-full", republish="full")
    (article_id,) = await store.save_articles(pool, [stored("Banjir", "h1", MODIFIED)])
    assert set((await entry_updated(base)).values()) == {MODIFIED}

    # Fixed in place, dateModified untouched: the entry moves to when Warta saw the change.
    seen = datetime.now(UTC)
    corrected = stored("Banjir di Rantau", "h2", MODIFIED)
    assert await store.update_article(pool, article_id, corrected)
    after = await entry_updated(base)
    assert all(stamp >= seen.replace(microsecond=0) for stamp in after.values()), after
    assert len(set(after.values())) == 1, "every format says the same"
    assert await pool.fetchval("SELECT updated_at FROM articles") == MODIFIED, "record kept"

    # Corrected again with a dateModified past what the entry shows: the page's date counts.
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    assert await store.update_article(pool, article_id, stored("Banjir", "h3", later))
    assert set((await entry_updated(base)).values()) == {later}
