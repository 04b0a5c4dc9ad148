"""The feed server: aiohttp routes for feeds, health and readiness over one shared pool."""

from __future__ import annotations

import logging
import re

import asyncpg
from aiohttp import web

from config.db import schema_state
from config.settings import Settings
from feeds.query import FeedQuery, latest, lookup_region, topic_exists
from feeds.render import CONTENT_TYPES, FeedMeta, render

__all__ = ["POOL", "SETTINGS", "make_app"]

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
POOL = web.AppKey("pool", asyncpg.Pool)

_FMT = r"{fmt:(rss|atom|json)}"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _limit(request: web.Request) -> int:
    settings = request.app[SETTINGS]
    raw = request.query.get("limit")
    if raw is None:
        return settings.feed_default_limit
    if not raw.isdigit() or not 1 <= int(raw) <= settings.feed_max_limit:
        raise web.HTTPBadRequest(
            text=f"limit: must be a whole number from 1 to {settings.feed_max_limit}"
        )
    return int(raw)


async def _feed(
    request: web.Request, query: FeedQuery, title: str, description: str
) -> web.Response:
    settings = request.app[SETTINGS]
    fmt = request.match_info["fmt"]
    rows = await latest(request.app[POOL], query)
    meta = FeedMeta(
        title=title,
        description=description,
        self_url=settings.base_url + request.path_qs,
        home_url=settings.base_url + "/",
    )
    return web.Response(body=render(fmt, meta, rows), headers={"Content-Type": CONTENT_TYPES[fmt]})


async def feed_all(request: web.Request) -> web.Response:
    query = FeedQuery(limit=_limit(request))
    return await _feed(request, query, "Warta: semua berita", "Berita terbaru dari semua sumber")


async def feed_region(request: web.Request) -> web.Response:
    province = request.match_info["province"]
    regency = request.match_info.get("regency")
    key = f"{province}/{regency}" if regency else province
    if not all(_SLUG.match(part) for part in key.split("/")):
        raise web.HTTPNotFound(text=f"unknown region {key!r}")
    region = await lookup_region(request.app[POOL], key)
    if region is None:
        raise web.HTTPNotFound(text=f"unknown region {key!r}")
    query = FeedQuery(region=key, limit=_limit(request))
    return await _feed(
        request, query, f"Warta: {region.name}", f"Berita terbaru dari {region.name}"
    )


async def feed_topic(request: web.Request) -> web.Response:
    topic = request.match_info["topic"]
    if not _SLUG.match(topic) or not await topic_exists(request.app[POOL], topic):
        raise web.HTTPNotFound(text=f"unknown topic {topic!r}")
    query = FeedQuery(topic=topic, limit=_limit(request))
    return await _feed(request, query, f"Warta: topik {topic}", f"Berita terbaru bertopik {topic}")


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


def make_app(settings: Settings, pool: asyncpg.Pool) -> web.Application:
    """The feed application over an open pool that the caller owns and closes."""
    app = web.Application()
    app[SETTINGS] = settings
    app[POOL] = pool
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get(f"/feeds/all.{_FMT}", feed_all)
    app.router.add_get(f"/feeds/topics/{{topic}}.{_FMT}", feed_topic)
    app.router.add_get(f"/feeds/{{province}}.{_FMT}", feed_region)
    app.router.add_get(f"/feeds/{{province}}/{{regency}}.{_FMT}", feed_region)
    return app
