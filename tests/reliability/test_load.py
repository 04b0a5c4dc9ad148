"""Load: 200 feed clients for 60 s against `warta run` while it ingests; no 5xx, memory flat.

One `warta run` process serves and ingests; the simulated site publishes a story every two
seconds and every source is made due every five, so ingestion (and the cache invalidation it
causes) runs all through the load. The clients run in their own process (loadgen.py), on
loopback, bounded in number and time. Resident memory of the server process is read from /proc
after a warm-up and at the end; growth must stay under 10 %.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from config.settings import Settings
from tests.conftest import BUREAUS, ROOT, free_port, truncate
from tests.reliability.budget import pick, record
from tests.reliability.procs import Warta, resident_kib, wait_until
from warta.demo import write_simsite_seeds
from warta.simsite import SimSite

MAX_GROWTH = 0.10


async def _loadgen(base: str, clients: int, seconds: float) -> dict[str, object]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.reliability.loadgen", base, "--clients", str(clients),
        "--seconds", str(seconds), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=seconds + 120)
    assert proc.returncode == 0, err.decode()[-2000:]
    result: dict[str, object] = json.loads(out)
    return result


async def _keep_ingesting(site: SimSite, pool: asyncpg.Pool, published: list[str]) -> None:
    """A story every 2 s, round the bureaus; every source due every 5 s."""
    tick = 0
    while True:
        await asyncio.sleep(1.0)
        tick += 1
        if tick % 2 == 0:
            published.append(site.publish(BUREAUS[(tick // 2) % len(BUREAUS)]).url)
        if tick % 5 == 0:
            await pool.execute("UPDATE sources SET next_run_at = now() WHERE lease_owner IS NULL")


@pytest.mark.timeout(900)
async def test_feed_clients_under_load_while_ingesting(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    clients, seconds, warmup = pick(full=(200, 60.0, 15.0), quick=(50, 10.0, 5.0))
    await truncate(pool)
    seeds = write_simsite_seeds(site, tmp_path / "seeds", poll_min=30, poll_max=60)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    warta = Warta(
        tmp_path,
        {
            "WARTA_DATABASE_URL": settings.database_url or "", "WARTA_SEEDS": str(seeds),
            "WARTA_HOST": "127.0.0.1", "WARTA_PORT": str(port), "WARTA_MIN_HOST_SPACING": "0",
            "WARTA_TICK_SECONDS": "1", "WARTA_LOG_LEVEL": "WARNING",
        },
        "run",
    )  # fmt: skip
    await warta.start()
    published: list[str] = []
    keeper: asyncio.Task[None] | None = None
    try:
        await warta.wait_http(base + "/readyz")
        expected = sum(len(site.articles(b)) for b in BUREAUS)

        async def first_pass_done() -> bool:
            return bool(await pool.fetchval("SELECT count(*) FROM articles") >= expected)

        await wait_until(first_pass_done, 120, "the first ingest pass")
        keeper = asyncio.create_task(_keep_ingesting(site, pool, published))
        await _loadgen(base, clients, warmup)  # caches, connections, allocator: settled
        before_kib = resident_kib(warta.pid)
        before_articles = await pool.fetchval("SELECT count(*) FROM articles")
        samples: list[int] = []

        async def sample() -> None:
            while True:
                samples.append(resident_kib(warta.pid))
                await asyncio.sleep(1.0)

        sampler = asyncio.create_task(sample())
        result = await _loadgen(base, clients, seconds)
        sampler.cancel()
        after_kib = resident_kib(warta.pid)
        after_articles = await pool.fetchval("SELECT count(*) FROM articles")
        assert warta.alive(), warta.log()[-3000:]
    finally:
        if keeper is not None:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        code = await warta.stop()
    assert code == 0, warta.log()[-3000:]
    growth = (after_kib - before_kib) / before_kib
    figures = {
        **result, "rss_before_mib": round(before_kib / 1024, 1),
        "rss_after_mib": round(after_kib / 1024, 1),
        "rss_peak_mib": round(max(samples, default=after_kib) / 1024, 1),
        "rss_every_10s_mib": [round(s / 1024, 1) for s in samples[::10]],
        "rss_growth_pct": round(100 * growth, 1),
        "articles_ingested_during_load": after_articles - before_articles,
    }  # fmt: skip
    record("load", **figures)
    print("load:", json.dumps(figures))
    assert result["server_errors"] == 0, figures
    assert not result["client_errors"], figures
    assert growth < MAX_GROWTH, f"resident memory grew {100 * growth:.1f}% under load"
    assert after_articles > before_articles, "ingestion ran during the load"
