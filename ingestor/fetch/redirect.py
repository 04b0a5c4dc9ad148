"""Decide where a redirect leads, or why it is not followed (scheme, loop, count, Location)."""

from __future__ import annotations

from yarl import URL

from ingestor.fetch.exchange import Exchange

__all__ = ["bad_target", "next_hop"]


def bad_target(url: URL) -> Exchange | None:
    """Why `url` may not be fetched at all (scheme, missing host), or None."""
    if url.scheme not in ("http", "https"):
        return Exchange(url, kind="bad_scheme", message=f"scheme {url.scheme!r} not allowed")
    if not url.raw_host:
        return Exchange(url, kind="bad_url", message="URL has no host")
    return None


def next_hop(
    current: URL, ex: Exchange, redirects: int, max_redirects: int, visited: set[str]
) -> tuple[Exchange | None, URL | None]:
    """The target of redirect response `ex` for `current`, and the failure if not followed.

    Returns (failure, target): (None, target) to follow; (failure, target or None) to stop,
    where the target is given when the redirect itself counted (it named a place to go).
    `visited` holds every URL requested so far in this fetch, as strings.
    """
    if redirects >= max_redirects:
        message = f"more than {max_redirects} redirects"
        return Exchange(current, ex.status, kind="too_many_redirects", message=message), None
    location = ex.headers.get("Location") if ex.headers is not None else None
    if not location:
        message = f"{ex.status} without Location"
        return Exchange(current, ex.status, kind="protocol", message=message), None
    try:
        target = current.join(URL(location)).with_fragment(None)
    except (ValueError, TypeError) as exc:
        return Exchange(current, ex.status, kind="bad_url", message=str(exc)), None
    bad = bad_target(target)
    if bad is not None:
        return bad, target
    # Cookie walls redirect back to the same URL once their cookie is set; after a Set-Cookie
    # the revisit is a different request, so it is not counted as a loop.
    if str(target) in visited and not ex.sets_cookie:
        message = f"redirect from {current} back to {target}"
        return Exchange(target, ex.status, kind="redirect_loop", message=message), target
    return None, target
