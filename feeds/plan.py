"""The SQL that picks a feed page's article ids: a bounded walk of an ordered index, then,
when the walk comes back short, one intersection in the facets-and-words GIN index.

Why two plans. A feed walks the newest articles of its region, topic or source and checks the
other filters on each, which is the fastest plan while matches are common. When the filters
rarely meet (a word that never occurs in the topic asked), the walk covers the whole `since`
window: seconds at a million articles, and PostgreSQL's planner cannot foresee it because it
multiplies the filters' selectivities as if they were independent. So the walk is bounded to
`budget` rows; when it comes back short on a feed that names a word, region or topic, the GIN
index over (facets, search) intersects them and only the articles that have them all are read.
A walk whose matches promise to fill the window within `long_budget` rows goes on from where
it stopped (keyset), so no row is read twice. A feed naming a region and a topic walks the
pairs table (migration 0010), whose rows all have both, rather than the region's rows.
"""

from __future__ import annotations

from typing import Any

from database.facets import region_facet, source_facet, topic_facet
from feeds.params import FeedParams

__all__ = [
    "FILTER_WINDOW",
    "WALK_BUDGET",
    "Args",
    "Position",
    "budget",
    "indexable",
    "indexed",
    "long_budget",
    "offset",
    "scope",
    "walk",
    "walk_end",
    "window",
]  # fmt: skip

# `filter`/`filterout` look at this many of the feed's newest articles at most (then the next
# page goes on from there), so a pattern that matches nothing cannot make a query scan a
# million rows. It is the regular-expression analogue of RSSHub's filtering of a route's items.
FILTER_WINDOW = 1000

# Rows of the driving index a first walk may read per row it must find, at least WALK_BUDGET;
# a walk whose matches came at a rate that fills the window within LONG_FACTOR rows per row
# (at least LONG_BUDGET) goes on that far before the index is asked. The first walk is short
# (one row read per row needed): it only measures the rate, and the long walk goes on from
# where it stopped, so a feed whose matches never come (a word that never meets its topic)
# gives up after a quarter of the rows it read before continued walks existed.
WALK_FACTOR = 1
WALK_BUDGET = 1000
LONG_FACTOR = 16
LONG_BUDGET = 16000


# A row's place in the feed's order: (published_at or ingest_xid, article id).
Position = tuple[Any, int]


class Args:
    """Numbered query parameters, added as the SQL is written."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def window(params: FeedParams) -> int:
    """How many rows passing the WHERE conditions one page reads."""
    return FILTER_WINDOW if params.filter or params.filterout else params.limit + 1


def budget(params: FeedParams) -> int:
    """Rows the first walk may read."""
    return max(WALK_BUDGET, WALK_FACTOR * window(params))


def long_budget(params: FeedParams) -> int:
    """Rows a second walk may read, when the first one's matches promise to fill the window."""
    return max(LONG_BUDGET, LONG_FACTOR * window(params))


def offset(params: FeedParams) -> int:
    return (params.page - 1) * params.limit if params.page and not params.cursor else 0


def _driver(params: FeedParams) -> tuple[str, str, str | None, str | None]:
    """The driving table, its article-id column, and the key it is read on: the first region
    and topic together (migration 0010), else the first region or topic."""
    if params.regions and params.topics:
        # Walking the region and keeping the topic read seven rows per row kept (one topic in
        # seven); the pairs table reads only the rows kept.
        return "article_pairs", "article_id", "pair", f"{params.regions[0]}|{params.topics[0]}"
    if params.regions:
        return "article_regions", "article_id", "region", params.regions[0]
    if params.topics:
        return "article_topics", "article_id", "topic", params.topics[0]
    return "articles", "id", None, None


def _first(horizon: int | None) -> str:
    """The leading column of the feed's order: ingestion below a horizon, else publication."""
    return "ingest_xid" if horizon is not None else "published_at"


def _order(key: str, horizon: int | None, ascending: bool, alias: str = "d") -> str:
    direction = "ASC" if ascending else "DESC"
    return f"{alias}.{_first(horizon)} {direction}, {alias}.{key} {direction}"


def _range(
    arg: Args, params: FeedParams, horizon: int | None, ascending: bool, key: str, alias: str
) -> list[str]:
    """Conditions on the position in the feed's order: since/until, horizon, cursor."""
    where = []
    if params.since:
        where.append(f"{alias}.published_at >= {arg(params.since)}")
    if params.until:
        where.append(f"{alias}.published_at <= {arg(params.until)}")
    if horizon is not None:
        # Only rows below the horizon: nothing can commit behind them later.
        where.append(f"{alias}.ingest_xid < {arg(horizon)}::xid8")
        if params.cursor:
            op = ">" if ascending else "<"
            cx, ci = arg(params.cursor.xid), arg(params.cursor.id)
            where.append(f"({alias}.ingest_xid, {alias}.{key}) {op} ({cx}::xid8, {ci}::bigint)")
    return where


