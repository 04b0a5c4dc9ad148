"""Helpers for the feed server's tests: articles written with plain SQL as the write side does,
NOTIFY as the write side sends it, and the real app served on loopback. (No tests in here.)"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web

from config.settings import Settings, load_settings
from database.facets import facets as article_facets
from feeds.app import make_app
from tests.conftest import free_port

T0 = datetime(2025, 12, 18, 8, 0, tzinfo=UTC)


def feed_settings(database_url: str, **changes: Any) -> Settings:
    base = load_settings({"WARTA_DATABASE_URL": database_url, "WARTA_PORT": str(free_port())})
    return replace(base, **changes)


async def add_source(
    pool: asyncpg.Pool,
    source_id: str = "src-kalsel",
    *,
    name: str = "ANTARA Kalimantan Selatan",
    republish: str = "summary",
    rights: str | None = "Hak cipta ANTARA",
    timezone: str = "WITA",
) -> str:
    await pool.execute(
        "INSERT INTO sources (id, name, base_url, province, timezone, republish, rights, config)"
        " VALUES ($1, $2, $3, 'kalsel', $4, $5, $6, '{}')"
        " ON CONFLICT (id) DO UPDATE SET name = $2, republish = $5, rights = $6, timezone = $4",
        source_id,
        name,
        f"https://{source_id}.example",
        timezone,
        republish,
        rights,
    )
    return source_id


@dataclass(frozen=True, slots=True)
class Art:
    """An article as the tests write it; regions are link keys ('kalsel', 'kalsel/tapin')."""

    title: str
    source: str = "src-kalsel"
    summary: str | None = "Ringkasan berita."
    text: str = "Paragraf pertama.\n\nParagraf kedua."
    published_at: datetime = T0
    updated_at: datetime | None = None
    authors: tuple[str, ...] = ("Ani",)
    regions: tuple[str, ...] = ("kalsel",)
    topics: tuple[str, ...] = ()
    lang: str = "id"
    image: str | None = None
    image_caption: str | None = None
    related: tuple[tuple[str, str], ...] = ()
    url: str | None = None
    duplicate_of: int | None = None


_INSERT = """
INSERT INTO articles (identity, url, canonical_url, source_id, title, summary, text, authors,
    published_at, date_source, updated_at, lang, image, image_caption, region, regency, topics,
    related, content_hash, duplicate_of, facets)
VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, 'meta', $9, $10, $11, $12, $13, $14, $15, $16,
    md5($1), $17, $18)
RETURNING id
"""
_counter = [0]


async def insert(
    conn: asyncpg.Connection | asyncpg.Pool, art: Art, *, notify: bool = True, facets: bool = True
) -> int:
    """Store one article with its links (in the caller's transaction when given a connection);
    `facets=False` for a schema from before migration 0009."""
    _counter[0] += 1
    url = art.url or f"https://{art.source}.example/berita/{_counter[0]}/artikel-{_counter[0]}"
    province = next((r for r in art.regions if "/" not in r), None)
    regency = next((r.split("/", 1)[1] for r in art.regions if "/" in r), None)
    args = (
        url, url, art.source, art.title, art.summary, art.text, list(art.authors),
        art.published_at, art.updated_at, art.lang, art.image, art.image_caption, province,
        regency, list(art.topics), [{"title": t, "url": u} for t, u in art.related],
        art.duplicate_of, article_facets(art.regions, art.topics, art.source) if facets else None,
    )  # fmt: skip
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as c, c.transaction():
            return await _insert(c, art, args, notify)
    return await _insert(conn, art, args, notify)


async def _insert(conn: asyncpg.Connection, art: Art, args: tuple[Any, ...], notify: bool) -> int:
    if args[-1] is None:  # a schema from before the facets (migration 0009)
        sql = _INSERT.replace(", facets)", ")").replace(", $18)", ")")
        article_id: int = await conn.fetchval(sql, *args[:-1])
    else:
        article_id = await conn.fetchval(_INSERT, *args)
    for key in art.regions:
        await conn.execute(
            "INSERT INTO article_regions (article_id, region, reason, published_at)"
            " VALUES ($1, $2, 'source', $3)",
            article_id,
            key,
            art.published_at,
        )
    for slug in art.topics:
        await conn.execute(
            "INSERT INTO article_topics (article_id, topic, reason, published_at)"
            " VALUES ($1, $2, 'keywords', $3)",
            article_id,
            slug,
            art.published_at,
        )
    if notify:
        await send_notify(conn, regions=art.regions, topics=art.topics, sources=(art.source,))
    return article_id


async def send_notify(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    regions: Sequence[str] = (),
    topics: Sequence[str] = (),
    sources: Sequence[str] = (),
    everything: bool = False,
) -> None:
    """The write side's NOTIFY, exactly as the contract says (run it in the storing transaction)."""
    payload = (
        "{}"
        if everything
        else json.dumps(
            {"regions": list(regions), "topics": list(topics), "sources": list(sources)}
        )
    )
    await conn.execute("SELECT pg_notify('warta_articles', $1)", payload)


async def many(pool: asyncpg.Pool, count: int, **fields: Any) -> list[int]:
    """`count` articles a minute apart, oldest first, in one transaction."""
    ids = []
    prefix = fields.pop("prefix", "Berita")
    async with pool.acquire() as conn, conn.transaction():
        for i in range(count):
            art = Art(
                title=f"{prefix} {i}",
                published_at=T0 + timedelta(minutes=i),
                **fields,
            )
            ids.append(await insert(conn, art, notify=i == count - 1))
    return ids


async def reset(pool: asyncpg.Pool) -> None:
    await pool.execute(
        "TRUNCATE articles, article_regions, article_topics, ingestion_log, sources"
        " RESTART IDENTITY CASCADE"
    )


@asynccontextmanager
async def serve(
    settings: Settings, pool: asyncpg.Pool, **app_options: Any
) -> AsyncIterator[tuple[str, web.Application]]:
    """The real feed app on 127.0.0.1:settings.port; yields its base URL and the app."""
    app = make_app(settings, pool, **app_options)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    try:
        yield f"http://127.0.0.1:{settings.port}", app
    finally:
        await runner.cleanup()


async def fetch(
    http: aiohttp.ClientSession, url: str, **kwargs: Any
) -> tuple[int, bytes, dict[str, str]]:
    async with http.get(url, **kwargs) as resp:
        return resp.status, await resp.read(), dict(resp.headers)
