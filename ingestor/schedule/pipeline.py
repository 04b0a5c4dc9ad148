"""One source run, top to bottom: discover → fetch new pages → extract → normalize → store."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import replace
from datetime import datetime, timedelta

import asyncpg

from database.records import ArticleRecord
from ingestor import discover, store
from ingestor.classify import (
    CANDIDATE_DISTANCE,
    DEFAULT_WINDOW,
    canonical_url,
    classify_topics,
    identity,
    is_near_duplicate,
    normalize,
    pick_canonical,
    simhash,
    tag_regions,
)
from ingestor.extract import ExtractError, FeedHints, extract_article
from ingestor.fetch import next_attempt_after
from ingestor.schedule.cadence import next_poll_seconds, publication_gap
from ingestor.schedule.harvest import discover_all, from_pending, merge
from ingestor.schedule.health import RunMetrics, assess
from ingestor.schedule.runstate import IngestContext, Run, RunSummary
from ingestor.schedule.templates import TemplateRun, finish_template_run, start_template_run
from ingestor.sources import Source

__all__ = ["DEDUPE", "IngestContext", "RunSummary", "refresh_source"]

log = logging.getLogger(__name__)


_RNG = random.Random()


async def _ingest_one(
    run: Run, cand: discover.Candidate, learned: TemplateRun
) -> store.StoredArticle | None:
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
            hints=hints, template=learned.template,
        )  # fmt: skip
    except ExtractError as exc:
        run.page_failed(cand, "extract", str(exc))
        return None
    learned.saw(record.url, outcome.text, record.provenance.get("text", ""))
    return _classified(run, normalize(record, run.source, first_seen=now), now)


def _classified(run: Run, record: ArticleRecord, now: datetime) -> store.StoredArticle:
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


async def _recheck(run: Run, learned: TemplateRun) -> int:
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
            record = extract_article(
                outcome.text, item.url, source=run.source, fetched_at=now,
                template=learned.template,
            )  # fmt: skip
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


def _judge_discovery(run: Run, answered: int) -> None:
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


async def _ingest_all(
    run: Run, fresh: list[discover.Candidate], learned: TemplateRun
) -> list[store.StoredArticle]:
    """Fetch and extract new articles with bounded concurrency; failures are kept aside."""
    gate = asyncio.Semaphore(run.ctx.article_concurrency)

    async def bounded(cand: discover.Candidate) -> store.StoredArticle | None:
        async with gate:
            return await _ingest_one(run, cand, learned)

    results = await asyncio.gather(*(bounded(c) for c in fresh))
    return [item for item in results if item is not None]


def _metrics(run: Run, items: list[store.StoredArticle]) -> RunMetrics:
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
    run: Run, processed: list[str], items: list[store.StoredArticle], started: float
) -> None:
    """Write the log, pending retries, health and schedule; open or close the circuit."""
    ctx, source, summary, settings = run.ctx, run.source, run.summary, run.ctx.settings
    await store.save_fetch_states(ctx.pool, run.fetch_states)
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
    run = Run(ctx, source)
    candidates, answered = await discover_all(run)
    _judge_discovery(run, answered)
    retries = [from_pending(p) for p in await store.due_pending(ctx.pool, source.id)]
    merged = merge(candidates + retries)
    run.summary.discovered = len(merged)
    fresh = await _unseen(ctx.pool, merged)
    learned = await start_template_run(ctx.pool, source, ctx.settings)
    items = await _ingest_all(run, fresh, learned)
    run.summary.new = len(
        await store.save_articles(ctx.pool, items, dedupe=DEDUPE, source_province=source.province)
    )
    run.summary.updated = await _recheck(run, learned)
    await finish_template_run(ctx.pool, learned, ctx.settings, ctx.clock())
    await _record(run, [c.url for c in merged], items, started)
    summary = run.summary
    log.info(
        "%s %s: %d discovered, %d new, %d failed pages, %d failed fetches, %d requests"
        " (%d not modified) in %.1fs",
        source.id, source.base_url, summary.discovered, summary.new, summary.failed_pages,
        summary.failed_fetches, summary.requests, summary.not_modified, summary.elapsed_s,
        extra={"source_id": source.id, "url": source.base_url, "run_id": summary.run_id},
    )  # fmt: skip
    return summary
