"""Probe a newsroom from its home page and propose a catalogue entry (`warta sources add`).

Order of work, each request through the real Fetcher: robots.txt (read, not obeyed blindly:
we read its Sitemap lines and AI rules, and the Fetcher obeys it for every other URL); the home
page; feeds (its <link rel="alternate"> and common paths); sitemaps (robots.txt, common paths,
one level into an index); the article URL pattern (from feed and news-sitemap items, else from
story-like links); listing pages (home-page links that are not articles, the usual names
first); a sample of the newest articles, extracted with each hand layout to see which fits,
else the generic path; then province, time zone and the republish policy.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from database.records import ArticleRecord
from ingestor.classify import Gazetteer
from ingestor.discover import Candidate, from_feed, from_listing, from_sitemap
from ingestor.fetch import Fetcher, FetchOutcome, FetchPolicy
from ingestor.onboard.gates import SampleReport, judge_sample
from ingestor.onboard.listing import infer_link_selector
from ingestor.onboard.locale import RegionGuess, propose_region
from ingestor.onboard.page import PageFacts, read_page
from ingestor.onboard.pattern import PatternGuess, infer_pattern
from ingestor.onboard.policy import (
    Policy,
    RobotsFacts,
    Signals,
    directives,
    propose_policy,
    read_robots,
)
from ingestor.onboard.sample import Document, extract_page, newest
from ingestor.sources import TIMEZONES, Discovery, SiteRules, Source

__all__ = ["Finding", "SurveyOptions", "SurveyResult", "survey_site"]

log = logging.getLogger(__name__)

ROBOTS_AGENT = "Warta"
_FEED_PATHS = ("/rss", "/feed", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed/rss")
_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-news.xml", "/news-sitemap.xml")
_LISTING_WORDS = ("terkini", "terbaru", "indeks", "index", "latest", "news", "berita", "kanal")
_MAX_FEEDS = 3
_MAX_FEED_PROBES = 8
_MAX_LISTING_PROBES = 6
_MIN_LISTING_LINKS = 5
_MAX_CHILD_SITEMAPS = 3
_NEWS_NS = "sitemap-news"


@dataclass(frozen=True, slots=True)
class SurveyOptions:
    """What the operator asked for; overrides win over proposals."""

    allow_private_network: bool = False
    sample_size: int = 5
    source_id: str | None = None
    name: str | None = None
    province: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A feed, sitemap or listing the probe found, and how many article links it holds."""

    kind: str
    url: str
    articles: int
    note: str = ""


@dataclass(slots=True)
class SurveyResult:
    """Everything the probe learned; `fields` is the proposed entry (None: nothing to propose)."""

    base_url: str
    findings: list[Finding] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # URLs robots.txt kept us from, or failures
    pattern: PatternGuess | None = None
    layout_note: str = ""
    records: list[ArticleRecord | tuple[str, str]] = field(default_factory=list)
    report: SampleReport | None = None
    region: RegionGuess | None = None
    policy: Policy | None = None
    documents: list[Document] = field(default_factory=list)
    fields: dict[str, object] | None = None
    fatal: str | None = None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _provisional(
    base: str, pattern: str, rules: SiteRules | None = None, layout: str | None = None
) -> Source:
    """A throwaway Source so discovery and extraction can run before the entry exists."""
    return Source(
        id="onboard", name="onboard", base_url=base, province=None, tz_name="WIB",
        tz=TIMEZONES["WIB"], lang="id", discovery=Discovery(), article_pattern=re.compile(pattern),
        rules=rules, layout=layout,
    )  # fmt: skip


