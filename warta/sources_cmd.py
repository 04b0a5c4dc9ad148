"""`warta sources show ID`: one source's entry, health and learned template."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from config.settings import Settings
from ingestor import store
from ingestor.sources import Source
from warta.output import print_json
from warta.runtime import database, prepare_database
from warta.template_report import template_lines, template_section

__all__ = ["show_source"]


async def show_source(
    settings: Settings, sources: Sequence[Source], source: Source, as_json: bool
) -> int:
    """Print the source as the catalogue has it, its health, and its learned template."""
    async with database(settings) as pool:
        await prepare_database(pool)
        await store.sync_sources(pool, sources)
        row = await pool.fetchrow(
            "SELECT enabled, health, last_run_at, last_success_at, last_error_kind,"
            " last_error_message, consecutive_failures, articles_last_run, next_run_at"
            " FROM sources WHERE id = $1",
            source.id,
        )
        template = await template_section(pool, source.id)
    health = dict(row) if row is not None else {}
    if as_json:
        entry = {"name": source.name, "base_url": source.base_url, "layout": source.layout}
        print_json({"id": source.id, "entry": entry, "health": health, "template": template})
        return 0
    out = sys.stdout
    out.write(f"{source.id}: {source.name} <{source.base_url}>\n")
    out.write(f"  hand rules: {source.layout or ('inline' if source.rules else 'none')}\n")
    out.write("\nHealth:\n")
    for key, value in health.items():
        out.write(f"  {key}: {value if value is not None else '-'}\n")
    out.write("\n" + "\n".join(template_lines(template)) + "\n")
    return 0
