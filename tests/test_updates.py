"""Corrections: recent articles are re-read at their check ages and updated in place, never duplicated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import run_pass, truncate
from warta.simsite import SimSite


async def test_a_corrected_story_is_updated_in_place(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await run_pass(settings, pool, sources)
    now = datetime.now(UTC)
    story = next(
        a for a in site.articles("kalsel")
        if timedelta(hours=4) < now - a.published_at < timedelta(hours=20)
    )  # fmt: skip
    before = await pool.fetchrow("SELECT id, content_hash FROM articles WHERE url = $1", story.url)
    count = await pool.fetchval("SELECT count(*) FROM articles")
    # Stored long ago as far as the checker knows: its 3-hour check is due now.
    await pool.execute("UPDATE articles SET checked_at = NULL, first_seen_at = published_at")

    title = story.title + " (ralat)"
    site.revise("kalsel", story.id, title=title,
                paragraphs=(*story.paragraphs, "Catatan redaksi: angka korban telah diperbarui."))  # fmt: skip
    summaries = {s.source_id: s for s in await run_pass(settings, pool, sources)}
    assert summaries["sim-kalsel"].updated == 1

    after = await pool.fetchrow(
        "SELECT id, title, text, updated_at, content_hash, previous_hashes FROM articles WHERE url = $1",
        story.url,
    )
    assert after["id"] == before["id"] and after["title"] == title
    assert "Catatan redaksi" in after["text"]
    assert after["updated_at"] is not None and after["updated_at"] > story.published_at
    assert after["previous_hashes"] == [before["content_hash"]]
    assert await pool.fetchval("SELECT count(*) FROM articles") == count, "nothing duplicated"

    # The other recent stories were re-read too (the site's sidebars change every minute, so
    # its ETags do as well and a 304 is rare); their words did not change, so nothing updates.
    unchanged = await pool.fetchval(
        "SELECT count(*) FROM articles WHERE cardinality(previous_hashes) > 0 AND url <> $1",
        story.url,
    )
    assert unchanged == 0
    # Checked now: the next pass does not read them again until their next check age.
    before_requests = len(site.requests)
    summaries = {s.source_id: s for s in await run_pass(settings, pool, sources)}
    assert summaries["sim-kalsel"].updated == 0
    again = [r.path_qs for r in site.requests[before_requests:] if r.path_qs.startswith("/berita/")]
    assert not again, again[:5]
