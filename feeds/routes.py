"""Feed handlers: all, province, regency and topic feeds with their filters and RFC 5005 pages."""

from __future__ import annotations

import time
from datetime import datetime
from functools import partial

import asyncpg
from aiohttp import web

from feeds.changes import Scope
from feeds.params import FeedParams, ParamError, parse_params
from feeds.query import Page, empty_feed_date, feed_page
from feeds.render import CONTENT_TYPES, FeedMeta, render
from feeds.response import Representation, make_representation, respond
from feeds.state import STATE, FeedState

__all__ = [
    "check_exists",
    "feed_all",
    "feed_region",
    "feed_topic",
    "fresh",
    "load_page",
    "request_params",
]

# Cursor pages hold articles ingested before a fixed point: they change only when one of
# those articles is edited, so downstream caches may keep them longer than the live feeds.
_ARCHIVE_CACHE = "public, max-age=3600, stale-while-revalidate=86400"


def request_params(request: web.Request, state: FeedState) -> FeedParams:
    """The request's parameters, or 400 naming the bad one."""
    multi = {name: request.query.getall(name) for name in request.query}
    try:
        return parse_params(
            multi,
            default_limit=state.settings.feed_default_limit,
            max_limit=state.settings.feed_max_limit,
        )
    except ParamError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None


async def check_exists(state: FeedState, params: FeedParams) -> None:
    """404 for a well-formed region, topic or source that is not in the catalogue."""
    for key in params.regions:
        if key not in state.names.regions:
            raise web.HTTPNotFound(text=f"region: unknown region {key!r}")
    for slug in params.topics:
        if slug not in state.names.topics:
            raise web.HTTPNotFound(text=f"topic: unknown topic {slug!r}")
    if params.source and not await state.names.has_source(state.pool, params.source):
        raise web.HTTPNotFound(text=f"source: unknown source {params.source!r}")


def fresh(exc: web.HTTPException) -> web.HTTPException:
    """A copy of an HTTP error for this request: a shared render may fail for several
    requests at once, and aiohttp's exceptions are responses, each sent only once."""
    headers = {k: v for k, v in exc.headers.items() if k not in ("Content-Type", "Content-Length")}
    return type(exc)(text=exc.text, headers=headers)


def _patterns(params: FeedParams) -> str:
    """The parameter(s) to blame for a pattern the database refused or gave up on."""
    return "/".join(n for n, v in (("filter", params.filter), ("filterout", params.filterout)) if v)


async def load_page(
    state: FeedState, params: FeedParams, *, ingestion: bool, ascending: bool = False
) -> Page:
    """feed_page, with its failures as HTTP errors: a pattern PostgreSQL refuses is the
    client's 400, a query past its timeout the server's 503.

    A pattern that is costly in itself (a backreference, nested counted repeats) never gets
    here: feeds.params refuses it up front. So a timeout means the server is busy, whatever
    the filters, and the client should come back later rather than drop its pattern.
    """
    try:
        return await feed_page(
            state.pool,
            params,
            ingestion=ingestion,
            ascending=ascending,
            query_timeout=state.settings.feed_query_timeout,
        )
    except asyncpg.InvalidRegularExpressionError as exc:
        raise web.HTTPBadRequest(text=f"{_patterns(params)}: {exc}") from None
    except (TimeoutError, asyncpg.QueryCanceledError):
        # QueryCanceledError: the server's own statement_timeout (an operator's setting on
        # the role or database) ran out before ours did.
        raise web.HTTPServiceUnavailable(
            text="feed query took too long", headers={"Retry-After": "5"}
        ) from None


async def _empty_date(state: FeedState, params: FeedParams) -> datetime:
    """The date of an empty feed (feeds.query.empty_feed_date); a slow query is a 503."""
    try:
        return await empty_feed_date(
            state.pool, params, query_timeout=state.settings.feed_query_timeout
        )
    except (TimeoutError, asyncpg.QueryCanceledError):
        raise web.HTTPServiceUnavailable(
            text="feed query took too long", headers={"Retry-After": "5"}
        ) from None


def _url(base: str, path: str, query: str) -> str:
    return f"{base}{path}?{query}" if query else f"{base}{path}"


