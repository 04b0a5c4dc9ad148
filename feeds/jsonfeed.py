"""Render article rows as a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from feeds import entry as e
from feeds.meta import FeedMeta
from feeds.names import Names
from feeds.query import ArticleRow

__all__ = ["json_feed"]


def _item(row: ArticleRow, names: Names) -> dict[str, Any]:
    link = e.xml_safe(row.canonical_url)
    item: dict[str, Any] = {
        "id": link,
        "url": link,
        "title": e.title(row),
        "date_published": e.local(row, row.published_at).isoformat(),
        "date_modified": e.local(row, e.updated(row)).isoformat(),
        "tags": [term for term, _ in e.categories(row, names)],
    }
    summary = e.summary(row)
    content = e.content_html(row)
    if summary:
        item["summary"] = summary
    # An item needs content_html or content_text; title-only sources give the title.
    if content:
        item["content_html"] = content
    else:
        item["content_text"] = summary or item["title"]
    authors = [a for a in (e.clean_line(x) for x in row.authors) if a]
    if authors:
        item["authors"] = [{"name": a} for a in authors]
    image = e.image_url(row)
    if image:
        item["image"] = image
    if row.lang:
        item["language"] = e.clean_line(row.lang)
    item["_warta"] = {
        "source": {
            "id": row.source_id,
            "name": e.clean_line(row.source_name),
            "url": row.source_url,
            "rights": e.clean_line(row.rights) or None,
        },
        "region": row.region,
        "regency": row.regency,
        "topics": list(row.topics),
        "image_caption": e.clean_line(row.image_caption) or None,
    }
    return item


def json_feed(meta: FeedMeta, rows: Sequence[ArticleRow], names: Names) -> bytes:
    """The JSON Feed document; paging links become `next_url`, the hub goes in `hubs`."""
    doc: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": e.clean_line(meta.title),
        "home_page_url": meta.home_url,
        "feed_url": meta.self_url,
        "description": e.clean_line(meta.description),
        "language": meta.language,
    }
    next_url = dict(meta.links).get("next")
    if next_url:
        doc["next_url"] = next_url
    if meta.hub:
        doc["hubs"] = [{"type": "WebSub", "url": meta.hub}]
    doc["items"] = [_item(row, names) for row in rows]
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
