"""Feed serving with wrk: cached feed, 304 and uncached render, each beside a bare aiohttp handler.

Run: .venv/bin/python bench/serve.py [--seconds S] [--big N]   (needs wrk: apt-get install -y wrk)

Two databases, made with generate_series: 10,000 articles and --big (default 1,000,000). A
server process on loopback (pinned to one core, wrk to the other) runs Warta's feed app and, on
a second port in the same event loop, a bare aiohttp handler returning the same bytes (and a
bare 304 for the same ETag): the ceiling of aiohttp on this machine in this run. The shared
machine's speed drifts by tens of percent, so every comparison alternates its two sides in
short rounds and reports the median of the rounds' ratios; the uncached renders (cache off)
of both databases are served side by side for the same reason.
Targets: cached feed >= 0.85x the bare handler; 304 >= 0.85x the bare 304; uncached render
latency at the big size <= 1.3x the latency at 10,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import asyncpg
from aiohttp import web

from config.catalogue import load_catalogue, sync_catalogue
from config.settings import load_settings
from database.embedded import EmbeddedPostgres
from database.pool import create_pool, migrate
from feeds.app import make_app

SMALL = 10_000
FEEDS = ("/feeds/all.atom", "/feeds/kalsel.atom", "/feeds/topics/ekonomi.atom")
TOPICS = ("ekonomi", "politik", "hukum", "olahraga", "pendidikan", "kesehatan", "lingkungan")
CONNECTIONS = 32

# One batch of articles, numbers `$1`..`$2`, spread over 38 provinces and 7 topics and
# published a minute apart (newest last); then the links the feed queries read.
_ARTICLES = """
WITH p AS (SELECT array_agg(key ORDER BY key) AS keys FROM regions WHERE kind = 'province')
INSERT INTO articles (identity, url, canonical_url, source_id, title, summary, authors,
                      published_at, date_source, region, topics, facets, content_hash)
SELECT 'bench/' || i, 'https://bench.example/berita/' || i || '/judul',
       'https://bench.example/berita/' || i || '/judul', 'bench',
       'Berita nomor ' || i || ' dari ' || p.keys[1 + i % 38],
       'Ringkasan berita nomor ' || i || ' tentang ' || ($3::text[])[1 + i % 7]
         || ' di provinsi ' || p.keys[1 + i % 38] || '.',
       '{Pewarta Bench}', timestamptz '2024-01-01' + i * interval '1 minute', 'meta',
       p.keys[1 + i % 38], ARRAY[($3::text[])[1 + i % 7]],
       ARRAY['r:' || p.keys[1 + i % 38], 's:bench', 't:' || ($3::text[])[1 + i % 7]],
       md5(i::text)
FROM generate_series($1::bigint, $2::bigint) AS i, p
"""
_LINKS = """
INSERT INTO article_regions (article_id, region, reason, published_at)
SELECT id, region, 'source', published_at FROM articles WHERE id > $1;
INSERT INTO article_topics (article_id, topic, reason, published_at)
SELECT id, topics[1], 'section', published_at FROM articles WHERE id > $1
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fill(pool: asyncpg.Pool, start: int, stop: int) -> float:
    """Articles start..stop-1 in batches of 100,000 (each its own transaction)."""
    started = time.monotonic()
    await pool.execute("DROP INDEX IF EXISTS articles_facets_search_idx")  # rebuilt at the end
    for lo in range(start, stop, 100_000):
        async with pool.acquire() as conn, conn.transaction():
            before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM articles")
            await conn.execute(_ARTICLES, lo, min(lo + 100_000, stop) - 1, list(TOPICS))
            for statement in _LINKS.split(";"):
                await conn.execute(statement, before)
    await pool.execute(
        "CREATE INDEX articles_facets_search_idx ON articles USING gin (facets, search)"
    )
    await pool.execute("VACUUM ANALYZE articles, article_regions, article_topics")
    return time.monotonic() - started


