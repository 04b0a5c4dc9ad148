"""Real pages from public benchmarks, read with no site rules: the story's text and its date.

The pages (tests/fixtures/real, attribution in SOURCES.md) are ones the generic path once got
wrong: a story split over layout columns, a body with no article-like class names, a JSON-LD date
on the WebPage node only, a date printed as "Datum: 03.02.2022" or away from the headline.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingestor.extract import extract_article
from ingestor.extract.article import DEFAULT_TZ
from ingestor.extract.dates import parse_date
from ingestor.fetch.decode import decode_text

HERE = Path(__file__).parent / "fixtures" / "real"
EXPECTED: dict[str, dict[str, Any]] = json.loads((HERE / "expected.json").read_text("utf-8"))
FETCHED_AT = datetime(2026, 12, 1, tzinfo=UTC)


def _read(name: str) -> Any:
    raw = gzip.decompress((HERE / f"{name}.html.gz").read_bytes())
    return extract_article(decode_text(raw).text, EXPECTED[name]["url"], fetched_at=FETCHED_AT)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def _by_corpus(corpus: str) -> list[str]:
    return sorted(name for name, e in EXPECTED.items() if e["corpus"] == corpus)


def test_every_fixture_is_attributed() -> None:
    sources = (HERE / "SOURCES.md").read_text("utf-8")
    for name, expected in EXPECTED.items():
        assert f"`{name}.html.gz`" in sources and expected["url"] in sources


@pytest.mark.parametrize("name", _by_corpus("trafilatura-eval"))
def test_story_text_in_and_boilerplate_out(name: str) -> None:
    record = _read(name)
    text = _norm(record.text)
    assert record.provenance["text"] == "generic"
    missing = [s for s in EXPECTED[name]["with"] if _norm(s) not in text]
    leaked = [s for s in EXPECTED[name]["without"] if _norm(s) in text]
    assert not missing and not leaked, (missing, leaked)


@pytest.mark.parametrize("name", _by_corpus("htmldate-eval"))
def test_publication_day_found_on_the_page(name: str) -> None:
    record = _read(name)
    assert record.date_source != "first_seen"
    assert record.published_raw is not None
    # The day as the page prints it, in its own zone (the record keeps the instant in UTC).
    printed = parse_date(record.published_raw, tz=DEFAULT_TZ, now=FETCHED_AT)
    assert printed is not None
    assert printed.value.date().isoformat() == EXPECTED[name]["date"]


@pytest.mark.parametrize("name", _by_corpus("newspaper4k"))
def test_text_close_to_the_expected_text(name: str) -> None:
    got, want = _shingles(_read(name).text), _shingles(EXPECTED[name]["text"])
    common = sum((got & want).values())
    precision, recall = common / sum(got.values()), common / sum(want.values())
    # The old density finder scored 0.83 here (it lost the closing paragraphs).
    assert 2 * precision * recall / (precision + recall) >= 0.9
