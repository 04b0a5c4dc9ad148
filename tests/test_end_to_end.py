"""One article end to end: the simulated site's RSS → fetch → extract → PostgreSQL → feeds → feedparser."""

from __future__ import annotations

import asyncio
import calendar
import os
import signal
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import aiohttp
import asyncpg
import feedparser
from aiohttp import web

from config.settings import Settings
from feeds.app import make_app
from ingestor.sources.model import Source
from tests.conftest import BUREAUS, ROOT, free_port, ingest, truncate
from warta.simsite import SimSite


async def get_feed(settings: Settings, pool: asyncpg.Pool, path: str) -> tuple[int, bytes, str]:
    runner = web.AppRunner(make_app(settings, pool))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    try:
        async with aiohttp.ClientSession() as http, http.get(settings.base_url + path) as resp:
            return resp.status, await resp.read(), resp.headers.get("Content-Type", "")
    finally:
        await runner.cleanup()


async def test_rss_to_feeds_end_to_end(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await ingest(settings, pool, sources)

    kalsel = site.articles("kalsel")
    stored = await pool.fetch(
        "SELECT title, text, published_at, region, source_id FROM articles WHERE source_id = 'sim-kalsel'"
    )
    by_title = {r["title"]: r for r in stored}
    in_rss = kalsel[:20]  # the site's RSS carries the newest 20
    for article in in_rss:
        row = by_title.get(article.title)
        assert row is not None, f"missing {article.title!r}"
        assert row["published_at"] == article.published_at.astimezone(UTC)
        assert row["region"] == "kalsel"
        assert row["text"].startswith(article.paragraphs[0][:40])
        assert "Dilarang keras" not in row["text"] and "Pewarta" not in row["text"]

    for fmt, ctype in (("rss", "application/rss+xml"), ("atom", "application/atom+xml")):
        status, body, content_type = await get_feed(
            settings, pool, f"/feeds/kalsel.{fmt}?limit=200"
        )
        assert status == 200 and content_type.startswith(ctype)
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        # Other bureaus' stories that happened in Kalsel are in this feed too; compare ours.
        titles = [e.title for e in parsed.entries if e.link.startswith(site.base_url("kalsel"))]
        expected = sorted(
            (a for a in kalsel if a.title in by_title), key=lambda a: a.published_at, reverse=True
        )
        assert titles == [a.title for a in expected]
        ours = [e for e in parsed.entries if e.link.startswith(site.base_url("kalsel"))]
        for entry, article in zip(ours, expected, strict=True):
            stamp = entry.published_parsed
            assert calendar.timegm(stamp) == int(article.published_at.timestamp())
            assert entry.link == article.url


async def test_syndicated_story_forms_one_cluster_with_the_original_canonical(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await ingest(settings, pool, sources)
    copies = [a for b in BUREAUS for a in site.articles(b) if a.syndicated_from]
    assert len(copies) >= 2
    home_bureau, home_id = copies[0].syndicated_from  # type: ignore[misc]
    original = site.article(home_bureau, home_id)
    assert original is not None
    rows = {
        r["url"]: r
        for r in await pool.fetch(
            "SELECT id, url, duplicate_of, region FROM articles WHERE url = ANY($1::text[])",
            [original.url, *(c.url for c in copies)],
        )
    }
    assert rows[original.url]["duplicate_of"] is None, "the originating bureau is canonical"
    for copy in copies:
        assert rows[copy.url]["duplicate_of"] == rows[original.url]["id"]
        assert rows[copy.url]["region"] == "kalsel", "tagged where it happened"
    # Near misses (same template, same official) stay apart: one cluster in the whole site.
    clustered = await pool.fetchval("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")
    assert clustered == len(copies)

    # Readers get the story once in the feed of everything; duplicates=1 shows the copies.
    _, body, _ = await get_feed(settings, pool, "/feeds/all.atom?limit=200")
    links = [e.link for e in feedparser.parse(body).entries]
    story_urls = {original.url, *(c.url for c in copies)}
    assert [link for link in links if link in story_urls] == [original.url]
    _, body, _ = await get_feed(settings, pool, "/feeds/all.atom?limit=200&duplicates=1")
    links = [e.link for e in feedparser.parse(body).entries]
    assert {link for link in links if link in story_urls} == story_urls


async def test_unknown_province_is_404_and_health_answers(
    settings: Settings, pool: asyncpg.Pool
) -> None:
    status, body, _ = await get_feed(settings, pool, "/feeds/atlantis.rss")
    assert status == 404 and b"atlantis" in body
    status, body, _ = await get_feed(settings, pool, "/feeds/kalsel.rss?limit=0")
    assert status == 400 and b"limit" in body
    status, _, _ = await get_feed(settings, pool, "/healthz")
    assert status == 200
    status, body, _ = await get_feed(settings, pool, "/readyz")
    assert status == 200 and b"ready" in body


async def test_second_pass_stores_nothing_new_and_uses_conditional_get(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await ingest(settings, pool, sources)
    count = await pool.fetchval("SELECT count(*) FROM articles")
    before = len(site.requests)
    await ingest(settings, pool, sources)
    assert await pool.fetchval("SELECT count(*) FROM articles") == count
    second = site.requests[before:]
    assert not any("/berita/" in r.path_qs for r in second), "no article page fetched twice"
    rss = [r for r in second if r.path_qs.startswith("/rss/")]
    assert rss and all(r.status == 304 for r in rss)


async def test_a_newly_published_article_arrives(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await ingest(settings, pool, sources)
    article = site.publish("kaltim", None)
    await ingest(settings, pool, sources)
    row = await pool.fetchrow("SELECT title, region FROM articles WHERE url = $1", article.url)
    assert row is not None and row["title"] == article.title and row["region"] == "kaltim"


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(
        WARTA_SEEDS=str(settings.seeds),
        WARTA_MIN_HOST_SPACING="0",
        WARTA_LOG_LEVEL="WARNING",
        **extra,
    )
    return env


def _warta(*args: str) -> list[str]:
    return [sys.executable, "-m", "warta.cli", *args]


async def test_warta_ingest_once_prints_a_summary(settings: Settings, pool: asyncpg.Pool) -> None:
    await truncate(pool)
    env = _env(settings, WARTA_DATABASE_URL=settings.database_url or "")
    proc = await asyncio.create_subprocess_exec(
        *_warta("ingest", "--once"), env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    assert "sim-kalsel" in text and "sources ok 4, failed 0" in text
    assert await pool.fetchval("SELECT count(*) FROM articles") > 0


async def test_warta_run_on_embedded_postgres_answers_and_stops_cleanly(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    env = _env(settings, WARTA_DATA_DIR=str(tmp_path / "data"), WARTA_PORT=str(port))
    proc = await asyncio.create_subprocess_exec(
        *_warta("run"), env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    started = time.monotonic()
    try:
        healthy = False
        async with aiohttp.ClientSession() as http:
            while time.monotonic() - started < 30 and proc.returncode is None:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        healthy = resp.status == 200
                except aiohttp.ClientConnectionError:
                    pass
                if healthy:
                    break
                await asyncio.sleep(0.2)
            assert healthy, "no /healthz answer within 30 s"
            # The first tick ingests immediately; the province feed fills.
            filled = False
            while time.monotonic() - started < 60 and not filled:
                async with http.get(f"http://127.0.0.1:{port}/feeds/kalsel.atom") as resp:
                    parsed = feedparser.parse(await resp.read())
                    filled = resp.status == 200 and parsed.bozo == 0 and len(parsed.entries) > 0
                await asyncio.sleep(0.5)
            assert filled, "the kalsel feed never filled"
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=30)
        assert proc.returncode == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert (tmp_path / "data" / "postgres").is_dir(), "embedded database lives in WARTA_DATA_DIR"
