"""All SQL of the write side: the catalogue, fetch state, articles with their links, run outcomes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from config.records import ArticleRecord
from ingestor.fingerprint import ClusterMember
from ingestor.sources import Source

__all__ = [
    "LogEvent",
    "StoredArticle",
    "known_urls",
    "load_validators",
    "record_run",
    "save_articles",
    "save_fetch_state",
    "sync_sources",
    "write_log",
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


async def sync_sources(pool: asyncpg.Pool, sources: Sequence[Source]) -> None:
    """Upsert the catalogue; schedule and health state survive, removed sources are disabled."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            """
            INSERT INTO sources (id, name, base_url, province, timezone, lang, republish, rights,
                                 config, enabled, poll_min_seconds, poll_max_seconds, health)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                    CASE WHEN $10 THEN 'ok' ELSE 'disabled' END)
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
                    s.poll_max_seconds,
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


async def load_validators(pool: asyncpg.Pool, url: str) -> tuple[str | None, str | None]:
    """The (ETag, Last-Modified) stored for a URL, for a conditional GET."""
    row = await pool.fetchrow("SELECT etag, last_modified FROM fetch_state WHERE url = $1", url)
    return (row["etag"], row["last_modified"]) if row else (None, None)


async def save_fetch_state(
    pool: asyncpg.Pool,
    *,
    url: str,
    source_id: str,
    status: int | None,
    etag: str | None,
    last_modified: str | None,
    not_modified: bool,
) -> None:
    """Remember the validators; a 304 keeps the ones we had (RFC 9111 §4.3.4)."""
    await pool.execute(
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
        url,
        source_id,
        etag,
        last_modified,
        status,
        not_modified,
    )


_INSERT_ARTICLE = """
INSERT INTO articles (identity, url, canonical_url, source_id, title, summary, text, authors,
    published_at, published_raw, date_source, updated_at, first_seen_at, lang, image,
    image_caption, section, tags, place, region, regency, topics, related, provenance,
    content_hash, simhash, dateline_province, checked_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
    $20, $21, $22, $23, $24, $25, $26, $27, $13)
ON CONFLICT (identity) DO NOTHING
RETURNING id
"""

# Candidates for "the same story": same words exactly, or a SimHash within the search radius
# and a publication time inside the window. The final say is the caller's pure rule.
_SAME_STORY = """
SELECT a.id, a.url, a.title, a.text, a.published_at, a.duplicate_of, a.dateline_province,
       s.province AS source_province, a.content_hash = $2 AS exact
FROM articles a JOIN sources s ON s.id = a.source_id
WHERE a.id <> $1
  AND (a.content_hash = $2
       OR (a.simhash IS NOT NULL AND $3::bigint IS NOT NULL
           AND a.published_at BETWEEN $4::timestamptz - $5::interval AND $4::timestamptz + $5::interval
           AND bit_count((a.simhash # $3::bigint)::bit(64)) <= $6))
ORDER BY a.published_at, a.id
LIMIT 20
"""

# A lock all writers share while they look for a story's cluster and join it, so two
# processes storing two copies of one story at once cannot both make theirs canonical.
_CLUSTER_LOCK = 0x5741525443  # "WARTC"
_NOTIFY_CHANNEL = "warta_articles"
_NOTIFY_LIMIT = 7000  # PostgreSQL caps a payload at 8000 bytes


@dataclass(frozen=True, slots=True)
class Dedupe:
    """The duplicate rule the pipeline passes in: pure functions, applied inside the store's lock."""

    same_story: Callable[[ArticleRecord, ArticleRecord], bool]
    pick_canonical: Callable[[Sequence[ClusterMember]], ClusterMember]
    window: timedelta
    radius: int


def _article_args(item: StoredArticle) -> tuple[Any, ...]:
    r = item.record
    assert r.published_at is not None and r.date_source is not None and r.content_hash
    return (
        item.identity, r.url, r.canonical_url or r.url, item.source_id, r.title, r.summary,
        r.text, list(r.authors), r.published_at, r.published_raw, r.date_source, r.updated_at,
        item.first_seen_at, r.lang, r.image, r.image_caption, r.section, list(r.tags), r.place,
        r.region, r.regency, list(r.topics),
        [{"title": x.title, "url": x.url} for x in r.related], dict(r.provenance),
        r.content_hash, item.simhash, item.dateline_province,
    )  # fmt: skip


async def _join_cluster(
    conn: asyncpg.Connection, article_id: int, item: StoredArticle, source_province: str | None,
    dedupe: Dedupe,
) -> None:  # fmt: skip
    """Make the new article part of the cluster of the story it repeats, if any."""
    r = item.record
    rows = await conn.fetch(
        _SAME_STORY, article_id, r.content_hash, item.simhash, r.published_at, dedupe.window,
        dedupe.radius,
    )  # fmt: skip
    match = next(
        (
            row for row in rows
            if row["exact"] or dedupe.same_story(
                r, ArticleRecord(url=row["url"], title=row["title"], text=row["text"],
                                 published_at=row["published_at"]),
            )
        ),
        None,
    )  # fmt: skip
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
    cluster.append(ClusterMember(str(article_id), r.published_at, source_province,  # type: ignore[arg-type]
                                 item.dateline_province))  # fmt: skip
    winner = int(dedupe.pick_canonical(cluster).id)
    # Every member points straight at the canonical article; the canonical points nowhere.
    await conn.execute(
        "UPDATE articles SET duplicate_of = CASE WHEN id = $2 THEN NULL ELSE $2 END"
        " WHERE id = $1 OR duplicate_of = $1 OR id = $3",
        root,
        winner,
        article_id,
    )


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
        if dedupe is not None:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _CLUSTER_LOCK)
        stored: list[StoredArticle] = []
        for item in items:
            article_id = await conn.fetchval(_INSERT_ARTICLE, *_article_args(item))
            if article_id is None:
                continue
            new_ids.append(article_id)
            stored.append(item)
            await _link(conn, article_id, item)
            if dedupe is not None:
                await _join_cluster(conn, article_id, item, source_province, dedupe)
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
                topics = $15, regency = $16, region = $17
            WHERE id = $1 AND content_hash <> $12
            RETURNING id
            """,
            article_id, r.title, r.summary, r.text, list(r.authors), r.image, r.image_caption,
            r.section, list(r.tags), [{"title": x.title, "url": x.url} for x in r.related],
            dict(r.provenance), r.content_hash, item.simhash, r.updated_at, list(r.topics),
            r.regency, r.region,
        )  # fmt: skip
        if changed is None:
            return False
        await _link(conn, article_id, item)
        await _notify(conn, [item])
    return True


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


async def claim_due_sources(
    pool: asyncpg.Pool, owner: str, *, limit: int, lease_seconds: int, only: Sequence[str] = ()
) -> list[str]:
    """Lease up to `limit` due, enabled sources to `owner`; other processes skip them.

    `FOR UPDATE SKIP LOCKED` lets any number of workers claim concurrently without waiting on
    each other; an expired lease (a crashed worker) makes the source claimable again.
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
            ORDER BY next_run_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED)
        RETURNING id
        """,
        owner,
        limit,
        float(lease_seconds),
        list(only),
    )
    return [r["id"] for r in rows]


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
