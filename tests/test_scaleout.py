"""Several ingest processes on one PostgreSQL: shared work, crashed leases taken over, health, retention."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import asyncpg

from config.settings import Settings
from ingestor import store
from ingestor.sources.model import Source
from tests.conftest import BUREAUS, ROOT, run_pass, truncate
from warta.simsite import SimSite


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(
        WARTA_DATABASE_URL=settings.database_url or "",
        WARTA_SEEDS=str(settings.seeds),
        WARTA_MIN_HOST_SPACING="0",
        WARTA_TICK_SECONDS="1",
        WARTA_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


async def _spawn(settings: Settings, *args: str, **extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "warta.cli", *args, env=_env(settings, **extra), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


async def _wait_for(pool: asyncpg.Pool, expected: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        count = await pool.fetchval("SELECT count(*) FROM articles")
        if count >= expected:
            break
        await asyncio.sleep(0.3)
    return int(count)


async def _stop(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    return proc.returncode if proc.returncode is not None else -1


def _expected(site: SimSite) -> int:
    return sum(len(site.articles(b)) for b in BUREAUS)


async def test_two_processes_share_the_work_without_double_fetching(
    site: SimSite, settings: Settings, pool: asyncpg.Pool
) -> None:
    await truncate(pool)
    start = len(site.requests)
    procs = [await _spawn(settings, "ingest") for _ in range(2)]
    try:
        count = await _wait_for(pool, _expected(site), 60)
        assert count == _expected(site)
        await asyncio.sleep(1.5)  # a few more ticks: nothing is due, nothing is fetched again
    finally:
        codes = [await _stop(p) for p in procs]
    assert codes == [0, 0], "both stop cleanly on SIGTERM"
    pages = Counter(
        (r.bureau, r.path_qs) for r in site.requests[start:] if r.path_qs.startswith("/berita/")
    )
    assert pages and max(pages.values()) == 1, [p for p, n in pages.items() if n > 1]
    assert await pool.fetchval("SELECT count(DISTINCT url) FROM articles") == count
    owners = await pool.fetch("SELECT lease_owner FROM sources WHERE lease_owner IS NOT NULL")
    assert not owners, "leases are released on shutdown"


async def test_a_killed_worker_s_leases_expire_and_another_finishes(
    site: SimSite, settings: Settings, pool: asyncpg.Pool
) -> None:
    await truncate(pool)
    # Slow article pages keep the first worker busy mid-run.
    for bureau in BUREAUS:
        site.set_fault(bureau, "/berita/*", "slow")
    first = await _spawn(settings, "ingest", WARTA_LEASE_SECONDS="10")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            leased = await pool.fetchval(
                "SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL"
            )
            if leased:
                break
            await asyncio.sleep(0.2)
        assert leased, "the first worker claimed sources"
        await asyncio.sleep(1.0)
        first.kill()  # kill -9: no cleanup, leases stay behind
        await first.wait()
    finally:
        site.clear_faults()
    assert await pool.fetchval("SELECT count(*) FROM sources WHERE lease_owner IS NOT NULL") > 0
    second = await _spawn(settings, "ingest", WARTA_LEASE_SECONDS="10")
    try:
        count = await _wait_for(pool, _expected(site), 60)
    finally:
        assert await _stop(second) == 0
    assert count == _expected(site), "nothing lost"
    assert await pool.fetchval("SELECT count(DISTINCT identity) FROM articles") == count


async def test_an_always_failing_source_ends_disabled_and_others_carry_on(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source], tmp_path: Path
) -> None:
    from dataclasses import replace

    await truncate(pool)
    strict = replace(settings, disable_after=2)
    site.set_fault("jatim", "/rss/terkini.xml", "503")
    site.set_fault("jatim", "/terkini*", "503")
    try:
        for _ in range(2):
            summaries = {s.source_id: s for s in await run_pass(strict, pool, sources)}
            assert all(s.ok for sid, s in summaries.items() if sid != "sim-jatim")
            assert not summaries["sim-jatim"].ok
    finally:
        site.clear_faults()
    row = await pool.fetchrow("SELECT * FROM sources WHERE id = 'sim-jatim'")
    assert not row["enabled"] and row["health"] == "disabled"
    assert "auto-disabled after 2 failed runs" in row["disabled_reason"]
    assert "503" in row["disabled_reason"]
    # A disabled source is not claimed again.
    summaries = {s.source_id: s for s in await run_pass(strict, pool, sources)}
    assert "sim-jatim" not in summaries

    # The operator sees why, and switches it back on.
    proc = await _spawn(settings, "sources", "--json")
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    listed = {s["id"]: s for s in json.loads(out)}
    assert listed["sim-jatim"]["health"] == "disabled" and listed["sim-jatim"]["enabled"] is False
    proc = await _spawn(settings, "sources", "enable", "sim-jatim")
    await proc.communicate()
    assert proc.returncode == 0
    row = await pool.fetchrow(
        "SELECT enabled, health, disabled_reason FROM sources WHERE id = 'sim-jatim'"
    )
    assert row["enabled"] and row["health"] == "ok" and row["disabled_reason"] is None
    proc = await _spawn(settings, "sources", "disable", "no-such-source")
    await proc.communicate()
    assert proc.returncode == 2


async def test_retention_deletes_old_articles_in_batches(
    settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> None:
    await truncate(pool)
    await run_pass(settings, pool, sources)
    total = await pool.fetchval("SELECT count(*) FROM articles")
    await pool.execute(
        "UPDATE articles SET published_at = now() - interval '100 days'"
        " WHERE id IN (SELECT id FROM articles ORDER BY id LIMIT 7)"
    )
    deleted = await store.delete_expired(pool, older_than=timedelta(days=90), batch=3)
    assert deleted == 7
    assert await pool.fetchval("SELECT count(*) FROM articles") == total - 7
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM article_regions r LEFT JOIN articles a ON a.id = r.article_id"
            " WHERE a.id IS NULL"
        )
        == 0
    ), "links go with their articles"
