"""The feed server: routes, the lifecycle of its listener and hub client, health and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator
from functools import partial

import aiohttp
import asyncpg
from aiohttp import web

from config.settings import Settings
from database.pool import schema_state
from feeds.api import api_article, api_articles, api_changes, api_sources, preflight
from feeds.cache import FeedCache
from feeds.changes import Change
from feeds.index import index, opml
from feeds.listen import ChangeListener
from feeds.metrics import CONTENT_TYPE as METRICS_TYPE
from feeds.metrics import Handler, timed
from feeds.names import load_names
from feeds.operator import protect, register_operator
from feeds.protocol_log import RequestErrorLog
from feeds.routes import feed_all, feed_region, feed_topic
from feeds.state import STATE, FeedState
from feeds.websub import HubPublisher

__all__ = ["POOL", "SETTINGS", "STATE", "make_app"]

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", asyncpg.Pool)

_FMT = r"{fmt:(rss|atom|json)}"


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers; says nothing about the database."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers and its schema is current."""
    try:
        state = await schema_state(request.app[POOL])
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        return web.json_response({"status": "not ready", "reason": str(exc)}, status=503)
    if not state.current:
        reason = f"schema at {state.applied}, code expects {state.latest}"
        return web.json_response({"status": "not ready", "reason": reason}, status=503)
    return web.json_response({"status": "ready", "schema": state.applied})


async def metrics(request: web.Request) -> web.Response:
    state = request.app[STATE]
    m = state.metrics
    stats = state.cache.stats
    m.counters.update(
        {
            "warta_feed_cache_hits_total": stats.hits,
            "warta_feed_cache_misses_total": stats.misses,
            "warta_feed_cache_coalesced_total": stats.coalesced,
            "warta_feed_cache_invalidated_total": stats.invalidated,
            "warta_feed_cache_evicted_total": stats.evicted,
        }
    )
    m.gauges["warta_feed_cache_documents"] = len(state.cache)
    if state.listener is not None:
        m.counters["warta_change_notifications_total"] = state.listener.notifications
        m.gauges["warta_change_listener_connected"] = int(state.listener.connected.is_set())
        m.gauges["warta_websub_leader"] = int(state.listener.leader)
    if state.publisher is not None:
        m.counters["warta_websub_pings_total"] = state.publisher.sent
        m.counters["warta_websub_ping_failures_total"] = state.publisher.failed
    body = await m.exposition(state.pool)
    return web.Response(body=body, headers={"Content-Type": METRICS_TYPE})


async def _lifecycle(app: web.Application, *, check_every: float) -> AsyncIterator[None]:
    """Catalogue names, the change listener and (with a hub) the hub client: up, then down."""
    state = app[STATE]
    state.names = await load_names(state.pool)
    session: aiohttp.ClientSession | None = None
    if state.hub:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        state.publisher = HubPublisher(
            state.hub,
            state.settings.base_url,
            state.names,
            session,
            lambda: state.listener is not None and state.listener.leader,
        )

    def changed(change: Change) -> None:
        dropped = state.cache.invalidate(change)
        log.debug("articles changed (%s): %d cached documents dropped", change, dropped)
        if state.publisher is not None:
            state.publisher.changed(change)

    state.listener = ChangeListener(
        state.pool,
        changed,
        state.cache.clear,
        want_lock=state.publisher is not None,
        check_every=check_every,
    )
    state.listener.start()
    # Serve once listening: a document rendered before would be dropped by the first
    # connection's reset anyway. Without the database by then, serve and keep retrying.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(state.listener.connected.wait(), timeout=5)
    try:
        yield
    finally:
        await state.listener.stop()
        if state.publisher is not None:
            await state.publisher.close()
        if session is not None:
            await session.close()


def make_app(
    settings: Settings,
    pool: asyncpg.Pool,
    *,
    cache_entries: int | None = None,
    listener_check: float = 5.0,
) -> web.Application:
    """The feed application over an open pool that the caller owns and closes.

    `cache_entries` overrides WARTA_FEED_CACHE_ENTRIES (0: every request renders; benchmarks).
    `listener_check`: seconds between checks of the listening connection and tries for the
    WebSub ping lock (how soon a replica takes over from one that went away).
    """
    entries = settings.feed_cache_entries if cache_entries is None else cache_entries
    state = FeedState(settings, pool, FeedCache(entries, settings.feed_cache_seconds))
    # Requests the HTTP parser refuses are logged in one line (feeds.protocol_log).
    app = web.Application(
        handler_args={"logger": RequestErrorLog(logging.getLogger("aiohttp.server"))}
    )
    app[SETTINGS] = settings
    app[POOL] = pool
    app[STATE] = state
    app.cleanup_ctx.append(partial(_lifecycle, check_every=listener_check))

    def add(path: str, handler: Handler) -> None:
        template = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)  # the label: /feeds/{province}.{fmt}
        app.router.add_get(path, timed(state.metrics, template, handler))

    add("/", index)
    add("/opml", opml)
    add("/healthz", healthz)
    add("/readyz", readyz)
    add("/metrics", protect(metrics))
    add(f"/feeds/all.{_FMT}", feed_all)
    add(f"/feeds/topics/{{topic}}.{_FMT}", feed_topic)
    add(f"/feeds/{{province}}.{_FMT}", feed_region)
    add(f"/feeds/{{province}}/{{regency}}.{_FMT}", feed_region)
    add("/api/v1/articles", api_articles)
    add("/api/v1/articles/{id}", api_article)
    add("/api/v1/sources", api_sources)
    add("/api/v1/changes", api_changes)
    app.router.add_route("OPTIONS", "/api/{tail:.*}", preflight)
    app.router.add_route("OPTIONS", "/feeds/{tail:.*}", preflight)
    register_operator(app)
    return app