def _drive_where(
    arg: Args, params: FeedParams, horizon: int | None, ascending: bool, alias: str
) -> list[str]:
    """Conditions the driving index answers: its region or topic, the source when the
    articles table drives (an index of its own leads), and the position in the order."""
    table, key, column, value = _driver(params)
    where = [f"{alias}.{column} = {arg(value)}"] if column else []
    if table == "articles" and params.source:
        where.append(f"{alias}.source_id = {arg(params.source)}")
    return where + _range(arg, params, horizon, ascending, key, alias)


def _drive(
    arg: Args, params: FeedParams, horizon: int | None, ascending: bool, after: Position | None
) -> tuple[str, str]:
    """Rows of the driving index in the feed's order (to bound with a LIMIT), from just past
    `after` when given, and that order as the outer query names it.

    Only the index's own columns are read (the order and the article id): the driving scan
    then needs no visit to the link table's rows, and the article row has the rest.
    """
    table, key, _, _ = _driver(params)
    where = _drive_where(arg, params, horizon, ascending, "d")
    first = _first(horizon)
    if after is not None:
        op, cast = (">" if ascending else "<"), ("xid8" if horizon is not None else "timestamptz")
        where.append(
            f"(d.{first}, d.{key}) {op} ({arg(after[0])}::{cast}, {arg(after[1])}::bigint)"
        )
    sql = (
        f"SELECT d.{key} AS id, d.{first} FROM {table} d"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY {_order(key, horizon, ascending)}"
    )
    return sql, _order("id", horizon, ascending)


def _article_filters(
    arg: Args, params: FeedParams, *, links: bool, driven: bool = False
) -> list[str]:
    """Conditions on the article row `a`; region and topic ones by link probes or facets
    (`driven`: leaving out the facets the driving index answers already)."""
    where: list[str] = []
    if links:
        _, _, column, _ = _driver(params)
        regions = params.regions[1:] if column in ("region", "pair") else params.regions
        topics = params.topics[1:] if column in ("topic", "pair") else params.topics
        for region in regions:
            where.append(
                "EXISTS (SELECT 1 FROM article_regions x"
                f" WHERE x.article_id = a.id AND x.region = {arg(region)})"
            )
        for topic in topics:
            where.append(
                "EXISTS (SELECT 1 FROM article_topics x"
                f" WHERE x.article_id = a.id AND x.topic = {arg(topic)})"
            )
        if column and params.source:
            where.append(f"a.source_id = {arg(params.source)}")
    elif wanted := [f for f in scope(params) if not driven or f not in _answered(params)]:
        # Array containment costs about as much as reading the row (2-3 us each at a
        # million articles), so a walk checks only what its index did not answer.
        where.append(f"a.facets @> {arg(wanted)}::text[]")
    if not params.duplicates:
        where.append("a.duplicate_of IS NULL")
    if params.lang:
        where.append(f"(a.lang = {arg(params.lang)} OR a.lang LIKE {arg(params.lang + '-%')})")
    if params.q:
        where.append(f"a.search @@ websearch_to_tsquery('simple', warta_fold({arg(params.q)}))")
    return where


def _answered(params: FeedParams) -> set[str]:
    """The facet tokens every row of the driving index has."""
    table, _, column, _ = _driver(params)
    if table == "articles":
        return {source_facet(params.source)} if params.source else set()
    regions = params.regions[:1] if column in ("region", "pair") else ()
    topics = params.topics[:1] if column in ("topic", "pair") else ()
    return {*map(region_facet, regions), *map(topic_facet, topics)}


def scope(params: FeedParams) -> list[str]:
    """The facet tokens every article of the feed has: its regions, topics and source."""
    source = [source_facet(params.source)] if params.source else []
    return [*map(region_facet, params.regions), *map(topic_facet, params.topics), *source]


def _keep(arg: Args, params: FeedParams) -> str:
    """Whether `filter`/`filterout` keep the row: computed per row, not a WHERE condition,
    so the page knows how far its window reached."""
    keep: list[str] = []
    haystack = "(a.title || ' ' || coalesce(a.summary, ''))"
    if params.filter:
        keep.append(f"{haystack} ~* {arg(params.filter)}")
    if params.filterout:
        keep.append(f"NOT {haystack} ~* {arg(params.filterout)}")
    return " AND ".join(keep) or "true"


