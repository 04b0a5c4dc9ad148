"""The near-duplicate search is indexed: it reads the articles sharing a key, not the window.

Recall stays: every pair the duplicate rule accepts shares a key, trimmed copies included,
and articles stored before the keys existed are still searched.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg

from database.records import ArticleRecord
from ingestor import store
from ingestor.classify import CANDIDATE_DISTANCE, is_near_duplicate, near_keys, simhash
from ingestor.classify.fingerprint import hamming
from ingestor.schedule.pipeline import DEDUPE
from ingestor.store import clusters
from tests.fixtures.labelled.cases import simsite_cases
from tests.test_feeds_support import T0, add_source, reset
from tests.test_fingerprint import ORIGINAL

FILLER = 3000


def _keys(record: ArticleRecord) -> set[int]:
    return set(near_keys(simhash(record.title, record.text), record.text))


def _trimmed(record: ArticleRecord, keep: int) -> ArticleRecord:
    """A republishing desk's copy: the first paragraphs only, under its own headline."""
    text = "\n\n".join(record.text.split("\n\n")[:keep])
    return replace(record, title=f"{record.title} (ringkas)", text=text)


def test_every_pair_the_rule_accepts_shares_a_key() -> None:
    records = [case.record for case in simsite_cases()]
    records += [_trimmed(r, keep) for r in records[:40] for keep in (2, 3, 4)]
    prints = [simhash(r.title, r.text) for r in records]
    keys = [_keys(r) for r in records]
    accepted = unrelated_meeting = unrelated = 0
    for i, j in itertools.combinations(range(len(records)), 2):
        a, b = records[i], replace(records[j], published_at=records[i].published_at)
        # The rule turns down anything farther apart than its radius; skip computing it.
        if hamming(prints[i], prints[j]) <= CANDIDATE_DISTANCE and is_near_duplicate(a, b):
            accepted += 1
            assert keys[i] & keys[j], (a.title, b.title)
        else:
            unrelated += 1
            unrelated_meeting += bool(keys[i] & keys[j])
    assert accepted >= 100  # the trimmed copies, the corpus's syndicated copies
    assert unrelated_meeting / unrelated < 0.01  # what the index hands to the distance check


def _stored(record: ArticleRecord, source: str, minutes: int) -> store.StoredArticle:
    url = f"https://{source}.example/berita/{minutes}"
    record = replace(
        record, url=url, canonical_url=url, date_source="jsonld", lang="id",
        published_at=T0 + timedelta(minutes=minutes), content_hash=f"{source}-{minutes}",
    )  # fmt: skip
    return store.StoredArticle(
        record=record, identity=url, source_id=source, first_seen_at=T0,
        simhash=simhash(record.title, record.text),
    )  # fmt: skip


async def _preload(pool: asyncpg.Pool, source: str, *, keyed: bool) -> None:
    """FILLER other stories in the window: unrelated fingerprints and keys."""
    await pool.execute(
        """
        INSERT INTO articles (identity, url, canonical_url, source_id, title, text, published_at,
                              date_source, content_hash, simhash, near_keys)
        SELECT 'f' || i, 'https://filler.example/' || i, 'https://filler.example/' || i, $1,
               'Lain ' || i, 'Teks lain.',
               $2::timestamptz + i * interval '1 minute' - interval '24 hours', 'jsonld',
               'filler-' || i, hashtextextended(i::text, 0),
               CASE WHEN $4 THEN ARRAY[hashtextextended(i::text, 1), hashtextextended(i::text, 2)]
               END
        FROM generate_series(1, $3) AS i
        """,
        source, T0, FILLER, keyed,
    )  # fmt: skip
    await pool.execute("ANALYZE articles")


async def _rows_read(pool: asyncpg.Pool, item: store.StoredArticle) -> int:
    """Article rows the candidate search reads (every scan of `articles` in its plan)."""
    r = item.record
    plan = await pool.fetchval(
        "EXPLAIN (ANALYZE, FORMAT JSON) " + clusters._SAME_STORY,
        [], r.content_hash, item.simhash, r.published_at, DEDUPE.window, DEDUPE.radius,
        near_keys(item.simhash, r.text),
    )  # fmt: skip

    def walk(node: dict[str, Any]) -> int:
        own = node.get("Relation Name") == "articles" and "Scan" in node["Node Type"]
        seen = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        seen += node.get("Rows Removed by Index Recheck", 0)
        rows = seen * node.get("Actual Loops", 1) if own else 0
        return int(rows) + sum(walk(child) for child in node.get("Plans", []))

    plan = json.loads(plan) if isinstance(plan, str) else plan  # the pool may decode JSON
    return walk(plan[0]["Plan"])


async def test_a_trimmed_copy_is_found_by_its_keys_among_thousands(pool: asyncpg.Pool) -> None:
    await reset(pool)
    for source in ("src-a", "src-b", "filler"):
        await add_source(pool, source)
    await _preload(pool, "filler", keyed=True)
    original = _stored(ORIGINAL, "src-a", 0)
    await store.save_articles(pool, [original], dedupe=DEDUPE)
    copy = _stored(_trimmed(ORIGINAL, 3), "src-b", 90)
    assert await _rows_read(pool, copy) < 50  # the window holds 3,000 other stories

    await store.save_articles(pool, [copy], dedupe=DEDUPE)
    rows = await pool.fetch("SELECT id, duplicate_of FROM articles WHERE source_id <> 'filler'")
    assert sorted(r["duplicate_of"] is None for r in rows) == [False, True], "one cluster"


async def test_articles_stored_before_the_keys_are_still_searched(pool: asyncpg.Pool) -> None:
    await reset(pool)
    for source in ("src-a", "src-b", "filler"):
        await add_source(pool, source)
    await _preload(pool, "filler", keyed=False)
    original = _stored(ORIGINAL, "src-a", 0)
    await store.save_articles(pool, [original], dedupe=DEDUPE)
    await pool.execute("UPDATE articles SET near_keys = NULL")  # as migration 0011 found them
    copy = _stored(_trimmed(ORIGINAL, 3), "src-b", 90)
    await store.save_articles(pool, [copy], dedupe=DEDUPE)
    rows = await pool.fetch("SELECT id, duplicate_of FROM articles WHERE source_id <> 'filler'")
    assert sorted(r["duplicate_of"] is None for r in rows) == [False, True], "one cluster"
