"""Learned templates in a source run: load the template, keep pages to learn from, re-learn on drift.

A source whose hand rules read its pages needs no template. For any other (no rules, or rules
that stopped matching) the run keeps its new pages (bounded per source), and learns a template
when there is none, when the stored one is below the confidence floor, or when its body
selector missed most pages read since it was learned (the layout drifted). A template below the
floor is stored too and used without its selectors: the lines its pages printed are furniture on
the source's next pages all the same.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from config.settings import Settings
from ingestor import store
from ingestor.extract import LearnedTemplate, learn_template
from ingestor.extract.learn import remember
from ingestor.sources import Source

__all__ = ["TemplateRun", "finish_template_run", "start_template_run"]

log = logging.getLogger(__name__)

_DRIFT_MIN_PAGES = 3  # judge drift on at least this many pages
_DRIFT_SHARE = 0.5  # re-learn when the body selector missed more than this share


@dataclass(slots=True)
class TemplateRun:
    """One run's view of the source's template and the pages it read."""

    source: Source
    stored: store.StoredTemplate | None
    template: LearnedTemplate | None
    pages: list[tuple[str, str]] = field(default_factory=list)
    read: int = 0
    missed: int = 0

    def saw(self, url: str, html: str, method: str) -> None:
        """Record how a page's body was found (`method` is the record's text provenance)."""
        if method != "rules":
            self.pages.append((url, html))  # the rules do not read it: learn from it
        if self.template is not None and self.template.body:
            self.read += 1
            self.missed += method != "template"

    def drifted(self) -> bool:
        """This run's pages judge when there are enough of them; else all since learning."""
        read, missed = self.read, self.missed
        if read < _DRIFT_MIN_PAGES and self.stored is not None:
            read, missed = read + self.stored.pages_read, missed + self.stored.pages_missed
        return read >= _DRIFT_MIN_PAGES and missed > _DRIFT_SHARE * read


async def start_template_run(pool: asyncpg.Pool, source: Source, settings: Settings) -> TemplateRun:
    """The stored template; its selectors are used only when its confidence reaches the floor."""
    stored = await store.load_template(pool, source.id)
    if stored is None:
        return TemplateRun(source, None, None)
    if stored.template.confidence >= settings.template_min_confidence:
        return TemplateRun(source, stored, stored.template)
    return TemplateRun(source, stored, stored.template.furniture_only())


async def finish_template_run(
    pool: asyncpg.Pool, run: TemplateRun, settings: Settings, now: datetime
) -> LearnedTemplate | None:
    """Keep the run's pages, count drift, and learn a new template when one is due."""
    source = run.source
    if run.stored is not None and run.read:
        await store.count_template_use(pool, source.id, run.read, run.missed)
    if not run.pages or settings.template_pages <= 0:
        return None
    await store.keep_pages(pool, source.id, run.pages, now, limit=settings.template_pages)
    weak = (
        run.stored is not None and run.stored.template.confidence < settings.template_min_confidence
    )
    if run.stored is not None and not weak and not run.drifted():
        return None
    if run.stored is not None and not weak and len(run.pages) >= settings.template_min_pages:
        pages = run.pages  # drift: this run's pages show the new layout, older ones the old
    else:
        since = run.stored.template.learned_at if run.stored is not None and not weak else None
        pages = await store.recent_pages(pool, source.id, since)
    if len(pages) < settings.template_min_pages:
        return None
    # A weak template replaces none or another weak one (for what its pages printed), never a
    # confident one whose drift may be a passing glitch.
    weak_ok = run.stored is None or weak
    # Parsing a dozen pages takes a moment of CPU: off the event loop.
    learned = await asyncio.to_thread(_learn, pages, settings.template_min_pages, weak_ok)
    if learned is None or (learned.confidence < settings.template_min_confidence and not weak_ok):
        log.info(
            "%s %s: no template learned from %d pages", source.id, source.base_url, len(pages),
            extra={"source_id": source.id, "url": source.base_url},
        )  # fmt: skip
        return None
    await store.save_template(pool, source.id, learned, now)
    why = "drift" if run.stored is not None else "new"
    if learned.confidence < settings.template_min_confidence:
        why += ", under the confidence floor: only its pages' lines are used"
    log.info(
        "%s %s: template learned (%s) from %d pages, confidence %.2f, body %s",
        source.id, source.base_url, why, len(learned.pages), learned.confidence,
        ", ".join(learned.body) or "-", extra={"source_id": source.id, "url": source.base_url},
    )  # fmt: skip
    return learned


def _learn(pages: list[tuple[str, str]], min_pages: int, weak_ok: bool) -> LearnedTemplate | None:
    """The template of these pages; where no body selector holds, their lines alone (weak_ok)."""
    learned = learn_template(pages, min_pages=min_pages)
    if learned is None and weak_ok:
        return LearnedTemplate(pages=tuple(url for url, _ in pages), seen=remember(pages))
    return learned
