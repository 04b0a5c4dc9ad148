"""Read what onboarding needs from one HTML page: feed links, links, robots meta, licence, notices.

BeautifulSoup with the lxml builder: this runs a few times per onboarded site, never on the
ingestion hot path, and its forgiving tree suits unknown home pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from ingestor.sources import absolute_url

__all__ = ["PageFacts", "read_page"]

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_FEED_HREF = re.compile(r"(?:/rss\b|/feed\b|/atom\b|\.rss$|\.xml$|/rss/)", re.IGNORECASE)
_ROBOTS_NAMES = frozenset({"robots", "warta"})
# Notices that restrict reuse. Indonesian newsrooms print them in the footer or under the story.
_AI_NOTICE = re.compile(
    r"[^.!\n]{0,160}\b(?:AI|artificial intelligence|kecerdasan buatan|machine learning|LLM"
    r"|text and data mining|TDM)\b[^.!\n]{0,160}",
    re.IGNORECASE,
)
_AI_VERBS = re.compile(
    r"dilarang|larangan|tanpa izin|prohibit|forbid|not permitted|without (?:prior )?(?:written )?"
    r"permission|reserve|tidak diperkenankan|crawl|scrap|mining|indeks",
    re.IGNORECASE,
)
_CONTENT_NOTICE = re.compile(
    r"[^.!\n]{0,120}(?:dilarang[^.!\n]{0,60}(?:mengambil|menyalin|mengutip|memperbanyak|"
    r"menyebarluaskan|mempublikasikan)|all rights reserved|hak cipta dilindungi)[^.!\n]{0,120}",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"(?:copyright|hak cipta)?\s*©\s*[^\n|]{2,80}", re.IGNORECASE)
_MAX_NOTICE = 240


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What one page tells about its site."""

    url: str
    name: str | None  # og:site_name, else the <title>
    lang: str | None
    feeds: tuple[str, ...]  # <link rel=alternate> feeds first, then <a> links that look like feeds
    links: tuple[str, ...]  # every http(s) link in page order, without fragments, deduplicated
    robots: tuple[str, ...]  # directives of <meta name="robots"> (and name="warta"), lower case
    license: str | None  # rel="license" target
    ai_notices: tuple[str, ...]
    content_notices: tuple[str, ...]
    copyright: str | None


def _attr(tag: Tag, name: str) -> str | None:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value


def _rels(tag: Tag) -> set[str]:
    value = tag.get("rel")
    if value is None:
        return set()
    items = value if isinstance(value, list) else value.split()
    return {v.lower() for v in items}


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    url = absolute_url(base, href)
    if url is None:
        return None
    return url.split("#", 1)[0]


def _notices(pattern: re.Pattern[str], text: str, must: re.Pattern[str] | None) -> list[str]:
    found: list[str] = []
    for match in pattern.finditer(text):
        sentence = " ".join(match[0].split())
        if must is not None and not must.search(sentence):
            continue
        if sentence and sentence not in found:
            found.append(sentence[:_MAX_NOTICE])
    return found


def read_page(html: str, url: str) -> PageFacts:
    """The facts of one page; never raises on odd markup (an empty page gives empty facts)."""
    soup = BeautifulSoup(html, "lxml")
    feeds: list[str] = []
    robots: list[str] = []
    license_url: str | None = None
    for link in soup.find_all("link"):
        rels = _rels(link)
        kind = (_attr(link, "type") or "").lower()
        href = _absolute(url, _attr(link, "href"))
        if href and "alternate" in rels and kind in _FEED_TYPES and href not in feeds:
            feeds.append(href)
        if href and "license" in rels and license_url is None:
            license_url = href
    links: list[str] = []
    for anchor in soup.find_all("a"):
        href = _absolute(url, _attr(anchor, "href"))
        if href is None:
            continue
        if "license" in _rels(anchor) and license_url is None:
            license_url = href
        if href not in links:
            links.append(href)
        same_host = urlsplit(href).netloc.lower() == urlsplit(url).netloc.lower()
        if same_host and _FEED_HREF.search(urlsplit(href).path) and href not in feeds:
            feeds.append(href)
    for meta in soup.find_all("meta"):
        if (_attr(meta, "name") or "").lower() in _ROBOTS_NAMES:
            content = _attr(meta, "content") or ""
            robots.extend(d.strip().lower() for d in content.split(",") if d.strip())
    site = soup.find("meta", attrs={"property": "og:site_name"})
    name = _attr(site, "content") if isinstance(site, Tag) else None
    if not name and soup.title is not None and soup.title.string:
        # "ANTARA News Kalimantan Selatan - Berita Terkini Hari Ini": the site is the first part.
        name = re.split(r"\s+[-|–—:]\s+", " ".join(soup.title.string.split()))[0]
    html_tag = soup.find("html")
    lang = _attr(html_tag, "lang") if isinstance(html_tag, Tag) else None
    for junk in soup(["script", "style", "noscript"]):
        junk.decompose()
    text = soup.get_text("\n")
    copyright_match = _COPYRIGHT.search(text)
    return PageFacts(
        url=url,
        name=name or None,
        lang=(lang or "").split("-")[0].lower() or None,
        feeds=tuple(feeds),
        links=tuple(links),
        robots=tuple(dict.fromkeys(robots)),
        license=license_url,
        ai_notices=tuple(_notices(_AI_NOTICE, text, _AI_VERBS)),
        content_notices=tuple(_notices(_CONTENT_NOTICE, text, None)),
        copyright=" ".join(copyright_match[0].split()) if copyright_match else None,
    )
