"""The index page's notice of failing sources: how many, since when and why, from their health.

The ingestion side keeps each source's health in the sources table (ok, degraded, failing,
disabled) with its last error; the fetch log has when each failure happened. The notice
counts the enabled sources that are failing, dates the oldest failure streak among them and
names their most common error in words a reader understands.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from feeds.names import clock

__all__ = ["Failing", "failing_sources", "notice"]

# Error kinds of the fetch log (ingestor.fetch.outcome.ERROR_KINDS) as a reader would say them.
_REASONS = {
    "dns": "jaringan tidak terjangkau",
    "connect": "jaringan tidak terjangkau",
    "reset": "jaringan tidak terjangkau",
    "proxy": "jaringan tidak terjangkau",
    "timeout": "sumber tidak menjawab",
    "tls": "sertifikat situs bermasalah",
    "http_5xx": "situs sumber sedang galat",
    "http_4xx": "halaman sumber menolak atau hilang",
    "rate_limited": "dibatasi oleh situs sumber",
    "robots_deferred": "robots.txt situs tidak terbaca",
    "robots_disallowed": "dilarang oleh robots.txt situs",
    "circuit_open": "ditunda setelah gagal berulang",
}

# Per failing source: its zone, its last error, and the first failure after its last success.
_FAILING = """
SELECT s.timezone, s.last_error_kind,
       coalesce((SELECT min(l.at) FROM ingestion_log l
                 WHERE l.source_id = s.id AND l.error_kind IS NOT NULL
                   AND l.at > coalesce(s.last_success_at, '-infinity')),
                s.last_error_at) AS since
FROM sources s WHERE s.enabled AND s.health = 'failing'
"""


@dataclass(frozen=True, slots=True)
class Failing:
    count: int
    total: int  # enabled sources
    since: datetime | None
    zone: str | None  # the zone most of the failing sources are in
    reason: str


async def failing_sources(pool: asyncpg.Pool) -> Failing | None:
    """What the notice says, or None when no enabled source is failing."""
    rows = await pool.fetch(_FAILING)
    if not rows:
        return None
    total = await pool.fetchval("SELECT count(*) FROM sources WHERE enabled")
    kinds = Counter(r["last_error_kind"] or "" for r in rows).most_common(1)[0][0]
    zones = Counter(r["timezone"] for r in rows).most_common(1)[0][0]
    starts = [r["since"] for r in rows if r["since"] is not None]
    return Failing(
        count=len(rows),
        total=total,
        since=min(starts) if starts else None,
        zone=zones,
        reason=_REASONS.get(kinds, kinds.replace("_", " ") or "sebab tidak tercatat"),
    )


def notice(failing: Failing) -> str:
    """'12 dari 35 sumber gagal sejak 14.05 WIB: jaringan tidak terjangkau' (plain text)."""
    since = f" sejak {clock(failing.since, failing.zone)}" if failing.since else ""
    return f"{failing.count} dari {failing.total} sumber gagal{since}: {failing.reason}"
