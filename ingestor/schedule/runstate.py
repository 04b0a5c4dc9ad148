"""What source runs share (settings, pool, fetcher, matchers) and one run's bookkeeping."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from config.catalogue import Catalogue
from config.lexicon import Lexicon
from config.settings import Settings
from ingestor import discover, store
from ingestor.classify import Gazetteer, Taxonomy, build_taxonomy
from ingestor.fetch import Fetcher, FetchOutcome, Validators, policy_for
from ingestor.sources import Source

__all__ = ["IngestContext", "Run", "RunSummary", "hints_json", "utc_now"]

log = logging.getLogger(__name__)


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
        cls,
        settings: Settings,
        pool: asyncpg.Pool,
        fetcher: Fetcher,
        catalogue: Catalogue,
        lexicon: Lexicon,
    ) -> IngestContext:
        """Compile the gazetteer and topic matchers once for every run of the process."""
        return cls(
            settings=settings, pool=pool, fetcher=fetcher,
            gazetteer=Gazetteer.from_catalogue(catalogue, lexicon),
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
    failed_pages: int = 0  # new article pages that could not be read (retried later)
    failed_fetches: int = 0  # every request that failed: feeds, listings, sitemaps, pages
    error_kind: str | None = None
    error_message: str | None = None
    health: str = "ok"
    drift: tuple[str, ...] = ()
    next_poll_s: float | None = None
    elapsed_s: float = 0.0
    events: list[store.LogEvent] = field(default_factory=list)


class Run:
    """Bookkeeping for one run: every fetch becomes a log event and a counter."""

    def __init__(self, ctx: IngestContext, source: Source) -> None:
        self.ctx, self.source = ctx, source
        self.policy = policy_for(source)
        self.summary = RunSummary(source_id=source.id, run_id=uuid.uuid4().hex[:12])
        self.failures: list[tuple[str, str, dict[str, Any], str, str]] = []
        self.fetch_states: list[store.FetchState] = []
        self.empty_listings = 0  # answered 200 with no article link: a drift signal
        self.fresh_for: float | None = None  # the feeds' own freshness promise
        self.retry_after: float | None = None  # the longest Retry-After the site asked for

    def page_failed(self, cand: discover.Candidate, kind: str, message: str) -> None:
        """A new article page could not be read: logged now, retried in a later run."""
        self.summary.failed_pages += 1
        self.problem(cand.url, kind, message)
        self.failures.append((cand.url, cand.via, hints_json(cand), kind, message))

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
        self.summary.failed_fetches += int(outcome.error_kind is not None)
        self.summary.events.append(
            store.LogEvent(
                source_id=self.source.id, run_id=self.summary.run_id, event="fetch", url=url,
                status=outcome.status, not_modified=outcome.not_modified,
                bytes=outcome.bytes_read, elapsed_ms=int(outcome.elapsed_ms),
                error_kind=outcome.error_kind, message=outcome.error_message,
            )
        )  # fmt: skip
        if conditional and outcome.error_kind is None:
            # Kept until the run's articles are stored (see store.save_fetch_states).
            self.fetch_states.append(
                store.FetchState(
                    url=url, source_id=self.source.id, status=outcome.status,
                    etag=outcome.etag, last_modified=outcome.last_modified,
                    not_modified=outcome.not_modified,
                )
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


def hints_json(cand: discover.Candidate) -> dict[str, Any]:
    return {
        "title": cand.title, "summary": cand.summary, "image": cand.image,
        "published_raw": cand.published_raw,
        "published": cand.published.isoformat() if cand.published else None,
    }  # fmt: skip
