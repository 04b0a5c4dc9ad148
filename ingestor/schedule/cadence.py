"""When to poll a source next: publication rate, feed freshness hints, Retry-After, jitter (pure)."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

__all__ = ["Freshness", "freshness", "next_poll_seconds", "publication_gap"]

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)
_TTL = re.compile(rb"<ttl>\s*(\d+)\s*</ttl>", re.IGNORECASE)
_JITTER = 0.1
_ARTICLES_PER_POLL = 2.5


@dataclass(frozen=True, slots=True)
class Freshness:
    """How long a feed told us its answer stays fresh, in seconds (None: it did not say)."""

    seconds: float | None


def freshness(
    cache_control: str | None, expires: str | None, body: bytes, *, now: datetime
) -> Freshness:
    """Cache-Control max-age, else Expires, else the RSS <ttl> (minutes), whichever is given."""
    if cache_control:
        match = _MAX_AGE.search(cache_control)
        if match:
            return Freshness(float(match[1]))
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return Freshness(max(0.0, (when - now).total_seconds()))
    ttl = _TTL.search(body[:65536])
    return Freshness(float(ttl[1]) * 60 if ttl else None)


def publication_gap(published: Sequence[datetime]) -> float | None:
    """Mean seconds between consecutive recent publications; None with fewer than three."""
    if len(published) < 3:
        return None
    ordered = sorted(published)
    return (ordered[-1] - ordered[0]).total_seconds() / (len(ordered) - 1)


def next_poll_seconds(
    *,
    poll_min: float,
    poll_max: float,
    gap: float | None,
    fresh_for: float | None,
    retry_after: float | None,
    rng: random.Random,
) -> float:
    """Seconds until the next poll of a source.

    Poll about once per `_ARTICLES_PER_POLL` expected new articles, within the source's
    bounds: each new article costs one page fetch anyway, so a poll that finds two or three
    keeps requests per new article near 1.4 while the delay stays about one publication gap.
    Never sooner than the feed said its answer stays fresh, nor than a Retry-After asked
    (both may exceed the upper bound: the site's word wins). Jitter spreads sources that
    would otherwise fire in the same tick.
    """
    interval = poll_max if gap is None else min(poll_max, max(poll_min, gap * _ARTICLES_PER_POLL))
    if fresh_for is not None:
        interval = max(interval, min(fresh_for, poll_max))
    if retry_after is not None:
        interval = max(interval, retry_after)
    return interval * rng.uniform(1 - _JITTER, 1 + _JITTER)
