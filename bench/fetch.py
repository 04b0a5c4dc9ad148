"""Benchmark: requests/s through the Fetcher (politeness off) beside a bare aiohttp client loop.

Run as `.venv/bin/python bench/fetch.py [--requests N] [--concurrency C] [--rounds R]
[--server process|inline] [--sizes KB,KB]`. A local aiohttp server on loopback serves UTF-8
pages of each size (default 8 KB and 60 KB); both clients fetch them in alternating rounds of
the same run (so drift on a shared machine hits both alike) and the medians are compared.
Prints both rates, CPU per request in this process and the ratio per size; exits 1 if
fetcher/bare < 0.9 for any size (the target in issue 14). Bounded by --requests, --rounds and
--max-seconds.

--server process (default) puts the server in its own process, so that only the client's cost
sets the rate: the fetcher's own overhead (guard, robots, politeness and watchdog bookkeeping,
the outcome record). --server inline runs it in the same event loop (the view of issue 3).
Both clients stop at the bytes: the fetcher decodes text on first use of `outcome.text`, a
cost every consumer pays the same way whichever client fetched; it is printed on its own line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from multiprocessing.connection import Connection

import aiohttp
from aiohttp import web

from config.settings import Settings
from ingestor.fetch import Fetcher, FetchPolicy, make_session
from ingestor.fetch.decode import decode_text

TARGET_RATIO = 0.9
_PARAGRAPH = "<p>Banjarmasin (ANTARA) - Pemerintah Kota menggelar rapat koordinasi hari ini.</p>"


def page(kb: int) -> bytes:
    """An HTML page of about `kb` KB: 8 gives the 8,297-byte page of the earlier runs."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Berita</title></head><body>"
        + _PARAGRAPH * round(kb * 100 / 8)
        + "</body></html>"
    ).encode()


async def _start_server() -> tuple[web.AppRunner, int]:
    """One aiohttp app on 127.0.0.1 serving page(KB) at /page/KB; returns the runner and port."""
    pages: dict[int, bytes] = {}

    async def handler(request: web.Request) -> web.Response:
        kb = int(request.match_info["kb"])
        body = pages.get(kb) or pages.setdefault(kb, page(kb))
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/page/{kb:\\d+}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    return runner, runner.addresses[0][1]


def _serve(conn: Connection) -> None:
    """Server process: the app above, port sent back through `conn`, until "stop" arrives."""

    async def main() -> None:
        runner, port = await _start_server()
        conn.send(port)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        await runner.cleanup()

    asyncio.run(main())


@contextlib.contextmanager
def page_server() -> Iterator[int | None]:
    """The page server in its own process for the block: yields its port (None if it did not
    start) and stops it after."""
    ctx = multiprocessing.get_context("spawn")
    ours, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(theirs,), daemon=True)
    server.start()
    try:
        yield ours.recv() if ours.poll(15) else None
    finally:
        ours.send("stop")
        server.join(5)
        if server.is_alive():
            server.terminate()


