"""Find a site's feeds, sitemaps and listing pages through the Fetcher, recording every request.

Feeds: the home page's <link rel="alternate"> and feed-looking links, then common paths.
Sitemaps: robots.txt's Sitemap lines and common paths, one level into an index. Listings:
home-page links that are not articles and page on (or are called "terkini", "indeks", ...),
with a link selector learned from their first two pages. Missing paths are expected here:
they are findings for the report, not errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from config.zones import default_zones
from ingestor.discover import Candidate, from_feed, from_listing, from_sitemap
from ingestor.fetch import Fetcher, FetchOutcome, FetchPolicy
from ingestor.onboard.listing import infer_link_selector
from ingestor.onboard.page import PageFacts, read_page
from ingestor.onboard.pattern import PatternGuess
from ingestor.onboard.policy import RobotsFacts
from ingestor.onboard.sample import Document
from ingestor.sources import Discovery, SiteRules, Source

__all__ = [
    "MIN_LISTING_LINKS",
    "Finding",
    "ListingFound",
    "Probe",
    "find_feeds",
    "find_listings",
    "find_sitemaps",
    "is_html",
    "origin",
    "provisional",
]

MIN_LISTING_LINKS = 5
_FEED_PATHS = ("/rss", "/feed", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed/rss")
_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml", "/news-sitemap.xml")
_LISTING_WORDS = ("terkini", "terbaru", "indeks", "index", "latest", "news", "berita", "kanal")
_MAX_FEEDS = 3
_MAX_FEED_PROBES = 8
_MAX_LISTING_PROBES = 6
_MAX_CHILD_SITEMAPS = 3
_NEWS_NS = "sitemap-news"


@dataclass(frozen=True, slots=True)
class Finding:
    """A feed, sitemap or listing the probe found, and how many article links it holds."""

    kind: str
    url: str
    articles: int
    note: str = ""


# A listing: its finding, paging scheme ("/terkini/{page}"), story links, every link on it.
ListingFound = tuple[Finding, str | None, list[Candidate], tuple[str, ...]]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provisional(
    base: str, pattern: str, rules: SiteRules | None = None, layout: str | None = None
) -> Source:
    """A throwaway Source so discovery and extraction can run before the entry exists; its
    zone is the data's default until the sample shows the region."""
    zones = default_zones()
    return Source(
        id="onboard", name="onboard", base_url=base, province=None, tz_name=zones.default,
        tz=zones.resolve(zones.default), lang="id", discovery=Discovery(), article_pattern=re.compile(pattern),
        rules=rules, layout=layout,
    )  # fmt: skip


class Probe:
    """One survey's state: the fetcher, the policy, and the documents fetched so far."""

    def __init__(self, fetcher: Fetcher, policy: FetchPolicy) -> None:
        self.fetcher, self.policy = fetcher, policy
        self.fetched: dict[str, FetchOutcome] = {}
        self.findings: list[Finding] = []
        self.documents: list[Document] = []
        self.skipped: list[str] = []  # what robots.txt kept us from, and failures

    async def get(self, kind: str, url: str, *, robots: bool = True) -> FetchOutcome:
        if url in self.fetched:
            return self.fetched[url]
        policy = self.policy if robots else replace(self.policy, respect_robots=False)
        outcome = await self.fetcher.get(url, source=policy)
        self.fetched[url] = outcome
        self.documents.append(Document(kind, url, outcome))
        if outcome.error_kind == "robots_disallowed":
            self.skipped.append(f"{kind} {url}: disallowed by robots.txt, not fetched")
        elif not outcome.ok and kind not in ("feed?", "sitemap?", "listing?"):
            self.skipped.append(
                f"{kind} {url}: {outcome.error_kind}: {outcome.error_message or ''}"
            )
        return outcome


async def find_feeds(probe: Probe, base: str, home: PageFacts) -> list[Candidate]:
    """Working feeds, the page's own first; their items are known article URLs."""
    source = provisional(base, "")
    candidates = [*home.feeds, *(base + p for p in _FEED_PATHS)]
    known: list[Candidate] = []
    kept = 0
    for url in list(dict.fromkeys(candidates))[:_MAX_FEED_PROBES]:
        if kept >= _MAX_FEEDS:
            break
        outcome = await probe.get("feed?", url)
        if not outcome.ok:
            continue
        items = from_feed(outcome.body, url, source)
        if not items:
            continue
        fresh = [c for c in items if c.url not in {k.url for k in known}]
        if not fresh and kept:
            continue  # the same stories again (an alias of a feed already kept)
        kept += 1
        known.extend(fresh)
        probe.findings.append(Finding("feed", url, len(items)))
    return known


def _is_sitemap(body: bytes) -> str | None:
    head = body[:2048].decode("utf-8", "replace").lower()
    if body[:2] == b"\x1f\x8b" or "<urlset" in head:
        return "news" if _NEWS_NS in head else "urlset"
    if "<sitemapindex" in head:
        return "index"
    return None


