"""SQL for the change log's retention: old changes of deleted articles go, and how far is kept.

Triggers write the log (migration 0005), so the write side never adds to it by hand; it only
prunes it, with the articles' retention, or it would grow by every change forever.
"""

from __future__ import annotations

from datetime import timedelta

import asyncpg

__all__ = ["prune_changes"]

# Old changes go only for articles deleted since, oldest first through the changed_at index:
# a live article keeps its history, so a poller starting from nothing still gets every
# article (and articles themselves live only as long as their retention). A commit's row
# goes with its last change. change_log_state.pruned_through keeps the newest commit number
# pruned from: a cursor not past it may have missed changes, and the API tells its poller to
# start over (410) instead of letting it drift from the database unawares.
_PRUNE = """
WITH doomed AS (
    SELECT c.id, c.xid FROM article_changes c
    WHERE c.changed_at < now() - $1::interval
      AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id)
    ORDER BY c.changed_at LIMIT $2
), changes AS (
    DELETE FROM article_changes c USING doomed d WHERE c.id = d.id RETURNING c.id
), commits AS (
    DELETE FROM change_commits t WHERE t.xid IN (SELECT xid FROM doomed)
      AND NOT EXISTS (SELECT 1 FROM article_changes c
                      WHERE c.xid = t.xid AND c.id NOT IN (SELECT id FROM doomed))
), mark AS (
    UPDATE change_log_state SET pruned_through = greatest(pruned_through,
        (SELECT max(t.seq) FROM change_commits t WHERE t.xid IN (SELECT xid FROM doomed)))
)
SELECT count(*) FROM changes
"""


async def prune_changes(pool: asyncpg.Pool, *, older_than: timedelta, batch: int) -> int:
    """Delete changes of deleted articles older than `older_than`, each batch its own short
    transaction; returns how many changes went."""
    total = 0
    while True:
        pruned = int(await pool.fetchval(_PRUNE, older_than, batch))
        total += pruned
        if pruned < batch:
            return total
