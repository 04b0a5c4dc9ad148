"""Wire settings, database, HTTP session, scheduler and feed server for each `warta` command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from aiohttp import web

from config.catalogue import load_catalogue
from config.lexicon import catalogue_lexicon
from config.settings import Settings
from database.source_health import source_json, source_rows
from feeds.app import make_app
from ingestor import store
from ingestor.fetch import Fetcher, make_session
from ingestor.schedule import (
    IngestContext,
    RunSummary,
    Scheduler,
    SharedOrigins,
    run_claimed,
    worker_id,
)
from ingestor.sources import Source
from warta.output import CommandFailed, UsageError, print_json
from warta.progress import ProgressBar
from warta.runtime import bind_error, check_port, database, prepare_database

__all__ = ["ingest_once", "migrate_only", "run", "set_enabled", "show_sources"]

log = logging.getLogger(__name__)

SHUTDOWN_DEADLINE = 20.0


@asynccontextmanager
async def ingest_context(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[IngestContext]:
    """The one ClientSession of the process, opened and closed here, and the fetcher over it,
    whose per-origin limits are kept in PostgreSQL for all processes unless switched off."""
    session = make_session(settings)
    ledger = SharedOrigins(pool, settings, worker_id()) if settings.shared_politeness else None
    try:
        fetcher = Fetcher(settings, session, ledger=ledger)
        yield IngestContext.create(
            settings, pool, fetcher, load_catalogue(settings.catalogue),
            catalogue_lexicon(settings.catalogue),
        )  # fmt: skip
    finally:
        if ledger is not None:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await ledger.close()  # else the places' leases run out
        await session.close()


@asynccontextmanager
async def feed_server(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[None]:
    """The feed server on WARTA_HOST:WARTA_PORT, cleaned up whatever happens (a taken port too)."""
    # No access log: a line per cached request would drown the ingestion logs.
    runner = web.AppRunner(make_app(settings, pool), handle_signals=False, access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
        except OSError as exc:
            # Taken since check_port looked: still one line and a clean stop, not a hang.
            raise bind_error(settings, exc) from None
        log.info("feeds at %s/feeds/all.atom", settings.base_url)
        yield
    finally:
        # Stops the change listener too, which holds a pooled connection until then.
        await runner.cleanup()


async def run(settings: Settings, sources: Sequence[Source], *, serve: bool, ingest: bool) -> int:
    """`warta run` / `serve` / `ingest`: run until cancelled (runtime.run_command turns
    SIGTERM and SIGINT into that), then stop gracefully."""
    if serve:
        check_port(settings)
    async with database(settings) as pool, contextlib.AsyncExitStack() as stack:
        await prepare_database(pool, settings.catalogue)
        if ingest:
            await store.sync_sources(pool, sources)
        if serve:
            await stack.enter_async_context(feed_server(settings, pool))
        ctx = await stack.enter_async_context(ingest_context(settings, pool))
        if ingest:
            # Leaving the stack stops the workers first (within the deadline), then the
            # session and ledger, then the feed server.
            scheduler = Scheduler(ctx, sources, stop_deadline=SHUTDOWN_DEADLINE)
            await stack.enter_async_context(scheduler)
            log.info("ingesting %d sources as %s", len(sources), scheduler.owner)
        try:
            await asyncio.Event().wait()  # until the stop signal cancels us
        finally:
            log.info("shutting down")
    return 0


async def migrate_only(settings: Settings) -> int:
    async with database(settings) as pool:
        await prepare_database(pool, settings.catalogue)
    return 0


def _table(summaries: Sequence[RunSummary], elapsed: float) -> str:
    # "failed" counts every request that failed (feeds, listings, sitemaps, pages), so a
    # source whose network is down never shows as 0 failed.
    head = (
        f"{'source':<24} {'status':<8} {'new':>5} {'found':>6} {'reqs':>5} {'304':>4}"
        f" {'failed':>6}  error"
    )
    lines = [head, "-" * len(head)]
    for s in summaries:
        status = "ok" if s.ok else "failed"
        error = f"{s.error_kind}: {s.error_message}" if s.error_kind else ""
        lines.append(
            f"{s.source_id:<24} {status:<8} {s.new:>5} {s.discovered:>6} {s.requests:>5}"
            f" {s.not_modified:>4} {s.failed_fetches:>6}  {error[:60]}"
        )
    ok = sum(s.ok for s in summaries)
    lines.append(
        f"sources ok {ok}, failed {len(summaries) - ok}; new articles {sum(s.new for s in summaries)};"
        f" requests {sum(s.requests for s in summaries)},"
        f" not modified {sum(s.not_modified for s in summaries)},"
        f" failed {sum(s.failed_fetches for s in summaries)}; {elapsed:.1f}s"
    )
    return "\n".join(lines)


async def ingest_once(settings: Settings, sources: Sequence[Source], only: Sequence[str]) -> int:
    """`warta ingest --once`: one pass over the enabled sources; exit 1 when every one failed."""
    started = time.monotonic()
    async with database(settings) as pool:
        await prepare_database(pool, settings.catalogue)
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


def _catalogue_only(s: Source) -> dict[str, Any]:
    """A source record from its catalogue entry alone (no database): health fields null."""
    return source_json(
        {
            "id": s.id, "name": s.name, "base_url": s.base_url, "province": s.province,
            "timezone": s.tz_name, "lang": s.lang, "republish": s.republish, "rights": s.rights,
            "verified": False, "verification": "unknown", "enabled": s.enabled,
        }
    )  # fmt: skip


async def show_sources(settings: Settings, sources: Sequence[Source], as_json: bool) -> int:
    """`warta sources`: the catalogue with health from the database when it is reachable."""
    stored: dict[str, dict[str, Any]] = {}
    try:
        async with database(settings) as pool:
            await prepare_database(pool, settings.catalogue)
            await store.sync_sources(pool, sources)
            stored = {row["id"]: row for row in await source_rows(pool)}
    except CommandFailed as exc:
        log.warning("%s; showing the catalogue without health", exc)
    rows = [stored.get(s.id) or _catalogue_only(s) for s in sources]
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
        state = f"{r['verification']} {checked[:10]}" if checked else r["verification"]
        out.write(
            f"{r['id']!s:<24} {r['province'] or '-':<12} {r['timezone']!s:<5} {r['enabled']!s:<8}"
            f" {r['health'] or '-':<9} {state:<21} {r['name']}\n"
        )
    return 0


async def set_enabled(settings: Settings, source_id: str, enabled: bool) -> int:
    """`warta sources enable|disable ID`: an operator's switch, kept across catalogue syncs."""
    async with database(settings) as pool:
        await prepare_database(pool, settings.catalogue)
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
        action = "enable" if enabled else "disable"
        raise UsageError(f"sources {action}: unknown source id {source_id!r}")
    print(f"{source_id}: {'enabled' if enabled else 'disabled'}")
    return 0
