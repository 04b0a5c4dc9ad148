"""The source catalogue's records: one news site, how to discover its articles and how to read them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Literal

__all__ = ["Discovery", "Listing", "Republish", "SiteRules", "Source"]

Republish = Literal["title", "summary", "full"]


@dataclass(frozen=True, slots=True)
class SiteRules:
    """CSS selectors for one site layout; each field lists selectors tried in order."""

    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    image: tuple[str, ...] = ()
    image_caption: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Listing:
    """A listing page and how to page through it ("{page}" in `page_url` is replaced)."""

    url: str
    page_url: str | None = None
    max_pages: int = 5
    link_selector: str | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    """Where a source's new article URLs come from, in order of preference."""

    rss: tuple[str, ...] = ()
    listings: tuple[Listing, ...] = ()
    sitemaps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """One catalogue entry, validated; `tz` is the zone naive page times are read in."""

    id: str
    name: str
    base_url: str
    province: str | None
    tz_name: str
    tz: tzinfo  # resolved by config.zones: a label's zone, an IANA zone or a fixed offset
    lang: str
    discovery: Discovery
    article_pattern: re.Pattern[str]
    rules: SiteRules | None
    layout: str | None = None
    poll_min_seconds: int = 300
    poll_max_seconds: int = 3600
    republish: Republish = "summary"
    rights: str | None = None
    enabled: bool = True
    verified: bool = False
    allow_private_network: bool = False
    proxy: str | None = None
    notes: str | None = None
    extra_hosts: tuple[str, ...] = field(default=())

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.base_url).netloc.lower()
