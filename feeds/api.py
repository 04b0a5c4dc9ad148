"""The JSON API: article records page by page in ingestion order, one article, and the sources."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from database.records import format_utc
from feeds.query import ArticleRow, article
from feeds.response import CORS, make_representation, respond
from feeds.routes import check_exists, load_page, request_params
from feeds.state import STATE

__all__ = ["api_article", "api_articles", "api_sources", "preflight", "record"]

_JSON = "application/json; charset=utf-8"


def _time(value: datetime | None) -> str | None:
    return format_utc(value) if value is not None else None


def record(row: ArticleRow) -> dict[str, Any]:
    """The article record of CONTRACT.md, plus its `id` (and the id of its cluster's
    canonical article: `duplicate_of` itself is that article's canonical URL)."""
    return {
        "id": row.id,
        "url": row.url,
        "canonical_url": row.canonical_url,
        "source": row.source_id,
        "title": row.title,
        "summary": row.summary,
        "text": row.text,
        "authors": list(row.authors),
        "published_at": _time(row.published_at),
        "published_raw": row.published_raw,
        "date_source": row.date_source,
        "updated_at": _time(row.updated_at),
        "lang": row.lang,
        "image": row.image,
        "image_caption": row.image_caption,
        "section": row.section,
        "tags": list(row.tags),
        "place": row.place,
        "region": row.region,
        "regency": row.regency,
        "topics": list(row.topics),
        "related": [{"title": t, "url": u} for t, u in row.related],
        "content_hash": row.content_hash,
        "duplicate_of": row.duplicate_of_url,
        "duplicate_of_id": row.duplicate_of,
    }


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


async def api_articles(request: web.Request) -> web.Response:
    """Oldest first in ingestion order; follow `next` until it is null, keep `cursor` to
    resume later: every article comes exactly once, even while new ones are being stored."""
    state = request.app[STATE]
    params = request_params(request, state)
    await check_exists(state, params)
    page = await load_page(state, params, ingestion=True, ascending=True)
    base = state.settings.base_url + request.path
    next_url = f"{base}?{params.query_string(cursor=page.next.token())}" if page.next else None
    doc = {
        "articles": [record(row) for row in page.rows],
        "cursor": page.resume.token() if page.resume else None,
        "next": next_url,
    }
    rep = make_representation(
        _json(doc),
        _JSON,
        modified_at=None,
        cache_control="no-cache",  # revalidate: the ETag makes an unchanged page a 304
        links=f'<{next_url}>; rel="next"' if next_url else None,
        cors=True,
    )
    return respond(request, rep)


async def api_article(request: web.Request) -> web.Response:
    raw = request.match_info["id"]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise web.HTTPBadRequest(text="id: must be a whole number")
    row = await article(request.app[STATE].pool, int(raw))
    if row is None:
        raise web.HTTPNotFound(text=f"no article {raw}")
    rep = make_representation(
        _json(record(row)),
        _JSON,
        modified_at=row.changed_at,
        cache_control="public, max-age=60",
        cors=True,
    )
    return respond(request, rep)


_SOURCES = """
SELECT s.id, s.name, s.base_url, s.province, s.timezone, s.lang, s.republish, s.rights,
       s.enabled, s.health, s.disabled_reason, s.last_run_at, s.last_success_at,
       s.last_error_at, s.last_error_kind, s.last_error_message, s.consecutive_failures,
       s.circuit_open_until, s.articles_last_run, s.next_run_at,
       (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles,
       v.verification, v.checked_at, v.failed_gates, v.summary AS check_summary
FROM sources s JOIN source_verification v ON v.source_id = s.id ORDER BY s.id
"""


async def api_sources(request: web.Request) -> web.Response:
    """Every source with its health, as operators and dashboards want it."""
    rows = await request.app[STATE].pool.fetch(_SOURCES)
    sources = [
        {k: (_time(v) if isinstance(v, datetime) else v) for k, v in dict(r).items()} for r in rows
    ]
    rep = make_representation(
        _json({"sources": sources}), _JSON, modified_at=None, cache_control="no-cache", cors=True
    )
    return respond(request, rep)


async def preflight(request: web.Request) -> web.Response:
    """CORS preflight: scripts that send If-None-Match need one before a cross-origin GET."""
    return web.Response(
        status=204,
        headers={
            **CORS,
            "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
            "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
            "Access-Control-Max-Age": "86400",
        },
    )
