"""How long to wait: retry backoff with jitter, Retry-After parsing, and the circuit breaker."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

__all__ = [
    "is_retryable_status",
    "next_attempt_after",
    "parse_retry_after",
    "retry_delay",
]

# Beyond 2**30 the delay is past any sensible ceiling anyway; the cap keeps float math finite.
_MAX_EXPONENT = 30


def is_retryable_status(status: int) -> bool:
    """408, 429 and 5xx are worth another try; 501 and 505 say the server never will."""
    if status in (408, 429):
        return True
    return 500 <= status <= 599 and status not in (501, 505)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value in either form (RFC 9110 §10.2.3).

    Args:
        value: delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT").
        now: the current time, for tests; defaults to the clock.

    Returns:
        Non-negative seconds, or None when the header is absent or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 HTTP-dates are always GMT; a zone-less parse means the same.
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max((when - current).total_seconds(), 0.0)


def _exponential(step: int, base: float, ceiling: float, rng: random.Random) -> float:
    """base * 2**(step-1), capped at `ceiling`, then "equal jitter" into [d/2, d].

    Half the delay is kept so that a retry is never immediate; the random half spreads clients
    that failed together (AWS Architecture Blog, "Exponential Backoff and Jitter").
    """
    if step <= 0 or base <= 0.0 or ceiling <= 0.0:
        return 0.0
    delay = min(ceiling, base * 2.0 ** min(step - 1, _MAX_EXPONENT))
    return delay / 2.0 + rng.random() * delay / 2.0


def retry_delay(attempt: int, base: float, ceiling: float, rng: random.Random) -> float:
    """Seconds to sleep before retry number `attempt` (1 for the first retry)."""
    return _exponential(attempt, base, ceiling, rng)


def next_attempt_after(
    consecutive_failures: int,
    base: timedelta,
    ceiling: timedelta,
    rng: random.Random,
) -> timedelta:
    """How long a source's circuit stays open after `consecutive_failures` failed fetches.

    The scheduler sets `sources.circuit_open_until = now + next_attempt_after(...)`; zero
    failures means closed. Doubles from `base` per failure, never above `ceiling`, with jitter so
    sources that failed together (one host down) do not all come back in the same tick.
    """
    seconds = _exponential(consecutive_failures, base.total_seconds(), ceiling.total_seconds(), rng)
    return timedelta(seconds=seconds)