async def find_sitemaps(
    probe: Probe, base: str, robots: RobotsFacts
) -> tuple[list[Candidate], list[Candidate]]:
    """(news items, other items) of the site's sitemaps; findings name the ones to propose."""
    source = provisional(base, "")
    news: list[Candidate] = []
    other: list[Candidate] = []
    declared = [u for u in robots.sitemaps if origin(u) == base]
    top = list(dict.fromkeys([*declared, *(base + p for p in _SITEMAP_PATHS)]))
    proposed: list[Finding] = []
    children = 0
    for url in top:
        outcome = await probe.get("sitemap?", url)
        kind = _is_sitemap(outcome.body) if outcome.ok else None
        if kind is None:
            continue
        try:
            page = from_sitemap(outcome.body, url, source)
        except ValueError:
            continue
        found = list(page.candidates)
        for child in page.sitemaps[: max(0, _MAX_CHILD_SITEMAPS - children)]:
            children += 1
            sub = await probe.get("sitemap", child)
            if sub.ok and _is_sitemap(sub.body):
                try:
                    child_items = from_sitemap(sub.body, child, source).candidates
                except ValueError:
                    continue
                (news if _is_sitemap(sub.body) == "news" else other).extend(child_items)
        (news if kind == "news" else other).extend(found)
        if url in declared or not proposed:
            proposed.append(Finding("sitemap", url, len(found), kind))
    probe.findings.extend(proposed)
    return news, other


def is_html(outcome: FetchOutcome) -> bool:
    return "html" in (outcome.content_type or "").lower()


def _listing_candidates(home: PageFacts, base: str, pattern: re.Pattern[str] | None) -> list[str]:
    urls = []
    for link in home.links:
        parts = urlsplit(link)
        if origin(link) != base or parts.query or parts.path in ("", "/"):
            continue
        depth = len([s for s in parts.path.split("/") if s])
        if depth > 2 or (pattern is not None and pattern.search(parts.path)):
            continue
        urls.append(f"{base}{parts.path}")
    urls = list(dict.fromkeys(urls))

    return sorted(urls, key=_rank)


def _rank(url: str) -> int:
    """Listing names first ("terkini" before "berita"); other pages after them."""
    path = urlsplit(url).path.lower()
    return next((i for i, w in enumerate(_LISTING_WORDS) if w in path), len(_LISTING_WORDS))


def _page_url(listing_url: str, links: tuple[str, ...]) -> str | None:
    """The listing's paging scheme from its own links: /terkini/2 or ?page=2."""
    path = urlsplit(listing_url).path.rstrip("/")
    for link in links:
        parts = urlsplit(link)
        if parts.path.rstrip("/") == f"{path}/2":
            return f"{origin(listing_url)}{path}/{{page}}"
        if parts.path.rstrip("/") == path and re.fullmatch(r"page=2", parts.query):
            return f"{origin(listing_url)}{path}?page={{page}}"
    return None


async def find_listings(
    probe: Probe, base: str, home: PageFacts, pattern: PatternGuess | None
) -> list[ListingFound]:
    compiled = re.compile(pattern.pattern) if pattern else None
    found: list[ListingFound] = []
    for url in _listing_candidates(home, base, compiled)[:_MAX_LISTING_PROBES]:
        outcome = await probe.get("listing?", url)
        if not outcome.ok or outcome.text is None or not is_html(outcome):
            continue
        facts = read_page(outcome.text, url)
        if compiled is None:
            found.append((Finding("listing", url, 0), _page_url(url, facts.links), [], facts.links))
            continue
        page = from_listing(outcome.text, url, provisional(base, compiled.pattern), None)
        paging = _page_url(url, facts.links)
        named = _rank(url) < len(_LISTING_WORDS)
        # An "about us" page with a "latest news" sidebar is no listing: a listing pages on,
        # or is called one.
        if len(page.candidates) >= MIN_LISTING_LINKS and (paging or named):
            selector = await _link_selector(probe, url, outcome.text, paging, compiled)
            finding = Finding("listing", url, len(page.candidates), selector or "")
            found.append((finding, paging, list(page.candidates), facts.links))
    return found


async def _link_selector(
    probe: Probe, url: str, html: str, paging: str | None, pattern: re.Pattern[str]
) -> str | None:
    """The listing's own blocks, told from sidebars by comparing its first two pages."""
    if paging is None:
        return None
    second_url = paging.format(page=2)
    second = await probe.get("listing", second_url)
    if not second.ok or second.text is None:
        return None
    host = urlsplit(url).netloc

    def is_story(link: str) -> bool:
        parts = urlsplit(link)
        return parts.netloc == host and pattern.search(parts.path) is not None

    return infer_link_selector(html, url, second.text, second_url, is_story)
