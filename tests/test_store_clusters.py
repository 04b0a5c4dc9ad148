"""Clusters of syndicated copies stay whole when several writers store copies at once.

The store takes its clustering lock only after a batch's inserts and after judging the
candidates committed so far, so writers overlap; near copies (own hashes, joined by the rule
on verdicts partly taken outside the lock) race as well as exact ones. These
tests hold it to the rule it must keep: each story ends as one cluster whose members all point
straight at the one canonical article the duplicate rule picks.
"""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import asyncpg
import pytest

from database.records import ArticleRecord
from ingestor import store
from ingestor.classify import ClusterMember
from ingestor.schedule.pipeline import DEDUPE
from tests.test_feeds_support import T0, add_source, reset

WRITERS = 4
SOURCES = ("src-a", "src-b", "src-c", "src-d")


def copy(story: int, source: str, minutes: int, *, exact: bool = True) -> store.StoredArticle:
    """One source's copy of story `story`: the same words, so the same content hash.

    With `exact` False each copy gets its own hash, so only the duplicate rule joins them.
    """
    url = f"https://{source}.example/berita/{story}"
    text = f"Cerita nomor {story} tentang banjir di kabupaten yang sama.\n\nParagraf kedua {story}."
    record = ArticleRecord(
        url=url, title=f"Banjir {story}", canonical_url=url, summary="Ringkasan.", text=text,
        published_at=T0 + timedelta(minutes=minutes), date_source="jsonld", lang="id",
        region="kalsel", content_hash=f"story-{story}" if exact else f"story-{story}/{source}",
    )  # fmt: skip
    return store.StoredArticle(
        record=record, identity=url, source_id=source, first_seen_at=T0,
        # Fingerprints of neighbouring stories lie within the search radius of each other, so
        # every lookup also meets near-misses of other stories (the rule turns them down).
        # Near copies get fingerprints far from other stories': the candidate search keeps the
        # 20 nearest in time, and the race, not that limit, is what this test is about.
        regions=(("kalsel", "source"),),
        simhash=story * 7919 if exact else (story * 0x9E3779B97F4A7C15) % (1 << 63),
    )  # fmt: skip


async def clusters(pool: asyncpg.Pool) -> dict[str, list[asyncpg.Record]]:
    rows = await pool.fetch(
        "SELECT id, content_hash, published_at, duplicate_of FROM articles ORDER BY id"
    )
    out: dict[str, list[asyncpg.Record]] = {}
    for row in rows:
        out.setdefault(row["content_hash"].split("/")[0], []).append(row)
    return out


def assert_whole(members: list[asyncpg.Record]) -> None:
    """One canonical (the earliest, as the rule picks with no dateline), the rest point at it."""
    roots = [m for m in members if m["duplicate_of"] is None]
    assert len(roots) == 1, [
        (m["id"], m["published_at"].strftime("%H:%M"), m["duplicate_of"]) for m in members
    ]
    expected = DEDUPE.pick_canonical(
        [ClusterMember(str(m["id"]), m["published_at"], None, None) for m in members]
    )
    assert str(roots[0]["id"]) == expected.id
    assert all(m["duplicate_of"] == roots[0]["id"] for m in members if m is not roots[0])


@pytest.mark.parametrize("exact", [True, False], ids=["exact-copies", "near-copies"])
async def test_copies_stored_by_concurrent_writers_form_one_cluster_each(
    pool: asyncpg.Pool, exact: bool
) -> None:
    await reset(pool)
    for source in SOURCES:
        await add_source(pool, source)
    rng = random.Random(7)
    stories = range(1, 31)
    copies = [copy(s, src, rng.randrange(0, 600), exact=exact) for s in stories for src in SOURCES]
    rng.shuffle(copies)
    # Four writers, each storing batches of 1-4 copies; copies of one story often share a
    # batch (in-batch clustering) and often race in different writers.
    batches = []
    while copies:
        size = rng.randint(1, 4)
        batches.append(copies[:size])
        copies = copies[size:]

    async def writer(mine: list[list[store.StoredArticle]]) -> None:
        for batch in mine:
            await store.save_articles(pool, batch, dedupe=DEDUPE)

    await asyncio.gather(*(writer(batches[n::WRITERS]) for n in range(WRITERS)))
    found = await clusters(pool)
    assert len(found) == len(stories)
    for members in found.values():
        assert len(members) == len(SOURCES)
        assert_whole(members)


async def test_a_batch_holding_a_newcomer_and_copies_of_an_old_story_keeps_one_cluster(
    pool: asyncpg.Pool,
) -> None:
    await reset(pool)
    for source in SOURCES:
        await add_source(pool, source)
    await store.save_articles(pool, [copy(1, "src-a", 50)], dedupe=DEDUPE)
    # The later copy is the earlier publication: it must take over the cluster, and the copy
    # stored beside it must point at it, not at the one it was inserted next to.
    await store.save_articles(
        pool, [copy(1, "src-b", 40), copy(1, "src-c", 10), copy(2, "src-d", 5)], dedupe=DEDUPE
    )
    found = await clusters(pool)
    assert [len(found["story-1"]), len(found["story-2"])] == [3, 1]
    assert_whole(found["story-1"])
    assert found["story-2"][0]["duplicate_of"] is None
