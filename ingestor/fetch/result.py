"""Turn the last exchange of a fetch into its FetchOutcome: status, headers, validators, body."""

from __future__ import annotations

from ingestor.fetch.decode import is_textual
from ingestor.fetch.exchange import Exchange
from ingestor.fetch.outcome import FetchOutcome, Validators

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
    text on first use. On a 304 the validators sent stand in for any the server did not repeat.
    """
    h = ex.headers
    status = ex.status
    # Without redirects the final URL is the one asked for (minus any fragment).
    plain = (redirects == 0 and "#" not in url) or not ex.url.raw_host
    final_url = url if plain else str(ex.url)
    if h is None:  # nothing usable was received
        return FetchOutcome(
            url=url,
            final_url=final_url,
            source_id=source_id,
            status=status,
            retry_after=ex.retry_after,
            bytes_read=ex.wire_bytes,
            elapsed_ms=elapsed_ms,
            error_kind=ex.kind,
            error_message=ex.message,
            attempts=attempts,
            redirects=redirects,
        )
    success = ex.kind is None and status is not None and 200 <= status < 300
    not_modified = ex.kind is None and status == 304
    content_type = h.get("Content-Type")
    etag = h.get("ETag")
    last_modified = h.get("Last-Modified")
    if not_modified and validators is not None:
        # A 304 need not repeat the validators (RFC 9110 §15.4.5); keep the ones we sent.
        etag = etag or validators.etag
        last_modified = last_modified or validators.last_modified
    return FetchOutcome(
        url=url,
        final_url=final_url,
        source_id=source_id,
        status=status,
        etag=etag,
        last_modified=last_modified,
        content_type=content_type,
        cache_control=h.get("Cache-Control"),
        expires=h.get("Expires"),
        # Several X-Robots-Tag headers may be sent (RFC 9110 §5.3: one comma-joined list).
        x_robots_tag=", ".join(h.getall("X-Robots-Tag", ())) or None,
        retry_after=ex.retry_after,
        body=ex.body if success else b"",
        textual=success and is_textual(content_type, ex.body),  # decoded on first use
        bytes_read=ex.wire_bytes,
        elapsed_ms=elapsed_ms,
        not_modified=not_modified,
        error_kind=ex.kind,
        error_message=ex.message,
        attempts=attempts,
        redirects=redirects,
    )
