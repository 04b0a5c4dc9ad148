"""Read the change stream: article inserts, updates and deletions in commit order, page by page.

The log is written by triggers (migration 0005); each writing transaction's number is drawn
as it commits, so reading `past the cursor` never skips a change that commits later. An
insert or update carries the article as it is when read (a later change of it comes again,
later in the stream); a deletion carries the tombstone (id, url, deleted_at). An insert or
update of an article deleted since arrives as a tombstone too: its deletion follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from feeds.query import ArticleRow, articles

__all__ = ["Change", "ChangeCursor", "ChangePage", "CursorExpired", "change_page"]

_TOKEN = re.compile(r"^c([0-9a-f]{1,16})-([0-9a-f]{1,16})$")


class CursorExpired(Exception):
    """Retention pruned changes at or after the cursor: its poller must start over."""


@dataclass(frozen=True, slots=True)
class ChangeCursor:
    """A position in the change stream: the commit's number, then the change's id in it."""

    seq: int
    id: int

    def token(self) -> str:
        # The leading 'c' keeps it apart from /api/v1/articles cursors, which look alike.
        return f"c{self.seq:x}-{self.id:x}"

    @classmethod
    def parse(cls, token: str) -> ChangeCursor | None:
        """The cursor, or None when the token is not one this server hands out."""
        match = _TOKEN.match(token)
        if not match or max(int(match[1], 16), int(match[2], 16)) >= 2**63:
            return None
        return cls(int(match[1], 16), int(match[2], 16))


@dataclass(frozen=True, slots=True)
class Change:
    """One change: `row` is the article now, None for a tombstone (then `deleted_at` is set,
    and `url` is the deleted article's)."""

    cursor: ChangeCursor
    change: str  # insert | update | delete
    changed_at: datetime
    article_id: int
    url: str
    row: ArticleRow | None
    deleted_at: datetime | None


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Changes after a cursor; `more`: further changes are committed already."""

    changes: tuple[Change, ...]
    more: bool


_PAGE = """
SELECT t.seq, c.id, c.article_id, c.change, c.url, c.changed_at
FROM change_commits t JOIN article_changes c ON c.xid = t.xid
WHERE t.seq >= $1 AND (t.seq > $1 OR c.id > $2)
ORDER BY t.seq, c.id
LIMIT $3
"""

_DELETIONS = """
SELECT DISTINCT ON (article_id) article_id, changed_at FROM article_changes
WHERE change = 'delete' AND article_id = ANY($1::bigint[])
ORDER BY article_id, id
"""


async def change_page(pool: asyncpg.Pool, after: ChangeCursor | None, limit: int) -> ChangePage:
    """Up to `limit` changes after `after` (from the start when None), oldest commit first.

    Raises:
        CursorExpired: retention pruned changes this cursor had not reached yet.
    """
    start = after or ChangeCursor(0, 0)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        # One snapshot for both: the log read cannot pass a prune the check did not see.
        pruned = await conn.fetchval("SELECT pruned_through FROM change_log_state")
        if after is not None and after.seq <= pruned:
            raise CursorExpired(f"changes up to {pruned:x} were pruned by retention")
        log = await conn.fetch(_PAGE, start.seq, start.id, limit + 1)
    more = len(log) > limit  # one row past the page says whether another page follows
    log = log[:limit]
    # Later statements, later snapshots: an article missing now was deleted by a transaction
    # committed before this read, so the deletion lookup below (later still) finds it.
    rows = {row.id: row for row in await articles(pool, {r["article_id"] for r in log})}
    gone = [r["article_id"] for r in log if r["article_id"] not in rows or r["change"] == "delete"]
    deleted: dict[int, datetime] = {}
    if gone:
        deleted = {r["article_id"]: r["changed_at"] for r in await pool.fetch(_DELETIONS, gone)}
    changes = []
    for r in log:
        row = None if r["change"] == "delete" else rows.get(r["article_id"])
        changes.append(
            Change(
                cursor=ChangeCursor(r["seq"], r["id"]),
                change=r["change"],
                changed_at=r["changed_at"],
                article_id=r["article_id"],
                url=r["url"],
                row=row,
                deleted_at=None if row else deleted.get(r["article_id"], r["changed_at"]),
            )
        )
    return ChangePage(changes=tuple(changes), more=more)
