"""PostgreSQL goes away under a running service: nothing lost, nothing doubled, cached feeds up.

The outage proof runs a real `warta run` (scheduler, workers and feed server in one process)
against a private PostgreSQL that the test crashes (`pg_ctl -m immediate`) while a source's
run is in progress, then starts again. The process must ride it out: feeds already rendered
keep being served, /readyz says not ready until the database is back, and afterwards every
article of the simulated site is stored exactly once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import BUREAUS, free_port
from tests.reliability.budget import record
from tests.reliability.pgctl import ControlledPostgres, query
from tests.reliability.procs import Warta, wait_until
from warta.demo import write_simsite_seeds
from warta.simsite import SimSite


def expected_urls(site: SimSite) -> set[str]:
    return {a.url for b in BUREAUS for a in site.articles(b)}


async def assert_exactly_once(dsn: str, site: SimSite) -> int:
    """Nothing lost (every served article stored) and nothing duplicated (by URL or identity)."""
    rows = await query(
        dsn,
        "SELECT count(*) AS n, count(DISTINCT url) AS urls, count(DISTINCT identity) AS ids"
        " FROM articles",
    )
    stored = {r["url"] for r in await query(dsn, "SELECT url FROM articles")}
    missing = expected_urls(site) - stored
    assert not missing, f"lost: {sorted(missing)[:5]}"
    n = rows[0]["n"]
    assert n == rows[0]["urls"] == rows[0]["ids"] == len(expected_urls(site)), dict(rows[0])
    return int(n)


async def get(http: aiohttp.ClientSession, url: str, **headers: str) -> tuple[int, bytes, str]:
    async with http.get(url, headers=headers) as resp:
        return resp.status, await resp.read(), resp.headers.get("ETag", "")


@pytest.mark.timeout(300)
async def test_database_outage_mid_run_loses_nothing_and_cached_feeds_stay_up(
    site: SimSite, pg: ControlledPostgres, dsn: str, tmp_path: Path
) -> None:
    await query(dsn, "TRUNCATE articles, ingestion_log, fetch_state, pending_urls, sources CASCADE")
    seeds = write_simsite_seeds(site, tmp_path / "seeds")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # jatim's article pages answer slowly, so its run is still going when the database dies.
    site.set_fault("jatim", "/berita/*", "slow")
    warta = Warta(
        tmp_path,
        {
            "WARTA_DATABASE_URL": dsn, "WARTA_SEEDS": str(seeds),
            "WARTA_DATA_DIR": str(tmp_path / "data"), "WARTA_HOST": "127.0.0.1",
            "WARTA_PORT": str(port), "WARTA_MIN_HOST_SPACING": "0", "WARTA_TICK_SECONDS": "1",
            "WARTA_LEASE_SECONDS": "10", "WARTA_LOG_LEVEL": "WARNING",
        },
        "run",
    )  # fmt: skip
    await warta.start()
    try:
        await warta.wait_http(base + "/readyz")
        kalsel = {a.url for a in site.articles("kalsel")}

        async def kalsel_stored_jatim_running() -> bool:
            rows = await query(
                dsn,
                "SELECT (SELECT count(*) FROM articles WHERE source_id = 'sim-kalsel') AS kalsel,"
                " (SELECT count(*) FROM articles WHERE source_id = 'sim-jatim') AS jatim,"
                " (SELECT lease_owner IS NOT NULL FROM sources WHERE id = 'sim-jatim') AS leased",
            )
            r = rows[0]
            return bool(r["kalsel"] == len(kalsel) and r["jatim"] == 0 and r["leased"])

        await wait_until(kalsel_stored_jatim_running, 60, "kalsel stored while jatim runs")
        await asyncio.sleep(1.0)  # jatim is now fetching its slow pages
        cached = ["/feeds/kalsel.atom", "/feeds/kalsel.rss", "/feeds/kalsel.json"]
        async with aiohttp.ClientSession() as http:
            before = {path: await get(http, base + path) for path in cached}
            assert all(status == 200 and body for status, body, _ in before.values())

            pg.stop(mode="immediate")  # a crash: every connection cut at once
            down_at = time.monotonic()
            served = 0
            while time.monotonic() - down_at < 6.0:
                for path in cached:
                    status, body, etag = await get(http, base + path)
                    assert (status, body, etag) == before[path], f"{path} while down: {status}"
                    status, _, _ = await get(http, base + path, **{"If-None-Match": etag})
                    assert status == 304
                    served += 2
                status, _, _ = await get(http, base + "/readyz")
                assert status == 503, "not ready while the database is down"
                status, _, _ = await get(http, base + "/healthz")
                assert status == 200, "alive all the same"
                await asyncio.sleep(0.2)
            outage = time.monotonic() - down_at
            pg.start()
            site.clear_faults()

            async def ready() -> bool:
                return (await get(http, base + "/readyz"))[0] == 200

            ready_after = await wait_until(ready, 60, "/readyz ready again")

        async def all_stored() -> bool:
            rows = await query(dsn, "SELECT count(*) AS n FROM articles")
            return bool(rows[0]["n"] >= len(expected_urls(site)))

        caught_up = await wait_until(all_stored, 90, "every article stored after the outage")
        assert warta.alive(), "the same process reconnected; it did not die"
        stored = await assert_exactly_once(dsn, site)
    finally:
        site.clear_faults()
        if not pg.running:
            pg.start()
        code = await warta.stop()
    assert code == 0, warta.log()[-3000:]
    record(
        "db_outage",
        outage_s=round(outage, 1),
        cached_responses_during_outage=served,
        ready_after_s=round(ready_after, 1),
        caught_up_s=round(caught_up, 1),
        articles=stored,
        lost=0,
        duplicated=0,
    )


@pytest.mark.timeout(120)
async def test_uncached_documents_answer_503_while_the_database_is_down(
    pg: ControlledPostgres, dsn: str, site: SimSite, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    seeds = write_simsite_seeds(site, tmp_path / "seeds")
    env = {"WARTA_DATABASE_URL": dsn, "WARTA_SEEDS": str(seeds), "WARTA_PORT": str(port),
           "WARTA_HOST": "127.0.0.1", "WARTA_LOG_LEVEL": "WARNING"}  # fmt: skip
    warta = await Warta(tmp_path, env, "serve").start()
    statuses: dict[str, int] = {}
    try:
        await warta.wait_http(base + "/readyz")
        pg.stop(mode="immediate")
        async with aiohttp.ClientSession() as http:
            for path in ("/feeds/jatim.atom?limit=7", "/feeds/all.json?q=banjir",
                         "/api/v1/articles", "/api/v1/sources", "/"):  # fmt: skip
                async with http.get(base + path) as resp:
                    statuses[path] = resp.status
                    if resp.status == 503:
                        assert resp.headers.get("Retry-After"), path
    finally:
        if not pg.running:
            pg.start()
        assert await warta.stop() == 0
    assert all(status == 503 for status in statuses.values()), statuses
