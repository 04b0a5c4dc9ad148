"""Judge a source's health after a run: failures, drift signals, auto-disable (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Health", "RunMetrics", "Verdict", "assess"]

Health = Literal["ok", "degraded", "failing", "disabled"]

# Exponentially weighted moving averages: a baseline that follows the site slowly, so one odd
# article does not raise an alarm but a layout change that breaks extraction does.
_ALPHA = 0.3
_MIN_SAMPLES = 3  # runs with new articles before a baseline is trusted
_COLLAPSE = 0.4  # body length falling below 40 % of its baseline
_RISE = 0.3  # share without date/author rising 30 points above its baseline


@dataclass(frozen=True, slots=True)
class RunMetrics:
    """What one run observed about the articles and listings it read."""

    ok: bool
    new_articles: int = 0
    empty_listings: int = 0  # listings/feeds that answered 200 but held no article link
    mean_body_chars: float | None = None  # over this run's new articles
    share_without_date: float | None = None
    share_without_author: float | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    health: Health
    stats: dict[str, Any]
    drift: tuple[str, ...] = field(default=())
    disable: bool = False


def _ewma(old: float | None, new: float | None) -> float | None:
    if new is None:
        return old
    return new if old is None else old + _ALPHA * (new - old)


def _drift(baseline: dict[str, Any], run: RunMetrics) -> list[str]:
    signals: list[str] = []
    if run.empty_listings:
        signals.append("a listing answered 200 but held no articles")
    if baseline.get("samples", 0) < _MIN_SAMPLES or not run.new_articles:
        return signals
    body = baseline.get("body_chars")
    if body and run.mean_body_chars is not None and run.mean_body_chars < _COLLAPSE * body:
        signals.append(f"body length collapsed ({run.mean_body_chars:.0f} vs {body:.0f} chars)")
    for key, label in (("without_date", "date"), ("without_author", "author")):
        base, now = baseline.get(key), getattr(run, f"share_{key}")
        if base is not None and now is not None and now - base > _RISE:
            signals.append(f"share of articles without {label} rose to {now:.0%} (was {base:.0%})")
    return signals


def assess(
    previous: dict[str, Any],
    run: RunMetrics,
    *,
    failures: int,
    failing_after: int,
    disable_after: int,
) -> Verdict:
    """Health after a run, the updated baseline, and whether to disable the source now.

    `failures` counts consecutive failed runs including this one (0 when it succeeded).
    """
    baseline = dict(previous.get("baseline", {}))
    drift = _drift(baseline, run)
    if run.new_articles:
        baseline["samples"] = baseline.get("samples", 0) + 1
        baseline["body_chars"] = _ewma(baseline.get("body_chars"), run.mean_body_chars)
        baseline["without_date"] = _ewma(baseline.get("without_date"), run.share_without_date)
        baseline["without_author"] = _ewma(baseline.get("without_author"), run.share_without_author)
    stats = {**previous, "baseline": baseline, "drift": drift}
    if failures >= disable_after:
        return Verdict("disabled", stats, tuple(drift), disable=True)
    if failures >= failing_after:
        return Verdict("failing", stats, tuple(drift))
    if failures or drift:
        return Verdict("degraded", stats, tuple(drift))
    return Verdict("ok", stats, tuple(drift))
