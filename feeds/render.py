"""Render article rows as RSS 2.0 or Atom 1.0 (feedgen) or JSON Feed 1.1 bytes, deterministically."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import entry as e
from feeds.jsonfeed import json_feed
from feeds.meta import FeedMeta
from feeds.names import Names
from feeds.query import ArticleRow

__all__ = ["CONTENT_TYPES", "FeedMeta", "render"]

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}

_ATOM = "http://www.w3.org/2005/Atom"
_MEDIA = "http://search.yahoo.com/mrss/"
_DC = "http://purl.org/dc/elements/1.1/"
_FH = "http://purl.org/syndication/history/1.0"  # RFC 5005
_MARKUP = re.compile(r"<|&#?\w+;")


class _FeedExtension(BaseExtension):  # type: ignore[misc]
    """What feedgen cannot say itself: RSS atom:link beyond rel=self, and fh:archive."""

    def __init__(self) -> None:
        self.links: list[tuple[str, str]] = []
        self.archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"media": _MEDIA, "dc": _DC, "fh": _FH}

    def extend_rss(self, feed: Any) -> Any:
        channel = feed.find("channel")
        for rel, href in self.links:
            etree.SubElement(channel, f"{{{_ATOM}}}link", rel=rel, href=href)
        if self.archive:
            etree.SubElement(channel, f"{{{_FH}}}archive")
        return feed

    def extend_atom(self, feed: Any) -> Any:
        if self.archive:
            etree.SubElement(feed, f"{{{_FH}}}archive")
        return feed


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]
    """The lead image as media:content (and as an Atom enclosure link, which feedgen 1.0
    writes without its rel; no media:description: readers take it for the summary), RSS authors as dc:creator (RSS <author> must be an e-mail
    address) and the source's rights as dc:rights on RSS items."""

    def __init__(self) -> None:
        self.image: tuple[str, str] | None = None  # (url, type)
        self.authors: list[str] = []
        self.rights = ""
        self.updated: datetime | None = None
        self.source: tuple[str, str, datetime] | None = None  # Atom source: id, name, updated

    def _media(self, parent: Any) -> None:
        if self.image:
            url, kind = self.image
            media = etree.SubElement(parent, f"{{{_MEDIA}}}content", url=url, medium="image")
            media.set("type", kind)

    def extend_atom(self, entry: Any) -> Any:
        source = entry.find("source")
        if self.source and source is not None:
            # RFC 4287 4.2.11: atom:source carries the source feed's id and updated (the W3C
            # validator warns without them). The id is the source's site (not every source
            # has a feed). Its updated is when this entry last changed there: the source was
            # certainly updated then, and a time from the row keeps renders byte-identical.
            # Its author is the publisher, which an entry without a byline inherits (4.2.1).
            source_id, name, updated = self.source
            etree.SubElement(source, "id").text = source_id
            etree.SubElement(source, "updated").text = updated.isoformat()
            etree.SubElement(etree.SubElement(source, "author"), "name").text = name
        if self.image:
            url, kind = self.image
            etree.SubElement(entry, "link", rel="enclosure", type=kind, href=url)
        self._media(entry)
        return entry

    def extend_rss(self, item: Any) -> Any:
        for name in self.authors:
            etree.SubElement(item, f"{{{_DC}}}creator").text = name
        if self.rights:
            etree.SubElement(item, f"{{{_DC}}}rights").text = self.rights
        if self.updated:
            etree.SubElement(item, f"{{{_ATOM}}}updated").text = self.updated.isoformat()
        self._media(item)
        return item


def _rss_text(text: str) -> str:
    """Text for an RSS element. Readers take RSS text that looks like markup for HTML (RSS
    cannot say otherwise); escaped, such text reads back as the text it is."""
    return html.escape(text, quote=False) if _MARKUP.search(text) else text


def _add(fg: FeedGenerator, row: ArticleRow, names: Names, fmt: str) -> None:
    rss = fmt == "rss"
    text = _rss_text if rss else str
    fe = fg.add_entry(order="append")
    link = e.xml_safe(row.canonical_url)
    fe.guid(link, permalink=True)
    fe.title(text(e.title(row)))
    fe.link(href=link, rel="alternate")
    summary = e.summary(row)
    if summary and rss:
        # RSS descriptions are read as HTML: always escaped, the text comes back as written.
        fe.description(html.escape(summary, quote=False))
    elif summary:
        fe.summary(summary)
    content = e.content_html(row)
    if content:
        fe.content(content, type="html")
    fe.published(e.local(row, row.published_at))
    updated = e.updated(row)
    fe.updated(e.local(row, updated))
    authors = [a for a in (e.clean_line(x) for x in row.authors) if a]
    if not rss:
        for author in authors:
            fe.author(name=author)
    for term, label in e.categories(row, names):
        fe.category(term=term, label=text(label))
    source = e.clean_line(row.source_name) or row.source_id
    fe.source(title=text(source), url=e.xml_safe(row.source_url))
    ext: _EntryExtension = fe.warta
    ext.source = (e.xml_safe(row.source_url), source, fe.updated())
    rights = e.clean_line(row.rights)
    if rights:
        fe.rights(rights)
    image = e.image_url(row)
    if image:
        kind = e.image_type(image)
        ext.image = (image, kind)
        if rss:
            fe.enclosure(image, 0, kind)  # length unknown: 0, as RSS readers expect
    ext.authors = [text(a) for a in authors]
    ext.rights = text(rights)
    if rss and updated != row.published_at:
        ext.updated = e.local(row, updated)  # RSS items have only pubDate: atom:updated


def _xml(fmt: str, meta: FeedMeta, rows: Sequence[ArticleRow], names: Names) -> bytes:
    fg = FeedGenerator()
    fg.register_extension("warta", _FeedExtension, _EntryExtension)
    fg.id(e.xml_safe(meta.feed_id))
    fg.title(e.clean_line(meta.title))
    fg.subtitle(e.clean_line(meta.description) or e.clean_line(meta.title))
    fg.language(meta.language)
    fg.generator("Warta")
    # Both default to "now" in feedgen; a render-time stamp would make every render differ.
    fg.updated(meta.updated)
    fg.link(href=meta.self_url, rel="self")
    extra = ([("hub", meta.hub)] if meta.hub else []) + list(meta.links)
    if fmt == "atom":
        for rel, href in extra:
            fg.link(href=href, rel=rel)
    else:
        fg.warta.links = extra
    fg.warta.archive = meta.archive
    fg.link(href=meta.home_url, rel="alternate")  # last: feedgen makes it RSS's <link>
    for row in rows:
        _add(fg, row, names, fmt)
    data: bytes = fg.atom_str(pretty=False) if fmt == "atom" else fg.rss_str(pretty=False)
    return data


def render(fmt: str, meta: FeedMeta, rows: Sequence[ArticleRow], names: Names) -> bytes:
    """The feed document in `fmt` ('rss', 'atom' or 'json'), rows in the order given."""
    if fmt == "json":
        return json_feed(meta, rows, names)
    if fmt in ("rss", "atom"):
        return _xml(fmt, meta, rows, names)
    raise ValueError(f"unknown feed format {fmt!r}")
