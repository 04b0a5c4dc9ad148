"""SQL for learned site templates: the layout per source, its drift counters, recent pages to learn from."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from ingestor.extract import LearnedTemplate

__all__ = [
    "StoredTemplate",
    "count_template_use",
    "keep_pages",
    "load_template",
    "recent_pages",
    "save_template",
]


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    """A template as stored, with how it fared on the pages read since it was learned."""

    template: LearnedTemplate
    pages_read: int
    pages_missed: int


async def load_template(pool: asyncpg.Pool, source_id: str) -> StoredTemplate | None:
    """The source's learned template, or None when none has been learned."""
    row = await pool.fetchrow(
        "SELECT layout, page_urls, confidence, learned_at, pages_read, pages_missed"
        " FROM learned_templates WHERE source_id = $1",
        source_id,
    )
    if row is None:
        return None
    template = LearnedTemplate.from_layout(
        json.loads(row["layout"]),
        confidence=float(row["confidence"]),
        pages=tuple(row["page_urls"]),
        learned_at=row["learned_at"],
    )
    return StoredTemplate(template, row["pages_read"], row["pages_missed"])


async def save_template(
    pool: asyncpg.Pool, source_id: str, template: LearnedTemplate, now: datetime
) -> None:
    """Store (or replace) the source's template; the drift counters start again at zero."""
    await pool.execute(
        "INSERT INTO learned_templates (source_id, layout, page_urls, confidence, learned_at)"
        " VALUES ($1, $2::jsonb, $3, $4, $5)"
        " ON CONFLICT (source_id) DO UPDATE SET layout = EXCLUDED.layout,"
        " page_urls = EXCLUDED.page_urls, confidence = EXCLUDED.confidence,"
        " learned_at = EXCLUDED.learned_at, pages_read = 0, pages_missed = 0",
        source_id,
        json.dumps(template.layout()),
        list(template.pages),
        template.confidence,
        now,
    )


async def count_template_use(pool: asyncpg.Pool, source_id: str, read: int, missed: int) -> None:
    """Add a run's pages to the template's drift counters."""
    await pool.execute(
        "UPDATE learned_templates SET pages_read = pages_read + $2,"
        " pages_missed = pages_missed + $3 WHERE source_id = $1",
        source_id,
        read,
        missed,
    )


async def keep_pages(
    pool: asyncpg.Pool,
    source_id: str,
    pages: Sequence[tuple[str, str]],
    now: datetime,
    *,
    limit: int,
) -> None:
    """Keep these (url, html) pages for learning; only the `limit` newest per source stay."""
    if not pages or limit <= 0:
        return
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO template_pages (source_id, url, html, fetched_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (source_id, url) DO UPDATE SET html = EXCLUDED.html,"
            " fetched_at = EXCLUDED.fetched_at",
            [(source_id, url, html, now) for url, html in pages],
        )
        await conn.execute(
            "DELETE FROM template_pages WHERE source_id = $1 AND url NOT IN ("
            " SELECT url FROM template_pages WHERE source_id = $1"
            " ORDER BY fetched_at DESC, url LIMIT $2)",
            source_id,
            limit,
        )


async def recent_pages(
    pool: asyncpg.Pool, source_id: str, since: datetime | None = None
) -> list[tuple[str, str]]:
    """The kept pages of a source (fetched after `since`, when given), newest first."""
    rows = await pool.fetch(
        "SELECT url, html FROM template_pages WHERE source_id = $1"
        " AND ($2::timestamptz IS NULL OR fetched_at > $2) ORDER BY fetched_at DESC, url",
        source_id,
        since,
    )
    return [(row["url"], row["html"]) for row in rows]
