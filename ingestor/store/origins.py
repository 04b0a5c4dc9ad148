"""SQL for the shared politeness ledger: places, start reservations and Retry-After per origin.

Every call is one statement: a request costs two round trips (turn, give), three when it
must wait for its start or a place. Processes serialise on the origin's row only for the
instant of their UPDATE.
"""

from __future__ import annotations

import asyncpg

__all__ = [
    "defer_origin",
    "ensure_origin",
    "give_origin_slot",
    "mark_holder",
    "release_origin_slots",
    "sweep_origins",
    "take_origin_slot",
    "take_origin_turn",
]


async def ensure_origin(pool: asyncpg.Pool, origin: str, cap: int) -> None:
    """Create the origin's row and places 0..cap-1 if missing (a no-op when they exist)."""
    await pool.execute(
        """
        WITH o AS (INSERT INTO origins (origin) VALUES ($1) ON CONFLICT DO NOTHING)
        INSERT INTO origin_slots (origin, slot)
        SELECT $1, n FROM generate_series(0, $2 - 1) AS n
        ON CONFLICT DO NOTHING
        """,
        origin,
        cap,
    )


_FREE = """
    SELECT slot FROM origin_slots
    WHERE origin = $1 AND slot < $2
      AND (holder IS NULL OR expires_at < now() OR NOT EXISTS (
          SELECT 1 FROM pg_stat_activity a WHERE a.application_name = holder))
    ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED
"""


async def take_origin_turn(
    pool: asyncpg.Pool,
    origin: str,
    source_id: str,
    holder: str,
    *,
    cap: int,
    gap: float,
    next_gap: float,
    lease_seconds: float,
) -> tuple[int | None, float | None, float]:
    """Reserve the origin's next start and, when that start is now, take a free place too.

    Returns (place, seconds until the start, seconds a Retry-After still holds). The start is
    the latest of now, the previous reservation's next start, and the previous start plus
    `gap` (so a Crawl-delay learnt after a start still applies to it); reservations queue on
    the origin's row lock, so processes take turns in the order they asked. Nothing is
    reserved while a Retry-After holds for (origin, source). The wait is None when the
    origin has no row yet (see `ensure_origin`).

    A place is free when nobody holds it, its lease ran out, or its holder's marker session
    (a connection whose application_name is the holder, see `mark_holder`) is gone: a process
    killed mid-request frees its places as soon as PostgreSQL sees its connections close.
    """
    row = await pool.fetchrow(
        f"""
        WITH deferred AS (
            SELECT until FROM origin_deferrals
            WHERE origin = $1 AND source_id = $5 AND until > now()
        ), turn AS (
            UPDATE origins SET
                last_start_at = greatest(now(), next_start_at,
                                         last_start_at + make_interval(secs => $6)),
                next_start_at = greatest(now(), next_start_at,
                                         last_start_at + make_interval(secs => $6))
                                + make_interval(secs => $7)
            WHERE origin = $1 AND NOT EXISTS (SELECT 1 FROM deferred)
            RETURNING last_start_at
        ), slot AS (
            UPDATE origin_slots SET holder = $3, expires_at = now() + make_interval(secs => $4)
            WHERE origin = $1 AND EXISTS (SELECT 1 FROM turn WHERE last_start_at <= now())
              AND slot = ({_FREE})
            RETURNING slot
        )
        SELECT (SELECT slot FROM slot) AS slot,
               (SELECT extract(epoch FROM last_start_at - now())::float8 FROM turn) AS wait,
               (SELECT extract(epoch FROM until - now())::float8 FROM deferred) AS deferred
        """,
        origin, cap, holder, float(lease_seconds), source_id, float(gap), float(next_gap),
    )  # fmt: skip
    assert row is not None  # a SELECT of scalar subqueries always returns one row
    wait = None if row["wait"] is None else max(row["wait"], 0.0)
    return row["slot"], wait, row["deferred"] or 0.0


async def take_origin_slot(
    pool: asyncpg.Pool, origin: str, holder: str, *, cap: int, lease_seconds: float
) -> int | None:
    """Take a free place on the origin (the start is already reserved); None if all are held."""
    value = await pool.fetchval(
        f"""
        UPDATE origin_slots SET holder = $3, expires_at = now() + make_interval(secs => $4)
        WHERE origin = $1 AND slot = ({_FREE})
        RETURNING slot
        """,
        origin, cap, holder, float(lease_seconds),
    )  # fmt: skip
    return None if value is None else int(value)


async def mark_holder(conn: asyncpg.Connection, holder: str) -> None:
    """Make `conn` the marker session of `holder`: its places live as long as it does."""
    await conn.execute("SELECT set_config('application_name', $1, false)", holder)


async def give_origin_slot(pool: asyncpg.Pool, origin: str, slot: int, holder: str) -> None:
    """Free a place this holder still holds."""
    await pool.execute(
        "UPDATE origin_slots SET holder = NULL, expires_at = NULL"
        " WHERE origin = $1 AND slot = $2 AND holder = $3",
        origin,
        slot,
        holder,
    )


async def defer_origin(pool: asyncpg.Pool, origin: str, source_id: str, seconds: float) -> None:
    """Record a Retry-After for (origin, source); a longer one already recorded stands."""
    await pool.execute(
        """
        INSERT INTO origin_deferrals (origin, source_id, until)
        VALUES ($1, $2, now() + make_interval(secs => $3))
        ON CONFLICT (origin, source_id)
        DO UPDATE SET until = greatest(origin_deferrals.until, EXCLUDED.until)
        """,
        origin,
        source_id,
        float(seconds),
    )


async def release_origin_slots(pool: asyncpg.Pool, holder: str) -> None:
    """Free every place `holder` holds (shutdown)."""
    await pool.execute(
        "UPDATE origin_slots SET holder = NULL, expires_at = NULL WHERE holder = $1", holder
    )


async def sweep_origins(pool: asyncpg.Pool) -> int:
    """Free places whose lease ran out and forget Retry-Afters that are over; returns how many.

    Not needed for correctness (an expired place counts as free), it keeps the tables honest
    for whoever looks at them after a process was killed.
    """
    freed = await pool.fetchval(
        """
        WITH freed AS (
            UPDATE origin_slots SET holder = NULL, expires_at = NULL
            WHERE holder IS NOT NULL AND expires_at < now() RETURNING 1
        ), gone AS (
            DELETE FROM origin_deferrals WHERE until < now() RETURNING 1
        )
        SELECT (SELECT count(*) FROM freed) + (SELECT count(*) FROM gone)
        """
    )
    return int(freed or 0)
