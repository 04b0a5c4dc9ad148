"""Configure logging once for the process: plain text or one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

__all__ = ["configure_logging"]

# Fields that callers attach with `extra=` and that belong in machine-readable lines.
_EXTRA = ("source_id", "url", "status", "elapsed_ms", "run_id")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _EXTRA:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, fmt: str) -> None:
    """Route every logger to stderr at `level`, as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log is one line per request: too loud at INFO for a feed server.
    logging.getLogger("aiohttp.access").setLevel(max(logging.WARNING, root.level))
    # APScheduler logs every tick at INFO.
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    # pgserver logs every command at INFO and a failed one with its whole output at ERROR;
    # database.embedded reports failures in one line naming the server's log, so pgserver's
    # own lines show only when debugging.
    debugging = root.level <= logging.DEBUG
    logging.getLogger("pgserver").setLevel(logging.DEBUG if debugging else logging.CRITICAL)
