"""Fetch a small live sample of a source: its discovery documents, newest article pages, records.

Shared by `warta sources add` (with a provisional entry), `check` and `snapshot`. Everything
goes through the real Fetcher, so robots.txt, the User-Agent, the address guard and the
per-origin limits apply exactly as in ingestion. No database: the sample lives in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from database.records import ArticleRecord
from ingestor.discover import Candidate, from_feed, from_listing, from_sitemap
from ingestor.extract import ExtractError, FeedHints, LearnedTemplate, extract_article
from ingestor.fetch import Fetcher, FetchOutcome, FetchPolicy, policy_for
from ingestor.sources import Source

__all__ = [
    "Document",
    "Sample",
    "discover_candidates",
    "extract_page",
    "fetch_sample",
    "hints_of",
    "newest",
]

log = logging.getLogger(__name__)

_MAX_CHILD_SITEMAPS = 3
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Document:
    """One fetched response kept for the report or a snapshot."""

    kind: str  # robots | feed | listing | sitemap | article | home
    url: str
    outcome: FetchOutcome


@dataclass(slots=True)
class Sample:
    """What sampling a source found: candidates, documents, records and per-page errors."""

    candidates: list[Candidate] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    records: list[ArticleRecord | tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def hints_of(cand: Candidate) -> FeedHints:
    """The listing's metadata as extraction fallbacks (the pipeline passes the same)."""
    return FeedHints(
        title=cand.title, published=cand.published, published_raw=cand.published_raw,
        summary=cand.summary, image=cand.image, via="sitemap" if cand.via == "sitemap" else "rss",
    )  # fmt: skip


def extract_page(
    outcome: FetchOutcome,
    cand: Candidate,
    source: Source,
    now: datetime,
    template: LearnedTemplate | None = None,
) -> ArticleRecord | tuple[str, str]:
    """The record of a fetched article page, or (url, why) when there is none."""
    if not outcome.ok or outcome.text is None:
        return (
            cand.url,
            f"{outcome.error_kind or 'not text'}: {outcome.error_message or ''}".strip(),
        )
    try:
        return extract_article(
            outcome.text,
            outcome.final_url,
            source=source,
            fetched_at=now,
            hints=hints_of(cand),
            template=template,
        )
    except ExtractError as exc:
        return cand.url, str(exc)


async def _get(
    fetcher: Fetcher, policy: FetchPolicy, sample: Sample, kind: str, url: str
) -> FetchOutcome:
    outcome = await fetcher.get(url, source=policy)
    sample.documents.append(Document(kind, url, outcome))
    if not outcome.ok:
        sample.problems.append(f"{kind} {url}: {outcome.error_kind}: {outcome.error_message or ''}")
    return outcome


async def discover_candidates(
    fetcher: Fetcher, source: Source, sample: Sample, *, policy: FetchPolicy | None = None
) -> None:
    """Every candidate the entry's feeds, first listing pages and sitemaps give, feeds first."""
    policy = policy or policy_for(source)
    found: list[Candidate] = []
    for url in source.discovery.rss:
        outcome = await _get(fetcher, policy, sample, "feed", url)
        if outcome.ok:
            found.extend(from_feed(outcome.body, url, source))
    for listing in source.discovery.listings:
        outcome = await _get(fetcher, policy, sample, "listing", listing.url)
        if outcome.ok and outcome.text is not None:
            page = from_listing(outcome.text, listing.url, source, listing.link_selector)
            found.extend(page.candidates)
    queue, children = list(source.discovery.sitemaps), 0
    while queue:
        url = queue.pop(0)
        outcome = await _get(fetcher, policy, sample, "sitemap", url)
        if not outcome.ok:
            continue
        try:
            sitemap = from_sitemap(outcome.body, url, source)
        except ValueError as exc:
            sample.problems.append(f"sitemap {url}: {exc}")
            continue
        found.extend(sitemap.candidates)
        more = list(sitemap.sitemaps[: max(0, _MAX_CHILD_SITEMAPS - children)])
        children += len(more)
        queue.extend(more)
    seen: set[str] = set()
    for cand in found:
        if cand.url not in seen:
            seen.add(cand.url)
            sample.candidates.append(cand)


def newest(candidates: list[Candidate], size: int) -> list[Candidate]:
    """The `size` newest candidates (undated ones after the dated, in page order)."""
    dated = [c for c in candidates if c.published is not None]
    dated.sort(key=lambda c: c.published or _EPOCH, reverse=True)
    undated = [c for c in candidates if c.published is None]
    return (dated + undated)[:size]


async def fetch_sample(
    fetcher: Fetcher,
    source: Source,
    *,
    size: int,
    clock: Callable[[], datetime],
    policy: FetchPolicy | None = None,
) -> Sample:
    """Discover the source's candidates, then fetch and extract its `size` newest articles."""
    sample = Sample()
    policy = policy or policy_for(source)
    await discover_candidates(fetcher, source, sample, policy=policy)
    log.info(
        "sample source_id=%s url=%s: %d candidates, fetching the %d newest",
        source.id, source.base_url, len(sample.candidates), min(size, len(sample.candidates)),
    )  # fmt: skip
    for cand in newest(sample.candidates, size):
        outcome = await _get(fetcher, policy, sample, "article", cand.url)
        sample.records.append(extract_page(outcome, cand, source, clock()))
    return sample
