"""Read-only SQL of the read side: pages of articles for a feed or the API, and single articles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from feeds.horizon import ingest_horizon
from feeds.params import Cursor, FeedParams

__all__ = [
    "FILTER_WINDOW", "ArticleRow", "Page", "article", "articles", "empty_feed_date", "feed_page",
]  # fmt: skip

# `filter`/`filterout` look at this many of the feed's newest articles at most (then the next
# page goes on from there), so a pattern that matches nothing cannot make a query scan a
# million rows. It is the regular-expression analogue of RSSHub's filtering of a route's items.
FILTER_WINDOW = 1000


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


class _Args:
    """Numbered query parameters, added as the SQL is written."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _ids_query(
    params: FeedParams, *, horizon: int | None, ascending: bool
) -> tuple[str, list[Any]]:
    """SQL choosing the page's article ids in order, each with whether the filters keep it;
    in ingestion order (only below `horizon`) when one is given, else newest published first.

    The driving table is the link table of the first region or topic (its index is ordered
    the way the feed is), else articles itself; further constraints are EXISTS probes.
    """
    arg = _Args()
    where: list[str] = []
    if params.regions:
        table, key = "article_regions", "article_id"
        where.append(f"d.region = {arg(params.regions[0])}")
        regions, topics = params.regions[1:], params.topics
    elif params.topics:
        table, key = "article_topics", "article_id"
        where.append(f"d.topic = {arg(params.topics[0])}")
        regions, topics = (), params.topics[1:]
    else:
        table, key = "articles", "id"
        regions, topics = (), ()
    join = "" if table == "articles" else f" JOIN articles a ON a.id = d.{key}"
    alias = "d" if table == "articles" else "a"
    for region in regions:
        where.append(
            "EXISTS (SELECT 1 FROM article_regions x"
            f" WHERE x.article_id = d.{key} AND x.region = {arg(region)})"
        )
    for topic in topics:
        where.append(
            "EXISTS (SELECT 1 FROM article_topics x"
            f" WHERE x.article_id = d.{key} AND x.topic = {arg(topic)})"
        )
    if not params.duplicates:
        where.append(f"{alias}.duplicate_of IS NULL")
    if params.source:
        where.append(f"{alias}.source_id = {arg(params.source)}")
    if params.lang:
        where.append(
            f"({alias}.lang = {arg(params.lang)} OR {alias}.lang LIKE {arg(params.lang + '-%')})"
        )
    if params.since:
        where.append(f"d.published_at >= {arg(params.since)}")
    if params.until:
        where.append(f"d.published_at <= {arg(params.until)}")
    if params.q:
        where.append(
            f"{alias}.search @@ websearch_to_tsquery('simple', warta_fold({arg(params.q)}))"
        )
    keep: list[str] = []
    haystack = f"({alias}.title || ' ' || coalesce({alias}.summary, ''))"
    if params.filter:
        keep.append(f"{haystack} ~* {arg(params.filter)}")
    if params.filterout:
        keep.append(f"NOT {haystack} ~* {arg(params.filterout)}")
    direction = "ASC" if ascending else "DESC"
    if horizon is not None:
        # Only rows below the horizon: nothing can commit behind them later.
        where.append(f"d.ingest_xid < {arg(horizon)}::xid8")
        if params.cursor:
            op = ">" if ascending else "<"
            cx, ci = arg(params.cursor.xid), arg(params.cursor.id)
            where.append(f"(d.ingest_xid, d.{key}) {op} ({cx}::xid8, {ci}::bigint)")
        order = f"d.ingest_xid {direction}, d.{key} {direction}"
    else:
        order = f"d.published_at {direction}, d.{key} {direction}"
    window = FILTER_WINDOW if keep else params.limit + 1
    offset = (params.page - 1) * params.limit if params.page and not params.cursor else 0
    sql = (
        f"SELECT d.{key} AS id, d.ingest_xid AS xid, {' AND '.join(keep) or 'true'} AS keep"
        f" FROM {table} d{join}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY {order} LIMIT {window} OFFSET {offset}"
    )
    if horizon is not None:
        # In the same statement (so the same snapshot): are committed articles waiting above
        # the horizon? Then the page nearest the horizon is provisional. Always one row out.
        sql = (
            "SELECT p.id, p.xid, p.keep, h.hidden FROM (SELECT EXISTS (SELECT 1 FROM articles"
            f" WHERE ingest_xid >= {arg(horizon)}::xid8) AS hidden) h"
            f" LEFT JOIN LATERAL ({sql}) p ON true"
        )
    return sql, arg.values


async def _rows(conn: asyncpg.Pool | asyncpg.Connection, ids: Sequence[int]) -> list[ArticleRow]:
    if not ids:
        return []
    found = {r["id"]: _row(r) for r in await conn.fetch(_ROWS, list(ids))}
    return [found[i] for i in ids if i in found]


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
    sql, args = _ids_query(params, horizon=horizon, ascending=ascending)
    scanned = await pool.fetch(sql, *args, timeout=query_timeout)
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
    elif filtered and len(scanned) == FILTER_WINDOW:
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
    arg = _Args()
    where = [
        f"EXISTS (SELECT 1 FROM article_regions x WHERE x.article_id = a.id AND x.region = {arg(r)})"
        for r in params.regions
    ] + [
        f"EXISTS (SELECT 1 FROM article_topics x WHERE x.article_id = a.id AND x.topic = {arg(t)})"
        for t in params.topics
    ]
    if params.source:
        where.append(f"a.source_id = {arg(params.source)}")
    news = "SELECT max(a.changed_at) FROM articles a" + (
        " WHERE " + " AND ".join(where) if where else ""
    )
    stamp: datetime = await pool.fetchval(
        f"SELECT coalesce(({news}), (SELECT min(created_at) FROM sources),"
        " (SELECT min(applied_at) FROM schema_migrations))",
        *arg.values,
        timeout=query_timeout,
    )
    return stamp