def _with_hidden(arg: Args, sql: str, horizon: int | None) -> str:
    if horizon is None:
        return sql
    # In the same statement (so the same snapshot): are committed articles waiting above
    # the horizon? Then the page nearest the horizon is provisional. Always one row out.
    return (
        "SELECT p.id, p.xid, p.keep, h.hidden FROM (SELECT EXISTS (SELECT 1 FROM articles"
        f" WHERE ingest_xid >= {arg(horizon)}::xid8) AS hidden) h"
        f" LEFT JOIN LATERAL ({sql}) p ON true"
    )


def walk(
    params: FeedParams,
    *,
    horizon: int | None,
    ascending: bool,
    limit: int | None,
    after: Position | None = None,
    take: int | None = None,
) -> tuple[str, list[Any]]:
    """The page's ids in order with whether the filters keep each, walking the driving index
    (at most `limit` rows of it when given, from just past `after`, until `take` rows pass);
    in ingestion order below `horizon` when one is given, else newest published first."""
    arg = Args()
    table, key, _, _ = _driver(params)
    if limit is not None:
        drive, order = _drive(arg, params, horizon, ascending, after)
        # Each walked row looks up its article by id, in the walk's order, and the page stops
        # the walk once full. Left to itself the planner turns a walk of thousands of rows
        # into a hash join over every article (0.4 s); OFFSET 0 keeps the lookup per row.
        # Regions and topics beyond the driving one are read from the row's facets, not
        # probed in the link tables: the row is at hand already.
        filters = _article_filters(arg, params, links=False, driven=True)
        sql = (
            f"SELECT d.id, a.xid, a.keep FROM ({drive} LIMIT {limit}) d"
            f" JOIN LATERAL (SELECT a.ingest_xid AS xid, {_keep(arg, params)} AS keep"
            f" FROM articles a WHERE {' AND '.join(['a.id = d.id', *filters])} OFFSET 0) a"
            f" ON true ORDER BY {order} LIMIT {take or window(params)} OFFSET {offset(params)}"
        )
        return _with_hidden(arg, sql, horizon), arg.values
    if table == "articles":
        # Unbounded, as one flat query: a subquery would be planned for all its rows.
        source, order, ident = "articles a", _order("id", horizon, ascending, "a"), "a.id"
        where = _drive_where(arg, params, horizon, ascending, "a")
    else:
        source = f"{table} d JOIN articles a ON a.id = d.{key}"
        order, ident = _order(key, horizon, ascending), f"d.{key}"
        where = _drive_where(arg, params, horizon, ascending, "d")
    where += _article_filters(arg, params, links=True)
    xid = ident.split(".")[0] + ".ingest_xid"
    sql = (
        f"SELECT {ident} AS id, {xid} AS xid, {_keep(arg, params)} AS keep FROM {source}"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY {order} LIMIT {window(params)} OFFSET {offset(params)}"
    )
    return _with_hidden(arg, sql, horizon), arg.values


def walk_end(
    params: FeedParams, *, horizon: int | None, ascending: bool, limit: int, after: Position | None
) -> tuple[str, list[Any]]:
    """The position of the last row a walk of `limit` rows from `after` read (no row: the
    walk reached the end of the feed's range). A longer walk goes on from there instead of
    reading the same rows again. Answered from the driving index alone."""
    arg = Args()
    drive, _ = _drive(arg, params, horizon, ascending, after)
    return (
        f"SELECT d.{_first(horizon)}, d.id FROM ({drive} OFFSET {limit - 1} LIMIT 1) d",
        arg.values,
    )


def indexable(params: FeedParams) -> bool:
    """Whether the GIN index can narrow this feed (it names a word, region or topic)."""
    return bool(params.q or scope(params))


def indexed(params: FeedParams, *, horizon: int | None, ascending: bool) -> tuple[str, list[Any]]:
    """The same rows as `walk` unbounded, found through the GIN index: every article with the
    feed's facets and words is read (MATERIALIZED keeps the planner from turning it back into
    an ordered walk), then ordered."""
    arg = Args()
    where = _article_filters(arg, params, links=False)
    where += _range(arg, params, horizon, ascending, "id", "a")
    keep = _keep(arg, params)
    sql = (
        "WITH m AS MATERIALIZED (SELECT a.id, a.ingest_xid, a.published_at,"
        f" {keep} AS keep FROM articles a WHERE {' AND '.join(where)})"
        f" SELECT m.id, m.ingest_xid AS xid, m.keep FROM m"
        f" ORDER BY {_order('id', horizon, ascending, 'm')}"
        f" LIMIT {window(params)} OFFSET {offset(params)}"
    )
    return sql, arg.values
