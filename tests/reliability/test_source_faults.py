"""A misbehaving site: a tenth of its article pages truncated or garbage, another tenth stalling.

Each broken page is recorded (ingestion log, pending retries with the reason, the run's
figures on the source row), the rest is ingested in the same run, and once the site heals the
next due retry stores what was missed: every article once.
"""

from __future__ import annotations

import time
from dataclasses import replace

import asyncpg
import pytest

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import BUREAUS, run_pass, truncate
from tests.reliability.budget import record
from warta.simsite import SimSite


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.mark.timeout(300)
async def test_truncated_garbage_and_stalled_pages_are_recorded_and_retried(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    # Short timeouts so a stall costs a second per attempt, one retry as in production.
    impatient = replace(
        settings, read_timeout=1.0, total_timeout=3.0, max_retries=1, retry_base_delay=0.05
    )
    broken: dict[str, str] = {}  # url -> fault kind
    for bureau in BUREAUS:
        for i, article in enumerate(site.articles(bureau)):
            kind = {3: "truncate", 5: "garbage", 7: "stall", 9: "stall"}.get(i % 20)
            if kind is None and i % 10 == 3:
                kind = "garbage" if i % 20 == 13 else None
            if kind is not None:
                broken[article.url] = kind
                site.set_fault(bureau, _path(article.url), kind)
    everything = {a.url for b in BUREAUS for a in site.articles(b)}
    started = time.monotonic()
    try:
        summaries = {s.source_id: s for s in await run_pass(impatient, pool, sources)}
    finally:
        site.clear_faults()
    first_run = time.monotonic() - started

    assert all(s.ok for s in summaries.values()), "broken pages never fail the whole source"
    stored = {r["url"] for r in await pool.fetch("SELECT url FROM articles")}
    assert stored == everything - set(broken), "everything else arrived in the same run"

    errors = {
        r["url"]: r["error_kind"]
        for r in await pool.fetch("SELECT url, error_kind FROM ingestion_log WHERE event = 'error'")
    }
    pending = {
        r["url"]: r
        for r in await pool.fetch(
            "SELECT url, source_id, attempts, last_error_kind, last_error,"
            " next_attempt_at > now() AS later FROM pending_urls"
        )
    }
    for url in broken:
        assert url in errors, f"{url} ({broken[url]}) not in the ingestion log"
        row = pending[url]
        assert row["attempts"] == 1 and row["later"], "retried later, with backoff"
        assert row["last_error_kind"] and row["last_error"], "the reason is kept"
    kinds = {kind: sorted({pending[u]["last_error_kind"] for u, k in broken.items() if k == kind})
             for kind in ("truncate", "garbage", "stall")}  # fmt: skip
    for source_id, summary in summaries.items():
        expected = sum(1 for u in broken if pending[u]["source_id"] == source_id)
        assert summary.failed_pages == expected, source_id
        stats = await pool.fetchval("SELECT stats FROM sources WHERE id = $1", source_id)
        assert stats["last_run"]["failed_pages"] == expected, "the source row shows it"

    # Healed: the next pass retries what is due, and nothing is stored twice.
    await pool.execute("UPDATE pending_urls SET next_attempt_at = now()")
    await run_pass(impatient, pool, sources)
    row = await pool.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT url) AS urls, count(DISTINCT identity) AS ids"
        " FROM articles"
    )
    assert row["n"] == row["urls"] == row["ids"] == len(everything), dict(row)
    assert await pool.fetchval("SELECT count(*) FROM pending_urls") == 0
    record(
        "source_faults",
        pages=len(everything),
        truncated=sum(k == "truncate" for k in broken.values()),
        garbage=sum(k == "garbage" for k in broken.values()),
        stalled=sum(k == "stall" for k in broken.values()),
        error_kinds=kinds,
        first_run_s=round(first_run, 1),
        recovered=len(broken),
        lost=0,
    )
