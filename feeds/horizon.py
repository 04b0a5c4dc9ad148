"""The ingestion horizon: the transaction id below which no article can appear any more.

Articles are ordered by the id of the transaction that inserted them (`ingest_xid`), and
transactions commit out of order, so a reader walking that order may only go up to the oldest
transaction that could still insert one. `pg_snapshot_xmin` gives the oldest transaction of
the whole server: an idle-in-transaction session in any database (a forgotten psql, another
application) would freeze every paged feed and the API. Here the horizon counts only the
transactions that hold a write lock on Warta's `articles` table, as PostgreSQL itself records
them in pg_locks: no registry of our own to keep, and a crashed writer's locks go with it.

Why this is safe: a transaction takes its lock on `articles` when it first writes there, and
the store's writers take it first thing (`LOCK TABLE articles IN ROW EXCLUSIVE MODE`), before
they have a transaction id. So a writer either appears in pg_locks (its id bounds the horizon)
or gets its id after the look, above the horizon. The page query must then run in a later
statement, with a snapshot taken after the look: every writer below the horizon had finished
by then, and its articles are visible to it.
"""

from __future__ import annotations

import asyncpg

__all__ = ["ingest_horizon"]

# pg_locks shows 32-bit transaction ids; each is widened to xid8 from its distance (signed, so
# wraparound-safe) to the snapshot's xmax, which every running transaction is within 2^31 of.
_HORIZON = """
WITH snap AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax),
writers AS (
    SELECT DISTINCT x.transactionid::text::bigint AS xid32
    FROM pg_locks r JOIN pg_locks x ON x.virtualtransaction = r.virtualtransaction
    WHERE r.locktype = 'relation' AND r.relation = 'articles'::regclass
      AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND r.mode = 'RowExclusiveLock'
      AND x.locktype = 'transactionid' AND x.mode = 'ExclusiveLock' AND x.granted
)
SELECT least(snap.xmax, min(snap.xmax + (((w.xid32 - (snap.xmax & 4294967295)) % 4294967296
                                          + 6442450944) % 4294967296 - 2147483648)))
FROM snap LEFT JOIN writers w ON true
GROUP BY snap.xmax
"""


async def ingest_horizon(conn: asyncpg.Pool | asyncpg.Connection) -> int:
    """The xid8 below which every article is committed (or never will be): a bound for
    `ingest_xid`, valid for statements that start after this one returns."""
    horizon: int = await conn.fetchval(_HORIZON)
    return horizon
