"""Benchmark: the near-duplicate candidate search at steady state, before and after its keys.

Run: .venv/bin/python bench/clusters.py [--preload N] [--probes M] [--dsn D]
     .venv/bin/python bench/clusters.py --recall CORPUS   (e.g. a newspaper4k folder)

A fresh database gets N articles (default 290,000: 72 h either side of now at 2,000 stories
an hour) with fingerprints and near keys as unrelated stories have them: a random SimHash,
its four block keys, sixteen random band keys. Then M real-looking stories (the simulated
site's corpus, reworded per probe) are looked up, each with a copy trimmed to its first
paragraphs stored beforehand, two ways side by side: the search as it was (every
fingerprint in the window, through the window index it had) and the keyed search. Reported:
article rows read per look-up (EXPLAIN ANALYZE), milliseconds per look-up, and how many
trimmed copies each found (recall).

--recall: real article texts (a folder holding newspaper4k's gold.json, whose `text` is each
page's expected body) and copies of each as desks make them: trimmed after every paragraph,
the lead dropped, 2/5/10 % of the words changed. Every copy the duplicate rule accepts must
share a near key with its original; reported: copies, accepted, accepted more than the
guaranteed SimHash radius apart, and accepted without a shared key (the recall lost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from database.embedded import EmbeddedPostgres
from database.pool import create_pool, migrate
from database.records import ArticleRecord
from ingestor.classify import is_near_duplicate, near_keys, simhash
from ingestor.schedule.pipeline import DEDUPE
from ingestor.store.clusters import _SAME_STORY

# The search before migration 0011 (ingestor/store/clusters.py at 1a6356b), for comparison.
_BEFORE = """
SELECT a.id, a.url, a.title, a.text, a.published_at, a.duplicate_of, a.dateline_province,
       s.province AS source_province, a.content_hash = $2 AS exact
