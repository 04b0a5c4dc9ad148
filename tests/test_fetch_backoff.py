"""Backoff arithmetic: Retry-After parsing, retry delays, the circuit breaker's next attempt."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ingestor.fetch.backoff import is_retryable_status, parse_retry_after, retry_delay
from ingestor.fetch.fetcher import next_attempt_after

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Sat, 28 Nov 2026 12:01:30 GMT", 90.0),
        ("Sat, 28 Nov 2026 11:00:00 GMT", 0.0),  # in the past: go now
        ("Saturday, 28-Nov-26 12:00:10 GMT", 10.0),  # RFC 850, still accepted (RFC 9110 §5.6.7)
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after_both_forms(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


def test_retryable_statuses() -> None:
    assert all(is_retryable_status(s) for s in (408, 429, 500, 502, 503, 504))
    assert not any(is_retryable_status(s) for s in (400, 401, 403, 404, 410, 501, 505))


def test_retry_delay_grows_and_is_capped() -> None:
    rng = random.Random(7)
    delays = [retry_delay(n, 0.5, 4.0, rng) for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        full = min(4.0, 0.5 * 2 ** (n - 1))
        assert full / 2 <= delay <= full


def test_next_attempt_after_is_exponential_with_ceiling_and_jitter() -> None:
    base, ceiling = timedelta(minutes=1), timedelta(hours=6)
    rng = random.Random(1)
    assert next_attempt_after(0, base, ceiling, rng) == timedelta(0)
    for failures in range(1, 60):
        full = min(ceiling, base * 2 ** min(failures - 1, 30))
        wait = next_attempt_after(failures, base, ceiling, rng)
        assert full / 2 <= wait <= full
    assert next_attempt_after(10_000, base, ceiling, rng) <= ceiling  # no overflow


def test_next_attempt_after_spreads_sources_that_failed_together() -> None:
    rng = random.Random(3)
    waits = {
        next_attempt_after(4, timedelta(minutes=1), timedelta(hours=1), rng) for _ in range(20)
    }
    assert len(waits) == 20
