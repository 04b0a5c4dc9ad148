"""Canonical URLs, ANTARA identities and content hashes: pure functions, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from database.records import ArticleRecord
from ingestor.classify.normalize import canonical_url, content_hash, identity, normalize
from ingestor.sources.load import parse_source

KALSEL = "https://kalsel.antaranews.com/berita/529420/poliban-kenalkan-kehidupan-kampus"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (KALSEL, KALSEL),
        (KALSEL + "?utm_source=wa&utm_medium=share&fbclid=x&gclid=y", KALSEL),
        (KALSEL + "#komentar", KALSEL),
        (
            "HTTPS://Kalsel.AntaraNews.com:443/berita/529420/poliban-kenalkan-kehidupan-kampus",
            KALSEL,
        ),
        (
            "https://kalsel.antaranews.com/amp/berita/529420/poliban-kenalkan-kehidupan-kampus",
            KALSEL,
        ),
        (KALSEL + "/amp", KALSEL),
        (KALSEL + "?amp=1", KALSEL),
        ("http://example.org:80/a?id=3&utm_campaign=x", "http://example.org/a?id=3"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org/news?page=2&ref_src=twsrc", "https://example.org/news?page=2"),
    ],
)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_antara_identity_is_host_and_numeric_id() -> None:
    # ANTARA serves any slug for a right id, and ids are per bureau host.
    assert identity(KALSEL) == identity(KALSEL.replace("poliban-kenalkan", "slug-lain"))
    assert identity(KALSEL) == "kalsel.antaranews.com/berita/529420"
    assert identity(KALSEL.replace("kalsel.", "kaltim.")) != identity(KALSEL)
    assert identity("https://kalsel.antaranews.com/amp/berita/529420/x") == identity(KALSEL)
    assert (
        identity("https://example.org/2024/05/01/a-story")
        == "https://example.org/2024/05/01/a-story"
    )


def test_content_hash_ignores_markup_case_and_spacing_not_words() -> None:
    base = content_hash("Banjir di Tapin", "Air naik.\n\nWarga mengungsi.")
    assert base == content_hash("banjir  di TAPIN", "Air naik. Warga   mengungsi!")
    assert base != content_hash("Banjir di Tapin", "Air naik.\n\nWarga tidak mengungsi.")
    assert len(base) == 64


def test_normalize_fills_source_fields_and_never_invents_a_date() -> None:
    source = parse_source(
        "test.toml", 0,
        {"id": "antara-kalsel", "name": "K", "base_url": "https://kalsel.antaranews.com",
         "province": "kalsel", "timezone": "WITA", "article_pattern": r"^/berita/\d+/",
         "rss": ["/rss/terkini.xml"]},
        {},
    )  # fmt: skip
    seen = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    record = ArticleRecord(url=KALSEL + "?utm_source=x", title="T", text="Isi berita.",
                           canonical_url="https://other-site.example/copy")  # fmt: skip
    out = normalize(record, source, first_seen=seen)
    assert out.canonical_url == KALSEL, "a canonical link to another site is not trusted"
    assert (out.source, out.region, out.lang) == ("antara-kalsel", "kalsel", "id")
    assert (out.published_at, out.date_source) == (seen, "first_seen")
    assert out.content_hash == content_hash("T", "Isi berita.")