def _source_id(base: str) -> str:
    host = urlsplit(base).hostname or "site"
    labels = [
        p for p in host.split(".") if p not in ("www", "com", "co", "id", "net", "org", "or", "go")
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", "-".join(labels or [host]).lower()).strip("-")
    port = urlsplit(base).port
    if port and port not in (80, 443):
        slug = f"{slug}-{port}"
    return slug[:64] or "site"


class _Probe:
    """One survey's state: the fetcher, the policy, and the documents fetched so far."""

    def __init__(self, fetcher: Fetcher, policy: FetchPolicy, result: SurveyResult) -> None:
        self.fetcher, self.policy, self.result = fetcher, policy, result
        self.fetched: dict[str, FetchOutcome] = {}

    async def get(self, kind: str, url: str, *, robots: bool = True) -> FetchOutcome:
        if url in self.fetched:
            return self.fetched[url]
        policy = self.policy if robots else replace(self.policy, respect_robots=False)
        outcome = await self.fetcher.get(url, source=policy)
        self.fetched[url] = outcome
        self.result.documents.append(Document(kind, url, outcome))
        if outcome.error_kind == "robots_disallowed":
            self.result.skipped.append(f"{kind} {url}: disallowed by robots.txt, not fetched")
        elif not outcome.ok and kind not in ("feed?", "sitemap?", "listing?"):
            self.result.skipped.append(
                f"{kind} {url}: {outcome.error_kind}: {outcome.error_message or ''}"
            )
        return outcome


async def _feeds(probe: _Probe, base: str, home: PageFacts) -> list[Candidate]:
    """Working feeds, the page's own first; their items are known article URLs."""
    source = _provisional(base, "")
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
        probe.result.findings.append(Finding("feed", url, len(items)))
    return known


def _is_sitemap(body: bytes) -> str | None:
    head = body[:2048].decode("utf-8", "replace").lower()
    if body[:2] == b"\x1f\x8b" or "<urlset" in head:
        return "news" if _NEWS_NS in head else "urlset"
    if "<sitemapindex" in head:
        return "index"
    return None


async def _sitemaps(
    probe: _Probe, base: str, robots: RobotsFacts
) -> tuple[list[Candidate], list[Candidate]]:
    """(news items, other items) of the site's sitemaps; findings name the ones to propose."""
    source = _provisional(base, "")
    news: list[Candidate] = []
    other: list[Candidate] = []
    declared = [u for u in robots.sitemaps if _origin(u) == base]
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
    probe.result.findings.extend(proposed)
    return news, other


def _is_html(outcome: FetchOutcome) -> bool:
    return "html" in (outcome.content_type or "").lower()


def _listing_candidates(home: PageFacts, base: str, pattern: re.Pattern[str] | None) -> list[str]:
    urls = []
    for link in home.links:
        parts = urlsplit(link)
        if _origin(link) != base or parts.query or parts.path in ("", "/"):
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
            return f"{_origin(listing_url)}{path}/{{page}}"
        if parts.path.rstrip("/") == path and re.fullmatch(r"page=2", parts.query):
            return f"{_origin(listing_url)}{path}?page={{page}}"
    return None


async def _listings(
    probe: _Probe, base: str, home: PageFacts, pattern: PatternGuess | None
) -> list[tuple[Finding, str | None, list[Candidate], tuple[str, ...]]]:
    compiled = re.compile(pattern.pattern) if pattern else None
    found: list[tuple[Finding, str | None, list[Candidate], tuple[str, ...]]] = []
    for url in _listing_candidates(home, base, compiled)[:_MAX_LISTING_PROBES]:
        outcome = await probe.get("listing?", url)
        if not outcome.ok or outcome.text is None or not _is_html(outcome):
            continue
        facts = read_page(outcome.text, url)
        if compiled is None:
            found.append((Finding("listing", url, 0), _page_url(url, facts.links), [], facts.links))
            continue
        page = from_listing(outcome.text, url, _provisional(base, compiled.pattern), None)
        paging = _page_url(url, facts.links)
        named = _rank(url) < len(_LISTING_WORDS)
        # An "about us" page with a "latest news" sidebar is no listing: a listing pages on,
        # or is called one.
        if len(page.candidates) >= _MIN_LISTING_LINKS and (paging or named):
            selector = await _link_selector(probe, url, outcome.text, paging, compiled)
            finding = Finding("listing", url, len(page.candidates), selector or "")
            found.append((finding, paging, list(page.candidates), facts.links))
    return found


async def _link_selector(
    probe: _Probe, url: str, html: str, paging: str | None, pattern: re.Pattern[str]
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


def _fit_layout(
    pages: list[tuple[Candidate, FetchOutcome]],
    base: str,
    pattern: str,
    layouts: Mapping[str, SiteRules],
    now: datetime,
) -> tuple[str | None, list[ArticleRecord | tuple[str, str]], str]:
    """The hand layout whose selectors find title and body on every sampled page, else None."""
    best: tuple[int, str | None] = (0, None)
    for name, rules in layouts.items():
        source = _provisional(base, pattern, rules, name)
        fits = 0
        for cand, outcome in pages:
            record = extract_page(outcome, cand, source, now)
            if (
                isinstance(record, ArticleRecord)
                and record.provenance.get("title") == "rules"
                and record.provenance.get("text") == "rules"
            ):
                fits += 1
        if fits > best[0]:
            best = (fits, name)
    fits, closest = best
    chosen: str | None = None
    if closest is not None and fits == len(pages):
        chosen = closest
        source = _provisional(base, pattern, layouts[closest], closest)
        note = f"hand layout {closest!r} fits {fits} of {len(pages)} sampled pages"
    else:
        source = _provisional(base, pattern)
        note = "no hand layout fits every sampled page: generic extraction"
        if fits:
            note += f" (the closest, {best[1]!r}, fits {fits} of {len(pages)})"
    records = [extract_page(outcome, cand, source, now) for cand, outcome in pages]
    return chosen, records, note


def _signals(robots: RobotsFacts, pages: list[tuple[PageFacts, FetchOutcome]]) -> Signals:
    """Signals from every page read; a notice counts when two pages carry it (chrome, not a story)."""
    values = [d for facts, _ in pages for d in facts.robots]
    values += [o.x_robots_tag for _, o in pages if o.x_robots_tag]
    need = 2 if len(pages) > 1 else 1
    ai = Counter(n for facts, _ in pages for n in facts.ai_notices)
    content = Counter(n for facts, _ in pages for n in facts.content_notices)
    licence = next((f.license for f, _ in pages if f.license), None)
    owner = Counter(f.copyright for f, _ in pages if f.copyright).most_common(1)
    return Signals(
        robots=robots,
        directives=tuple(directives(values, ROBOTS_AGENT)),
        ai_notices=tuple(n for n, c in ai.items() if c >= need),
        content_notices=tuple(n for n, c in content.items() if c >= need),
        license=licence,
        copyright=owner[0][0] if owner else None,
    )


async def survey_site(
    fetcher: Fetcher,
    url: str,
    options: SurveyOptions,
    *,
    layouts: Mapping[str, SiteRules],
    gazetteer: Gazetteer,
    zones: Mapping[str, str | None],
    clock: Callable[[], datetime],
) -> SurveyResult:
    """Probe the site at `url` and propose its entry; fatal problems land in `result.fatal`."""
    base = _origin(url)
    result = SurveyResult(base_url=base)
    policy = FetchPolicy(source_id="onboard", allow_private_network=options.allow_private_network)
    probe = _Probe(fetcher, policy, result)
    robots_out = await probe.get("robots", f"{base}/robots.txt", robots=False)
    robots_text = robots_out.text if robots_out.ok else None
    robots = read_robots(robots_text, ROBOTS_AGENT, base)
    if not robots.allows_home:
        result.fatal = "robots.txt disallows Warta on the home page: the site does not want us"
        return result
    home_out = await probe.get("home", url)
    if not home_out.ok or home_out.text is None:
        result.fatal = f"home page {url}: {home_out.error_kind}: {home_out.error_message or ''}"
        return result
    base = _origin(home_out.final_url)  # a redirect to https:// or www. names the real site
    result.base_url = base
    home = read_page(home_out.text, home_out.final_url)
    known = await _feeds(probe, base, home)
    news, other = await _sitemaps(probe, base, robots)
    known += news
    pattern = infer_pattern(base, [c.url for c in known], [*home.links, *(c.url for c in other)])
    listings = await _listings(probe, base, home, pattern)
    if pattern is None:  # a listing-only site: its listings' links vote
        links = [link for *_, page_links in listings for link in page_links]
        pattern = infer_pattern(base, [], [*home.links, *links])
        if pattern is not None:
            listings = await _listings(probe, base, home, pattern)
    result.pattern = pattern
    if pattern is None:
        result.fatal = "no article URL pattern: found no feed, sitemap or listing with story links"
        return result
    compiled = re.compile(pattern.pattern)
    listings = [item for item in listings if item[0].articles >= _MIN_LISTING_LINKS]
    if not listings and not known and not other:  # no feed, sitemap or listing: the home page
        page = from_listing(home_out.text, base + "/", _provisional(base, pattern.pattern), None)
        if len(page.candidates) >= _MIN_LISTING_LINKS:
            home_listing = Finding("listing", base + "/", len(page.candidates), "home page")
            listings.append((home_listing, None, list(page.candidates), home.links))
    chosen = max(listings, key=lambda item: item[0].articles, default=None)
    if chosen is not None:
        result.findings.append(chosen[0])
    pool = [c for c in known if compiled.search(urlsplit(c.url).path)]
    if chosen is not None:
        pool += chosen[2]
    pool += [c for c in other if compiled.search(urlsplit(c.url).path)]
    pool = list({c.url: c for c in reversed(pool)}.values())[::-1]
    pages: list[tuple[Candidate, FetchOutcome]] = []
    for cand in newest(pool, options.sample_size):
        pages.append((cand, await probe.get("article", cand.url)))
    now = clock()
    layout, records, note = _fit_layout(pages, base, pattern.pattern, layouts, now)
    result.layout_note, result.records = note, records
    result.report = judge_sample(records, has_rules=layout is not None, now=now)
    good = [r for r in records if isinstance(r, ArticleRecord)]
    region = propose_region(good, gazetteer, zones)
    result.region = region
    read = [(home, home_out)] + [
        (read_page(o.text, o.final_url), o) for _, o in pages if o.ok and o.text is not None
    ]
    site_name = options.name or home.name or urlsplit(base).netloc
    result.policy = propose_policy(_signals(robots, read), site_name)
    if result.policy.blocked:
        result.fatal = result.policy.blocked
        return result
    province = options.province if options.province is not None else region.province
    zone = options.timezone or (zones.get(province) if province else None) or region.timezone
    feeds = [f.url for f in result.findings if f.kind == "feed"]
    sitemaps = [f.url for f in result.findings if f.kind == "sitemap"]
    listing_fields = []
    if chosen is not None:
        entry: dict[str, object] = {"url": chosen[0].url}
        if chosen[1]:
            entry.update(page_url=chosen[1], max_pages=5)
        if chosen[0].note and chosen[0].note != "home page":
            entry["link_selector"] = chosen[0].note
        listing_fields.append(entry)
    langs = Counter(r.lang for r in good if r.lang).most_common(1)
    result.fields = {
        "id": options.source_id or _source_id(base),
        "name": site_name,
        "base_url": base,
        "province": province or None,
        "timezone": zone,
        "lang": home.lang or (langs[0][0] if langs else "id"),
        "layout": layout,
        "article_pattern": pattern.pattern,
        "rss": feeds,
        "listings": listing_fields,
        "sitemaps": sitemaps,
        "republish": result.policy.republish,
        "rights": result.policy.rights,
        "enabled": result.report.passed,
        "allow_private_network": True if options.allow_private_network else None,
        "notes": "; ".join(result.policy.reasons) or None,
    }
    return result
