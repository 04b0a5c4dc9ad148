"""SQL for the source rows: catalogue sync, leases, run outcomes, health and circuit state."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from ingestor.sources import Source

__all__ = [
    "SourceState",
    "claim_due_sources",
    "first_poll_offsets",
    "record_run",
    "release_leases",
    "release_source",
    "renew_lease",
    "seconds_until_due",
    "set_circuit",
    "source_state",
    "sweep_leases",
    "sync_sources",
]


def _source_config(source: Source) -> dict[str, Any]:
    return {
        "layout": source.layout,
        "rss": list(source.discovery.rss),
        "listings": [l.url for l in source.discovery.listings],  # noqa: E741
        "sitemaps": list(source.discovery.sitemaps),
        "article_pattern": source.article_pattern.pattern,
        "verified": source.verified,
        "notes": source.notes,
    }


# At most one new source falls due per this many seconds (see `first_poll_offsets`).
_FIRST_POLL_GAP = 1.0


def _stable_key(source_id: str) -> bytes:
    return hashlib.blake2b(source_id.encode("utf-8"), digest_size=8).digest()


def first_poll_offsets(new: Sequence[Source]) -> dict[str, float]:
    """Seconds from now to each new source's first poll: a ramp, never a burst.

    A catalogue added at once (a first start, a new region) would otherwise be due all at
    once: a burst of first polls, each taking a site's whole backlog, that keeps later
    sources waiting well past their time and loads the machine unevenly. New sources come
    due one after another, `_FIRST_POLL_GAP` apart, or closer when that would take longer
    than their `poll_max` (the interval a source with no publication history is polled at):
    every first poll then falls within one interval, at the rate of the rounds that follow.
    A single new source is due at once, a handful within seconds. The order is a stable
    hash of the id, so every process syncing the same catalogue computes the same slots,
    and sources of one site interleave with others instead of queueing on its host.
    """
    ordered = sorted(new, key=lambda s: _stable_key(s.id))
    count = len(ordered)
    return {
        s.id: k * min(_FIRST_POLL_GAP, s.poll_max_seconds / count) for k, s in enumerate(ordered)
    }


async def sync_sources(pool: asyncpg.Pool, sources: Sequence[Source]) -> None:
    """Upsert the catalogue; schedule and health state survive, removed sources are disabled.

    Sources new to the database get their first polls spread (`first_poll_offsets`).
    """
    async with pool.acquire() as conn, conn.transaction():
        known = {
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM sources WHERE id = ANY($1::text[])", [s.id for s in sources]
            )
        }
        offsets = first_poll_offsets([s for s in sources if s.id not in known and s.enabled])
        await conn.executemany(
            """
            INSERT INTO sources (id, name, base_url, province, timezone, lang, republish, rights,
                                 config, enabled, poll_min_seconds, poll_max_seconds, health,
                                 next_run_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                    CASE WHEN $10 THEN 'ok' ELSE 'disabled' END,
                    now() + make_interval(secs => $13))
            ON CONFLICT (id) DO UPDATE SET
                name = EXCLUDED.name, base_url = EXCLUDED.base_url, province = EXCLUDED.province,
                timezone = EXCLUDED.timezone, lang = EXCLUDED.lang, republish = EXCLUDED.republish,
                rights = EXCLUDED.rights, config = EXCLUDED.config,
                poll_min_seconds = EXCLUDED.poll_min_seconds,
                poll_max_seconds = EXCLUDED.poll_max_seconds,
                -- the catalogue can disable a source; re-enabling it is an operator's call
                -- unless the catalogue itself had disabled it
                enabled = CASE WHEN NOT EXCLUDED.enabled THEN false
                               WHEN sources.disabled_reason = 'catalogue' THEN true
                               ELSE sources.enabled END,
                disabled_reason = CASE WHEN NOT EXCLUDED.enabled THEN 'catalogue'
                               WHEN sources.disabled_reason = 'catalogue' THEN NULL
                               ELSE sources.disabled_reason END,
                health = CASE WHEN NOT EXCLUDED.enabled THEN 'disabled'
                               WHEN sources.disabled_reason = 'catalogue' THEN 'ok'
                               ELSE sources.health END,
                updated_at = now()
            """,
            [
                (
                    s.id, s.name, s.base_url, s.province, s.tz_name, s.lang, s.republish,
                    s.rights, _source_config(s), s.enabled, s.poll_min_seconds,
                    s.poll_max_seconds, offsets.get(s.id, 0.0),
                )
                for s in sources
            ],
        )  # fmt: skip
        await conn.execute(
            "UPDATE sources SET enabled = false, health = 'disabled',"
            " disabled_reason = 'removed from catalogue', updated_at = now()"
            " WHERE NOT (id = ANY($1::text[])) AND enabled",
            [s.id for s in sources],
        )


async def claim_due_sources(
    pool: asyncpg.Pool,
    owner: str,
    *,
    limit: int,
    lease_seconds: int,
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[str]:
    """Lease up to `limit` due, enabled sources to `owner`; other processes skip them.

    `FOR UPDATE SKIP LOCKED` lets any number of workers claim concurrently without waiting on
    each other; an expired lease (a crashed worker) makes the source claimable again. `only`
    narrows the choice to some sources, `exclude` leaves some out (those a pass already ran).
    """
    rows = await pool.fetch(
        """
        UPDATE sources SET lease_owner = $1, lease_expires_at = now() + make_interval(secs => $3)
        WHERE id IN (
            SELECT id FROM sources
            WHERE enabled AND next_run_at <= now()
              AND (lease_expires_at IS NULL OR lease_expires_at < now())
              AND (circuit_open_until IS NULL OR circuit_open_until <= now())
              AND (cardinality($4::text[]) = 0 OR id = ANY($4::text[]))
              AND NOT (id = ANY($5::text[]))
            ORDER BY next_run_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED)
        RETURNING id
        """,
        owner,
        limit,
        float(lease_seconds),
        list(only),
        list(exclude),
    )
    return [r["id"] for r in rows]


async def seconds_until_due(pool: asyncpg.Pool, *, only: Sequence[str] = ()) -> float | None:
    """Seconds until the next enabled source can be claimed (0.0 if one can now), None if none.

    A source is claimable once it is due, its circuit is closed and no live lease holds it.
    """
    value = await pool.fetchval(
        """
        SELECT extract(epoch FROM min(greatest(
                   next_run_at, coalesce(circuit_open_until, next_run_at),
                   coalesce(lease_expires_at, next_run_at))) - now())::float8
        FROM sources
        WHERE enabled AND (cardinality($1::text[]) = 0 OR id = ANY($1::text[]))
        """,
        list(only),
    )
    return None if value is None else max(float(value), 0.0)


async def sweep_leases(pool: asyncpg.Pool) -> int:
    """Clear leases that ran out (their holder died); returns how many.

    An expired lease is claimable anyway; clearing it keeps `warta sources` and the API from
    showing a dead process as the owner.
    """
    result = await pool.execute(
        "UPDATE sources SET lease_owner = NULL, lease_expires_at = NULL"
        " WHERE lease_owner IS NOT NULL AND lease_expires_at < now()"
    )
    return int(result.split()[-1])


async def release_source(pool: asyncpg.Pool, source_id: str, owner: str, *, next_in: float) -> None:
    """Give the lease back and schedule the next run `next_in` seconds from now."""
    await pool.execute(
        "UPDATE sources SET lease_owner = NULL, lease_expires_at = NULL,"
        " next_run_at = now() + make_interval(secs => $3), poll_interval_seconds = $3::int"
        " WHERE id = $1 AND lease_owner = $2",
        source_id,
        owner,
        float(next_in),
    )


async def release_leases(pool: asyncpg.Pool, owner: str) -> None:
    """Drop every lease `owner` holds (shutdown), so other workers can take the sources now."""
    await pool.execute(
        "UPDATE sources SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1",
        owner,
    )


@dataclass(frozen=True, slots=True)
class SourceState:
    """What a run needs to know of the source row before judging its health."""

    stats: dict[str, Any]
    consecutive_failures: int


async def source_state(pool: asyncpg.Pool, source_id: str) -> SourceState:
    row = await pool.fetchrow(
        "SELECT stats, consecutive_failures FROM sources WHERE id = $1", source_id
    )
    if row is None:
        return SourceState({}, 0)
    return SourceState(row["stats"] or {}, row["consecutive_failures"])


async def record_run(
    pool: asyncpg.Pool,
    source_id: str,
    *,
    ok: bool,
    new_articles: int,
    failures: int,
    health: str,
    stats: dict[str, Any],
    error_kind: str | None = None,
    error_message: str | None = None,
    disable_reason: str | None = None,
) -> None:
    """Write a run's outcome onto the source row: health, last error, counters, drift stats.

    With `disable_reason` the source is switched off until an operator enables it again.
    """
    await pool.execute(
        """
        UPDATE sources SET
            last_run_at = now(),
            last_success_at = CASE WHEN $2 THEN now() ELSE last_success_at END,
            last_error_at = CASE WHEN $2 THEN last_error_at ELSE now() END,
            last_error_kind = CASE WHEN $2 THEN last_error_kind ELSE $4 END,
            last_error_message = CASE WHEN $2 THEN last_error_message ELSE $5 END,
            consecutive_failures = $6,
            health = CASE WHEN NOT enabled THEN 'disabled' ELSE $7 END,
            enabled = enabled AND $8::text IS NULL,
            disabled_reason = COALESCE($8, disabled_reason),
            articles_last_run = $3,
            stats = $9,
            updated_at = now()
        WHERE id = $1
        """,
        source_id, ok, new_articles, error_kind, error_message, failures, health,
        disable_reason, stats,
    )  # fmt: skip


async def set_circuit(pool: asyncpg.Pool, source_id: str, open_until: datetime | None) -> None:
    """Open the source's circuit breaker until a time (None closes it); shown on the row."""
    await pool.execute(
        "UPDATE sources SET circuit_open_until = $2 WHERE id = $1", source_id, open_until
    )


async def renew_lease(
    pool: asyncpg.Pool, source_id: str, owner: str, *, lease_seconds: int
) -> None:
    """Extend a lease this owner still holds (a heartbeat during long runs)."""
    await pool.execute(
        "UPDATE sources SET lease_expires_at = now() + make_interval(secs => $3)"
        " WHERE id = $1 AND lease_owner = $2",
        source_id,
        owner,
        float(lease_seconds),
    )
