"""Read-only SQL of the read side: pages of articles for a feed or the API, and single articles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from feeds import plan
from feeds.horizon import ingest_horizon
from feeds.params import Cursor, FeedParams
from feeds.plan import FILTER_WINDOW

__all__ = [
    "FILTER_WINDOW", "ArticleRow", "Page", "article", "articles", "empty_feed_date", "feed_page",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One article with its source, as feeds and the API show it.

    `text` is empty and `summary` None where the source's republish policy withholds them.
    """

    id: int
    url: str
    canonical_url: str
    source_id: str
    source_name: str
    source_url: str
    source_timezone: str
    republish: str
    rights: str | None
    title: str
    summary: str | None
    text: str
    authors: tuple[str, ...]
    published_at: datetime
    published_raw: str | None
    date_source: str
    updated_at: datetime | None
    lang: str | None
    image: str | None
    image_caption: str | None
    section: str | None
    tags: tuple[str, ...]
    place: str | None
    region: str | None
    regency: str | None
    topics: tuple[str, ...]
    related: tuple[tuple[str, str], ...]  # (title, url) of "Baca juga" links
    content_hash: str
    duplicate_of: int | None
    duplicate_of_url: str | None
    changed_at: datetime
    ingest_xid: int
    revised_at: datetime | None = None  # when Warta saw a correction (see feeds.entry.updated)

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.ingest_xid, self.id)


@dataclass(frozen=True, slots=True)
class Page:
    """Rows of one page, where the next page starts (None: exhausted), where to resume, and
    whether the page is settled (only settled pages may be cached)."""

    rows: tuple[ArticleRow, ...]
    next: Cursor | None
    resume: Cursor | None
    settled: bool = True  # False: articles committed above the horizon may join this page


_COLUMNS = """
    a.id, a.url, a.canonical_url, a.source_id, s.name AS source_name, s.base_url AS source_url,
    s.timezone AS source_timezone, s.republish, s.rights, a.title,
    CASE WHEN s.republish = 'title' THEN NULL ELSE a.summary END AS summary,
    CASE WHEN s.republish = 'full' THEN a.text ELSE '' END AS text,
    a.authors, a.published_at, a.published_raw, a.date_source, a.updated_at, a.lang, a.image,
    a.image_caption, a.section, a.tags, a.place, a.region, a.regency, a.topics, a.related,
    a.content_hash, a.duplicate_of, c.canonical_url AS duplicate_of_url, a.changed_at,
    a.ingest_xid, a.revised_at
"""
_ROWS = f"""
SELECT {_COLUMNS}
FROM articles a JOIN sources s ON s.id = a.source_id LEFT JOIN articles c ON c.id = a.duplicate_of
WHERE a.id = ANY($1::bigint[])
"""


def _row(record: asyncpg.Record) -> ArticleRow:
    data: dict[str, Any] = dict(record)
    for name in ("authors", "tags", "topics"):
        data[name] = tuple(data[name] or ())
    related = data["related"] if isinstance(data["related"], list) else []
    data["related"] = tuple(
        (str(r.get("title") or ""), str(r["url"]))
        for r in related
        if isinstance(r, dict) and r.get("url")
    )
    return ArticleRow(**data)


async def _rows(conn: asyncpg.Pool | asyncpg.Connection, ids: Sequence[int]) -> list[ArticleRow]:
    if not ids:
        return []
    found = {r["id"]: _row(r) for r in await conn.fetch(_ROWS, list(ids))}
    return [found[i] for i in ids if i in found]


async def _scan(
    pool: asyncpg.Pool,
    params: FeedParams,
    horizon: int | None,
    ascending: bool,
    query_timeout: float | None,
) -> list[Mapping[str, Any]]:
    """The rows of one page's window (feeds.plan says why in this order): a bounded walk; a
    longer one, going on from where the first stopped, when the first found matches at a rate
    that fills the window within it; the index when a walk came back short only because it
    ran out of rows to read."""
    if not plan.indexable(params) or plan.offset(params):
        sql, args = plan.walk(params, horizon=horizon, ascending=ascending, limit=None)
        return list(await pool.fetch(sql, *args, timeout=query_timeout))
    needed, rows, hidden = plan.window(params), list[Mapping[str, Any]](), False
    after: plan.Position | None = None
    read = 0
    for limit in (plan.budget(params), plan.long_budget(params)):
        sql, args = plan.walk(
            params, horizon=horizon, ascending=ascending, limit=limit - read, after=after,
            take=needed - len(rows),
        )  # fmt: skip
        part = await pool.fetch(sql, *args, timeout=query_timeout)
        # Any statement that saw articles waiting above the horizon makes the head provisional.
        hidden = hidden or bool(horizon is not None and part and part[0]["hidden"])
        rows += [r for r in part if r["id"] is not None]
        if len(rows) >= needed:
            return _with_hidden(rows, horizon, hidden)
        sql, args = plan.walk_end(
            params, horizon=horizon, ascending=ascending, limit=limit - read, after=after
        )
        end = await pool.fetchrow(sql, *args, timeout=query_timeout)
        if end is None:
            return _with_hidden(rows, horizon, hidden)  # the end of the feed's range: whole
        after, read = (end[0], end[1]), limit
        if not rows or needed * limit / len(rows) > plan.long_budget(params):
            break  # matches too rare for a longer walk to fill the window
    sql, args = plan.indexed(params, horizon=horizon, ascending=ascending)
    return _with_hidden(list(await pool.fetch(sql, *args, timeout=query_timeout)), horizon, hidden)


