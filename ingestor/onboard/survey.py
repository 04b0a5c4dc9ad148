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
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from database.records import ArticleRecord
from ingestor.classify import Gazetteer
from ingestor.discover import Candidate, from_listing
from ingestor.extract import LearnedTemplate, learn_template
from ingestor.fetch import Fetcher, FetchOutcome, FetchPolicy
from ingestor.onboard.gates import SampleReport, judge_sample
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
from ingestor.onboard.probe import (
    MIN_LISTING_LINKS,
    Finding,
    Probe,
    find_feeds,
    find_listings,
    find_sitemaps,
    is_html,
    origin,
    provisional,
)
from ingestor.onboard.sample import Document, extract_page, newest
from ingestor.sources import SiteRules

__all__ = ["SurveyOptions", "SurveyResult", "survey_site"]

log = logging.getLogger(__name__)

ROBOTS_AGENT = "Warta"  # the product token robots.txt rules name (the Fetcher's own)


@dataclass(frozen=True, slots=True)
class SurveyOptions:
    """What the operator asked for; overrides win over proposals."""

    allow_private_network: bool = False
    sample_size: int = 5
    source_id: str | None = None
    name: str | None = None
    province: str | None = None
    timezone: str | None = None


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


def _fit_layout(
    pages: list[tuple[Candidate, FetchOutcome]],
    base: str,
    pattern: str,
    layouts: Mapping[str, SiteRules],
    now: datetime,
) -> tuple[str | None, list[ArticleRecord | tuple[str, str]], str]:
    """The hand layout whose selectors find title and body on every sampled page, else None."""
    best: tuple[int, str | None] = (0, None)
    template: LearnedTemplate | None = None
    for name, rules in layouts.items():
        source = provisional(base, pattern, rules, name)
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
        source = provisional(base, pattern, layouts[closest], closest)
        note = f"hand layout {closest!r} fits {fits} of {len(pages)} sampled pages"
    else:
        source = provisional(base, pattern)
        # No hand layout: learn the site's template from the sample itself (what repeats is
        # furniture, what varies is the story), as ingestion will from the pages it keeps.
        template = _learned(pages)
        if template is not None:
            note = (
                f"no hand layout fits: template learned from {len(template.pages)} sampled pages"
                f" (body {', '.join(template.body)}, confidence {template.confidence:.2f})"
            )
        else:
            note = "no hand layout fits every sampled page: generic extraction"
        if fits:
            note += f" (the closest, {best[1]!r}, fits {fits} of {len(pages)})"
    records = [extract_page(outcome, cand, source, now, template) for cand, outcome in pages]
    return chosen, records, note


# The pipeline's own default (WARTA_TEMPLATE_MIN_CONFIDENCE): below it the generic path reads.
_MIN_CONFIDENCE = 0.6


def _learned(pages: list[tuple[Candidate, FetchOutcome]]) -> LearnedTemplate | None:
    sample = [(o.final_url, o.text) for _, o in pages if o.ok and o.text]
    template = learn_template(sample)
    if template is None or template.confidence < _MIN_CONFIDENCE:
        return None
    return template


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
    base = origin(url)
    result = SurveyResult(base_url=base)
    policy = FetchPolicy(source_id="onboard", allow_private_network=options.allow_private_network)
    log.info("onboard: probing %s (private network %s)", url, options.allow_private_network)
    probe = Probe(fetcher, policy)
    result.findings, result.documents, result.skipped = (
        probe.findings,
        probe.documents,
        probe.skipped,
    )
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
    base = origin(home_out.final_url)  # a redirect to https:// or www. names the real site
    result.base_url = base
    home = read_page(home_out.text, home_out.final_url)
    known = await find_feeds(probe, base, home)
    news, other = await find_sitemaps(probe, base, robots)
    known += news
    pattern = infer_pattern(base, [c.url for c in known], [*home.links, *(c.url for c in other)])
    listings = await find_listings(probe, base, home, pattern)
    if pattern is None:  # a listing-only site: its listings' links vote
        links = [link for *_, page_links in listings for link in page_links]
        pattern = infer_pattern(base, [], [*home.links, *links])
        if pattern is not None:
            listings = await find_listings(probe, base, home, pattern)
    result.pattern = pattern
    if pattern is None:
        result.fatal = "no article URL pattern: found no feed, sitemap or listing with story links"
        return result
    compiled = re.compile(pattern.pattern)
    listings = [item for item in listings if item[0].articles >= MIN_LISTING_LINKS]
    if not listings and not known and not other:  # no feed, sitemap or listing: the home page
        page = from_listing(home_out.text, base + "/", provisional(base, pattern.pattern), None)
        if len(page.candidates) >= MIN_LISTING_LINKS:
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
        (read_page(o.text, o.final_url), o)
        for _, o in pages
        if o.ok and o.text is not None and is_html(o)
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
