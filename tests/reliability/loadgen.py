"""Feed clients on loopback for a fixed time: `python -m tests.reliability.loadgen BASE ...`.

Run as its own process so that the clients' event loop does not share a core with the test's
simulated site. Each of `--clients` tasks loops until `--seconds` have passed, picking a feed,
API or page URL and, like a polite poller, sending back the ETag it last saw for it. Prints one
JSON object: requests, statuses, client errors, latency percentiles (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import aiohttp

__all__ = ["PATHS", "run"]

_FEEDS = ["all", "kalsel", "kaltim", "jatim", "kalsel/tapin", "topics/ekonomi", "topics/politik",
          "topics/lingkungan", "topics/pendidikan", "topics/kesehatan"]  # fmt: skip
_QUERIES = ["", "", "", "?limit=10", "?q=banjir", "?page=2", "?duplicates=1", "?filter=Kalsel"]
PATHS = [
    f"/feeds/{f}.{fmt}{q}" for f in _FEEDS for fmt in ("rss", "atom", "json") for q in _QUERIES
]
PATHS += ["/", "/opml", "/api/v1/articles", "/api/v1/articles?limit=20", "/api/v1/sources",
          "/healthz", "/readyz"]  # fmt: skip


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(base: str, clients: int, seconds: float, seed: int = 1) -> dict[str, object]:
    host = urlsplit(base).hostname
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise SystemExit(f"loopback only, not {host!r}")
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def client(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            etags: dict[str, str] = {}
            while time.monotonic() < deadline:
                path = rng.choice(PATHS)
                headers = {"Accept-Encoding": rng.choice(["gzip", "identity", "br, gzip"])}
                if path in etags and rng.random() < 0.5:
                    headers["If-None-Match"] = etags[path]
                started = time.perf_counter()
                try:
                    async with http.get(base + path, headers=headers) as resp:
                        await resp.read()
                        statuses[resp.status] += 1
                        if etag := resp.headers.get("ETag"):
                            etags[path] = etag
                except (aiohttp.ClientError, TimeoutError) as exc:
                    errors[type(exc).__name__] += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.monotonic()
        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": sum(statuses.values()),
        "rps": round(sum(statuses.values()) / elapsed, 1) if elapsed else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "client_errors": dict(errors),
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", help="http://127.0.0.1:PORT")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    if not 1 <= args.clients <= 1000 or not 0 < args.seconds <= 600:
        parser.error("--clients 1..1000, --seconds up to 600")
    print(json.dumps(asyncio.run(run(args.base, args.clients, args.seconds))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
