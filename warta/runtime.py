"""The process's lifecycle in one place: stop signals, the feed port, the database (embedded or not) and pool."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from config.catalogue import Catalogue, load_catalogue, sync_catalogue
from config.lexicon import catalogue_lexicon
from config.settings import Settings
from database.embedded import EmbeddedError, EmbeddedPostgres
from database.pool import create_pool, migrate
from ingestor.sources import SeedError, Source, load_sources
from warta.output import EXIT_OK, CommandFailed, UsageError

__all__ = [
    "bind_error", "catalogue_sources", "check_port", "database", "prepare_database", "run_command",
]  # fmt: skip

log = logging.getLogger(__name__)

_POOL_CLOSE_TIMEOUT = 10.0
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_command(main: Coroutine[Any, Any, int], *, service: bool) -> int:
    """Run one command; the first SIGTERM or SIGINT stops it, later ones are only logged.

    A stop cancels the command's task, so every `finally` and context exit runs: the server
    is closed, the pool drained, the embedded PostgreSQL left or stopped. The handlers stay
    until the loop closes, so a second signal (GNU make forwards SIGTERM to its child, so
    `kill -TERM -- -PGID` delivers two; Ctrl-C twice) cannot cut a cleanup short. A stopped
    service exits 0; a one-shot command stopped halfway exits 1.
    """
    try:
        return asyncio.run(_until_signal(main, service=service))
    except asyncio.CancelledError:
        # The signal came after the command's last await: it had finished anyway.
        return EXIT_OK


async def _until_signal(main: Coroutine[Any, Any, int], *, service: bool) -> int:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    received: list[signal.Signals] = []

    def on_signal(sig: signal.Signals) -> None:
        received.append(sig)
        if len(received) == 1:
            log.info("%s: stopping", sig.name)
            task.cancel()
        else:
            log.info("%s: already stopping", sig.name)

    # Signals reach only the main thread; a command run from another thread (an embedding
    # program, a test) is stopped by its caller instead.
    if threading.current_thread() is threading.main_thread():
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, on_signal, sig)
    try:
        return await main
    except asyncio.CancelledError:
        if not received:
            raise
        task.uncancel()
        if service:
            return EXIT_OK
        raise CommandFailed(f"stopped by {received[0].name} before it finished") from None


def bind_error(settings: Settings, exc: OSError) -> UsageError:
    """A failed bind of the feed port as a one-line usage error naming the setting."""
    where = f"{settings.host}:{settings.port}"
    if exc.errno == errno.EADDRINUSE:
        return UsageError(f"WARTA_PORT: port {settings.port} is already in use ({where})")
    if exc.errno == errno.EACCES:
        return UsageError(f"WARTA_PORT: port {settings.port} needs privileges ({where})")
    return UsageError(f"WARTA_HOST/WARTA_PORT: cannot listen on {where}: {exc.strerror or exc}")


def check_port(settings: Settings) -> None:
    """Fail before anything starts when the feed port cannot be bound (the server binds later)."""
    if settings.port == 0:
        return
    try:
        infos = socket.getaddrinfo(
            settings.host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise UsageError(f"WARTA_HOST: cannot resolve {settings.host!r}: {exc.strerror}") from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            # As aiohttp binds: SO_REUSEADDR, so only a listening socket makes the port taken.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise bind_error(settings, exc) from None


def _redacted(dsn: str) -> str:
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def _start_embedded(embedded: EmbeddedPostgres) -> str:
    starting = asyncio.ensure_future(asyncio.to_thread(embedded.start))
    try:
        return await asyncio.shield(starting)
    except asyncio.CancelledError:
        # Stopped while the server was starting: the thread goes on, so wait for it, then leave.
        with contextlib.suppress(Exception):
            await starting
        await asyncio.to_thread(embedded.stop)
        raise
    except EmbeddedError as exc:
        raise CommandFailed(str(exc)) from None


async def _open_pool(settings: Settings, dsn: str, *, embedded: bool) -> asyncpg.Pool:
    try:
        return await create_pool(dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        name = "embedded PostgreSQL" if embedded else f"WARTA_DATABASE_URL ({_redacted(dsn)})"
        raise CommandFailed(f"database unreachable: {name}: {exc}") from None


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """The one pool, over WARTA_DATABASE_URL or a private PostgreSQL in the data directory."""
    embedded: EmbeddedPostgres | None = None
    dsn = settings.database_url
    if dsn is None:
        try:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"WARTA_DATA_DIR: cannot create {settings.data_dir}: {exc}") from None
        embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await _start_embedded(embedded)
    try:
        pool = await _open_pool(settings, dsn, embedded=embedded is not None)
        try:
            yield pool
        finally:
            # Bounded: a connection someone failed to release must not hold the exit forever.
            try:
                await asyncio.wait_for(pool.close(), _POOL_CLOSE_TIMEOUT)
            except TimeoutError:
                log.warning("database pool did not close in %.0fs; terminated", _POOL_CLOSE_TIMEOUT)
                pool.terminate()
    finally:
        if embedded is not None:
            await asyncio.to_thread(embedded.stop)


def catalogue_sources(settings: Settings) -> list[Source]:
    """The validated source catalogue; raises UsageError (a seed) or CatalogueError (a region
    file), each naming the file, entry and field."""
    provinces = {p.slug for p in load_catalogue(settings.catalogue).provinces}
    try:
        return load_sources(settings.seeds, provinces=provinces)
    except SeedError as exc:
        raise UsageError(f"WARTA_SEEDS: {exc}") from None


async def prepare_database(pool: asyncpg.Pool, folder: Path | None = None) -> Catalogue:
    """Migrate, then mirror the region/topic catalogue the read side lists (`folder`:
    WARTA_CATALOGUE, see load_catalogue); a bad catalogue or lexicon raises CatalogueError
    before anything changes."""
    catalogue = load_catalogue(folder)
    catalogue_lexicon(folder)  # read again where it is used; checked here to fail before migrating
    applied = await migrate(pool)
    if applied:
        log.info("database migrated to version %d", applied[-1])
    await sync_catalogue(pool, catalogue)
    return catalogue
