"""Polling cadence and health verdicts: pure rules, table-driven."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ingestor.schedule.cadence import freshness, next_poll_seconds, publication_gap
from ingestor.schedule.health import RunMetrics, assess

NOW = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def poll(**kw: float | None) -> float:
    args: dict[str, float | None] = {"gap": None, "fresh_for": None, "retry_after": None}
    args.update(kw)
    # Jitter is ±10 %; a fixed seed makes the expected band exact.
    return next_poll_seconds(poll_min=300, poll_max=3600, rng=random.Random(1), **args)  # type: ignore[arg-type]


def test_quiet_sources_poll_at_the_upper_bound() -> None:
    assert 3240 <= poll() <= 3960


def test_busy_sources_poll_about_every_few_articles_within_bounds() -> None:
    assert 900 <= poll(gap=400) <= 1100  # 2.5 × 400 s
    assert 270 <= poll(gap=10) <= 330  # never below poll_min
    assert 3240 <= poll(gap=10_000) <= 3960  # never above poll_max


def test_the_site_s_word_wins() -> None:
    assert poll(gap=10, fresh_for=1800) >= 1620  # max-age 30 min
    assert poll(gap=10, fresh_for=99_999) <= 3960  # freshness is capped at poll_max
    assert poll(gap=10, retry_after=7200) >= 6480  # Retry-After may exceed poll_max


def test_freshness_sources() -> None:
    assert freshness("public, max-age=120", None, b"", now=NOW).seconds == 120
    expires = "Sun, 29 Nov 2026 01:10:00 GMT"
    assert freshness(None, expires, b"", now=NOW).seconds == 600
    assert freshness(None, None, b"<rss><channel><ttl>15</ttl>", now=NOW).seconds == 900
    assert freshness("no-cache", "garbage", b"<rss/>", now=NOW).seconds is None


def test_publication_gap() -> None:
    times = [NOW - timedelta(minutes=m) for m in (0, 30, 60, 90)]
    assert publication_gap(times) == 1800
    assert publication_gap(times[:2]) is None


@pytest.mark.parametrize(
    ("failures", "expected", "disable"),
    [(0, "ok", False), (1, "degraded", False), (3, "failing", False), (10, "disabled", True)],
)
def test_health_by_consecutive_failures(failures: int, expected: str, disable: bool) -> None:
    verdict = assess(
        {}, RunMetrics(ok=failures == 0), failures=failures, failing_after=3, disable_after=10
    )
    assert (verdict.health, verdict.disable) == (expected, disable)


def test_drift_signals_degrade_a_succeeding_source() -> None:
    stats: dict[str, object] = {}
    healthy = RunMetrics(ok=True, new_articles=5, mean_body_chars=2500,
                         share_without_date=0.0, share_without_author=0.0)  # fmt: skip
    for _ in range(4):
        verdict = assess(stats, healthy, failures=0, failing_after=3, disable_after=10)
        assert verdict.health == "ok"
        stats = verdict.stats
    broken = RunMetrics(ok=True, new_articles=5, mean_body_chars=300,
                        share_without_date=0.8, share_without_author=0.6)  # fmt: skip
    verdict = assess(stats, broken, failures=0, failing_after=3, disable_after=10)
    assert verdict.health == "degraded"
    assert any("body length collapsed" in d for d in verdict.drift)
    assert any("without date" in d for d in verdict.drift)
    assert any("without author" in d for d in verdict.drift)
    empty = assess(
        stats, RunMetrics(ok=True, empty_listings=1), failures=0, failing_after=3, disable_after=10
    )
    assert empty.health == "degraded" and "no articles" in empty.drift[0]
