"""SQL for articles: what is known, inserting with links and clusters, updates and re-checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from database.facets import facets
from database.records import ArticleRecord
from ingestor.classify import near_keys
from ingestor.store.changes import prune_changes
from ingestor.store.clusters import NOTIFY_CHANNEL, Dedupe, Verdicts, join_cluster, judge

__all__ = [
    "Dedupe",
    "Recheck",
    "StoredArticle",
    "delete_expired",
    "due_rechecks",
    "known_urls",
    "mark_checked",
    "recent_publications",
    "save_articles",
    "update_article",
]


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article ready for the database: the record plus what only the pipeline knows."""

    record: ArticleRecord
    identity: str
    source_id: str
    first_seen_at: datetime
    regions: tuple[tuple[str, str], ...] = ()  # (region key, reason)
    topics: tuple[tuple[str, float, str], ...] = ()  # (slug, score, reason)
    simhash: int | None = None
    dateline_province: str | None = None


async def known_urls(pool: asyncpg.Pool, urls: Iterable[str]) -> set[str]:
    """The subset of `urls` already stored, as article URL or canonical URL."""
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return set()
    rows = await pool.fetch(
        "SELECT u FROM unnest($1::text[]) AS u WHERE EXISTS"
        " (SELECT 1 FROM articles a WHERE a.url = u OR a.canonical_url = u)",
        wanted,
    )
    return {r["u"] for r in rows}


_INSERT_ARTICLE = """
INSERT INTO articles (identity, url, canonical_url, source_id, title, summary, text, authors,
    published_at, published_raw, date_source, updated_at, first_seen_at, lang, image,
    image_caption, section, tags, place, region, regency, topics, related, provenance,
    content_hash, simhash, dateline_province, facets, near_keys, checked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
    $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $13)
ON CONFLICT (identity) DO NOTHING
RETURNING id
"""


# A lock all writers share while they join clusters, so two processes storing two copies of
# one story at once cannot both make theirs canonical. A per-key lock cannot replace it: the
# near-duplicate search spans 16 of 64 SimHash bits, and pigeonhole keys that wide (17 blocks
# of 3-4 bits) collide for three in four unrelated pairs, which serializes just the same.
_CLUSTER_LOCK = 0x5741525443  # "WARTC"


_NOTIFY_CHANNEL = NOTIFY_CHANNEL


_NOTIFY_LIMIT = 7000  # PostgreSQL caps a payload at 8000 bytes


def _article_args(item: StoredArticle, keys: list[int]) -> tuple[Any, ...]:
    r = item.record
    assert r.published_at is not None and r.date_source is not None and r.content_hash
    return (
        item.identity, r.url, r.canonical_url or r.url, item.source_id, r.title, r.summary,
        r.text, list(r.authors), r.published_at, r.published_raw, r.date_source, r.updated_at,
        item.first_seen_at, r.lang, r.image, r.image_caption, r.section, list(r.tags), r.place,
        r.region, r.regency, list(r.topics),
        [{"title": x.title, "url": x.url} for x in r.related], dict(r.provenance),
        r.content_hash, item.simhash, item.dateline_province, _facets(item), keys,
    )  # fmt: skip


def _facets(item: StoredArticle) -> list[str]:
    """The facet tokens of the links `_link` writes (the feeds' index of regions and topics)."""
    regions, topics = (key for key, _ in item.regions), (slug for slug, _, _ in item.topics)
    return facets(regions, topics, item.source_id)


async def _notify(conn: asyncpg.Connection, items: Sequence[StoredArticle]) -> None:
    """Tell feed servers which feeds changed (same transaction: sent only on commit)."""
    regions = sorted({key for item in items for key, _ in item.regions})
    topics = sorted({slug for item in items for slug, _, _ in item.topics})
    sources = sorted({item.source_id for item in items})
    payload = json.dumps({"regions": regions, "topics": topics, "sources": sources})
    if len(payload) > _NOTIFY_LIMIT:
        payload = "{}"  # "everything changed": still correct, only less precise
    await conn.execute("SELECT pg_notify($1, $2)", _NOTIFY_CHANNEL, payload)


