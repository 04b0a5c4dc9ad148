"""Wire settings, database, HTTP session, scheduler and feed server for each `warta` command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
from aiohttp import web

from config.catalogue import load_catalogue
from config.settings import Settings
from feeds.app import make_app
from ingestor import store
from ingestor.fetch import Fetcher, make_session
from ingestor.schedule import IngestContext, RunSummary, Scheduler, run_claimed, worker_id
from ingestor.sources import Source
from warta.output import print_json
from warta.progress import ProgressBar
from warta.runtime import database, prepare_database

__all__ = ["ingest_once", "migrate_only", "run", "set_enabled", "show_sources"]

log = logging.getLogger(__name__)

SHUTDOWN_DEADLINE = 20.0


@asynccontextmanager
async def ingest_context(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[IngestContext]:
    """The one ClientSession of the process, opened and closed here."""
    session = make_session(settings)
    try:
        yield IngestContext.create(settings, pool, Fetcher(settings, session), load_catalogue())
    finally:
        await session.close()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def run(settings: Settings, sources: Sequence[Source], *, serve: bool, ingest: bool) -> int:
    """`warta run` / `serve` / `ingest`: run until SIGTERM or SIGINT, then stop gracefully."""
    async with database(settings) as pool:
        await prepare_database(pool)
        if ingest:
            await store.sync_sources(pool, sources)
        runner: web.AppRunner | None = None
        if serve:
            # No access log: a line per cached request would drown the ingestion logs.
            runner = web.AppRunner(make_app(settings, pool), handle_signals=False, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, settings.host, settings.port).start()
            log.info("feeds at %s/feeds/all.atom", settings.base_url)
        try:
            async with ingest_context(settings, pool) as ctx:
                scheduler = Scheduler(ctx, sources) if ingest else None
                if scheduler:
                    scheduler.start()
                    log.info("ingesting %d sources as %s", len(sources), scheduler.owner)
                await _wait_for_signal()
                log.info("shutting down")
                if scheduler:
                    await scheduler.stop(SHUTDOWN_DEADLINE)
        finally:
            if runner is not None:
                await runner.cleanup()
    return 0


async def migrate_only(settings: Settings) -> int:
    async with database(settings) as pool:
        await prepare_database(pool)
    return 0


def _table(summaries: Sequence[RunSummary], elapsed: float) -> str:
    head = f"{'source':<24} {'status':<8} {'new':>5} {'found':>6} {'reqs':>5} {'304':>4} {'bad':>4}  error"
    lines = [head, "-" * len(head)]
    for s in summaries:
        status = "ok" if s.ok else "failed"
        error = f"{s.error_kind}: {s.error_message}" if s.error_kind else ""
        lines.append(
            f"{s.source_id:<24} {status:<8} {s.new:>5} {s.discovered:>6} {s.requests:>5}"
            f" {s.not_modified:>4} {s.failed_pages:>4}  {error[:60]}"
        )
    ok = sum(s.ok for s in summaries)
    lines.append(
        f"sources ok {ok}, failed {len(summaries) - ok}; new articles {sum(s.new for s in summaries)};"
        f" requests {sum(s.requests for s in summaries)},"
        f" not modified {sum(s.not_modified for s in summaries)}; {elapsed:.1f}s"
    )
    return "\n".join(lines)


async def ingest_once(settings: Settings, sources: Sequence[Source], only: Sequence[str]) -> int:
    """`warta ingest --once`: one pass over the enabled sources; exit 1 when every one failed."""
    started = time.monotonic()
    async with database(settings) as pool:
        await prepare_database(pool)
        await store.sync_sources(pool, sources)
        # A one-shot pass runs every selected source now, whatever its schedule says.
        await pool.execute(
            "UPDATE sources SET next_run_at = now()"
            " WHERE enabled AND (cardinality($1::text[]) = 0 OR id = ANY($1::text[]))",
            list(only),
        )
        selected = [s for s in sources if s.enabled and (not only or s.id in only)]
        bar = ProgressBar.for_terminal(len(selected))
        async with ingest_context(settings, pool) as ctx:
            summaries = await run_claimed(
                ctx, {s.id: s for s in sources}, worker_id(), only=only, limit=len(sources),
                progress=bar.update if bar else None,
            )  # fmt: skip
    print(_table(summaries, time.monotonic() - started))
    if summaries and not any(s.ok for s in summaries):
        return 1
    return 0


async def show_sources(settings: Settings, sources: Sequence[Source], as_json: bool) -> int:
    """`warta sources`: the catalogue with health from the database when it is reachable."""
    health: dict[str, dict[str, object]] = {}
    with contextlib.suppress(OSError, asyncpg.PostgresError):
        async with database(settings) as pool:
            await prepare_database(pool)
            await store.sync_sources(pool, sources)
            for row in await pool.fetch(
                "SELECT id, enabled, health, last_success_at, last_error_kind, last_error_message,"
                " consecutive_failures, articles_last_run, next_run_at FROM sources"
            ):
                health[row["id"]] = dict(row)
            for source_id, check in (await store.verifications(pool)).items():
                if source_id in health:
                    health[source_id]["verification"] = check.state
                    health[source_id]["checked_at"] = check.checked_at
    rows = []
    for s in sources:
        h = health.get(s.id, {})
        rows.append(
            {
                "id": s.id, "name": s.name, "base_url": s.base_url, "province": s.province,
                "timezone": s.tz_name, "republish": s.republish,
                # A fact from `warta sources check`, not the catalogue's claim.
                "verified": h.get("verification") == "verified",
                "verification": h.get("verification", "unknown"),
                "checked_at": h.get("checked_at"),
                "enabled": h.get("enabled", s.enabled), "health": h.get("health"),
                "last_success_at": h.get("last_success_at"),
                "last_error": h.get("last_error_message"),
                "consecutive_failures": h.get("consecutive_failures"),
                "next_run_at": h.get("next_run_at"),
            }
        )  # fmt: skip
    if as_json:
        print_json(rows)
        return 0
    out = sys.stdout
    out.write(
        f"{'id':<24} {'province':<12} {'tz':<5} {'enabled':<8} {'health':<9}"
        f" {'verification':<21} name\n"
    )
    for r in rows:
        checked = r["checked_at"]
        state = f"{r['verification']} {checked:%Y-%m-%d}" if checked else r["verification"]
        out.write(
            f"{r['id']!s:<24} {r['province'] or '-':<12} {r['timezone']!s:<5} {r['enabled']!s:<8}"
            f" {r['health'] or '-':<9} {state:<21} {r['name']}\n"
        )
    return 0


async def set_enabled(settings: Settings, source_id: str, enabled: bool) -> int:
    """`warta sources enable|disable ID`: an operator's switch, kept across catalogue syncs."""
    async with database(settings) as pool:
        await prepare_database(pool)
        result = await pool.execute(
            "UPDATE sources SET enabled = $2,"
            " health = CASE WHEN $2 THEN 'ok' ELSE 'disabled' END,"
            " disabled_reason = CASE WHEN $2 THEN NULL ELSE 'operator' END,"
            " consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END,"
            " next_run_at = now(), updated_at = now() WHERE id = $1",
            source_id,
            enabled,
        )
    if result.endswith(" 0"):
        print(f"warta: unknown source {source_id!r}", file=sys.stderr)
        return 2
    print(f"{source_id}: {'enabled' if enabled else 'disabled'}")
    return 0
