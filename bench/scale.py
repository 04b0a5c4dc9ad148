"""Benchmark: many sources and several ingest processes on one PostgreSQL; feeds under load.

Run: .venv/bin/python bench/scale.py [ingest|feeds]   (no argument: both, as `make bench` does)
     .venv/bin/python bench/scale.py ingest [--processes 1,2,4] [--seconds S] [--sites N] [--dsn D]
                                            [--start spread,burst]
     .venv/bin/python bench/scale.py feeds [--rate R] [--seconds S] [--dsn D]

ingest: a simulated-site process serves --sites SimSites of four bureaus each (default 250, so
1,000 sources, each its own origin on loopback, each site with its own wording of the
corpus) and publishes about 2,000 stories an hour
across them. For each start and process count, a fresh database and that many `warta ingest`
processes run for --seconds; reported: articles stored per second, scheduling lag (a source's
next_run_at to the moment a worker leased it; recorded by a trigger the bench adds) p50/p95
over the whole window and over its second half, HTTP requests per new article, database time
per article (pg_stat_database.active_time), and where the CPU went (ingest processes,
simulated site, PostgreSQL, from /proc), so one can tell which saturated.
Two starts: `spread` is the product's own (the processes sync the catalogue, so first polls
come one every poll_max/1,000 seconds: the rate of the rounds that follow, but each first poll
also takes the source's backlog): its lag is what an operator sees, against one tick.
`burst` makes every source due at once (as `warta ingest --once` does): a queue of 1,000
backlogs, which measures capacity (articles/s, the process-count ratio), not lag.

feeds: a `warta serve` process (feed cache off) over 1,000,000 generated articles (bench/serve.py's
loader; an existing bench_1000000 database on the server is reused) takes requests at a fixed
rate (open loop) in alternating rounds: the plain feed, and feeds with a unique combination
of q, filter, since, region and topic on every request. Reported: p50/p99 per kind, the ratio
of p99s (target <= 3) and every non-2xx/304 answer or client error (target: zero 5xx).

Without --dsn an embedded PostgreSQL in a temporary directory is used (its CPU is then counted
too: it is the postmaster's process tree either way).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import asyncpg
from aiohttp import web

from config.catalogue import load_catalogue, sync_catalogue
from database.embedded import EmbeddedPostgres
from database.pool import create_pool, migrate

ROOT = Path(__file__).resolve().parents[1]


def warta(command: str) -> list[str]:
    """`warta COMMAND` from this checkout (PYTHONPATH=ROOT), whichever venv runs the bench."""
    return [
        sys.executable,
        "-c",
        f"import sys; from warta.cli import main; sys.exit(main([{command!r}]))",
    ]


BUREAUS = ("kalsel", "kaltim", "jatim", "www")
STORIES_PER_HOUR = 2000

# --- CPU accounting from /proc ---------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_seconds(pids: list[int], tree: bool = False) -> float:
    """CPU (user + system) used so far by `pids` (and, with `tree`, their live descendants)."""
    total = 0.0
    todo = list(pids)
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
        if tree:
            # Exited children (PostgreSQL's per-connection backends) count in their parent's
            # cutime/cstime once reaped; the live ones are walked.
            total += (int(fields[13]) + int(fields[14])) / _TICK
            todo += _children(pid)
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


async def postmaster_pid(pool: asyncpg.Pool) -> int | None:
    """The server's postmaster pid, when it runs on this machine and we may read its file."""
    try:
        data_dir = await pool.fetchval("SHOW data_directory")
        return int(Path(data_dir, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, asyncpg.PostgresError):
        return None


# --- the simulated site process --------------------------------------------------------------


def seeds_for(sites: list[Any]) -> str:
    """One seeds file for every bureau of every site: ids s000-kalsel, s000-kaltim, ..."""
    from warta.demo import simsite_seeds

    parts = []
    for n, site in enumerate(sites):
        text = simsite_seeds(site)
        head, _, body = text.partition("[[source]]")
        if n == 0:
            parts.append(head)
        parts.append(("[[source]]" + body).replace('id = "sim-', f'id = "s{n:03d}-'))
    return "\n".join(parts)


def _distinct(sites: list[Any]) -> None:
    """Give every site its own wording of the shared corpus.

    Each SimSite serves the same hand-written stories; 250 copies of each would make every
    story a 250-member syndication cluster, which no real network of newsrooms publishes.
    Half the words of each site's copy are swapped for other corpus words (site-seeded), so
    near-duplicate detection sees different stories, as it would across real newsrooms.
    """
    words = sorted(
        {w for s in sites[:1] for b in BUREAUS for a in s._stories[b] for p in a.paragraphs
         for w in p.split() if w.isalpha()}
    )  # fmt: skip

    def reword(text: str, rng: random.Random, keep: int) -> str:
        out = text.split()
        for i in range(keep, len(out)):
            if rng.random() < 0.5:
                out[i] = rng.choice(words)
        return " ".join(out)

    for n, site in enumerate(sites[1:], start=1):
        rng = random.Random(n)

        def one(a: Any, rng: random.Random = rng, n: int = n) -> Any:
            paragraphs = tuple(
                reword(p, rng, 4 if i == 0 else 0) for i, p in enumerate(a.paragraphs)
            )
            return replace(a, title=f"{reword(a.title, rng, 2)} {n}", paragraphs=paragraphs)

        for b in BUREAUS:
            site._stories[b] = [one(a) for a in site._stories[b]]
            site._reserve[b] = [one(a) for a in site._reserve[b]]


async def _simsite(count: int, folder: Path) -> None:
    from warta.simsite import SimSite

    sites = [SimSite(bureaus=BUREAUS, seed=n) for n in range(count)]
    for site in sites:
        await site.start()
    _distinct(sites)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "seeds" / "layouts.toml", folder)
    (folder / "simsite.toml").write_text(seeds_for(sites), encoding="utf-8")

    async def count_requests(request: web.Request) -> web.Response:
        return web.json_response({"requests": sum(len(s.requests) for s in sites)})

    app = web.Application()
    app.router.add_get("/count", count_requests)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"control": runner.addresses[0][1]}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    rng = random.Random(0)
    while not stop.is_set():
        # Poisson arrivals at STORIES_PER_HOUR over the whole network.
        try:
            await asyncio.wait_for(stop.wait(), rng.expovariate(STORIES_PER_HOUR / 3600))
        except TimeoutError:
            rng.choice(sites).publish(rng.choice(BUREAUS))
    await runner.cleanup()
    for s in sites:
        await s.stop()


