"""SQL for source verification: record a check's report, read the latest verdict per source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

__all__ = ["Verification", "record_check", "verifications"]


@dataclass(frozen=True, slots=True)
class Verification:
    """The latest check of a source, judged against its current entry.

    `state` is verified | failing | stale (the entry changed since the check) | unverified.
    """

    source_id: str
    state: str
    checked_at: datetime | None = None
    failed_gates: tuple[str, ...] = ()
    summary: str | None = None
    report: dict[str, Any] | None = None


async def record_check(
    pool: asyncpg.Pool,
    source_id: str,
    *,
    passed: bool,
    failed_gates: list[str],
    summary: str,
    report: dict[str, Any],
) -> None:
    """Store one check with the entry as the database holds it now (synced just before)."""
    await pool.execute(
        "INSERT INTO source_checks (source_id, passed, failed_gates, summary, report, config)"
        " SELECT id, $2, $3, $4, $5, config FROM sources WHERE id = $1",
        source_id,
        passed,
        failed_gates,
        summary,
        report,
    )
    # The index and the API show verification: tell feed servers their cached copies are old.
    await pool.execute("SELECT pg_notify('warta_articles', '{}')")


async def verifications(pool: asyncpg.Pool) -> dict[str, Verification]:
    """Every source's verification state, by source id."""
    rows = await pool.fetch(
        "SELECT source_id, verification, checked_at, failed_gates, summary, report"
        " FROM source_verification"
    )
    return {
        r["source_id"]: Verification(
            source_id=r["source_id"],
            state=r["verification"],
            checked_at=r["checked_at"],
            failed_gates=tuple(r["failed_gates"] or ()),
            summary=r["summary"],
            report=r["report"],
        )
        for r in rows
    }