async def _drive(
    request: Callable[[], Awaitable[int]], total: int, workers: int, size: int
) -> float:
    """Issue `total` requests from `workers` concurrent loops; returns elapsed seconds."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            if await request() != size:
                raise RuntimeError("short or failed response")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def _bare_round(url: str, size: int, total: int, workers: int) -> tuple[float, float]:
    cpu = time.process_time()
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one() -> int:
            async with session.get(url) as resp:
                return len(await resp.read())

        await one()  # connect outside the timed part, as the fetcher round does
        elapsed = await _drive(one, total, workers, size)
    return total / elapsed, (time.process_time() - cpu) / total


async def _fetcher_round(url: str, size: int, total: int, workers: int) -> tuple[float, float]:
    cpu = time.process_time()
    # Politeness off: no spacing, limits at the worker count, and no shared ledger (the limits
    # are this process's, as for a single worker); the guard and robots stay on.
    settings = Settings(
        per_host_concurrency=workers,
        global_concurrency=workers,
        min_host_spacing=0.0,
        host_spacing_jitter=0.0,
    )
    policy = FetchPolicy("bench", allow_private_network=True)
    session = make_session(settings)
    try:
        fetcher = Fetcher(settings, session)

        async def one() -> int:
            outcome = await fetcher.get(url, source=policy)
            if outcome.error_kind is not None or not outcome.textual:
                raise RuntimeError(f"fetch failed: {outcome.error_kind} {outcome.error_message}")
            return len(outcome.body)

        await one()  # robots.txt (404 here) and the first connection
        elapsed = await _drive(one, total, workers, size)
    finally:
        await session.close()
    return total / elapsed, (time.process_time() - cpu) / total


def _decode_us(body: bytes) -> float:
    """Client CPU of decoding one page to text (decode_text), paid on first use of .text."""
    runs = 200
    started = time.process_time()
    for _ in range(runs):
        decode_text(body, "text/html; charset=utf-8")
    return (time.process_time() - started) / runs * 1e6


async def _size(args: argparse.Namespace, base: str, kb: int, deadline: float) -> float | None:
    """The rounds for one page size; prints its figures and returns the ratio (None: no round)."""
    url, size = f"{base}/page/{kb}", len(page(kb))
    bare: list[tuple[float, float]] = []
    fetch: list[tuple[float, float]] = []
    await _bare_round(url, size, min(200, args.requests), args.concurrency)  # warm-up
    await _fetcher_round(url, size, min(200, args.requests), args.concurrency)
    for n in range(args.rounds):
        if time.monotonic() > deadline:
            print(f"time budget reached after {n} rounds")
            break
        # Alternate the order so that drift on a noisy machine hits both sides alike.
        pair = (_bare_round, _fetcher_round) if n % 2 == 0 else (_fetcher_round, _bare_round)
        for round_fn in pair:
            result = await round_fn(url, size, args.requests, args.concurrency)
            (bare if round_fn is _bare_round else fetch).append(result)
    if not bare or not fetch:
        print("no complete round")
        return None
    bare_rps = statistics.median(r for r, _ in bare)
    fetch_rps = statistics.median(r for r, _ in fetch)
    bare_cpu = statistics.median(c for _, c in bare) * 1e6
    fetch_cpu = statistics.median(c for _, c in fetch) * 1e6
    ratio = fetch_rps / bare_rps
    print(f"body {size} bytes, {args.requests} requests x {len(bare)} rounds, "
          f"concurrency {args.concurrency}")  # fmt: skip
    print(f"  bare aiohttp : {bare_rps:8.0f} req/s  {bare_cpu:6.0f} us CPU/request in this process")
    print(
        f"  fetcher      : {fetch_rps:8.0f} req/s  {fetch_cpu:6.0f} us CPU/request in this process"
    )
    print(f"  ratio        : {ratio:.2f} (target >= {TARGET_RATIO})")
    print(
        f"  text decoding on first use: {_decode_us(page(kb)):.0f} us CPU/page (not in the ratio)"
    )
    return ratio


async def _run(args: argparse.Namespace, base: str) -> int:
    deadline = time.monotonic() + args.max_seconds
    ratios = [await _size(args, base, kb, deadline) for kb in args.sizes]
    return 0 if all(r is not None and r >= TARGET_RATIO for r in ratios) else 1


async def _inline(args: argparse.Namespace) -> int:
    runner, port = await _start_server()
    try:
        return await _run(args, f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5, help="rounds per client and size")
    parser.add_argument("--max-seconds", type=float, default=120.0)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(kb) for kb in text.split(",")],
        default=[8, 60],
        help="page sizes in KB, comma-separated (default 8,60)",
    )
    parser.add_argument(
        "--server",
        choices=("process", "inline"),
        default="process",
        help="process: server in its own process, so that only the client's cost decides the "
        "rate (default); inline: server in the same event loop",
    )
    args = parser.parse_args()
    print(f"server {args.server}", end=", ")
    if args.server == "inline":
        return asyncio.run(_inline(args))

    with page_server() as port:
        if port is None:
            print("server did not start")
            return 1
        return asyncio.run(_run(args, f"http://127.0.0.1:{port}"))


if __name__ == "__main__":
    sys.exit(main())