async def _link(conn: asyncpg.Connection, article_id: int, item: StoredArticle) -> None:
    published = item.record.published_at
    await conn.execute("DELETE FROM article_regions WHERE article_id = $1", article_id)
    await conn.execute("DELETE FROM article_topics WHERE article_id = $1", article_id)
    await conn.executemany(
        "INSERT INTO article_regions (article_id, region, reason, published_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [(article_id, key, reason, published) for key, reason in item.regions],
    )
    await conn.executemany(
        "INSERT INTO article_topics (article_id, topic, score, reason, published_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        [(article_id, slug, score, why, published) for slug, score, why in item.topics],
    )


async def save_articles(
    pool: asyncpg.Pool,
    items: Sequence[StoredArticle],
    *,
    dedupe: Dedupe | None = None,
    source_province: str | None = None,
) -> list[int]:
    """Insert new articles with their links and clusters in one transaction; return new ids.

    Idempotent: an identity already stored is skipped, so running a pass twice adds nothing.
    """
    new_ids: list[int] = []
    if not items:
        return new_ids
    async with pool.acquire() as conn, conn.transaction():
        # First, before this transaction has an id: readers of the ingestion order see the
        # lock in pg_locks and wait for our articles (feeds.horizon), whatever we write first.
        await conn.execute("LOCK TABLE articles IN ROW EXCLUSIVE MODE")
        stored: list[StoredArticle] = []
        keys: list[list[int]] = []  # each stored article's near keys, for its search too
        for item in items:
            item_keys = near_keys(item.simhash, item.record.text)
            article_id = await conn.fetchval(_INSERT_ARTICLE, *_article_args(item, item_keys))
            if article_id is None:
                continue
            new_ids.append(article_id)
            stored.append(item)
            keys.append(item_keys)
            await _link(conn, article_id, item)
        if dedupe is not None and stored:
            # The duplicate rule's verdicts on what is committed now are taken first, outside
            # the lock: that comparison is the costly CPU part of clustering.
            batch = list(new_ids)
            verdicts: list[Verdicts] = []
            for item, item_keys in zip(stored, keys, strict=True):
                r = item.record
                verdicts.append(await judge(conn, r, item.simhash, dedupe, batch, item_keys))
            # The lock comes last and is held only for the clustering and the commit: the
            # inserts and the judging run side by side in every process. Taken here, the lock
            # still orders all clustering: whoever holds it sees every article committed by
            # those who held it before (each statement takes a fresh snapshot), and its own
            # uncommitted inserts; only those newcomers are judged under it.
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _CLUSTER_LOCK)
            for n, (article_id, item) in enumerate(zip(new_ids, stored, strict=True)):
                await join_cluster(
                    conn, article_id, item.record, item.simhash, item.dateline_province,
                    source_province, dedupe, new_ids[n + 1 :], verdicts[n], keys[n],
                )  # fmt: skip
        if stored:
            await _notify(conn, stored)
    return new_ids


@dataclass(frozen=True, slots=True)
class Recheck:
    """A recent article due for an update check."""

    id: int
    url: str
    content_hash: str


async def due_rechecks(
    pool: asyncpg.Pool, source_id: str, *, window: timedelta, ages: Sequence[timedelta], limit: int
) -> list[Recheck]:
    """Recent articles of a source that reached a check age since they were last checked.

    An article is checked when it turns each of `ages` old (e.g. 3 h and 24 h) while younger
    than `window`; a conditional GET keeps each check cheap.
    """
    rows = await pool.fetch(
        """
        SELECT id, url, content_hash FROM articles
        WHERE source_id = $1 AND published_at > now() - $2::interval
          AND EXISTS (SELECT 1 FROM unnest($3::interval[]) AS age
                      WHERE now() - published_at >= age
                        AND coalesce(checked_at, first_seen_at) < published_at + age)
        ORDER BY published_at DESC LIMIT $4
        """,
        source_id,
        window,
        list(ages),
        limit,
    )
    return [Recheck(r["id"], r["url"], r["content_hash"]) for r in rows]


