"""SQL for clusters: find the story a new article repeats and make it a member of its cluster.

The pairwise duplicate rule (pure Python, the costly part) runs once per candidate before the
store takes its clustering lock (`judge`); under the lock (`join_cluster`) only candidates
committed meanwhile are judged, so the serialized part is a few short queries per article.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from database.records import ArticleRecord
from ingestor.classify import ClusterMember, near_keys

__all__ = ["NOTIFY_CHANNEL", "Dedupe", "Verdicts", "join_cluster", "judge"]

NOTIFY_CHANNEL = "warta_articles"

# Candidates for "the same story": same words exactly, or a SimHash within the search radius
# and a publication time inside the window. The final say is the caller's pure rule. Exact
# copies come first, then the nearest fingerprints: near-misses of other stories (a shared
# template, a market report of another day) must not push real copies past the limit.
# Only articles found by an index are read: the same content hash, a shared near key
# (ingestor/classify/nearkeys.py: what the keys guarantee), or, for articles stored before
# the keys existed, the window. The window is checked on what the key look-up found, not
# given to it, and the keys reach it through a sub-select, so the planner judges the GIN
# look-up by its default selectivity (a few hundred rows) rather than by element statistics
# that overrate popular SimHash blocks and made it read the whole table instead; the ids
# come as an array, so the articles are then fetched by primary key.
_SAME_STORY = """
SELECT a.id, a.url, a.title, a.text, a.published_at, a.duplicate_of, a.dateline_province,
       s.province AS source_province, a.content_hash = $2 AS exact
FROM articles a JOIN sources s ON s.id = a.source_id
WHERE a.id = ANY(ARRAY(
        SELECT id FROM articles WHERE content_hash = $2
        UNION
        SELECT id FROM articles WHERE near_keys && (SELECT $7::bigint[])
        UNION
        SELECT id FROM articles
        WHERE near_keys IS NULL AND simhash IS NOT NULL
          AND published_at BETWEEN $4::timestamptz - $5::interval
                               AND $4::timestamptz + $5::interval))
  AND a.id <> ALL($1::bigint[])
  AND (a.content_hash = $2
       OR (a.simhash IS NOT NULL AND $3::bigint IS NOT NULL
           AND a.published_at BETWEEN $4::timestamptz - $5::interval AND $4::timestamptz + $5::interval
           AND bit_count((a.simhash # $3::bigint)::bit(64)) <= $6))
ORDER BY a.content_hash = $2 DESC,
         coalesce(bit_count((a.simhash # $3::bigint)::bit(64)), 64), a.published_at, a.id
LIMIT 20
"""

Verdicts = dict[int, bool]
"""Candidate article id -> whether the rule called it the same story as the new article."""


@dataclass(frozen=True, slots=True)
class Dedupe:
    """The duplicate rule the pipeline passes in: pure functions, judged before the store's lock
    and, for articles committed while it waited, under it."""

    same_story: Callable[[ArticleRecord, ArticleRecord], bool]
    pick_canonical: Callable[[Sequence[ClusterMember]], ClusterMember]
    window: timedelta
    radius: int


async def _candidates(
    conn: asyncpg.Connection, record: ArticleRecord, simhash: int | None, dedupe: Dedupe,
    excluded: Sequence[int], keys: Sequence[int] | None,
) -> list[asyncpg.Record]:  # fmt: skip
    if keys is None:
        keys = near_keys(simhash, record.text)
    return await conn.fetch(  # type: ignore[no-any-return]
        _SAME_STORY, list(excluded), record.content_hash, simhash, record.published_at,
        dedupe.window, dedupe.radius, list(keys),
    )  # fmt: skip


def _same(record: ArticleRecord, row: Any, dedupe: Dedupe, verdicts: Verdicts) -> bool:
    if row["exact"]:
        return True
    known = verdicts.get(row["id"])
    if known is None:
        known = verdicts[row["id"]] = dedupe.same_story(
            record,
            ArticleRecord(url=row["url"], title=row["title"], text=row["text"],
                          published_at=row["published_at"]),
        )  # fmt: skip
    return known


async def judge(
    conn: asyncpg.Connection, record: ArticleRecord, simhash: int | None, dedupe: Dedupe,
    excluded: Sequence[int], keys: Sequence[int] | None = None,
) -> Verdicts:  # fmt: skip
    """The rule's verdict on every candidate visible now; taken before the lock, kept for it.

    A verdict depends only on the two texts, so it still holds when the lock is granted.
    `keys`: the article's near keys when the caller has them (computed otherwise).
    """
    verdicts: Verdicts = {}
    for row in await _candidates(conn, record, simhash, dedupe, excluded, keys):
        _same(record, row, dedupe, verdicts)
    return verdicts


async def join_cluster(
    conn: asyncpg.Connection, article_id: int, record: ArticleRecord, simhash: int | None,
    dateline_province: str | None, source_province: str | None, dedupe: Dedupe,
    unclustered: Sequence[int] = (), verdicts: Verdicts | None = None,
    keys: Sequence[int] | None = None,
) -> None:  # fmt: skip
    """Make the new article part of the cluster of the story it repeats, if any.

    `unclustered`: articles of the same batch whose turn comes later; they are not candidates
    yet (each joins a cluster in its own turn, so a cluster never forms around a newcomer
    that has not looked for its own). `verdicts`: from `judge`, so only newcomers are judged.
    """
    known = {} if verdicts is None else verdicts
    rows = await _candidates(conn, record, simhash, dedupe, [article_id, *unclustered], keys)
    match = next((row for row in rows if _same(record, row, dedupe, known)), None)
    if match is None:
        return
    root = match["duplicate_of"] or match["id"]
    members = await conn.fetch(
        "SELECT a.id, a.published_at, a.dateline_province, s.province AS source_province"
        " FROM articles a JOIN sources s ON s.id = a.source_id"
        " WHERE a.id = $1 OR a.duplicate_of = $1",
        root,
    )
    cluster = [
        ClusterMember(str(m["id"]), m["published_at"], m["source_province"], m["dateline_province"])
        for m in members
    ]
    published: datetime = record.published_at  # type: ignore[assignment]
    cluster.append(ClusterMember(str(article_id), published, source_province, dateline_province))
    winner = int(dedupe.pick_canonical(cluster).id)
    if winner == article_id:
        # The new article demotes the old canonical one, whose feeds the payload of this
        # insert does not name: tell feed servers that anything may have changed.
        await conn.execute("SELECT pg_notify($1, '{}')", NOTIFY_CHANNEL)
    # Every member points straight at the canonical article; the canonical points nowhere.
    await conn.execute(
        "UPDATE articles SET duplicate_of = CASE WHEN id = $2 THEN NULL ELSE $2 END"
        " WHERE id = $1 OR duplicate_of = $1 OR id = $3",
        root,
        winner,
        article_id,
    )
