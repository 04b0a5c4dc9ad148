"""Benchmark: client CPU instructions per request, Fetcher against bare aiohttp, under callgrind.

Run as `.venv/bin/python bench/fetch_instructions.py [--requests N] [--sizes KB,KB]` (needs
valgrind; without it the run says it skipped). The page server of bench/fetch.py runs in its
own process, outside valgrind; each client runs the same loop as there (16 concurrent workers)
twice under `valgrind --tool=callgrind`, once for 100 requests and once for 100 + N, and the
difference divided by N is its cost per request: start-up, imports and connection set-up
cancel out.

Instructions are not seconds (an interpreter's bytecode runs at a lower rate per instruction
than aiohttp's C parser or the kernel, which callgrind does not count at all), but they do not
depend on what else the machine is doing, which the wall-clock ratio of bench/fetch.py does.
Prints both counts and fetcher/bare per size; exits 1 if a ratio is under 0.9.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fetch import TARGET_RATIO, _bare_round, _fetcher_round, page, page_server

_BASE = 100  # requests in the shorter run, whose cost is subtracted
_COLLECTED = re.compile(r"Collected : (\d+)")


def _client(kind: str, port: int, kb: int, requests: int) -> None:
    """One client run: `requests` requests of page(kb), as bench/fetch.py's rounds make them."""
    round_fn = _bare_round if kind == "bare" else _fetcher_round
    url = f"http://127.0.0.1:{port}/page/{kb}"
    asyncio.run(round_fn(url, len(page(kb)), requests, 16))


def _instructions(kind: str, port: int, kb: int, requests: int) -> int:
    """Instructions callgrind counts for one client run of `requests` requests."""
    command = [
        "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
        sys.executable, __file__, "--client", kind, "--port", str(port), "--kb", str(kb),
        "--requests", str(requests),
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    match = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or match is None:
        raise RuntimeError(f"{kind} client failed under valgrind:\n{run.stderr[-2000:]}")
    return int(match.group(1))


def _per_request(kind: str, port: int, kb: int, requests: int) -> float:
    short = _instructions(kind, port, kb, _BASE)
    long = _instructions(kind, port, kb, _BASE + requests)
    return (long - short) / requests


def _measure(args: argparse.Namespace, port: int) -> int:
    failed = False
    print(f"client instructions per request, {args.requests} requests differenced")
    for kb in args.sizes:
        bare = _per_request("bare", port, kb, args.requests)
        fetcher = _per_request("fetcher", port, kb, args.requests)
        ratio = bare / fetcher
        failed = failed or ratio < TARGET_RATIO
        print(f"  {kb:3d} KB: bare aiohttp {bare / 1000:6.1f}k, fetcher {fetcher / 1000:6.1f}k, "
              f"ratio {ratio:.3f} (target >= {TARGET_RATIO})")  # fmt: skip
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests differenced")
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(kb) for kb in text.split(",")],
        default=[8, 60],
        help="page sizes in KB, comma-separated (default 8,60)",
    )
    parser.add_argument("--client", choices=("bare", "fetcher"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kb", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client is not None:  # one run under valgrind, started by _instructions
        _client(args.client, args.port, args.kb, args.requests)
        return 0
    if shutil.which("valgrind") is None:
        print("skipped: valgrind is not installed (Debian: apt-get install valgrind)")
        return 0
    with page_server() as port:
        if port is None:
            print("server did not start")
            return 1
        return _measure(args, port)


if __name__ == "__main__":
    sys.exit(main())
