"""Start and stop a private PostgreSQL (pgserver) in the data directory when no database URL is set."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

__all__ = ["EmbeddedPostgres"]

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A PostgreSQL server in `<data_dir>/postgres`, reused across runs and stopped on close.

    pgserver listens on a Unix socket only, and as root runs the server as its own system
    user, so this works in containers and CI alike.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self._server: Any = None

    def start(self) -> str:
        """Start (or reattach to) the server and return its DSN; blocking, ~0.2–2 s."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server

            self._server = get_server(self.data_dir / "postgres", cleanup_mode="stop")
            dsn: str = self._server.get_uri()
        log.info("embedded PostgreSQL ready in %s", self.data_dir / "postgres")
        return dsn

    def stop(self) -> None:
        """Stop the server if this process started it; safe to call twice."""
        if self._server is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._server.cleanup()
            self._server = None
            log.info("embedded PostgreSQL stopped")