FROM articles a JOIN sources s ON s.id = a.source_id
WHERE a.id <> ALL($1::bigint[])
  AND (a.content_hash = $2
       OR (a.simhash IS NOT NULL AND $3::bigint IS NOT NULL
           AND a.published_at BETWEEN $4::timestamptz - $5::interval AND $4::timestamptz + $5::interval
           AND bit_count((a.simhash # $3::bigint)::bit(64)) <= $6))
ORDER BY a.content_hash = $2 DESC,
         coalesce(bit_count((a.simhash # $3::bigint)::bit(64)), 64), a.published_at, a.id
LIMIT 20
"""

_FILLER = """
INSERT INTO articles (identity, url, canonical_url, source_id, title, text, published_at,
                      date_source, content_hash, simhash, near_keys)
SELECT 'f' || i, 'https://filler.example/' || i, 'https://filler.example/' || i, 'filler',
       'Lain ' || i, 'Teks lain.', $1::timestamptz + (i * $3::float8 / $2) * interval '1 second',
       'jsonld', 'filler-' || i, h,
       ARRAY[(1::bigint << 56) | (h & 65535), (1::bigint << 56) | (1::bigint << 48) | ((h >> 16) & 65535),
             (1::bigint << 56) | (2::bigint << 48) | ((h >> 32) & 65535),
             (1::bigint << 56) | (3::bigint << 48) | ((h >> 48) & 65535)]
       || ARRAY(SELECT hashtextextended(i || ':' || b, 1) FROM generate_series(1, 16) AS b)
FROM (SELECT i, hashtextextended(i::text, 0) AS h FROM generate_series(1, $2::int) AS i) AS f
"""


def probes(count: int, now: datetime) -> list[tuple[ArticleRecord, ArticleRecord]]:
    """(story, its copy trimmed to three paragraphs) pairs, each story reworded on its own.

    The simulated site's hand-written stories, with two words in five swapped for other corpus
    words per probe, as bench/scale.py makes each site's wording its own.
    """
    from warta.simsite.corpus import load_corpus

    corpus = load_corpus(now)
    stories = [a for b in sorted(corpus.published) for a in corpus.published[b] + corpus.reserve[b]]
    words = sorted({w for a in stories for p in a.paragraphs for w in p.split() if w.isalpha()})
    rng = random.Random(14)
    pairs = []
    for n in range(count):
        story = stories[n % len(stories)]
        paragraphs = [
            " ".join(w if rng.random() < 0.6 else rng.choice(words) for w in p.split())
            for p in story.paragraphs
        ]
        record = ArticleRecord(
            url=f"https://probe.example/{n}", title=f"{story.title} {n}",
            text="\n\n".join(paragraphs), published_at=now, content_hash=f"probe-{n}",
        )  # fmt: skip
        trimmed = replace(
            record, url=f"https://copy.example/{n}", title=f"{record.title} (ringkas)",
            text="\n\n".join(paragraphs[:3]), content_hash=f"copy-{n}",
            published_at=now - timedelta(minutes=30),
        )  # fmt: skip
        pairs.append((record, trimmed))
    return pairs


async def rows_read(conn: asyncpg.Connection, query: str, args: list[Any]) -> int:
    plan = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + query, *args)

    def walk(node: dict[str, Any]) -> int:
        own = node.get("Relation Name") == "articles" and "Scan" in node["Node Type"]
        seen = node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        seen += node.get("Rows Removed by Index Recheck", 0)
        rows = seen * node.get("Actual Loops", 1) if own else 0
        return int(rows) + sum(walk(child) for child in node.get("Plans", []))

    return walk((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])


async def bench(dsn: str, args: argparse.Namespace) -> int:
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute("DROP DATABASE IF EXISTS bench_clusters WITH (FORCE)")
        await admin.execute("CREATE DATABASE bench_clusters")
    finally:
        await admin.close()
    db = re.sub(r"/[^/?]*(\?|$)", "/bench_clusters\\1", dsn, count=1)
    pool = await create_pool(db, min_size=1, max_size=2)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        await migrate(pool)
        await pool.execute(
            "INSERT INTO sources (id, name, base_url, province, timezone, config) VALUES"
            " ('filler', 'Filler', 'https://filler.example', 'kalsel', 'WITA', '{}'),"
            " ('probe', 'Probe', 'https://probe.example', 'kalsel', 'WITA', '{}')"
        )
        started = time.monotonic()
        window = DEDUPE.window.total_seconds()
        await pool.execute(_FILLER, now - DEDUPE.window, args.preload, 2 * window, timeout=3600)
        pairs = probes(args.probes, now)
        for _, trimmed in pairs:
            sim = simhash(trimmed.title, trimmed.text)
            await pool.execute(
                "INSERT INTO articles (identity, url, canonical_url, source_id, title, text,"
                " published_at, date_source, content_hash, simhash, near_keys)"
                " VALUES ($1, $1, $1, 'probe', $2, $3, $4, 'jsonld', $5, $6, $7)",
                trimmed.url, trimmed.title, trimmed.text, trimmed.published_at,
                trimmed.content_hash, sim, near_keys(sim, trimmed.text),
            )  # fmt: skip
        # The window index the search used before migration 0011 dropped it.
        await pool.execute(
            "CREATE INDEX bench_window_idx ON articles (published_at) WHERE simhash IS NOT NULL",
            timeout=3600,
        )
        await pool.execute("VACUUM ANALYZE articles", timeout=3600)
        print(f"{args.preload:,} articles in the window, {len(pairs)} probes;"
              f" loaded in {time.monotonic() - started:.0f} s;"
              f" load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        result: dict[str, tuple[list[int], list[float], int]] = {}
        for name, query in (("before", _BEFORE), ("keyed", _SAME_STORY)) * 2:
            rows, ms, found = result.setdefault(name, ([], [], 0))
            async with pool.acquire() as conn:
                for record, trimmed in pairs:
                    sim = simhash(record.title, record.text)
                    call = [[], record.content_hash, sim, record.published_at, DEDUPE.window,
                            DEDUPE.radius]  # fmt: skip
                    if name == "keyed":
                        call.append(near_keys(sim, record.text))
                    t0 = time.perf_counter()
                    got = await conn.fetch(query, *call)
                    ms.append((time.perf_counter() - t0) * 1000)
                    rows.append(await rows_read(conn, query, call))
                    if is_near_duplicate(record, trimmed):
                        found += any(r["url"] == trimmed.url for r in got)
            result[name] = (rows, ms, found)
        accepted = sum(is_near_duplicate(r, t) for r, t in pairs)
        for name, (rows, ms, found) in result.items():
            print(f"  {name:<7} rows read per look-up: median {statistics.median(rows):,.0f},"
                  f" max {max(rows):,}; ms per look-up: median {statistics.median(ms):.1f},"
                  f" p95 {sorted(ms)[int(0.95 * len(ms))]:.1f};"
                  f" trimmed copies found {found // 2} of {accepted} the rule accepts")  # fmt: skip
    finally:
        await pool.close()
    return 0


def recall(folder: Path) -> int:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    when = datetime(2025, 1, 1, tzinfo=UTC)
    rng = random.Random(13)
    copies = accepted = far = lost = 0
    for name, entry in sorted(gold.items()):
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", entry.get("text") or "") if p.strip()]
        if len(paragraphs) < 3:
            continue
        original = ArticleRecord(
            url="a", title=name, text="\n\n".join(paragraphs), published_at=when
        )
        texts = ["\n\n".join(paragraphs[:keep]) for keep in range(2, len(paragraphs))]
        texts.append("\n\n".join(paragraphs[1:]))
        for rate in (0.02, 0.05, 0.1):
            words = original.text.split(" ")
            texts.append(" ".join(w if rng.random() > rate else "diubah" for w in words))
        first = simhash(original.title, original.text)
        keys = set(near_keys(first, original.text))
        for text in texts:
            copies += 1
            copy = replace(original, url="b", title=f"{name} (salinan)", text=text)
            other = simhash(copy.title, copy.text)
            if not is_near_duplicate(original, copy):
                continue
            accepted += 1
            far += bin((first ^ other) & ((1 << 64) - 1)).count("1") > 3
            lost += not keys & set(near_keys(other, copy.text))
    print(f"{folder.name}: {copies:,} copies of real articles; the rule accepts {accepted:,}"
          f" ({far:,} more than 3 SimHash bits apart); without a shared near key: {lost}")  # fmt: skip
    return 0 if lost == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", help="a PostgreSQL server DSN (default: embedded)")
    parser.add_argument("--preload", type=int, default=290_000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--recall", type=Path, help="a corpus folder with gold.json texts")
    args = parser.parse_args()
    if args.recall:
        return recall(args.recall)
    if args.dsn:
        return asyncio.run(bench(args.dsn, args))
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp))
        try:
            return asyncio.run(bench(pg.start(), args))
        finally:
            pg.stop()


if __name__ == "__main__":
    sys.exit(main())
