"""Turn the last exchange of a fetch into its FetchOutcome: status, headers, validators, body."""

from __future__ import annotations

from typing import Any

from aiohttp import hdrs

from ingestor.fetch.decode import is_textual
from ingestor.fetch.exchange import Exchange
from ingestor.fetch.outcome import FetchOutcome, OutcomeDraft, Validators, sealed

__all__ = ["to_outcome"]


def to_outcome(
    ex: Exchange,
    url: str,
    source_id: str,
    validators: Validators | None,
    elapsed_ms: float,
    attempts: int,
    redirects: int,
) -> FetchOutcome:
    """The record of a fetch of `url` whose last exchange was `ex`.

    The body is kept for 2xx responses only; for textual media types the outcome decodes it to
    text on first use, and the validators and caching headers are read from the headers on use
    (on a 304 the validators sent stand in for any the server did not repeat).
    """
    h = ex.headers
    status = ex.status
    # Without redirects the final URL is the one asked for (minus any fragment).
    plain = (redirects == 0 and "#" not in url) or not ex.url.raw_host
    o: Any = OutcomeDraft()
    o.url = url
    o.final_url = url if plain else str(ex.url)
    o.source_id = source_id
    o.status = status
    o.retry_after = ex.retry_after
    o.bytes_read = ex.wire_bytes
    o.elapsed_ms = elapsed_ms
    o.error_kind = ex.kind
    o.error_message = ex.message
    o.attempts = attempts
    o.redirects = redirects
    o._decoded = None  # the text, worked out on first use
    o._headers = h
    o._sent = validators
    if h is None:  # nothing usable was received
        o.content_type = None
        o.body = b""
        o.textual = o.not_modified = False
        return sealed(o)
    # Headers arrived, so the status is set.
    success = ex.kind is None and 200 <= status < 300  # type: ignore[operator]
    o.not_modified = ex.kind is None and status == 304
    # aiohttp's header names are case-insensitive strings folded once, not on every lookup.
    o.content_type = content_type = h.get(hdrs.CONTENT_TYPE)
    o.body = ex.body if success else b""
    o.textual = success and is_textual(content_type, ex.body)  # decoded on first use
    return sealed(o)