async def mark_checked(pool: asyncpg.Pool, ids: Sequence[int]) -> None:
    if ids:
        await pool.execute(
            "UPDATE articles SET checked_at = now() WHERE id = ANY($1::bigint[])", list(ids)
        )


async def update_article(pool: asyncpg.Pool, article_id: int, item: StoredArticle) -> bool:
    """Replace a corrected article in place, keeping its previous hash; True when it changed."""
    r = item.record
    async with pool.acquire() as conn, conn.transaction():
        changed = await conn.fetchval(
            """
            UPDATE articles SET
                title = $2, summary = $3, text = $4, authors = $5, image = $6,
                image_caption = $7, section = $8, tags = $9, related = $10, provenance = $11,
                previous_hashes = previous_hashes || content_hash, content_hash = $12,
                simhash = $13, updated_at = COALESCE($14, now()), checked_at = now(),
                topics = $15, regency = $16, region = $17, facets = $18, near_keys = $19,
                -- Feed entries show a correction as updated: at the page's own date when it
                -- moved past what the entry showed, else when Warta saw the change.
                revised_at = CASE WHEN $14 > coalesce(revised_at, updated_at, published_at)
                                  THEN revised_at ELSE now() END
            WHERE id = $1 AND content_hash <> $12
            RETURNING id
            """,
            article_id, r.title, r.summary, r.text, list(r.authors), r.image, r.image_caption,
            r.section, list(r.tags), [{"title": x.title, "url": x.url} for x in r.related],
            dict(r.provenance), r.content_hash, item.simhash, r.updated_at, list(r.topics),
            r.regency, r.region, _facets(item), near_keys(item.simhash, r.text),
        )  # fmt: skip
        if changed is None:
            return False
        await _link(conn, article_id, item)
        # Its old regions/topics are not in the item: "{}" covers the feeds it left too.
        await conn.execute("SELECT pg_notify($1, '{}')", _NOTIFY_CHANNEL)
    return True


async def recent_publications(
    pool: asyncpg.Pool, source_id: str, *, limit: int = 20
) -> list[datetime]:
    """Publication times of the source's newest articles (for its polling rate)."""
    rows = await pool.fetch(
        "SELECT published_at FROM articles WHERE source_id = $1 AND date_source <> 'first_seen'"
        " ORDER BY published_at DESC LIMIT $2",
        source_id,
        limit,
    )
    return [r["published_at"] for r in rows]


async def delete_expired(pool: asyncpg.Pool, *, older_than: timedelta, batch: int) -> int:
    """Delete articles (and their log lines) published before the horizon, in small batches.

    Each batch is its own short transaction, so feeds and ingestion never wait long on the
    locks; returns how many articles were deleted.
    """
    total = 0
    while True:
        deleted = await pool.fetchval(
            """
            WITH doomed AS (
                SELECT id FROM articles WHERE published_at < now() - $1::interval
                ORDER BY published_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            , gone AS (DELETE FROM articles a USING doomed d WHERE a.id = d.id RETURNING a.id)
            SELECT count(*) FROM gone
            """,
            older_than,
            batch,
        )
        total += int(deleted)
        if deleted < batch:
            break
    await pool.execute("DELETE FROM ingestion_log WHERE at < now() - $1::interval", older_than)
    await prune_changes(pool, older_than=older_than, batch=batch)
    if total:  # feed servers drop what they cached: "{}" means anything may have changed
        await pool.execute("SELECT pg_notify($1, '{}')", _NOTIFY_CHANNEL)
    return total
