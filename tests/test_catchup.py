"""After downtime, more news than the feed and one listing page hold still all arrives."""

from __future__ import annotations

import asyncpg

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import run_pass, truncate
from warta.simsite import SimSite


async def test_catch_up_follows_listing_pages_until_known_articles(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await run_pass(settings, pool, sources)
    stored_before = await pool.fetchval(
        "SELECT count(*) FROM articles WHERE source_id = 'sim-jatim'"
    )
    # Ingestion is "down" while 25 stories appear: more than the RSS (20) and a listing page (10).
    published = [site.publish("jatim") for _ in range(25)]
    start = len(site.requests)
    summaries = {s.source_id: s for s in await run_pass(settings, pool, sources)}
    stored = {
        r["url"] for r in await pool.fetch("SELECT url FROM articles WHERE source_id = 'sim-jatim'")
    }
    missing = [a.url for a in published if a.url not in stored]
    assert not missing, f"lost after downtime: {missing}"
    assert len(stored) == stored_before + 25
    assert summaries["sim-jatim"].new == 25
    # Paging stopped at the first page holding known stories (page 3 of 10 per page).
    listing = [r.path_qs for r in site.requests[start:] if r.bureau == "jatim" and "terkini" in r.path_qs
               and not r.path_qs.startswith("/rss")]  # fmt: skip
    assert listing == ["/terkini", "/terkini/2", "/terkini/3"], listing
    # Every new page was fetched exactly once.
    pages = [
        r.path_qs
        for r in site.requests[start:]
        if r.bureau == "jatim" and r.path_qs.startswith("/berita/")
    ]
    assert len(pages) == len(set(pages)) == 25


async def test_quiet_poll_costs_one_conditional_request_per_feed(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await run_pass(settings, pool, sources)
    await pool.execute("UPDATE articles SET checked_at = now()")  # no update checks due
    start = len(site.requests)
    await run_pass(settings, pool, sources)
    polled = site.requests[start:]
    assert all(r.path_qs.startswith(("/rss/", "/robots.txt")) for r in polled), [
        r.path_qs for r in polled
    ]
    assert all(r.status == 304 for r in polled if r.path_qs.startswith("/rss/"))
