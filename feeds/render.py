"""Render feed rows as RSS 2.0, Atom 1.0 (feedgen) or JSON Feed 1.1 bytes."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator

from feeds.query import FeedRow

__all__ = ["CONTENT_TYPES", "FeedMeta", "render"]

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}

# Characters XML 1.0 forbids (C0 controls except tab/newline/CR, surrogates, U+FFFE/FFFF):
# one of them anywhere makes the whole feed unreadable, so they are dropped from every field.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def xml_safe(text: str | None) -> str:
    return _XML_INVALID.sub("", text) if text else ""


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What describes a feed as a whole."""

    title: str
    description: str
    self_url: str  # absolute URL of this feed in this format
    home_url: str  # the HTML page of the service
    language: str = "id"


def _summary(row: FeedRow) -> str | None:
    # Republish policy: 'title' sources give title and link only.
    return None if row.republish == "title" else row.summary


def _updated(rows: Sequence[FeedRow]) -> datetime:
    stamps = [r.updated_at or r.published_at for r in rows]
    return max(stamps, default=_EPOCH)


def _generator(meta: FeedMeta, rows: Sequence[FeedRow]) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(xml_safe(meta.self_url))
    fg.title(xml_safe(meta.title))
    fg.subtitle(xml_safe(meta.description) or xml_safe(meta.title))
    fg.link(href=meta.self_url, rel="self")
    fg.link(href=meta.home_url, rel="alternate")
    fg.language(meta.language)
    fg.generator("Warta")
    fg.updated(_updated(rows))
    for row in rows:
        entry = fg.add_entry(order="append")
        entry.id(xml_safe(row.canonical_url))
        entry.guid(xml_safe(row.canonical_url), permalink=True)
        entry.title(xml_safe(row.title))
        entry.link(href=xml_safe(row.canonical_url), rel="alternate")
        summary = _summary(row)
        if summary:
            entry.summary(xml_safe(summary))
            entry.description(xml_safe(summary))
        entry.published(row.published_at)
        entry.updated(row.updated_at or row.published_at)
        for author in row.authors:
            entry.author(name=xml_safe(author))
        for topic in row.topics:
            entry.category(term=topic)
        if row.region:
            entry.category(term=row.region, label=row.region)
        entry.source(title=xml_safe(row.source_name), url=xml_safe(row.url))
        if row.rights:
            entry.rights(xml_safe(row.rights))
    return fg


def _json_feed(meta: FeedMeta, rows: Sequence[FeedRow]) -> bytes:
    items: list[dict[str, Any]] = []
    for row in rows:
        item: dict[str, Any] = {
            "id": row.canonical_url,
            "url": row.canonical_url,
            "title": row.title,
            "date_published": row.published_at.astimezone(UTC).isoformat(),
            "date_modified": (row.updated_at or row.published_at).astimezone(UTC).isoformat(),
            "tags": [*row.topics, *([row.region] if row.region else [])],
            "_warta": {"source": row.source_id, "region": row.region, "regency": row.regency},
        }
        summary = _summary(row)
        if summary:
            item["summary"] = summary
            item["content_text"] = summary
        else:
            item["content_text"] = row.title
        if row.authors:
            item["authors"] = [{"name": a} for a in row.authors]
        if row.image:
            item["image"] = row.image
        items.append(item)
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "description": meta.description,
        "home_page_url": meta.home_url,
        "feed_url": meta.self_url,
        "language": meta.language,
        "items": items,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: str, meta: FeedMeta, rows: Sequence[FeedRow]) -> bytes:
    """The feed document in `fmt` ('rss', 'atom' or 'json'), newest entry first."""
    if fmt == "json":
        return _json_feed(meta, rows)
    fg = _generator(meta, rows)
    if fmt == "rss":
        result: bytes = fg.rss_str(pretty=False)
    elif fmt == "atom":
        result = fg.atom_str(pretty=False)
    else:
        raise ValueError(f"unknown feed format {fmt!r}")
    return result
