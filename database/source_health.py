"""The source record with its health: one query and one JSON shape for `warta sources --json` and /api/v1/sources."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from database.records import format_utc

__all__ = ["SOURCE_FIELDS", "source_json", "source_rows"]

# Field names and order of a source record, wherever it is printed or served.
SOURCE_FIELDS: tuple[str, ...] = (
    "id", "name", "base_url", "province", "timezone", "lang", "republish", "rights", "verified",
    "verification", "checked_at", "failed_gates", "check_summary",
    "enabled", "health", "disabled_reason", "last_run_at", "last_success_at", "last_error_at",
    "last_error_kind", "last_error_message", "consecutive_failures", "circuit_open_until",
    "articles_last_run", "next_run_at", "articles",
)  # fmt: skip

_SQL = """
SELECT s.id, s.name, s.base_url, s.province, s.timezone, s.lang, s.republish, s.rights,
       -- A fact from `warta sources check`, not the catalogue's claim.
       v.verification = 'verified' AS verified, v.verification, v.checked_at,
       v.failed_gates, v.summary AS check_summary,
       s.enabled, s.health, s.disabled_reason, s.last_run_at, s.last_success_at,
       s.last_error_at, s.last_error_kind, s.last_error_message, s.consecutive_failures,
       s.circuit_open_until, s.articles_last_run, s.next_run_at,
       (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles
FROM sources s JOIN source_verification v ON v.source_id = s.id ORDER BY s.id
"""


def source_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of SOURCE_FIELDS in order (missing ones null), times RFC 3339 UTC with Z."""
    out: dict[str, Any] = {}
    for name in SOURCE_FIELDS:
        value = values.get(name)
        out[name] = format_utc(value) if isinstance(value, datetime) else value
    return out


async def source_rows(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """Every source in the database with its health, as source records."""
    return [source_json(dict(row)) for row in await pool.fetch(_SQL)]
