"""The learned template of one source as `warta sources show` prints it (text and JSON)."""

from __future__ import annotations

from typing import Any

import asyncpg

from ingestor import store

__all__ = ["template_lines", "template_section"]

_FIELDS = ("title", "body", "date", "author", "remove")


async def template_section(pool: asyncpg.Pool, source_id: str) -> dict[str, Any] | None:
    """The stored template with its drift counters, or None when none was learned."""
    stored = await store.load_template(pool, source_id)
    if stored is None:
        return None
    t = stored.template
    return {
        "learned_at": t.learned_at,
        "confidence": t.confidence,
        "selectors": {name: list(getattr(t, name)) for name in _FIELDS},
        "hits": dict(t.hits),
        "pages": list(t.pages),
        "pages_read_since": stored.pages_read,
        "pages_missed_since": stored.pages_missed,
    }


def template_lines(section: dict[str, Any] | None) -> list[str]:
    """Text lines: the selectors per field with the share of learning pages each matched."""
    if section is None:
        return ["Learned template: none (hand rules read this source, or too few pages yet)"]
    when = section["learned_at"]
    lines = [
        f"Learned template: confidence {section['confidence']:.2f}, learned "
        f"{when:%Y-%m-%d %H:%M} UTC from {len(section['pages'])} pages"
        if when is not None
        else f"Learned template: confidence {section['confidence']:.2f}"
    ]
    for name in _FIELDS:
        selectors = ", ".join(section["selectors"][name]) or "-"
        hit = section["hits"].get(name)
        share = f"  ({hit:.0%} of pages)" if hit is not None else ""
        lines.append(f"  {name:7} {selectors}{share}")
    read, missed = section["pages_read_since"], section["pages_missed_since"]
    lines.append(f"  since learned: {read} pages read, body selector missed {missed}")
    lines.extend(f"  page {url}" for url in section["pages"])
    return lines
