"""Prometheus metrics: requests, latency and renders counted in-process, source health from SQL."""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg
from aiohttp import web

__all__ = ["Histogram", "Metrics", "RouteStats", "timed"]

log = logging.getLogger(__name__)

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_DB_EVERY = 15.0  # seconds between the (aggregating) source queries behind a scrape
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * (len(_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(_BUCKETS, seconds)] += 1
        self.total += seconds

    def lines(self, name: str, labels: str) -> list[str]:
        out, running = [], 0
        for bound, count in zip((*_BUCKETS, float("inf")), self.counts, strict=True):
            running += count
            le = "+Inf" if bound == float("inf") else repr(bound)
            out.append(f'{name}_bucket{{{labels},le="{le}"}} {running}')
        out.append(f"{name}_sum{{{labels}}} {self.total:.6f}")
        out.append(f"{name}_count{{{labels}}} {running}")
        return out


def _label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@dataclass(slots=True)
class RouteStats:
    name: str  # the route's template, e.g. /feeds/{province}.{fmt}
    statuses: dict[int, int] = field(default_factory=dict)
    latency: Histogram = field(default_factory=Histogram)


@dataclass(slots=True)
class Metrics:
    """Counters of this process; gauges about sources come from the database at scrape time."""

    routes: dict[str, RouteStats] = field(default_factory=dict)  # by route template
    renders: dict[str, Histogram] = field(default_factory=dict)
    gauges: dict[str, float] = field(default_factory=dict)  # set by the app before exposing
    counters: dict[str, float] = field(default_factory=dict)
    _db_lines: list[str] = field(default_factory=list)
    _db_at: float = -_DB_EVERY

    def observe_render(self, kind: str, seconds: float) -> None:
        self.renders.setdefault(kind, Histogram()).observe(seconds)

    async def _from_database(self, pool: asyncpg.Pool) -> list[str]:
        if time.monotonic() - self._db_at < _DB_EVERY:
            return self._db_lines
        lines = [
            "# HELP warta_source_articles Articles stored per source.",
            "# TYPE warta_source_articles gauge",
        ]
        for r in await pool.fetch("SELECT source_id, count(*) AS n FROM articles GROUP BY 1"):
            lines.append(f'warta_source_articles{{source="{_label(r["source_id"])}"}} {r["n"]}')
        lines += [
            "# HELP warta_source_health 1 for the health state each source is in.",
            "# TYPE warta_source_health gauge",
        ]
        states = ("ok", "degraded", "failing", "disabled")
        for r in await pool.fetch("SELECT id, health FROM sources ORDER BY id"):
            for state in states:
                value = int(r["health"] == state)
                lines.append(
                    f'warta_source_health{{source="{_label(r["id"])}",state="{state}"}} {value}'
                )
        lines += [
            "# HELP warta_fetch_errors_total Failed fetches recorded in the ingestion log, by kind.",
            "# TYPE warta_fetch_errors_total counter",
        ]
        for r in await pool.fetch(
            "SELECT source_id, error_kind, count(*) AS n FROM ingestion_log"
            " WHERE error_kind IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
        ):
            lines.append(
                f'warta_fetch_errors_total{{source="{_label(r["source_id"])}",'
                f'kind="{_label(r["error_kind"])}"}} {r["n"]}'
            )
        self._db_lines, self._db_at = lines, time.monotonic()
        return lines

    async def exposition(self, pool: asyncpg.Pool) -> str:
        """The text format (version 0.0.4) of every metric."""
        stats = sorted(self.routes.values(), key=lambda r: r.name)
        lines = [
            "# HELP warta_http_requests_total HTTP requests by route and status.",
            "# TYPE warta_http_requests_total counter",
        ]
        for route in stats:
            for status, n in sorted(route.statuses.items()):
                lines.append(
                    f'warta_http_requests_total{{route="{_label(route.name)}",status="{status}"}} {n}'
                )
        lines += [
            "# HELP warta_http_request_duration_seconds Time to answer, by route.",
            "# TYPE warta_http_request_duration_seconds histogram",
        ]
        for route in stats:
            lines += route.latency.lines(
                "warta_http_request_duration_seconds", f'route="{_label(route.name)}"'
            )
        lines += [
            "# HELP warta_feed_render_seconds Query plus render time of a document not cached.",
            "# TYPE warta_feed_render_seconds histogram",
        ]
        for kind, hist in sorted(self.renders.items()):
            lines += hist.lines("warta_feed_render_seconds", f'format="{_label(kind)}"')
        for name, value in sorted(self.counters.items()):
            lines += [f"# TYPE {name} counter", f"{name} {value:g}"]
        for name, value in sorted(self.gauges.items()):
            lines += [f"# TYPE {name} gauge", f"{name} {value:g}"]
        try:
            lines += await self._from_database(pool)
            up = 1
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            up = 0
        lines += ["# TYPE warta_database_up gauge", f"warta_database_up {up}"]
        return "\n".join(lines) + "\n"


# A database that cannot be reached right now (down, restarting, out of connections): the
# request may succeed in a moment, so 503 with Retry-After, not a 500 with a traceback.
_UNAVAILABLE = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


def timed(metrics: Metrics, name: str, handler: Handler) -> Handler:
    """`handler`, counting its requests by status and timing them under the route `name`;
    an unreachable database becomes 503 with Retry-After.

    A wrapper per route rather than a middleware: aiohttp's middleware machinery alone costs
    ~3 µs a request, 4% of a cached feed's ~70 µs, which the bare-handler ceiling does not pay.
    """
    stats = metrics.routes.setdefault(name, RouteStats(name))
    clock = time.perf_counter

    async def wrapped(request: web.Request) -> web.StreamResponse:
        started = clock()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except _UNAVAILABLE as exc:
            status = 503
            log.warning("%s: database unavailable: %s", request.path, exc)
            raise web.HTTPServiceUnavailable(
                text="database unavailable, try again shortly", headers={"Retry-After": "5"}
            ) from None
        finally:
            stats.statuses[status] = stats.statuses.get(status, 0) + 1
            stats.latency.observe(clock() - started)

    return wrapped
