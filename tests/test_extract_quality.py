"""Extraction quality over the whole fixture corpus, held to the floors in fixtures/pages/floors.json.

Every contract field is scored against the golden records; body text by token F1, also for
trafilatura on the same pages. Run with `-s` to see the per-field table.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
import trafilatura

from ingestor.extract.article import extract_article
from tests.fixtures.pages.corpus import PAGES_DIR, Page, load_pages, token_f1

FLOORS: dict[str, Any] = json.loads((PAGES_DIR / "floors.json").read_text(encoding="utf-8"))
FIELDS = (
    "title", "canonical_url", "source", "summary", "authors", "published_at", "published_raw",
    "date_source", "updated_at", "lang", "image", "image_caption", "section", "tags", "place",
    "related", "region", "regency", "topics", "content_hash", "duplicate_of",
)  # fmt: skip
EXACT_WITH_RULES = ("title", "published_at", "authors")
PAGES = load_pages()


@dataclass(frozen=True)
class Scored:
    page: Page
    record: dict[str, Any]
    place_hint: str | None
    f1: float
    generic_f1: float  # the same page with no site rules
    trafilatura_f1: float


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    out = []
    for page in PAGES:
        record = extract_article(
            page.html, page.url, source=page.source, fetched_at=page.fetched_at
        )
        generic = extract_article(page.html, page.url, fetched_at=page.fetched_at)
        baseline = trafilatura.extract(page.html, url=page.url)
        want = page.expected["text"]
        out.append(
            Scored(
                page=page,
                record=record.to_json(),
                place_hint=record.provenance.get("place_hint"),
                f1=token_f1(want, record.text)[2],
                generic_f1=token_f1(want, generic.text)[2],
                trafilatura_f1=token_f1(want, baseline)[2],
            )
        )
    return out


def test_corpus_covers_the_layouts() -> None:
    counts = Counter(page.layout for page in PAGES)
    assert len(PAGES) >= FLOORS["pages"], counts
    for layout, minimum in FLOORS["pages_per_layout"].items():
        assert counts[layout] >= minimum, (layout, counts)
    names = {page.name for page in PAGES}
    # The same ANTARA article with and without JSON-LD.
    assert {"antara/kalsel-tapin-pasar-jsonld", "antara/kalsel-tapin-pasar-nojsonld"} <= names


@pytest.mark.parametrize("page", [p for p in PAGES if p.source is not None], ids=lambda p: p.name)
def test_rule_pages_exact(page: Page) -> None:
    record = extract_article(page.html, page.url, source=page.source, fetched_at=page.fetched_at)
    got = record.to_json()
    for field in EXACT_WITH_RULES:
        assert got[field] == page.expected[field], field


def test_field_accuracy_floors(scored: list[Scored]) -> None:
    accuracy = _field_accuracy(scored)
    _print_table(scored, accuracy)
    below = {
        field: (round(value, 3), FLOORS["field_accuracy"][field])
        for field, value in accuracy.items()
        if value < FLOORS["field_accuracy"][field]
    }
    assert not below, below


def test_body_f1_floors(scored: list[Scored]) -> None:
    overall = sum(s.f1 for s in scored) / len(scored)
    worst = min(scored, key=lambda s: s.f1)
    assert overall >= FLOORS["body_f1_overall"], overall
    assert worst.f1 >= FLOORS["body_f1_page_min"], (worst.page.name, worst.f1)


def test_generic_path_at_least_as_good_as_trafilatura(scored: list[Scored]) -> None:
    generic = [s for s in scored if s.page.source is None]
    assert generic
    ours = sum(s.f1 for s in generic) / len(generic)
    theirs = sum(s.trafilatura_f1 for s in generic) / len(generic)
    assert ours >= theirs, (ours, theirs)
    # Also with the rules taken away from every page of the corpus.
    ours_all = sum(s.generic_f1 for s in scored) / len(scored)
    theirs_all = sum(s.trafilatura_f1 for s in scored) / len(scored)
    assert ours_all >= theirs_all, (ours_all, theirs_all)
    assert ours_all >= FLOORS["generic_path_body_f1"], ours_all


def _field_accuracy(scored: list[Scored]) -> dict[str, float]:
    hits: Counter[str] = Counter()
    for s in scored:
        for field in FIELDS:
            hits[field] += s.record[field] == s.page.expected[field]
        want_hint = s.page.expected.get("_extra", {}).get("place_hint")
        hits["place_hint"] += s.place_hint == want_hint
        hits["text_exact"] += s.record["text"] == s.page.expected["text"]
    return {field: hits[field] / len(scored) for field in (*FIELDS, "place_hint", "text_exact")}


def _print_table(scored: list[Scored], accuracy: dict[str, float]) -> None:
    print(f"\n{len(scored)} pages; field accuracy:")
    for field, value in accuracy.items():
        print(f"  {field:15s} {value:.3f}")
    print(f"{'page':48s} {'warta':>6s} {'no rules':>8s} {'trafilatura':>11s}")
    for s in scored:
        print(f"{s.page.name:48s} {s.f1:6.3f} {s.generic_f1:8.3f} {s.trafilatura_f1:11.3f}")
    n = len(scored)
    mean = (sum(s.f1 for s in scored) / n, sum(s.generic_f1 for s in scored) / n)
    print(
        f"{'mean':48s} {mean[0]:6.3f} {mean[1]:8.3f} {sum(s.trafilatura_f1 for s in scored) / n:11.3f}"
    )
