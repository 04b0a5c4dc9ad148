"""Responses with validators: ETag and Last-Modified, answering 304 to conditional GETs."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import parsedate_to_datetime

from aiohttp import web

from warta.simsite.dates import http_date

__all__ = ["conditional_response"]


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'


def _not_modified(request: web.Request, etag: str, last_modified: datetime) -> bool:
    # RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since is only looked at without it.
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("If-Modified-Since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def conditional_response(
    request: web.Request,
    body: bytes,
    content_type: str,
    last_modified: datetime,
    *,
    cache_seconds: int = 60,
) -> web.Response:
    """200 with validators, or 304 when the client's copy is current."""
    etag = _etag(body)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Cache-Control": f"public, max-age={cache_seconds}",
    }
    if request.method in ("GET", "HEAD") and _not_modified(request, etag, last_modified):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = content_type
    return web.Response(body=body, headers=headers)
