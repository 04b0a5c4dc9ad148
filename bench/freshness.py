"""Freshness: publication-to-store delay and requests per new article under the real scheduler.

The simulated site publishes on a Poisson schedule; the real scheduler, pipeline and store
ingest it (embedded PostgreSQL, loopback only). Time is compressed: a source's poll bounds
and the mean publication gap are seconds instead of minutes, so a run takes about two
minutes. Reports the median and p95 delay from publication to the article being stored
(what feeds serve after their cache is told through NOTIFY), and requests per new article
(target <= 1.5). Exits 1 when the target is missed.

    .venv/bin/python bench/freshness.py [--seconds 90] [--gap 6]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config.catalogue import load_catalogue  # noqa: E402
from config.settings import load_settings  # noqa: E402
from database.embedded import EmbeddedPostgres  # noqa: E402
from database.pool import create_pool  # noqa: E402
from ingestor import store  # noqa: E402
from ingestor.schedule import Scheduler, run_claimed, worker_id  # noqa: E402
from ingestor.sources import load_sources  # noqa: E402
from warta.demo import write_simsite_seeds  # noqa: E402
from warta.runtime import prepare_database  # noqa: E402
from warta.service import ingest_context  # noqa: E402
from warta.simsite import SimSite  # noqa: E402

TARGET_REQUESTS_PER_ARTICLE = 1.5


async def bench(seconds: float, gap: float) -> int:
    rng = random.Random(7)
    site = SimSite(bureaus=("kalsel", "kaltim"))
    await site.start()
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pg")
        dsn = await asyncio.to_thread(server.start)
        pool = await create_pool(dsn, min_size=1, max_size=8)
        try:
            await prepare_database(pool)
            seeds = write_simsite_seeds(site, Path(tmp) / "seeds")
            settings = replace(
                load_settings({"WARTA_SEEDS": str(seeds)}),
                min_host_spacing=0.0, tick_seconds=0.5, workers=4,
            )  # fmt: skip
            provinces = {p.slug for p in load_catalogue().provinces}
            # Compressed time: poll bounds of 2-30 s instead of the seeds' minutes.
            sources = [
                replace(s, poll_min_seconds=2, poll_max_seconds=30)
                for s in load_sources(seeds, provinces=provinces)
            ]
            await store.sync_sources(pool, sources)
            async with ingest_context(settings, pool) as ctx:
                # Backlog first (not measured): the corpus already on the site.
                await run_claimed(ctx, {s.id: s for s in sources}, worker_id())
                # A cadence needs a publication history; seed it with the first few stories.
                start_requests = len(site.requests)
                published: dict[str, datetime] = {}
                scheduler = Scheduler(ctx, sources)
                scheduler.start()
                began = time.monotonic()
                while time.monotonic() - began < seconds:
                    await asyncio.sleep(rng.expovariate(1 / gap))
                    bureau = rng.choice(site.bureaus)
                    article = site.publish(bureau)
                    published[article.url] = datetime.now(UTC)
                # Let the last stories arrive (bounded).
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    stored = await pool.fetchval(
                        "SELECT count(*) FROM articles WHERE url = ANY($1::text[])", list(published)
                    )
                    if stored == len(published):
                        break
                    await asyncio.sleep(0.5)
                await scheduler.stop(10)
                rows = await pool.fetch(
                    "SELECT url, ingested_at FROM articles WHERE url = ANY($1::text[])",
                    list(published),
                )
                requests = [r for r in site.requests[start_requests:] if r.path_qs != "/robots.txt"]
        finally:
            await pool.close()
            await asyncio.to_thread(server.stop)
            await site.stop()
    delays = sorted((r["ingested_at"] - published[r["url"]]).total_seconds() for r in rows)
    new = len(published)
    lost = new - len(rows)
    per_article = len(requests) / max(new, 1)
    p95 = delays[int(0.95 * (len(delays) - 1))] if delays else float("nan")
    print(
        f"published {new} stories over {seconds:.0f} s (mean gap {gap:.1f} s), stored {len(rows)}"
    )
    print(f"delay publication -> stored: median {statistics.median(delays):.1f} s, p95 {p95:.1f} s"
          f" ({statistics.median(delays) / gap:.2f} and {p95 / gap:.2f} mean gaps)")  # fmt: skip
    print(f"requests {len(requests)} -> {per_article:.2f} per new article"
          f" (target <= {TARGET_REQUESTS_PER_ARTICLE})")  # fmt: skip
    if lost:
        print(f"FAIL: {lost} stories never arrived")
        return 1
    return 0 if per_article <= TARGET_REQUESTS_PER_ARTICLE else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--gap", type=float, default=6.0, help="mean seconds between stories")
    args = parser.parse_args()
    return asyncio.run(bench(args.seconds, args.gap))


if __name__ == "__main__":
    sys.exit(main())
