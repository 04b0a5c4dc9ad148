"""SQL for fetch bookkeeping: conditional-GET validators, pending retries, the ingestion log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

__all__ = [
    "FetchState",
    "LogEvent",
    "Pending",
    "clear_pending",
    "due_pending",
    "load_validators",
    "mark_pending",
    "save_fetch_states",
    "write_log",
]


@dataclass(frozen=True, slots=True)
class LogEvent:
    source_id: str
    event: str
    run_id: str | None = None
    url: str | None = None
    status: int | None = None
    not_modified: bool | None = None
    bytes: int | None = None
    elapsed_ms: int | None = None
    error_kind: str | None = None
    message: str | None = None


async def write_log(pool: asyncpg.Pool, events: Sequence[LogEvent]) -> None:
    """Append fetch/article/run events to the ingestion log in one round trip."""
    if not events:
        return
    await pool.executemany(
        "INSERT INTO ingestion_log (source_id, run_id, event, url, status, not_modified, bytes,"
        " elapsed_ms, error_kind, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            (e.source_id, e.run_id, e.event, e.url, e.status, e.not_modified, e.bytes,
             e.elapsed_ms, e.error_kind, e.message)
            for e in events
        ],
    )  # fmt: skip


async def load_validators(pool: asyncpg.Pool, url: str) -> tuple[str | None, str | None]:
    """The (ETag, Last-Modified) stored for a URL, for a conditional GET."""
    row = await pool.fetchrow("SELECT etag, last_modified FROM fetch_state WHERE url = $1", url)
    return (row["etag"], row["last_modified"]) if row else (None, None)


@dataclass(frozen=True, slots=True)
class FetchState:
    """The validators and status one fetch left for a URL."""

    url: str
    source_id: str
    status: int | None
    etag: str | None
    last_modified: str | None
    not_modified: bool


async def save_fetch_states(pool: asyncpg.Pool, states: Sequence[FetchState]) -> None:
    """Remember validators; a 304 keeps the ones we had (RFC 9111 §4.3.4).

    The pipeline calls this only after the run's articles are stored: validators saved by a
    run that then died would make the next run's feed answer 304 and hide what was lost.
    """
    if not states:
        return
    await pool.executemany(
        """
        INSERT INTO fetch_state (url, source_id, etag, last_modified, last_status, last_fetched_at)
        VALUES ($1, $2, $3, $4, $5, now())
        ON CONFLICT (url) DO UPDATE SET
            etag = CASE WHEN $6 THEN COALESCE(EXCLUDED.etag, fetch_state.etag) ELSE EXCLUDED.etag END,
            last_modified = CASE WHEN $6
                THEN COALESCE(EXCLUDED.last_modified, fetch_state.last_modified)
                ELSE EXCLUDED.last_modified END,
            last_status = EXCLUDED.last_status, last_fetched_at = now()
        """,
        [(s.url, s.source_id, s.etag, s.last_modified, s.status, s.not_modified) for s in states],
    )


@dataclass(frozen=True, slots=True)
class Pending:
    """A discovered article URL waiting for another attempt, with what its feed said."""

    url: str
    via: str
    hints: dict[str, Any]
    attempts: int


async def due_pending(pool: asyncpg.Pool, source_id: str, *, limit: int = 50) -> list[Pending]:
    """Pending URLs of a source whose next attempt is due, oldest first."""
    rows = await pool.fetch(
        "SELECT url, via, hints, attempts FROM pending_urls"
        " WHERE source_id = $1 AND NOT gave_up AND next_attempt_at <= now()"
        " ORDER BY first_seen_at LIMIT $2",
        source_id,
        limit,
    )
    return [Pending(r["url"], r["via"], r["hints"], r["attempts"]) for r in rows]


async def mark_pending(
    pool: asyncpg.Pool,
    failures: Sequence[tuple[str, str, dict[str, Any], str, str]],
    source_id: str,
    *,
    max_attempts: int,
    base_delay: float,
) -> None:
    """Record failed article URLs (url, via, hints, error kind, message) for a later retry.

    Each failure doubles the wait (base_delay · 2^attempts); after `max_attempts` the URL is
    kept as given up, so the reason stays visible and it is not retried forever.
    """
    if not failures:
        return
    await pool.executemany(
        """
        INSERT INTO pending_urls AS p (url, source_id, via, hints, attempts, last_error_kind,
                                       last_error, next_attempt_at)
        VALUES ($1, $2, $3, $4, 1, $5, $6, now() + make_interval(secs => $8))
        ON CONFLICT (url) DO UPDATE SET
            attempts = p.attempts + 1,
            last_error_kind = EXCLUDED.last_error_kind,
            last_error = EXCLUDED.last_error,
            next_attempt_at = now() + make_interval(secs => $8 * power(2, p.attempts)),
            gave_up = p.attempts + 1 >= $7
        """,
        [(url, source_id, via, hints, kind, msg, max_attempts, base_delay)
         for url, via, hints, kind, msg in failures],
    )  # fmt: skip


async def clear_pending(pool: asyncpg.Pool, urls: Sequence[str]) -> None:
    """Forget pending URLs that have now been stored."""
    if urls:
        await pool.execute("DELETE FROM pending_urls WHERE url = ANY($1::text[])", list(urls))
