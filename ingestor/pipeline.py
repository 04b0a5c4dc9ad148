"""One source run, top to bottom: discover → fetch new pages → extract → normalize → store."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from config.catalogue import Catalogue
from config.records import ArticleRecord
from config.settings import Settings
from ingestor import discover, store
from ingestor.cadence import freshness, next_poll_seconds, publication_gap
from ingestor.extract import ExtractError, FeedHints, extract_article
from ingestor.fetch import Fetcher, FetchOutcome, Validators, policy_for
from ingestor.fetch_backoff import next_attempt_after
from ingestor.fingerprint import (
    CANDIDATE_DISTANCE,
    DEFAULT_WINDOW,
    is_near_duplicate,
    pick_canonical,
    simhash,
)
from ingestor.health import RunMetrics, assess
from ingestor.normalize import canonical_url, identity, normalize
from ingestor.regions import Gazetteer, tag_regions
from ingestor.sources import Source
from ingestor.topics import Taxonomy, build_taxonomy, classify_topics

__all__ = ["IngestContext", "RunSummary", "refresh_source"]

log = logging.getLogger(__name__)
_RNG = random.Random()


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class IngestContext:
    """What a source run needs; created once by the entry point and shared by all runs."""

    settings: Settings
    pool: asyncpg.Pool
    fetcher: Fetcher
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    clock: Callable[[], datetime] = utc_now
    article_concurrency: int = 4

    @classmethod
    def create(
        cls, settings: Settings, pool: asyncpg.Pool, fetcher: Fetcher, catalogue: Catalogue
    ) -> IngestContext:
        """Compile the gazetteer and topic matchers once for every run of the process."""
        return cls(
            settings=settings, pool=pool, fetcher=fetcher,
            gazetteer=Gazetteer.from_catalogue(catalogue),
            taxonomy=build_taxonomy(catalogue.topics),
        )  # fmt: skip


@dataclass(slots=True)
class RunSummary:
    """The outcome of one source run, also what `warta ingest --once` tabulates."""

    source_id: str
    run_id: str
    ok: bool = True
    new: int = 0
    updated: int = 0
    discovered: int = 0
    requests: int = 0
    not_modified: int = 0
    failed_pages: int = 0
    error_kind: str | None = None
    error_message: str | None = None
    health: str = "ok"
    drift: tuple[str, ...] = ()
    next_poll_s: float | None = None
    elapsed_s: float = 0.0
    events: list[store.LogEvent] = field(default_factory=list)


class _Run:
    """Bookkeeping for one run: every fetch becomes a log event and a counter."""

    def __init__(self, ctx: IngestContext, source: Source) -> None:
        self.ctx, self.source = ctx, source
        self.policy = policy_for(source)
        self.summary = RunSummary(source_id=source.id, run_id=uuid.uuid4().hex[:12])
        self.failures: list[tuple[str, str, dict[str, Any], str, str]] = []
        self.empty_listings = 0  # answered 200 with no article link: a drift signal
        self.fresh_for: float | None = None  # the feeds' own freshness promise
        self.retry_after: float | None = None  # the longest Retry-After the site asked for

    def page_failed(self, cand: discover.Candidate, kind: str, message: str) -> None:
        """A new article page could not be read: logged now, retried in a later run."""
        self.summary.failed_pages += 1
        self.problem(cand.url, kind, message)
        self.failures.append((cand.url, cand.via, _hints_json(cand), kind, message))

    async def fetch(self, url: str, *, conditional: bool) -> FetchOutcome:
        validators = None
        if conditional:
            etag, last_modified = await store.load_validators(self.ctx.pool, url)
            validators = Validators(etag=etag, last_modified=last_modified)
        outcome = await self.ctx.fetcher.get(url, source=self.policy, validators=validators)
        self.summary.requests += outcome.attempts
        if outcome.retry_after is not None:
            self.retry_after = max(self.retry_after or 0.0, outcome.retry_after)
        self.summary.not_modified += int(outcome.not_modified)
        self.summary.events.append(
            store.LogEvent(
                source_id=self.source.id, run_id=self.summary.run_id, event="fetch", url=url,
                status=outcome.status, not_modified=outcome.not_modified,
                bytes=outcome.bytes_read, elapsed_ms=int(outcome.elapsed_ms),
                error_kind=outcome.error_kind, message=outcome.error_message,
            )
        )  # fmt: skip
        if conditional and outcome.error_kind is None:
            await store.save_fetch_state(
                self.ctx.pool, url=url, source_id=self.source.id, status=outcome.status,
                etag=outcome.etag, last_modified=outcome.last_modified,
                not_modified=outcome.not_modified,
            )  # fmt: skip
        return outcome

    def problem(self, url: str, kind: str, message: str) -> None:
        log.warning("%s %s: %s: %s", self.source.id, url, kind, message)
        self.summary.events.append(
            store.LogEvent(
                source_id=self.source.id, run_id=self.summary.run_id, event="error", url=url,
                error_kind=kind, message=message,
            )
        )  # fmt: skip


_MAX_CHILD_SITEMAPS = 10


async def _from_feeds(run: _Run) -> tuple[list[discover.Candidate], int, bool]:
    """RSS/Atom candidates, endpoints that answered, and whether the feeds cover the gap.

    The feeds cover it when each answered and either did not change (304) or still lists an
    article we already have: then nothing can have slipped past between two polls.
    """
    found: list[discover.Candidate] = []
    answered, covered = 0, bool(run.source.discovery.rss)
    for feed_url in run.source.discovery.rss:
        outcome = await run.fetch(feed_url, conditional=True)
        if not outcome.ok:
            covered = False
            run.problem(feed_url, outcome.error_kind or "fetch", outcome.error_message or "")
            continue
        answered += 1
        fresh = freshness(
            outcome.cache_control, outcome.expires, outcome.body, now=run.ctx.clock()
        ).seconds
        if fresh is not None:
            run.fresh_for = fresh if run.fresh_for is None else min(run.fresh_for, fresh)
        if outcome.not_modified:
            continue
        items = discover.from_feed(outcome.body, feed_url, run.source)
        run.empty_listings += not items
        found.extend(items)
        if not await store.known_urls(run.ctx.pool, [c.url for c in items]):
            covered = False
    return found, answered, covered


async def _from_listings(run: _Run) -> tuple[list[discover.Candidate], int]:
    """Listing-page candidates, paging back (bounded) until a page holds a known article."""
    found: list[discover.Candidate] = []
    answered = 0
    for listing in run.source.discovery.listings:
        pages = [listing.url] + [
            listing.page_url.format(page=n) for n in range(2, listing.max_pages + 1)
            if listing.page_url
        ]  # fmt: skip
        for number, page_url in enumerate(pages, start=1):
            outcome = await run.fetch(page_url, conditional=False)
            if number > 1 and outcome.error_kind == "http_4xx":
                break  # paged past the last page: the end of the listing, not a fault
            if not outcome.ok or outcome.text is None:
                run.problem(page_url, outcome.error_kind or "fetch", outcome.error_message or "")
                break
            answered += 1
            page = discover.from_listing(outcome.text, page_url, run.source, listing.link_selector)
            run.empty_listings += number == 1 and not page.candidates
            found.extend(page.candidates)
            # Catch-up after downtime: keep paging only while the page is all news to us.
            if not page.candidates or await store.known_urls(
                run.ctx.pool, [c.url for c in page.candidates]
            ):
                break
    return found, answered


async def _from_sitemaps(run: _Run) -> tuple[list[discover.Candidate], int]:
    """Sitemap candidates; an index is followed one level down, to a bounded number of children."""
    found: list[discover.Candidate] = []
    answered = 0
    queue = list(run.source.discovery.sitemaps)
    followed = 0
    while queue:
        sitemap_url = queue.pop(0)
        outcome = await run.fetch(sitemap_url, conditional=True)
        if not outcome.ok:
            run.problem(sitemap_url, outcome.error_kind or "fetch", outcome.error_message or "")
            continue
        answered += 1
        if outcome.not_modified:
            continue
        try:
            sitemap = discover.from_sitemap(outcome.body, sitemap_url, run.source)
        except ValueError as exc:
            run.problem(sitemap_url, "sitemap", str(exc))
            continue
        found.extend(sitemap.candidates)
        children = list(sitemap.sitemaps[: max(0, _MAX_CHILD_SITEMAPS - followed)])
        followed += len(children)
        queue.extend(children)
    return found, answered


async def _discover(run: _Run) -> tuple[list[discover.Candidate], int]:
    """Candidates from the feeds, and from listings and sitemaps when the feeds leave a gap."""
    found, answered, covered = await _from_feeds(run)
    if not covered:
        for more in (await _from_listings(run), await _from_sitemaps(run)):
            found.extend(more[0])
            answered += more[1]
    return found, answered


def _merge(candidates: list[discover.Candidate]) -> list[discover.Candidate]:
    """One candidate per canonical URL, preferring the one with most metadata (RSS first)."""
    best: dict[str, discover.Candidate] = {}
    for cand in candidates:
        key = canonical_url(cand.url)
        current = best.get(key)
        if current is None or (current.published is None and cand.published is not None):
            best[key] = cand
    return list(best.values())


def _hints_json(cand: discover.Candidate) -> dict[str, Any]:
    return {
        "title": cand.title, "summary": cand.summary, "image": cand.image,
        "published_raw": cand.published_raw,
        "published": cand.published.isoformat() if cand.published else None,
    }  # fmt: skip


def _from_pending(item: store.Pending) -> discover.Candidate:
    hints = item.hints
    published = hints.get("published")
    return discover.Candidate(
        url=item.url, title=hints.get("title"), summary=hints.get("summary"),
        image=hints.get("image"), published_raw=hints.get("published_raw"),
        published=datetime.fromisoformat(published) if published else None, via=item.via,
    )  # fmt: skip


async def _ingest_one(run: _Run, cand: discover.Candidate) -> store.StoredArticle | None:
    """Fetch, extract and normalize one new article; a bad page is recorded, never raised."""
    # Conditional: the validators are saved, so later update checks can be answered by a 304.
    outcome = await run.fetch(cand.url, conditional=True)
    if not outcome.ok or outcome.text is None:
        run.page_failed(cand, outcome.error_kind or "fetch", outcome.error_message or "no body")
        return None
    now = run.ctx.clock()
    hints = FeedHints(
        title=cand.title, published=cand.published, published_raw=cand.published_raw,
        summary=cand.summary, image=cand.image, via="sitemap" if cand.via == "sitemap" else "rss",
    )  # fmt: skip
    try:
        record = extract_article(
            outcome.text, outcome.final_url or cand.url, source=run.source, fetched_at=now,
            hints=hints,
        )  # fmt: skip
    except ExtractError as exc:
        run.page_failed(cand, "extract", str(exc))
        return None
    return _classified(run, normalize(record, run.source, first_seen=now), now)


def _classified(run: _Run, record: ArticleRecord, now: datetime) -> store.StoredArticle:
    """Tag where it happened and what it is about; fingerprint it for duplicate clustering."""
    places = tag_regions(record, run.source.province, run.ctx.gazetteer)
    topics = classify_topics(record, run.ctx.taxonomy)
    record = replace(
        record,
        region=places.province,
        regency=places.regency,
        topics=tuple(t.topic for t in topics),
    )
    return store.StoredArticle(
        record=record, identity=identity(record.canonical_url or record.url),
        source_id=run.source.id, first_seen_at=now, regions=places.tags,
        topics=tuple((t.topic, t.score, t.reason) for t in topics),
        simhash=simhash(record.title, record.text), dateline_province=places.dateline_province,
    )  # fmt: skip


DEDUPE = store.Dedupe(
    same_story=is_near_duplicate,
    pick_canonical=pick_canonical,
    window=DEFAULT_WINDOW,
    radius=CANDIDATE_DISTANCE,
)


async def _recheck(run: _Run) -> int:
    """Re-read recent articles at their check ages; a corrected story is updated in place."""
    settings = run.ctx.settings
    due = await store.due_rechecks(
        run.ctx.pool, run.source.id,
        window=timedelta(hours=settings.recheck_window_hours),
        ages=[timedelta(hours=h) for h in settings.recheck_ages_hours],
        limit=settings.recheck_batch,
    )  # fmt: skip
    updated = 0
    for item in due:
        outcome = await run.fetch(item.url, conditional=True)
        if outcome.not_modified or not outcome.ok or outcome.text is None:
            continue  # unchanged, or unreadable now: the story as stored stands
        now = run.ctx.clock()
        try:
            record = extract_article(outcome.text, item.url, source=run.source, fetched_at=now)
        except ExtractError as exc:
            run.problem(item.url, "extract", str(exc))
            continue
        fresh = _classified(run, normalize(record, run.source, first_seen=now), now)
        if fresh.record.content_hash != item.content_hash and await store.update_article(
            run.ctx.pool, item.id, fresh
        ):
            updated += 1
    await store.mark_checked(run.ctx.pool, [item.id for item in due])
    return updated


def _judge_discovery(run: _Run, answered: int) -> None:
    """A run fails when no discovery endpoint answered; the last error says why."""
    discovery = run.source.discovery
    if answered or not (discovery.rss or discovery.listings or discovery.sitemaps):
        return
    last_error = next((e for e in reversed(run.summary.events) if e.error_kind), None)
    run.summary.ok = False
    run.summary.error_kind = last_error.error_kind if last_error else "discovery"
    run.summary.error_message = last_error.message if last_error else "no endpoint answered"


async def _unseen(
    pool: asyncpg.Pool, candidates: list[discover.Candidate]
) -> list[discover.Candidate]:
    """Only URLs not stored yet, by URL or canonical URL, are fetched."""
    canon = {c.url: canonical_url(c.url) for c in candidates}
    known = await store.known_urls(pool, [*canon, *canon.values()])
    return [c for c in candidates if c.url not in known and canon[c.url] not in known]


async def _ingest_all(run: _Run, fresh: list[discover.Candidate]) -> list[store.StoredArticle]:
    """Fetch and extract new articles with bounded concurrency; failures are kept aside."""
    gate = asyncio.Semaphore(run.ctx.article_concurrency)

    async def bounded(cand: discover.Candidate) -> store.StoredArticle | None:
        async with gate:
            return await _ingest_one(run, cand)

    results = await asyncio.gather(*(bounded(c) for c in fresh))
    return [item for item in results if item is not None]


def _metrics(run: _Run, items: list[store.StoredArticle]) -> RunMetrics:
    records = [item.record for item in items]
    count = len(records)
    return RunMetrics(
        ok=run.summary.ok,
        new_articles=count,
        empty_listings=run.empty_listings,
        mean_body_chars=sum(len(r.text) for r in records) / count if count else None,
        share_without_date=sum(r.date_source == "first_seen" for r in records) / count
        if count else None,
        share_without_author=sum(not r.authors for r in records) / count if count else None,
    )  # fmt: skip


async def _record(
    run: _Run, processed: list[str], items: list[store.StoredArticle], started: float
) -> None:
    """Write the log, pending retries, health and schedule; open or close the circuit."""
    ctx, source, summary, settings = run.ctx, run.source, run.summary, run.ctx.settings
    failed = {url for url, *_ in run.failures}
    await store.clear_pending(ctx.pool, [url for url in processed if url not in failed])
    await store.mark_pending(
        ctx.pool, run.failures, source.id,
        max_attempts=settings.pending_max_attempts, base_delay=settings.pending_retry_delay,
    )  # fmt: skip
    summary.elapsed_s = time.monotonic() - started
    await store.write_log(ctx.pool, summary.events)

    state = await store.source_state(ctx.pool, source.id)
    failures = 0 if summary.ok else state.consecutive_failures + 1
    verdict = assess(
        state.stats, _metrics(run, items), failures=failures,
        failing_after=settings.failing_after, disable_after=settings.disable_after,
    )  # fmt: skip
    summary.health, summary.drift = verdict.health, verdict.drift
    stats = {**verdict.stats, "last_run": {"discovered": summary.discovered,
             "requests": summary.requests, "not_modified": summary.not_modified,
             "failed_pages": summary.failed_pages, "updated": summary.updated}}  # fmt: skip
    reason = None
    if verdict.disable:
        reason = f"auto-disabled after {failures} failed runs: {summary.error_kind}: {summary.error_message}"
        log.error("%s %s: %s", source.id, source.base_url, reason,
                  extra={"source_id": source.id, "url": source.base_url})  # fmt: skip
    await store.record_run(
        ctx.pool, source.id, ok=summary.ok, new_articles=summary.new, failures=failures,
        health=verdict.health, stats=stats, error_kind=summary.error_kind,
        error_message=summary.error_message, disable_reason=reason,
    )  # fmt: skip
    # Circuit breaker: a failing source backs off exponentially (with jitter) up to a ceiling.
    open_until = None
    if failures:
        delay = next_attempt_after(
            failures,
            timedelta(seconds=settings.circuit_base_delay),
            timedelta(seconds=settings.circuit_max_delay),
            _RNG,
        )
        open_until = ctx.clock() + delay
    await store.set_circuit(ctx.pool, source.id, open_until)
    summary.next_poll_s = next_poll_seconds(
        poll_min=source.poll_min_seconds, poll_max=source.poll_max_seconds,
        gap=publication_gap(await store.recent_publications(ctx.pool, source.id)),
        fresh_for=run.fresh_for, retry_after=run.retry_after, rng=_RNG,
    )  # fmt: skip


async def refresh_source(ctx: IngestContext, source: Source) -> RunSummary:
    """Run one source end to end; failures are recorded on the source row, never raised."""
    started = time.monotonic()
    run = _Run(ctx, source)
    candidates, answered = await _discover(run)
    _judge_discovery(run, answered)
    retries = [_from_pending(p) for p in await store.due_pending(ctx.pool, source.id)]
    merged = _merge(candidates + retries)
    run.summary.discovered = len(merged)
    fresh = await _unseen(ctx.pool, merged)
    items = await _ingest_all(run, fresh)
    run.summary.new = len(
        await store.save_articles(ctx.pool, items, dedupe=DEDUPE, source_province=source.province)
    )
    run.summary.updated = await _recheck(run)
    await _record(run, [c.url for c in merged], items, started)
    summary = run.summary
    log.info(
        "%s %s: %d discovered, %d new, %d failed pages, %d requests (%d not modified) in %.1fs",
        source.id, source.base_url, summary.discovered, summary.new, summary.failed_pages,
        summary.requests, summary.not_modified, summary.elapsed_s,
        extra={"source_id": source.id, "url": source.base_url, "run_id": summary.run_id},
    )  # fmt: skip
    return summary