async def _render(
    state: FeedState, path: str, fmt: str, params: FeedParams, title: str, description: str
) -> Representation:
    started = time.perf_counter()
    settings = state.settings
    page = await load_page(state, params, ingestion=params.paged)
    base = settings.base_url
    feed_id = _url(base, path, params.query_string())
    if params.cursor:
        self_url = _url(base, path, params.query_string(cursor=params.cursor.token()))
    elif params.page:
        self_url = _url(base, path, params.query_string(page=params.page))
    else:
        self_url = feed_id
    # RFC 5005: the plain feed points at the head of the paged series; each page points on
    # to older articles (next, and prev-archive for archive-aware readers) and back home.
    links = [("first", _url(base, path, params.query_string(page=1)))]
    if params.paged:
        if page.next:
            older = _url(base, path, params.query_string(cursor=page.next.token()))
            links += [("next", older), ("prev-archive", older)]
        links.append(("current", feed_id))
    modified = max((r.changed_at for r in page.rows), default=None)
    meta = FeedMeta(
        feed_id=feed_id,
        title=title,
        description=description,
        self_url=self_url,
        home_url=base + "/",
        updated=modified or await _empty_date(state, params),
        hub=state.hub,
        links=tuple(links),
        archive=params.cursor is not None,
    )
    body = render(fmt, meta, page.rows, state.names)
    # WebSub discovery wants self and hub as Link headers; paging links only where paging is.
    header = [("self", self_url), *([("hub", state.hub)] if state.hub else [])]
    header += links if params.paged else []
    if not page.settled:
        cache_control = "no-cache"  # articles about to settle will join this page
    elif params.cursor:
        cache_control = _ARCHIVE_CACHE
    else:
        cache_control = (
            f"public, max-age={settings.feed_max_age},"
            f" stale-while-revalidate={settings.feed_stale_seconds}"
        )
    rep = make_representation(
        body,
        CONTENT_TYPES[fmt],
        modified_at=modified,
        cache_control=cache_control,
        links=", ".join(f'<{href}>; rel="{rel}"' for rel, href in header),
        cors=fmt == "json",
        cacheable=page.settled,
    )
    state.metrics.observe_render(fmt, time.perf_counter() - started)
    return rep


async def _serve(
    request: web.Request,
    regions: tuple[str, ...],
    topics: tuple[str, ...],
    title: str,
    description: str,
) -> web.Response:
    state = request.app[STATE]
    rep = state.cache.get(request.raw_path)  # the same URL again: no parsing at all
    if rep is None:
        params = request_params(request, state)
        await check_exists(state, params)
        params = params.with_scope(regions, topics)
        position = (
            {"cursor": params.cursor.token()}
            if params.cursor
            else {"page": params.page}
            if params.page
            else {}
        )
        key = _url("", request.path, params.query_string(**position))
        scope = Scope(
            regions=frozenset(params.regions) or None,
            topics=frozenset(params.topics) or None,
            source=params.source,
        )
        fmt = request.match_info["fmt"]
        render_it = partial(_render, state, request.path, fmt, params, title, description)
        try:
            rep = await state.cache.get_or_render(key, scope, render_it, alias=request.raw_path)
        except web.HTTPException as exc:
            raise fresh(exc) from None
    return respond(request, rep)


async def feed_all(request: web.Request) -> web.Response:
    return await _serve(
        request, (), (), "Warta: semua berita", "Berita terbaru dari semua sumber Warta"
    )


async def feed_region(request: web.Request) -> web.Response:
    province = request.match_info["province"]
    regency = request.match_info.get("regency")
    key = f"{province}/{regency}" if regency else province
    region = request.app[STATE].names.regions.get(key)
    if region is None:
        raise web.HTTPNotFound(text=f"unknown region {key!r}")
    return await _serve(
        request, (key,), (), f"Warta: {region.name}", f"Berita terbaru dari {region.name}"
    )


async def feed_topic(request: web.Request) -> web.Response:
    slug = request.match_info["topic"]
    name = request.app[STATE].names.topics.get(slug)
    if name is None:
        raise web.HTTPNotFound(text=f"unknown topic {slug!r}")
    return await _serve(
        request, (), (slug,), f"Warta: topik {name}", f"Berita terbaru bertopik {name}"
    )
