"""Benchmark: requests/s through the Fetcher (politeness off) beside a bare aiohttp client loop.

Run as `.venv/bin/python bench/fetch.py [--requests N] [--concurrency C] [--rounds R]
[--server process|inline] [--sizes KB,KB]`. A local aiohttp server on loopback serves UTF-8
pages of each size (default 8 KB and 60 KB); three clients fetch them in rotating rounds of the
same run (so drift on a shared machine hits all alike) and the medians are compared:

- bare aiohttp: `async with session.get(url) as resp: await resp.read()` on a default session,
  the loop a user of aiohttp writes; the target (issue 14) is fetcher/bare >= 0.9;
- lean aiohttp: aiohttp called the way the fetcher calls it (its session, ClientSession._request,
  a hand release) with none of Warta's layers; fetcher/lean is the cost of those layers alone
  (guard, robots, politeness and watchdog bookkeeping, the outcome record);
- the fetcher itself.

Prints the rates, CPU per request in this process and both ratios per size; exits 1 if
fetcher/bare < 0.9 for any size. Bounded by --requests, --rounds and --max-seconds.

--server process (default) puts the server in its own process, so that only the client's cost
sets the rate. --server inline runs it in the same event loop (the view of issue 3).
All clients stop at the bytes: the fetcher decodes text on first use of `outcome.text`, a
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
from yarl import URL

from config.settings import Settings
from ingestor.fetch import Fetcher, FetchPolicy, make_session
from ingestor.fetch.decode import decode_text
from ingestor.fetch.guard import GuardScope, enter_scope, leave_scope

TARGET_RATIO = 0.9
RoundFn = Callable[[str, int, int, int], Awaitable[tuple[float, float]]]
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


async def _lean_round(url: str, size: int, total: int, workers: int) -> tuple[float, float]:
    """aiohttp called the way the fetcher calls it (its session, a parsed URL, no redirects,
    ClientSession._request and a hand release), with none of Warta's layers: the reference
    that isolates the fetcher's own cost from the way it uses aiohttp."""
    cpu = time.process_time()
    settings = Settings(per_host_concurrency=workers, global_concurrency=workers)
    session = make_session(settings)
    target = URL(url)
    token = enter_scope(GuardScope(allow_private=True))  # the socket factory checks addresses
    try:

        async def one() -> int:
            resp = await session._request("GET", target, allow_redirects=False)
            try:
                return len(await resp.read())
            finally:
                resp.release()

        await one()
        elapsed = await _drive(one, total, workers, size)
    finally:
        leave_scope(token)
        await session.close()
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
    clients = (_bare_round, _lean_round, _fetcher_round)
    runs: dict[RoundFn, list[tuple[float, float]]] = {fn: [] for fn in clients}
    for round_fn in clients:  # warm-up
        await round_fn(url, size, min(200, args.requests), args.concurrency)
    for n in range(args.rounds):
        if time.monotonic() > deadline:
            print(f"time budget reached after {n} rounds")
            break
        # Rotate the order so that drift on a noisy machine hits every client alike.
        for round_fn in clients[n % 3 :] + clients[: n % 3]:
            runs[round_fn].append(await round_fn(url, size, args.requests, args.concurrency))
    if not runs[_fetcher_round]:
        print("no complete round")
        return None
    rps = {fn: statistics.median(r for r, _ in runs[fn]) for fn in clients}
    cpu = {fn: statistics.median(c for _, c in runs[fn]) * 1e6 for fn in clients}
    ratio = rps[_fetcher_round] / rps[_bare_round]
    print(f"body {size} bytes, {args.requests} requests x {len(runs[_fetcher_round])} rounds, "
          f"concurrency {args.concurrency}")  # fmt: skip
    for name, fn in (("bare aiohttp", _bare_round), ("lean aiohttp", _lean_round),
                     ("fetcher", _fetcher_round)):  # fmt: skip
        print(f"  {name:12} : {rps[fn]:8.0f} req/s  {cpu[fn]:6.0f} us CPU/request in this process")
    print(f"  ratio        : {ratio:.2f} (target >= {TARGET_RATIO})")
    print(f"  fetcher/lean : {rps[_fetcher_round] / rps[_lean_round]:.2f} (Warta's own layers)")
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
    parser.add_argument("--rounds", type=int, default=11, help="rounds per client and size")
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
