"""A private PostgreSQL that a test may stop and start again, as an outage would.

The session's shared server (tests/conftest.py) must stay up for every other module, so the
database-fault proofs get their own: pgserver creates and first starts it in a temporary
directory, then `pg_ctl` (pgserver's own binaries, as its system user when we are root) stops
and restarts it on the same Unix socket, so the DSN every process holds stays valid.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import asyncpg

__all__ = ["ControlledPostgres", "migrated_database", "query"]


class ControlledPostgres:
    """One PostgreSQL in `root/postgres`; `stop()` and `start()` at will, `close()` at the end."""

    def __init__(self, root: Path) -> None:
        self.pgdata = (root / "postgres").resolve()
        self._server: Any = None
        self._socket_dir: Path | None = None
        self.dsn = ""
        self.running = False

    def open(self) -> str:
        """Create and start the server; returns its DSN (Unix socket)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset
            from pgserver.postgres_server import get_server

            # cleanup_mode=None: pgserver's exit hook would only see the first postmaster;
            # after a restart it is ours to stop (close()).
            self._server = get_server(self.pgdata, cleanup_mode=None)
            info = self._server.get_postmaster_info()
        self._socket_dir = info.socket_dir
        self.dsn = str(self._server.get_uri())
        self.running = True
        return self.dsn

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import

        pg_ctl(list(args), pgdata=self.pgdata, user=self._server.system_user, timeout=60)

    def stop(self, *, mode: str = "immediate") -> None:
        """Stop the server. `immediate` is a crash: no checkpoint, connections cut at once."""
        self._pg_ctl("-w", "-m", mode, "stop")
        self.running = False

    def start(self) -> None:
        """Start it again on the same socket (crash recovery runs first after `immediate`)."""
        assert self._socket_dir is not None, "open() first"
        self._pg_ctl(
            "-w", "-o", '-h ""', "-o", f"-k {self._socket_dir}", "-l", str(self.pgdata / "log"),
            "start",
        )  # fmt: skip
        self.running = True

    def close(self) -> None:
        """Stop the server if it runs; safe to call twice."""
        if self._server is not None and self.running:
            self.stop(mode="fast")


async def query(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """One short-lived connection per check: a pool would fight an outage in the background."""
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def migrated_database(server_dsn: str, name: str) -> str:
    """Create database `name` on the server, migrate it and load the catalogue; its DSN."""
    from config.catalogue import load_catalogue, sync_catalogue
    from database.pool import create_pool, migrate
    from tests.conftest import with_database

    await query(server_dsn, f'CREATE DATABASE "{name}"')
    url = with_database(server_dsn, name)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        await migrate(pool)
        await sync_catalogue(pool, load_catalogue())
    finally:
        await pool.close()
    return url