def _with_hidden(
    rows: list[Mapping[str, Any]], horizon: int | None, hidden: bool
) -> list[Mapping[str, Any]]:
    """Rows in the shape the walk gives below a horizon: each says whether articles wait
    above it, and an empty window is one row without an id."""
    if horizon is None:
        return rows
    out: list[Mapping[str, Any]] = [
        {"id": r["id"], "xid": r["xid"], "keep": r["keep"], "hidden": hidden} for r in rows
    ]
    return out or [{"id": None, "xid": None, "keep": None, "hidden": hidden}]


async def feed_page(
    pool: asyncpg.Pool,
    params: FeedParams,
    *,
    ingestion: bool,
    ascending: bool = False,
    query_timeout: float | None = None,
) -> Page:
    """One page for `params`: newest published first, or in ingestion order (paged feeds, API).

    Raises:
        TimeoutError: the query ran past `query_timeout` (it is cancelled on the server).
        asyncpg.InvalidRegularExpressionError: a filter pattern PostgreSQL cannot compile.
    """
    # The horizon first, in its own statement: the page's snapshot must be taken after it.
    horizon = await ingest_horizon(pool) if ingestion else None
    scanned = await _scan(pool, params, horizon, ascending, query_timeout)
    hidden = bool(scanned and "hidden" in scanned[0] and scanned[0]["hidden"])
    if ingestion:
        scanned = [r for r in scanned if r["id"] is not None]
        # A lateral join keeps the inner order in practice; sorting says so for certain.
        scanned.sort(key=lambda r: (r["xid"], r["id"]), reverse=not ascending)
    filtered = bool(params.filter or params.filterout)
    kept = [r for r in scanned if r["keep"]]
    chosen = kept[: params.limit]
    if len(kept) > params.limit:
        consumed = chosen[-1]
    elif filtered and len(scanned) == plan.window(params):
        consumed = scanned[-1]  # the window ran out before the page filled: go on from there
    else:
        consumed = None
    rows = await _rows(pool, [r["id"] for r in chosen])
    last = consumed or (scanned[-1] if scanned else None)
    resume = Cursor(last["xid"], last["id"]) if last else params.cursor
    next_cursor = Cursor(consumed["xid"], consumed["id"]) if consumed else None
    # The page touching the horizon (newest first: the head; oldest first: the last) will
    # grow once the articles above the horizon settle, without a NOTIFY of its own; numbered
    # pages count from the head, so all of them shift.
    at_horizon = next_cursor is None if ascending else params.cursor is None
    return Page(
        rows=tuple(rows), next=next_cursor, resume=resume, settled=not (hidden and at_horizon)
    )


async def article(pool: asyncpg.Pool, article_id: int) -> ArticleRow | None:
    """The article with this id, whatever its cluster."""
    rows = await _rows(pool, [article_id])
    return rows[0] if rows else None


async def articles(pool: asyncpg.Pool, ids: Iterable[int]) -> list[ArticleRow]:
    """The articles among these ids that exist, in no particular order."""
    return await _rows(pool, list(set(ids)))


async def empty_feed_date(
    pool: asyncpg.Pool, params: FeedParams, *, query_timeout: float | None = None
) -> datetime:
    """The date of a feed with no entries: when its region, topic or source last had news
    (whatever the feed's other filters), else when the source catalogue was first loaded into
    this database, else when the database was set up. Never a render-time stamp: replicas must
    render the same bytes, and never the epoch, which validators call implausible."""
    arg = plan.Args()
    scope = plan.scope(params)
    if scope:
        # The newest changes first, until one of the scope's articles turns up; a scope with
        # no recent change is answered by the facets index instead of a walk to the end.
        wanted = arg(scope)
        news = (
            "coalesce((SELECT w.changed_at FROM (SELECT changed_at, facets FROM articles"
            f" ORDER BY changed_at DESC LIMIT {plan.WALK_BUDGET}) w"
            f" WHERE w.facets @> {wanted}::text[] LIMIT 1),"
            f" (SELECT max(changed_at) FROM articles WHERE facets @> {wanted}::text[]))"
        )
    else:
        news = "(SELECT max(changed_at) FROM articles)"
    stamp: datetime = await pool.fetchval(
        f"SELECT coalesce({news}, (SELECT min(created_at) FROM sources),"
        " (SELECT min(applied_at) FROM schema_migrations))",
        *arg.values,
        timeout=query_timeout,
    )
    return stamp