# --- the server process -------------------------------------------------------------------


async def _serve(dsn: str, ours: int, bare: int, cache: int) -> None:
    settings = load_settings(
        {"WARTA_DATABASE_URL": dsn, "WARTA_PORT": str(ours), "WARTA_LOG_LEVEL": "WARNING"}
    )
    pool = await create_pool(dsn, min_size=2, max_size=4)
    runners = []
    app = make_app(settings, pool, cache_entries=cache)
    body: dict[str, tuple[bytes, str, str]] = {}

    async def bare_feed(request: web.Request) -> web.Response:
        data, ctype, etag = body[request.match_info["path"]]
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=data, headers={"Content-Type": ctype})

    bare_app = web.Application()
    bare_app.router.add_get("/bare/{path:.*}", bare_feed)
    for application, port in ((app, ours), (bare_app, bare)):
        runner = web.AppRunner(application, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        for path in FEEDS:
            async with http.get(f"http://127.0.0.1:{ours}{path}") as resp:
                data = await resp.read()
                body[path.lstrip("/")] = (data, resp.headers["Content-Type"], resp.headers["ETag"])
    print(json.dumps({p: v[2] for p, v in body.items()}), flush=True)  # ready: the ETags
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()
    await pool.close()


# --- the driver ---------------------------------------------------------------------------


class Server:
    """The server process: Warta's app and the bare handler, one event loop, one core."""

    def __init__(self, dsn: str, cache: int) -> None:
        self.ours, self.bare = free_port(), free_port()
        cpu = ["taskset", "-c", "0"] if shutil.which("taskset") and os.cpu_count() != 1 else []
        args = [
            sys.executable,
            __file__,
            "--server",
            dsn,
            str(self.ours),
            str(self.bare),
            str(cache),
        ]
        self.proc = subprocess.Popen([*cpu, *args], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.etags: dict[str, str] = json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def wrk(
    url: str, seconds: int, *, connections: int = CONNECTIONS, etag: str | None = None
) -> dict[str, float]:
    cpu = ["taskset", "-c", "1"] if shutil.which("taskset") and os.cpu_count() != 1 else []
    args = [*cpu, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if etag:
        args += ["-H", f"If-None-Match: {etag}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    assert median, out
    scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[median[2]]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    assert not non2xx, f"{url}: {non2xx[1]} failed responses"
    return {"rps": rate, "p50_ms": float(median[1]) * scale}


def throughput(dsn: str, seconds: int, rounds: int) -> list[tuple[str, float, float, float]]:
    """(what, ours req/s, bare req/s, ratio) for the cached feed and the 304.

    The machine's speed drifts by tens of percent over a minute, so the two servers are
    measured in alternating short rounds and the ratio is the median of the rounds' ratios.
    """
    server = Server(dsn, cache=4096)
    try:
        path = "feeds/all.atom"
        ours = f"http://127.0.0.1:{server.ours}/{path}"
        bare = f"http://127.0.0.1:{server.bare}/bare/{path}"
        wrk(ours, 1), wrk(bare, 1)  # warm up both
        rows = []
        for what, tag in (("cached feed", None), ("304", server.etags[path])):
            pairs = []
            for r in range(rounds):
                order = (ours, bare) if r % 2 == 0 else (bare, ours)
                rate = {url: wrk(url, seconds, etag=tag)["rps"] for url in order}
                pairs.append((rate[ours], rate[bare]))
            a = statistics.median(p[0] for p in pairs)
            b = statistics.median(p[1] for p in pairs)
            rows.append((what, a, b, statistics.median(x / y for x, y in pairs)))
        return rows
    finally:
        server.stop()


def uncached(
    small: str, big: str, seconds: int, rounds: int
) -> dict[str, tuple[float, float, float]]:
    """Per feed: median latency at each size (cache off, one request at a time) and the
    median of the rounds' big/small ratios."""
    servers = Server(small, cache=0), Server(big, cache=0)
    try:
        out = {}
        for path in FEEDS:
            urls = [f"http://127.0.0.1:{server.ours}{path}" for server in servers]
            for url in urls:
                wrk(url, 1, connections=1)
            pairs = []
            for r in range(rounds):
                order = urls if r % 2 == 0 else urls[::-1]
                p50 = {url: wrk(url, seconds, connections=1)["p50_ms"] for url in order}
                pairs.append((p50[urls[0]], p50[urls[1]]))
            out[path] = (
                statistics.median(p[0] for p in pairs),
                statistics.median(p[1] for p in pairs),
                statistics.median(b / a for a, b in pairs),
            )
        return out
    finally:
        for server in servers:
            server.stop()


async def prepare(dsn: str) -> None:
    pool = await create_pool(dsn, min_size=1, max_size=2)
    try:
        await migrate(pool)
        await sync_catalogue(pool, load_catalogue())
        await pool.execute(
            "INSERT INTO sources (id, name, base_url, timezone, config) VALUES"
            " ('bench', 'Bench', 'https://bench.example', 'WITA', '{}') ON CONFLICT DO NOTHING"
        )
    finally:
        await pool.close()


async def databases(server_dsn: str, sizes: tuple[int, ...]) -> dict[int, str]:
    """One migrated database per size, filled; returns their DSNs."""
    admin = await asyncpg.connect(server_dsn)
    dsns = {}
    try:
        for size in sizes:
            name = f"bench_{size}"
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
            dsn = dsns[size] = re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", server_dsn, count=1)
            await prepare(dsn)
            pool = await create_pool(dsn, min_size=1, max_size=2)
            try:
                took = await fill(pool, 0, size)
            finally:
                await pool.close()
            print(f"{size:,} articles generated in {took:.0f} s", flush=True)
    finally:
        await admin.close()
    return dsns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2, help="wrk duration per measurement")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds per figure")
    parser.add_argument("--big", type=int, default=1_000_000, help="articles in the big run")
    parser.add_argument("--server", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.server:
        dsn, ours, bare, cache = args.server
        asyncio.run(_serve(dsn, int(ours), int(bare), int(cache)))
        return 0
    if not shutil.which("wrk"):
        print("bench/serve.py needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="warta-bench-") as tmp:
        pg = EmbeddedPostgres(Path(tmp))
        server_dsn = pg.start()
        try:
            dsns = asyncio.run(databases(server_dsn, (SMALL, args.big)))
            throughputs = {}
            for size, dsn in dsns.items():
                print(f"== {size:,} articles: cached feed and 304", flush=True)
                throughputs[size] = throughput(dsn, args.seconds, args.rounds)
                for what, a, b, ratio in throughputs[size]:
                    print(
                        f"  {what:<12} warta {a:>8.0f} req/s   bare aiohttp {b:>8.0f} req/s"
                        f"   {ratio:.2f}x (median of {args.rounds} alternating rounds)"
                    )
            print(f"== uncached render, {SMALL:,} beside {args.big:,} articles", flush=True)
            latency = uncached(dsns[SMALL], dsns[args.big], args.seconds, args.rounds)
            for path, (a, b, ratio) in latency.items():
                print(f"  {path:<28} p50 {a:.2f} ms / {b:.2f} ms   {ratio:.2f}x")
        finally:
            pg.stop()
    print("== against the targets")
    ok = True
    for size, rows in throughputs.items():
        for what, _a, _b, ratio in rows:
            good = ratio >= 0.85
            ok &= good
            verdict = "ok" if good else "MISSED"
            print(f"  {what} at {size:,}: {ratio:.2f}x of bare aiohttp (target >= 0.85)  {verdict}")
    for path, (_a, _b, ratio) in latency.items():
        good = ratio <= 1.3
        ok &= good
        verdict = "ok" if good else "MISSED"
        print(
            f"  uncached {path} at {args.big:,}: {ratio:.2f}x of {SMALL:,} (target <= 1.3)  {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
