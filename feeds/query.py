"""Read-only SQL of the read side: which feeds exist and the newest articles for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

__all__ = ["FeedQuery", "FeedRow", "RegionRow", "latest", "lookup_region", "topic_exists"]


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """What one feed shows: all articles, or those linked to a region key and/or a topic."""

    region: str | None = None  # 'kalsel' or 'kalsel/tapin'
    topic: str | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One article as feeds need it (no full text unless the source allows republishing it)."""

    id: int
    url: str
    canonical_url: str
    title: str
    summary: str | None
    text: str | None
    authors: tuple[str, ...]
    published_at: datetime
    updated_at: datetime | None
    ingested_at: datetime
    image: str | None
    section: str | None
    region: str | None
    regency: str | None
    topics: tuple[str, ...]
    source_id: str
    source_name: str
    republish: str
    rights: str | None


@dataclass(frozen=True, slots=True)
class RegionRow:
    key: str
    slug: str
    province: str
    kind: str
    name: str


_COLUMNS = """
    a.id, a.url, a.canonical_url, a.title, a.summary,
    CASE WHEN s.republish = 'full' THEN a.text END AS text,
    a.authors, a.published_at, a.updated_at, a.ingested_at, a.image, a.section, a.region,
    a.regency, a.topics, a.source_id, s.name AS source_name, s.republish, s.rights
"""


def _row(record: asyncpg.Record) -> FeedRow:
    data: dict[str, Any] = dict(record)
    data["authors"] = tuple(data["authors"] or ())
    data["topics"] = tuple(data["topics"] or ())
    return FeedRow(**data)


async def latest(pool: asyncpg.Pool, query: FeedQuery) -> list[FeedRow]:
    """Newest `limit` articles for the query, newest first, through the link-table indexes."""
    params: list[Any] = []
    joins: list[str] = []
    if query.region is not None:
        params.append(query.region)
        joins.append(f"JOIN article_regions r ON r.article_id = a.id AND r.region = ${len(params)}")
    if query.topic is not None:
        params.append(query.topic)
        joins.append(f"JOIN article_topics t ON t.article_id = a.id AND t.topic = ${len(params)}")
    params.append(query.limit)
    sql = (
        f"SELECT {_COLUMNS} FROM articles a JOIN sources s ON s.id = a.source_id "
        + " ".join(joins)
        + f" ORDER BY a.published_at DESC, a.id DESC LIMIT ${len(params)}"
    )
    return [_row(r) for r in await pool.fetch(sql, *params)]


async def lookup_region(pool: asyncpg.Pool, key: str) -> RegionRow | None:
    """The province ('kalsel') or regency ('kalsel/tapin') behind a feed path, if it exists."""
    row = await pool.fetchrow(
        "SELECT key, slug, province, kind, name FROM regions WHERE key = $1", key
    )
    return RegionRow(**dict(row)) if row else None


async def topic_exists(pool: asyncpg.Pool, slug: str) -> bool:
    return bool(await pool.fetchval("SELECT EXISTS (SELECT 1 FROM topics WHERE slug = $1)", slug))
