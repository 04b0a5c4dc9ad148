"""Every article page of the simulated ANTARA site, fetched over loopback, extracts exactly.

The simsite (tests/simsite) is another engineer's rendering of today's layout, so this checks
the `antara` rules and the cleaner on markup they were not written against.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from database.records import ArticleRecord
from ingestor.extract.article import extract_article
from ingestor.sources.model import Discovery, Source
from tests.fixtures.pages.corpus import layouts
from warta.simsite import SimArticle, SimSite

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)
BUREAUS = ("kalsel", "kaltim", "jatim", "www")
FETCHED = NOW


@pytest.fixture(scope="module")
async def pages() -> AsyncIterator[list[tuple[SimArticle, Source, str, str]]]:
    """(story, source, article page, AMP page) for every published story of every bureau."""
    site = SimSite(bureaus=BUREAUS, per_page=10, clock=lambda: NOW)
    await site.start()
    try:
        out = []
        async with aiohttp.ClientSession() as http:
            for slug in BUREAUS:
                bureau = site.bureau(slug)
                source = Source(
                    id=f"antara-{slug}",
                    name=bureau.name,
                    base_url=bureau.base_url,
                    province=bureau.province_slug,
                    tz_name=bureau.tz_name,
                    tz=bureau.tz,  # type: ignore[arg-type]
                    lang="id",
                    discovery=Discovery(),
                    article_pattern=re.compile(r"^/berita/\d+/"),
                    rules=layouts()["antara"],
                    layout="antara",
                )
                for story in site.articles(slug):
                    amp_url = story.url.replace("/berita/", "/amp/berita/", 1)
                    async with http.get(story.url) as resp:
                        page = await resp.text()
                    async with http.get(amp_url) as resp:
                        amp = await resp.text()
                    out.append((story, source, page, amp))
        yield out
    finally:
        await site.stop()


def _expected_authors(story: SimArticle) -> tuple[str, ...]:
    # The site signs desk copy "Redaksi": a desk, not a person, so Warta records no author.
    return tuple(a for a in story.authors if a != "Redaksi")


def _text(story: SimArticle) -> str:
    return "\n\n".join(" ".join(unicodedata.normalize("NFC", p).split()) for p in story.paragraphs)


def _check_core(record: ArticleRecord, story: SimArticle) -> None:
    assert record.title == story.title
    assert record.published_at == story.published_at.astimezone(UTC)
    assert record.authors == _expected_authors(story)
    assert record.text == _text(story)
    for noise in ("Baca juga", "Baca Juga", "Pewarta", "Editor:", "COPYRIGHT", "Dilarang keras"):
        assert noise not in record.text


async def test_every_article_page(pages: list[tuple[SimArticle, Source, str, str]]) -> None:
    assert len(pages) >= 100
    for story, source, page, _ in pages:
        record = extract_article(page, story.url, source=source, fetched_at=FETCHED)
        _check_core(record, story)
        assert record.place == story.dateline_place
        assert record.provenance.get("place_hint") == story.dateline_hint
        assert record.section == story.section[1]
        assert record.tags == story.tags
        assert record.image == story.image_url
        assert record.image_caption == story.image_caption
        assert record.canonical_url == story.url
        assert record.updated_at == story.updated_at.astimezone(UTC)
        assert {(r.title, r.url) for r in record.related} <= set(story.related)
        assert [r.url for r in record.related] == [u for _, u in story.related][
            : len(record.related)
        ]


async def test_every_amp_page(pages: list[tuple[SimArticle, Source, str, str]]) -> None:
    for story, source, _, amp in pages:
        amp_url = story.url.replace("/berita/", "/amp/berita/", 1)
        record = extract_article(amp, amp_url, source=source, fetched_at=FETCHED)
        _check_core(record, story)
        assert record.canonical_url == story.url


async def test_simsite_without_rules_still_gets_text_and_authors(
    pages: list[tuple[SimArticle, Source, str, str]],
) -> None:
    exact = 0
    for story, _, page, _ in pages:
        record = extract_article(page, story.url, fetched_at=FETCHED)
        exact += record.text == _text(story) and record.authors == _expected_authors(story)
        assert record.published_at == story.published_at.astimezone(UTC)
    assert exact == len(pages)
