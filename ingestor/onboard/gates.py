"""Quality gates for a sample of extracted articles: what "this source works" means, gate by gate.

Gates, per page:
- `title`: the page itself gave a headline (not only the feed), of headline length;
- `date`: the publication time came from the page, feed or sitemap with a time of day
  (not the URL's day, not "first seen"), and is not in the future;
- `body`: paragraphs of real prose (enough words, sentences that end, few link-list lines);
- `furniture`: no credit line, "Baca juga", reuse notice or share/menu line in the body, and no
  short paragraph repeated on every sampled page (that is the site's chrome, not the story);
- `author`: when the site names authors at all (any sampled page has one), every page does;
- `layout`: when the entry has hand rules (a layout), they found the title and the body.
A sample passes when every gate passes on every page; the report keeps the first failure of
each gate with its URL so the operator sees which gate failed and where.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from database.records import ArticleRecord

__all__ = ["GATES", "GateResult", "PageCheck", "SampleReport", "judge_sample"]

GATES = ("title", "date", "body", "furniture", "author", "layout")
_TIMED_SOURCES = frozenset({"jsonld", "meta", "page", "rss", "sitemap"})
_MIN_WORDS = 60
_MIN_PARAGRAPHS = 2
_MIN_SENTENCE_SHARE = 0.5
_FUTURE_SLACK = timedelta(hours=1)
_MIN_REPEATS = 3
_CHROME_WORDS = 12
_FURNITURE = re.compile(
    r"^(?:baca juga|lihat juga|simak juga|pewarta\s*:|editor\s*:|copyright\b|©|hak cipta"
    r"|dilarang keras|bagikan\b|share\b|ikuti kami|follow us|advertisement\b|iklan\b"
    r"|komentar\b|login\b|masuk\b|berita terkait|related\b|tags?\s*:)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…\"”’)]\s*$")


@dataclass(frozen=True, slots=True)
class GateResult:
    """One gate on one page: passed, or the reason it did not."""

    gate: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PageCheck:
    """The gates of one sampled page (or the fetch/extract error that stopped it)."""

    url: str
    results: tuple[GateResult, ...] = ()
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(r.passed for r in self.results)


@dataclass(frozen=True, slots=True)
class SampleReport:
    """The verdict on a sample: per page, and the gates that failed anywhere."""

    pages: tuple[PageCheck, ...]
    failed_gates: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return bool(self.pages) and not self.failed_gates

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "failed_gates": list(self.failed_gates),
            "pages": [
                {
                    "url": p.url,
                    "error": p.error,
                    "gates": {r.gate: r.passed for r in p.results},
                    "failures": {r.gate: r.detail for r in p.results if not r.passed},
                }
                for p in self.pages
            ],
        }

    def summary(self) -> str:
        """One line: 'passed 5/5 pages' or 'failed: body (3 pages), layout (5 pages)'."""
        good = sum(p.passed for p in self.pages)
        if self.passed:
            return f"passed {good}/{len(self.pages)} pages"
        counts: Counter[str] = Counter()
        for page in self.pages:
            if page.error is not None:
                counts["fetch/extract"] += 1
            counts.update(r.gate for r in page.results if not r.passed)
        return "failed: " + ", ".join(
            f"{g} ({n} of {len(self.pages)} pages)" for g, n in counts.items()
        )


def _title(record: ArticleRecord) -> GateResult:
    title = record.title.strip()
    if not title:
        return GateResult("title", False, "no title")
    if record.provenance.get("title") == "rss":
        return GateResult("title", False, "only the feed gave a title; the page has none")
    if not 10 <= len(title) <= 300:
        return GateResult("title", False, f"title of {len(title)} characters: {title[:60]!r}")
    return GateResult("title", True)


def _date(record: ArticleRecord, now: datetime) -> GateResult:
    if record.date_source not in _TIMED_SOURCES or record.published_at is None:
        return GateResult(
            "date", False, f"no dated time on the page (date from {record.date_source})"
        )
    if record.published_at > now + _FUTURE_SLACK:
        return GateResult(
            "date", False, f"published_at {record.published_at.isoformat()} is in the future"
        )
    return GateResult("date", True)


def _body(paragraphs: list[str]) -> GateResult:
    words = sum(len(p.split()) for p in paragraphs)
    if len(paragraphs) < _MIN_PARAGRAPHS or words < _MIN_WORDS:
        return GateResult(
            "body", False, f"{len(paragraphs)} paragraphs, {words} words: no article text"
        )
    ended = sum(bool(_SENTENCE_END.search(p)) for p in paragraphs) / len(paragraphs)
    if ended < _MIN_SENTENCE_SHARE:
        return GateResult(
            "body", False, f"only {ended:.0%} of paragraphs end a sentence: not prose"
        )
    return GateResult("body", True)


def _furniture(paragraphs: list[str], repeated: set[str]) -> GateResult:
    for paragraph in paragraphs:
        if _FURNITURE.match(paragraph.strip()):
            return GateResult("furniture", False, f"site furniture in the body: {paragraph[:60]!r}")
        if paragraph in repeated:
            return GateResult("furniture", False, f"repeated on other pages: {paragraph[:60]!r}")
    return GateResult("furniture", True)


def _layout(record: ArticleRecord, has_rules: bool) -> GateResult:
    if not has_rules:
        return GateResult("layout", True, "no hand rules")
    missing = [f for f in ("title", "text") if record.provenance.get(f) != "rules"]
    if missing:
        got = ", ".join(f"{f} from {record.provenance.get(f)}" for f in missing)
        return GateResult("layout", False, f"the layout's selectors no longer match ({got})")
    return GateResult("layout", True)


def judge_sample(
    records: Sequence[ArticleRecord | tuple[str, str]], *, has_rules: bool, now: datetime
) -> SampleReport:
    """Gate every sampled page; a (url, error) pair stands for a page that could not be read."""
    good = [r for r in records if isinstance(r, ArticleRecord)]
    bodies = [[p for p in r.text.split("\n\n") if p.strip()] for r in good]
    seen: Counter[str] = Counter(p for paragraphs in bodies for p in set(paragraphs))
    # Chrome leaking into bodies repeats on every page of a layout; a sentence that recurs in
    # some stories of a series (a market report's closing line) is still the story.
    need = max(_MIN_REPEATS, len(good))
    # Long repeats are left alone: chrome is short lines (follow us, a credit, a notice), while
    # a series of stories may share a whole background paragraph.
    repeated = {p for p, n in seen.items() if n >= need and len(p.split()) <= _CHROME_WORDS}
    site_has_authors = any(r.authors for r in good)
    pages: list[PageCheck] = []
    paragraphs_of = iter(bodies)
    for item in records:
        if not isinstance(item, ArticleRecord):
            pages.append(PageCheck(item[0], error=item[1]))
            continue
        paragraphs = next(paragraphs_of)
        author = GateResult("author", bool(item.authors) or not site_has_authors,
                            "" if item.authors or not site_has_authors else "no author, though other pages name one")  # fmt: skip
        results = (
            _title(item), _date(item, now), _body(paragraphs),
            _furniture(paragraphs, repeated), author, _layout(item, has_rules),
        )  # fmt: skip
        pages.append(PageCheck(item.url, results))
    failed = [
        g for g in GATES if any(not r.passed for p in pages for r in p.results if r.gate == g)
    ]
    if any(p.error for p in pages):
        failed.append("fetch")
    return SampleReport(tuple(pages), tuple(failed))
