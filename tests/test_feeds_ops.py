"""Operations: liveness, readiness and the Prometheus metrics of the feed server."""

from __future__ import annotations

import re

import aiohttp
import asyncpg
from prometheus_client.parser import text_string_to_metric_families

from database.pool import create_pool
from tests.conftest import free_port
from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the text exposition; fails when it is missing."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        assert match, f"malformed line {line!r}"
        got = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match[2] or ""))
        if match[1] == name and all(got.get(k) == v for k, v in labels.items()):
            return float(match[3])
    raise AssertionError(f"no sample {name}{labels}")


async def test_health_readiness_and_metrics(database_url: str, pool: asyncpg.Pool) -> None:
    await reset(pool)
    await add_source(pool)
    await add_source(pool, "src-jatim")
    await pool.execute("UPDATE sources SET health = 'degraded' WHERE id = 'src-jatim'")
    await insert(pool, Art("Satu", regions=("kalsel",)))
    await insert(pool, Art("Dua", regions=("kalsel",)))
    await pool.execute(
        "INSERT INTO ingestion_log (source_id, event, error_kind, message) VALUES"
        " ('src-jatim', 'fetch', 'timeout', 'slow'), ('src-jatim', 'fetch', 'timeout', 'slow'),"
        " ('src-jatim', 'fetch', 'http_status', '503')"
    )
    settings = feed_settings(database_url)
    async with serve(settings, pool) as (base, _app), aiohttp.ClientSession() as http:
        async with http.get(base + "/healthz") as resp:
            assert resp.status == 200
        async with http.get(base + "/readyz") as resp:
            assert resp.status == 200 and (await resp.json())["status"] == "ready"
        for _ in range(3):
            async with http.get(base + "/feeds/kalsel.rss") as resp:
                assert resp.status == 200
        async with http.get(base + "/feeds/atlantis.rss") as resp:
            assert resp.status == 404
        async with http.get(base + "/nowhere") as resp:
            assert resp.status == 404
        async with http.get(base + "/metrics") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain")
            text = await resp.text()
    route = "/feeds/{province}.{fmt}"
    assert metric(text, "warta_http_requests_total", route=route, status="200") == 3
    assert metric(text, "warta_http_requests_total", route=route, status="404") == 1
    assert metric(text, "warta_http_request_duration_seconds_count", route=route) == 4
    assert metric(text, "warta_feed_render_seconds_count", format="rss") == 1
    assert metric(text, "warta_feed_cache_hits_total") >= 2
    assert metric(text, "warta_feed_cache_misses_total") >= 1
    assert metric(text, "warta_source_articles", source="src-kalsel") == 2
    assert metric(text, "warta_source_health", source="src-jatim", state="degraded") == 1
    assert metric(text, "warta_source_health", source="src-jatim", state="ok") == 0
    assert metric(text, "warta_fetch_errors_total", source="src-jatim", kind="timeout") == 2
    assert metric(text, "warta_fetch_errors_total", source="src-jatim", kind="http_status") == 1
    assert metric(text, "warta_change_listener_connected") == 1
    assert metric(text, "warta_database_up") == 1
    # Prometheus's own parser reads the whole exposition, and every name that dashboards may
    # use is there with its type (counters are named without _total by the parser).
    types = {f.name: f.type for f in text_string_to_metric_families(text)}
    assert types == {
        "warta_http_requests": "counter",
        "warta_http_request_duration_seconds": "histogram",
        "warta_feed_render_seconds": "histogram",
        "warta_feed_cache_hits": "counter",
        "warta_feed_cache_misses": "counter",
        "warta_feed_cache_coalesced": "counter",
        "warta_feed_cache_invalidated": "counter",
        "warta_feed_cache_evicted": "counter",
        "warta_feed_cache_documents": "gauge",
        "warta_change_notifications": "counter",
        "warta_change_listener_connected": "gauge",
        "warta_websub_leader": "gauge",
        "warta_source_articles": "gauge",
        "warta_source_health": "gauge",
        "warta_fetch_errors": "counter",
        "warta_database_up": "gauge",
    }
    assert "# HELP warta_feed_cache_hits_total Feed documents served from the cache." in text


async def test_readyz_reports_a_schema_behind_the_code(
    database_url: str, pool: asyncpg.Pool
) -> None:
    async with serve(feed_settings(database_url), pool) as (base, _app):
        latest = await pool.fetchval("SELECT max(version) FROM schema_migrations")
        await pool.execute("DELETE FROM schema_migrations WHERE version = $1", latest)
        try:
            async with aiohttp.ClientSession() as http, http.get(base + "/readyz") as resp:
                assert resp.status == 503
                assert "schema at" in (await resp.json())["reason"]
        finally:
            await pool.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, 'feeds')", latest
            )


async def test_a_database_outage_is_503_and_cached_feeds_still_answer(
    database_url: str, pool: asyncpg.Pool
) -> None:
    await reset(pool)
    await add_source(pool)
    await insert(pool, Art("Sebelum padam", regions=("kalsel",)))
    own = await create_pool(database_url, min_size=1, max_size=4)
    try:
        settings = feed_settings(database_url)
        async with serve(settings, own) as (base, _app), aiohttp.ClientSession() as http:
            async with http.get(base + "/feeds/kalsel.rss") as resp:
                assert resp.status == 200  # cached from now on
            # The database goes away: every new connection is refused.
            own.set_connect_args(dsn=f"postgresql://postgres@127.0.0.1:{free_port()}/gone")
            await own.expire_connections()
            for path in ("/feeds/jatim.atom", "/feeds/all.json?q=banjir", "/api/v1/articles",
                         "/api/v1/sources", "/api/v1/articles/1", "/"):  # fmt: skip
                async with http.get(base + path) as resp:
                    assert resp.status == 503, (path, resp.status)
                    assert resp.headers["Retry-After"] == "5"
            async with http.get(base + "/feeds/kalsel.rss") as resp:
                assert resp.status == 200 and b"Sebelum padam" in await resp.read()
            async with http.get(base + "/readyz") as resp:
                assert resp.status == 503
            # Back: the same requests succeed again.
            own.set_connect_args(dsn=database_url)
            async with http.get(base + "/feeds/jatim.atom") as resp:
                assert resp.status == 200
    finally:
        await own.close()
