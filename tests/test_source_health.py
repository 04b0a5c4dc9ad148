"""A broken source is recorded on its row (reason, circuit state) and never stops the others."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import run_pass, truncate
from warta.simsite import SimSite


async def test_failing_source_is_recorded_and_others_ingest(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    # Every discovery endpoint of the kaltim bureau answers 503 (retries included).
    site.set_fault("kaltim", "/rss/terkini.xml", "503")
    site.set_fault("kaltim", "/terkini*", "503")
    try:
        summaries = {s.source_id: s for s in await run_pass(settings, pool, sources)}
    finally:
        site.clear_faults()

    assert not summaries["sim-kaltim"].ok
    assert all(s.ok for sid, s in summaries.items() if sid != "sim-kaltim")
    rows = await pool.fetch("SELECT source_id, count(*) AS n FROM articles GROUP BY source_id")
    counts = {r["source_id"]: r["n"] for r in rows}
    assert counts.get("sim-kaltim", 0) == 0
    assert counts["sim-kalsel"] > 0 and counts["sim-jatim"] > 0

    row = await pool.fetchrow("SELECT * FROM sources WHERE id = 'sim-kaltim'")
    assert row["health"] == "degraded" and row["consecutive_failures"] == 1
    assert row["last_error_kind"] == "http_5xx" and "503" in row["last_error_message"]
    assert row["circuit_open_until"] > datetime.now(UTC), "the next attempt is backed off"
    healthy = await pool.fetchrow("SELECT * FROM sources WHERE id = 'sim-kalsel'")
    assert healthy["health"] == "ok" and healthy["circuit_open_until"] is None
    assert healthy["last_success_at"] is not None and healthy["articles_last_run"] > 0

    logged = await pool.fetch(
        "SELECT url, status, error_kind FROM ingestion_log WHERE source_id = 'sim-kaltim'"
        " AND event = 'fetch'"
    )
    assert logged and all(r["status"] == 503 and r["error_kind"] == "http_5xx" for r in logged)

    # Healed: the next pass succeeds, closes the circuit and resets the failure count.
    summaries = {s.source_id: s for s in await run_pass(settings, pool, sources)}
    assert summaries["sim-kaltim"].ok and summaries["sim-kaltim"].new > 0
    row = await pool.fetchrow("SELECT * FROM sources WHERE id = 'sim-kaltim'")
    assert row["health"] == "ok" and row["consecutive_failures"] == 0
    assert row["circuit_open_until"] is None


async def test_broken_article_pages_are_isolated(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    victims = site.articles("kalsel")[:3]
    for victim, kind in zip(victims, ("garbage", "500", "404"), strict=True):
        site.set_fault("kalsel", "/" + victim.url.split("/", 3)[3], kind)
    try:
        summaries = {s.source_id: s for s in await run_pass(settings, pool, sources)}
    finally:
        site.clear_faults()
    kalsel = summaries["sim-kalsel"]
    assert kalsel.ok and kalsel.failed_pages >= 2
    stored = {
        r["url"]
        for r in await pool.fetch("SELECT url FROM articles WHERE source_id = 'sim-kalsel'")
    }
    assert victims[1].url not in stored and victims[2].url not in stored
    assert len(stored) >= len(site.articles("kalsel")) - 3
    errors = await pool.fetch(
        "SELECT url, error_kind FROM ingestion_log WHERE source_id = 'sim-kalsel' AND event = 'error'"
    )
    assert {victims[1].url, victims[2].url} <= {r["url"] for r in errors}
    pending = await pool.fetch(
        "SELECT url, attempts, next_attempt_at > now() AS later FROM pending_urls"
    )
    assert {victims[1].url, victims[2].url} <= {r["url"] for r in pending}
    assert all(r["attempts"] == 1 and r["later"] for r in pending), "retried later, with backoff"
    # Once the retry is due the next pass picks the healed pages up, even though the
    # feed itself answers 304: nothing is lost.
    await pool.execute("UPDATE pending_urls SET next_attempt_at = now()")
    await run_pass(settings, pool, sources)
    assert await pool.fetchval("SELECT count(*) FROM pending_urls") == 0
    stored = {
        r["url"]
        for r in await pool.fetch("SELECT url FROM articles WHERE source_id = 'sim-kalsel'")
    }
    assert {v.url for v in victims[1:]} <= stored


async def test_a_run_that_crashes_is_contained_and_released(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    # Break the database under the pipeline (as an outage or a bug would) for one pass.
    await pool.execute("ALTER TABLE pending_urls RENAME TO pending_urls_away")
    try:
        summaries = await run_pass(settings, pool, sources)
    finally:
        await pool.execute("ALTER TABLE pending_urls_away RENAME TO pending_urls")
    assert len(summaries) == len(sources), "every source was run; none took the others down"
    assert all(not s.ok and s.error_kind == "internal" for s in summaries)
    assert all("pending_urls" in (s.error_message or "") for s in summaries)
    rows = await pool.fetch("SELECT lease_owner, next_run_at > now() AS later FROM sources")
    assert all(r["lease_owner"] is None and r["later"] for r in rows), "released, retried soon"
    # With the database back, the next pass stores everything: nothing was lost.
    summaries = await run_pass(settings, pool, sources)
    assert all(s.ok for s in summaries)
    assert await pool.fetchval("SELECT count(*) FROM articles") == sum(
        len(site.articles(b)) for b in site.bureaus
    )


async def test_an_unreachable_network_is_reported_as_such_and_counted(
    settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    import dataclasses
    import socket

    from warta.service import _table

    await truncate(pool)
    with socket.socket() as sock:  # a port nobody listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    kaltim = next(s for s in sources if s.id == "sim-kaltim")
    dead = dataclasses.replace(
        kaltim,
        base_url=base,
        discovery=dataclasses.replace(
            kaltim.discovery, rss=(f"{base}/rss/terkini.xml",), listings=(), sitemaps=()
        ),
    )
    others = [s for s in sources if s.id != "sim-kaltim"]
    summaries = {s.source_id: s for s in await run_pass(settings, pool, [*others, dead])}

    failed = summaries["sim-kaltim"]
    assert not failed.ok
    # Not "robots_deferred": robots.txt failed only because the origin is unreachable.
    assert failed.error_kind == "connect", (failed.error_kind, failed.error_message)
    assert failed.failed_fetches >= 1, "a run whose every fetch failed does not say 0 failed"
    row = await pool.fetchrow("SELECT last_error_kind FROM sources WHERE id = 'sim-kaltim'")
    assert row["last_error_kind"] == "connect"
    table = _table(list(summaries.values()), 1.0)
    line = next(x for x in table.splitlines() if x.startswith("sim-kaltim"))
    assert "connect" in line and f" {failed.failed_fetches:>6} " in line
