"""Find article URLs in a source's RSS/Atom feeds, listing pages and sitemaps (pure functions)."""

from __future__ import annotations

import calendar
import gzip
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import feedparser
from lxml import etree
from lxml import html as lxml_html

from ingestor.sources import Source, absolute_url

__all__ = ["Candidate", "ListingPage", "SitemapPage", "from_feed", "from_listing", "from_sitemap"]

_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file
_IMG_SRC = re.compile(r"""<img[^>]+src=["']([^"']+)["']""", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A discovered article URL with what the listing said about it (fallbacks for extraction)."""

    url: str
    title: str | None = None
    published: datetime | None = None
    published_raw: str | None = None
    summary: str | None = None
    image: str | None = None
    via: str = "rss"  # rss | listing | sitemap


@dataclass(frozen=True, slots=True)
class ListingPage:
    candidates: tuple[Candidate, ...]
    next_url: str | None


@dataclass(frozen=True, slots=True)
class SitemapPage:
    candidates: tuple[Candidate, ...]
    sitemaps: tuple[str, ...]  # child sitemaps of an index


def _absolute(base: str, href: str) -> str:
    """`href` resolved against `base`, without fragment; "" when it is no usable http(s) URL
    (a malformed one would otherwise raise and fail the whole discovery)."""
    url = absolute_url(base, href)
    if url is None:
        return ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def is_article_url(source: Source, url: str) -> bool:
    """Same site as the source (or one of its extra hosts) and matching its article pattern."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = parts.netloc.lower()
    if host != source.host and host not in source.extra_hosts:
        return False
    return source.article_pattern.search(parts.path) is not None


def _text(html_fragment: str | None) -> str | None:
    if not html_fragment:
        return None
    text = _SPACE.sub(" ", _TAGS.sub(" ", html_fragment)).strip()
    return text or None


def from_feed(body: bytes | str, feed_url: str, source: Source) -> list[Candidate]:
    """Article candidates from an RSS/Atom document; bad XML yields what could be read."""
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    out: list[Candidate] = []
    for entry in parsed.entries:
        link = entry.get("link") or entry.get("id")
        if not link:
            continue
        url = _absolute(feed_url, link)
        if not is_article_url(source, url):
            continue
        # dict.get: feedparser's own maps a missing "updated" to "published" with a
        # DeprecationWarning (an item with an empty or unreadable pubDate got here).
        raw_date = entry.get("published") or dict.get(entry, "updated")
        parsed_date = entry.get("published_parsed") or dict.get(entry, "updated_parsed")
        published = (
            datetime.fromtimestamp(calendar.timegm(parsed_date), UTC) if parsed_date else None
        )
        description = entry.get("summary")
        image_match = _IMG_SRC.search(description or "")
        image = None
        if image_match:
            image = _absolute(feed_url, image_match[1]) or None
        for media in entry.get("media_content", []) or entry.get("enclosures", []):
            if media.get("url") and not image:
                image = _absolute(feed_url, media["url"]) or None
        out.append(
            Candidate(
                url=url,
                title=_text(entry.get("title")),
                published=published,
                published_raw=raw_date,
                summary=_text(description),
                image=image,
                via="rss",
            )
        )
    return out


def _signature(anchor: lxml_html.HtmlElement) -> tuple[str, ...]:
    """Where a link sits: its ancestors' tags and classes, up to four levels up."""
    path: list[str] = []
    node = anchor.getparent()
    while node is not None and len(path) < 4:
        path.append(f"{node.tag}.{'.'.join(sorted((node.get('class') or '').split()))}")
        node = node.getparent()
    return tuple(path)


def _main_list(anchors: list[lxml_html.HtmlElement]) -> list[lxml_html.HtmlElement]:
    """The listing's own links: the largest group of article links sitting alike.

    Sidebars ("Terpopuler"), related blocks and menus link to older, known stories; treating
    them as the listing would end a catch-up walk on the first page.
    """
    groups: dict[tuple[str, ...], list[lxml_html.HtmlElement]] = {}
    for anchor in anchors:
        groups.setdefault(_signature(anchor), []).append(anchor)
    return max(groups.values(), key=len) if groups else []


def from_listing(
    body: str, page_url: str, source: Source, link_selector: str | None
) -> ListingPage:
    """Article links of a listing page's main list, in page order, plus the next page's URL."""
    if not body.strip():
        return ListingPage((), None)
    doc = lxml_html.fromstring(body)

    def article_links(anchors: Iterable[lxml_html.HtmlElement]) -> list[lxml_html.HtmlElement]:
        return [
            a for a in anchors
            if a.get("href") and is_article_url(source, _absolute(page_url, a.get("href")))
        ]  # fmt: skip

    chosen = article_links(doc.cssselect(link_selector)) if link_selector else []
    if not chosen:  # no rule, or the rule no longer matches the layout: detect the list
        chosen = _main_list(article_links(doc.iter("a")))
    seen: dict[str, Candidate] = {}
    for anchor in chosen:
        url = _absolute(page_url, anchor.get("href"))
        title = _SPACE.sub(" ", anchor.text_content()).strip() or anchor.get("title")
        seen.setdefault(url, Candidate(url=url, title=title or None, via="listing"))
    next_url = None
    for rel_next in doc.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href"):
        next_url = _absolute(page_url, str(rel_next)) or None
        break
    return ListingPage(tuple(seen.values()), next_url)


def _decompress(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    # Bounded decompression: a gzip bomb stops at the sitemap size limit instead of eating memory.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = inflater.decompress(body, _MAX_SITEMAP_BYTES + 1)
    if len(data) > _MAX_SITEMAP_BYTES:
        raise ValueError("sitemap larger than 50 MB uncompressed")
    return data


def _w3c_date(raw: str | None, source: Source) -> datetime | None:
    """A sitemap's W3C datetime; a date without an offset is in the source's zone."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=source.tz)).astimezone(UTC)


def from_sitemap(body: bytes, sitemap_url: str, source: Source) -> SitemapPage:
    """URLs from a sitemap (plain, gzip or Google News) or the child sitemaps of an index.

    Raises:
        ValueError: the document is not a readable sitemap.
    """
    try:
        data = _decompress(body)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError(f"sitemap is not valid gzip: {exc}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"sitemap is not XML: {exc}") from None
    if root is None:
        raise ValueError("sitemap is empty")
    local = etree.QName(root).localname
    children: list[str] = []
    candidates: list[Candidate] = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        # Child element texts by local name (sitemap, Google News and image namespaces alike).
        fields: dict[str, str] = {}
        for child in node.iter():
            if isinstance(child.tag, str):
                fields.setdefault(etree.QName(child).localname, (child.text or "").strip())
        if not fields.get("loc"):
            continue
        url = _absolute(sitemap_url, fields["loc"])
        if local == "sitemapindex":
            if url:
                children.append(url)
            continue
        if not is_article_url(source, url):
            continue
        raw_date = fields.get("publication_date") or fields.get("lastmod") or None
        candidates.append(
            Candidate(
                url=url,
                title=fields.get("title") or None,
                published=_w3c_date(raw_date, source),
                published_raw=raw_date,
                via="sitemap",
            )
        )
    return SitemapPage(tuple(candidates), tuple(children))