# --- ingest ------------------------------------------------------------------------------------

_LAG_TRIGGER = """
CREATE TABLE bench_claims (source_id text, due timestamptz, claimed timestamptz);
CREATE FUNCTION bench_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.lease_owner IS NOT NULL AND NEW.lease_owner IS DISTINCT FROM OLD.lease_owner THEN
        INSERT INTO bench_claims VALUES (NEW.id, OLD.next_run_at, clock_timestamp());
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER bench_claim AFTER UPDATE OF lease_owner ON sources
    FOR EACH ROW EXECUTE FUNCTION bench_claim();
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(dsn: str, name: str) -> str:
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", dsn, count=1)


async def fresh_database(server_dsn: str, name: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return with_database(server_dsn, name)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def ingest_run(
    server_dsn: str, seeds: Path, control: int, processes: int, seconds: float, site_pid: int,
    start: str,
) -> dict[str, float]:  # fmt: skip
    dsn = await fresh_database(server_dsn, f"bench_scale_{processes}")
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        await migrate(pool)
        await sync_catalogue(pool, load_catalogue())
        await pool.execute(_LAG_TRIGGER)
        if start == "burst":
            from ingestor.sources import load_sources
            from ingestor.store import sync_sources

            provinces = {p.slug for p in load_catalogue().provinces}
            await sync_sources(pool, load_sources(seeds, provinces=provinces))
            await pool.execute("UPDATE sources SET next_run_at = now()")
        pg_pid = await postmaster_pid(pool)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
        env["PYTHONPATH"] = str(ROOT)
        env.update(
            WARTA_DATABASE_URL=dsn, WARTA_SEEDS=str(seeds), WARTA_MIN_HOST_SPACING="0",
            WARTA_LOG_LEVEL="ERROR", WARTA_DATA_DIR=tempfile.mkdtemp(prefix="warta-scale-"),
        )  # fmt: skip
        async with aiohttp.ClientSession() as http:

            async def requests_so_far() -> int:
                async with http.get(f"http://127.0.0.1:{control}/count") as resp:
                    return int((await resp.json())["requests"])

            requests0 = await requests_so_far()
            active0 = await pool.fetchval(
                "SELECT active_time FROM pg_stat_database WHERE datname = current_database()"
            )
            procs = [subprocess.Popen(warta("ingest"), env=env) for _ in range(processes)]
            pids = [p.pid for p in procs]
            cpu0 = (cpu_seconds(pids), cpu_seconds([site_pid]), cpu_seconds([pg_pid] if pg_pid else [], tree=True))  # fmt: skip
            busy0 = machine_busy()
            started = time.monotonic()
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            cpu1 = (cpu_seconds(pids), cpu_seconds([site_pid]), cpu_seconds([pg_pid] if pg_pid else [], tree=True))  # fmt: skip
            busy1 = machine_busy()
            articles = int(await pool.fetchval("SELECT count(*) FROM articles"))
            # Sources that fell due while the processes ran (spread: the first polls so far).
            due = int(
                await pool.fetchval(
                    "SELECT count(*) FROM sources WHERE enabled AND (next_run_at <= now()"
                    " OR lease_owner IS NOT NULL OR last_run_at IS NOT NULL)"
                )
            )
            # Lags above are of the sources that were claimed; these are still waiting.
            waiting = await pool.fetchrow(
                "SELECT count(*) AS n, coalesce(extract(epoch FROM max(now() - next_run_at)), 0)"
                " AS oldest FROM sources WHERE enabled AND next_run_at <= now()"
                " AND (lease_expires_at IS NULL OR lease_expires_at < now())"
            )
            requests = await requests_so_far() - requests0
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=60)
        await asyncio.sleep(1.0)  # let the last statistics reach pg_stat_database
        active = await pool.fetchval(
            "SELECT active_time FROM pg_stat_database WHERE datname = current_database()"
        )
        rows = await pool.fetch(
            "SELECT extract(epoch FROM claimed - due) AS lag, claimed FROM bench_claims"
        )
        first = await pool.fetchval("SELECT min(claimed) FROM bench_claims")
        half = first is not None and [
            float(r["lag"]) for r in rows if (r["claimed"] - first).total_seconds() > seconds / 2
        ]
        lags = [float(r["lag"]) for r in rows]
        second_half = half or []
    finally:
        await pool.close()
    cores = os.cpu_count() or 1
    return {
        "processes": processes,
        "seconds": elapsed,
        "articles": articles,
        "per_second": articles / elapsed,
        "claims": len(lags),
        "due": due,
        "lag_p50": pct(lags, 0.5),
        "lag_p95": pct(lags, 0.95),
        "late_p50": pct(second_half, 0.5),
        "late_p95": pct(second_half, 0.95),
        "waiting": int(waiting["n"]),
        "oldest_wait": float(waiting["oldest"]),
        "requests": requests,
        "requests_per_article": requests / max(articles, 1),
        "db_ms_per_article": (float(active) - float(active0)) / max(articles, 1),
        "cpu_ingest": (cpu1[0] - cpu0[0]) / elapsed,
        "cpu_site": (cpu1[1] - cpu0[1]) / elapsed,
        "cpu_pg": (cpu1[2] - cpu0[2]) / elapsed,
        "machine_busy": (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]) * cores,
    }


async def ingest_bench(server_dsn: str, args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="warta-scale-seeds-"))
    site = subprocess.Popen(
        [sys.executable, __file__, "--simsite", str(args.sites), str(folder)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert site.stdout is not None
        control = json.loads(site.stdout.readline())["control"]
        print(f"simulated site: {args.sites * len(BUREAUS)} sources, ~{STORIES_PER_HOUR} stories/h;"
              f" {args.seconds:.0f} s per run; load average before: {os.getloadavg()[0]:.1f}")  # fmt: skip
        for start in args.start:
            print(f"start {start}: " + (
                "the product's spread first polls; lag is due -> claimed of every source that"
                " fell due, against one tick (WARTA_TICK_SECONDS, 30 s)" if start == "spread"
                else "every source due at once (capacity; lag here is a queue, not a schedule)"
            ))  # fmt: skip
            await _ingest_series(server_dsn, folder, control, site.pid, start, args)
    finally:
        site.send_signal(signal.SIGTERM)
        site.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


async def _ingest_series(
    server_dsn: str, folder: Path, control: int, site_pid: int, start: str,
    args: argparse.Namespace,
) -> None:  # fmt: skip
    results = []
    for count in args.processes:
        r = await ingest_run(server_dsn, folder, control, count, args.seconds, site_pid, start)
        results.append(r)
        print(
            f"{count} process(es): {r['articles']:,} articles, {r['per_second']:.1f}/s;"
            f" {r['due']} sources fell due, {r['claims']} claims;"
            f" lag p50/p95 {r['lag_p50']:.0f}/{r['lag_p95']:.0f} s"
            f" (second half {r['late_p50']:.0f}/{r['late_p95']:.0f} s;"
            f" at the end {r['waiting']} due sources unclaimed, oldest {r['oldest_wait']:.0f} s);"
            f" {r['requests_per_article']:.2f} requests/article;"
            f" {r['db_ms_per_article']:.1f} ms database time/article;"
            f" CPU cores: ingest {r['cpu_ingest']:.2f}, site {r['cpu_site']:.2f},"
            f" PostgreSQL {r['cpu_pg']:.2f}, whole machine {r['machine_busy']:.2f}",
            flush=True,
        )
    base = results[0]["per_second"] or float("nan")
    for r in results[1:]:
        print(f"{r['processes']} processes / 1: {r['per_second'] / base:.2f}x")


# --- feeds under load --------------------------------------------------------------------------

SLOWEST: list[tuple[float, str]] = []  # the slowest requests of each round, for the report
WORDS = ("berita", "ringkasan", "provinsi", "nomor", "ekonomi", "politik", "hukum", "pendidikan")
TOPICS = ("ekonomi", "politik", "hukum", "olahraga", "pendidikan", "kesehatan", "lingkungan")


def filtered_path(rng: random.Random, provinces: list[str]) -> str:
    """A feed URL with a combination of parameters no other request in the run has."""
    params: dict[str, str] = {}
    day = rng.randrange(0, 690)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1704067200 + day * 86400 + rng.randrange(86400)))  # fmt: skip
    params["since"] = since  # unique to the second across the run
    for name in rng.sample(("q", "filter", "region", "topic"), rng.randint(1, 4)):
        if name == "q":
            params["q"] = rng.choice(WORDS)
        elif name == "filter":
            params["filter"] = f"nomor {rng.randrange(1, 10)}{rng.randrange(10)}"
        elif name == "region":
            params["region"] = rng.choice(provinces)
        else:
            params["topic"] = rng.choice(TOPICS)
    return "/feeds/all.atom?" + "&".join(f"{k}={v}" for k, v in params.items())


async def fixed_rate(
    http: aiohttp.ClientSession, base: str, paths: list[str], rate: float
) -> tuple[list[float], dict[str, int]]:
    """Send `paths` at `rate` per second whatever the answers (open loop); latencies in ms."""
    latencies: list[float] = []
    outcomes: dict[str, int] = {}
    slow: list[tuple[float, str]] = []

    async def one(path: str) -> None:
        started = time.perf_counter()
        try:
            async with http.get(base + path) as resp:
                await resp.read()
                key = str(resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            key = type(exc).__name__
        latencies.append((time.perf_counter() - started) * 1000)
        slow.append((latencies[-1], f"{key} {path}"))
        outcomes[key] = outcomes.get(key, 0) + 1

    tasks = []
    start = time.perf_counter()
    for n, path in enumerate(paths):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(path)))
    await asyncio.gather(*tasks)
    SLOWEST.extend(sorted(slow, reverse=True)[:5])
    return latencies, outcomes


async def feeds_bench(server_dsn: str, args: argparse.Namespace) -> int:
    name = "bench_1000000"
    dsn = with_database(server_dsn, name)
    admin = await asyncpg.connect(server_dsn)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    finally:
        await admin.close()
    if exists:
        pool = await create_pool(dsn, min_size=1, max_size=2)
        try:
            await migrate(pool)
            count = await pool.fetchval("SELECT count(*) FROM articles")
            provinces = [r["key"] for r in await pool.fetch("SELECT key FROM regions WHERE kind = 'province'")]  # fmt: skip
        finally:
            await pool.close()
    if not exists or count < 1_000_000:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from serve import databases  # the loader of bench/serve.py

        await databases(server_dsn, (1_000_000,))
        return await feeds_bench(server_dsn, args)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(
        WARTA_DATABASE_URL=dsn, WARTA_PORT=str(port), WARTA_HOST="127.0.0.1",
        WARTA_FEED_CACHE_ENTRIES="0", WARTA_LOG_LEVEL="ERROR",
        WARTA_DATA_DIR=tempfile.mkdtemp(prefix="warta-scale-"),
    )  # fmt: skip
    server = subprocess.Popen(warta("serve"), env=env)
    base = f"http://127.0.0.1:{port}"
    rng = random.Random(14)
    try:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for _ in range(100):
                try:
                    async with http.get(base + "/readyz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.3)
            per_round = int(args.rate * args.seconds / args.rounds)
            result: dict[str, tuple[list[float], dict[str, int]]] = {
                "plain": ([], {}),
                "filtered": ([], {}),
            }
            for r in range(args.rounds):
                kinds = ("plain", "filtered") if r % 2 == 0 else ("filtered", "plain")
                for kind in kinds:
                    if kind == "plain":
                        paths = ["/feeds/all.atom"] * per_round
                    else:
                        paths = [filtered_path(rng, provinces) for _ in range(per_round)]
                    lat, out = await fixed_rate(http, base, paths, args.rate)
                    result[kind][0].extend(lat)
                    for key, n in out.items():
                        result[kind][1][key] = result[kind][1].get(key, 0) + n
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"{count:,} articles; {args.rate:g} requests/s, {args.rounds} alternating rounds,"
          f" feed cache off; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for kind, (lat, out) in result.items():
        print(f"  {kind:<9} {len(lat)} requests: p50 {statistics.median(lat):.0f} ms,"
              f" p99 {pct(lat, 0.99):.0f} ms; answers {dict(sorted(out.items()))}")  # fmt: skip
    ratio = pct(result["filtered"][0], 0.99) / pct(result["plain"][0], 0.99)
    fivexx = sum(
        n for lat_out in result.values() for k, n in lat_out[1].items() if k.startswith("5")
    )
    print(f"  p99 filtered / plain: {ratio:.2f} (target <= 3); 5xx: {fivexx} (target 0)")
    print("  slowest requests:")
    for ms, what in sorted(SLOWEST, reverse=True)[:8]:
        print(f"    {ms:7.0f} ms  {what}")
    return 0 if ratio <= 3 and fivexx == 0 else 1


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--simsite":
        asyncio.run(_simsite(int(sys.argv[2]), Path(sys.argv[3])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("ingest", "feeds", "all"), default="all")
    parser.add_argument("--dsn", help="a PostgreSQL server DSN (default: embedded)")
    parser.add_argument(
        "--seconds", type=float, default=120.0, help="per run (ingest) or in all (feeds)"
    )
    parser.add_argument("--sites", type=int, default=250, help="SimSites of 4 bureaus (ingest)")
    parser.add_argument(
        "--processes", type=lambda t: [int(n) for n in t.split(",")], default=[1, 2, 4]
    )
    parser.add_argument(
        "--start", type=lambda t: t.split(","), default=["spread", "burst"],
        help="spread (the product's first polls) and/or burst (every source due at once)",
    )  # fmt: skip
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s (feeds)")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds (feeds)")
    args = parser.parse_args()

    async def both(dsn: str, args: argparse.Namespace) -> int:
        return max(await ingest_bench(dsn, args), await feeds_bench(dsn, args))

    bench = {"ingest": ingest_bench, "feeds": feeds_bench, "all": both}[args.what]
    if args.dsn:
        return asyncio.run(bench(args.dsn, args))
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp))
        try:
            return asyncio.run(bench(pg.start(), args))
        finally:
            pg.stop()


if __name__ == "__main__":
    sys.exit(main())
