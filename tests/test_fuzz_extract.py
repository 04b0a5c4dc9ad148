"""Fuzz the extractor: any page, any hints: an article record or ExtractError, never another error.

Pages come from four generators: documents assembled from the pieces article pages are made of
(meta tags, JSON-LD of any shape, dates, bylines, "Baca juga" links, scripts), the fixture
corpus cut, spliced and salted at random, arbitrary text, and random bytes through the
fetcher's decoder. `make reliability` runs 10,000 cases (tests/reliability/budget.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from random import Random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.catalogue import load_catalogue
from ingestor.classify.normalize import normalize
from ingestor.extract.article import ExtractError, FeedHints, extract_article
from ingestor.fetch.decode import decode_text
from ingestor.sources.load import load_sources
from ingestor.sources.model import Source
from tests.reliability.budget import cases, record

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "tests" / "fixtures" / "pages").rglob("*.html"))
CORPUS = [p.read_text(encoding="utf-8") for p in PAGES]
SOURCES = load_sources(ROOT / "seeds", provinces={p.slug for p in load_catalogue().provinces})
PICKED: list[Source | None] = [
    None,
    *(s for s in SOURCES if s.id in ("antara-kalsel", "antara-jatim")),
]
FETCHED = datetime(2025, 5, 2, 12, 0, tzinfo=UTC)
DATE_SOURCES = {"jsonld", "meta", "page", "rss", "sitemap", "url", "first_seen"}

_HOSTILE = ["<script>alert(1)</script>", "\x00\x01\x1f", "\ufeff", "\u202e", "]]>", "&amp;&#0;",
            "&#x110000;", "<!--", "-->", "<![CDATA[", "javascript:alert(1)", "\ud7ff", "😀" * 3,
            "Baca juga:", "Pewarta: X\nEditor: Y", "(ANTARA) -", "COPYRIGHT © ANTARA 2024",
            "http://[::1", "https://example.id:99999/x", "data:text/html,<script>x</script>"]  # fmt: skip
_DATES = ["2024-05-01T08:00:00+07:00", "Rabu, 1 Mei 2024 08:00 WIB", "2 jam lalu", "kemarin",
          "2024-13-45T99:99", "+99:00", "0001-01-01", "99999999 hari lalu", "", "Z"]  # fmt: skip
words = st.one_of(st.text(max_size=40), st.sampled_from(_HOSTILE + _DATES))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "headline",
                    "datePublished",
                    "dateModified",
                    "author",
                    "name",
                    "image",
                    "url",
                    "articleBody",
                    "description",
                    "articleSection",
                    "keywords",
                    "@id",
                    "mainEntityOfPage",
                ]
            ),
            inner,
            max_size=6,
        ),
    ),
    max_leaves=12,
)
jsonld = st.one_of(
    json_values.map(lambda v: json.dumps(v).replace("</", "<\\/")),
    st.builds(
        lambda t, v: json.dumps({"@type": t, **v}),
        st.sampled_from(
            ["NewsArticle", "Article", "ReportageNewsArticle", ["NewsArticle"], "WebPage"]
        ),
        st.dictionaries(
            st.sampled_from(["headline", "datePublished", "author", "image"]),
            json_values,
            max_size=4,
        ),
    ),
    words,
)
meta = st.builds(
    lambda k, v: f'<meta property="{k}" name="{k}" content="{v}">',
    st.sampled_from(["og:title", "og:url", "og:image", "article:published_time",
                     "article:modified_time", "article:section", "author", "pubdate", "date",
                     "og:site_name", "article:tag", "keywords", "description"]),
    words.map(lambda w: w.replace('"', "&quot;")),
)  # fmt: skip
block = st.one_of(
    words.map(lambda w: f"<p>{w}</p>"),
    st.builds(lambda t, w: f"<{t}>{w}</{t}>", st.sampled_from(
        ["h1", "h2", "div", "span", "article", "time", "figure", "figcaption", "li", "a",
         "strong", "table", "td", "title"]), words),
    jsonld.map(lambda j: f'<script type="application/ld+json">{j}</script>'),
    meta,
    st.builds(lambda u, w: f'<a href="{u}">{w}</a>', words, words),
    st.just("<br><br>"),
    st.just("<p>Baca juga: <a href='/berita/2/x'>Lainnya</a></p>"),
    st.just("<div class='wrap__article-detail-content'>"),
    st.just("</div>"),
)  # fmt: skip
documents = st.builds(
    lambda head, body: f"<html><head>{''.join(head)}</head><body>{''.join(body)}</body></html>",
    st.lists(st.one_of(meta, block), max_size=8),
    st.lists(block, max_size=25),
)


@st.composite
def mutated_pages(draw: st.DrawFn) -> str:
    """A corpus page with up to five cuts, splices or insertions."""
    page = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(page)))
        action = draw(st.sampled_from(["cut", "delete", "insert", "splice"]))
        if action == "cut":
            page = page[:at]
        elif action == "delete":
            page = page[:at] + page[at + draw(st.integers(0, 5000)) :]
        elif action == "insert":
            page = page[:at] + draw(st.one_of(words, block)) + page[at:]
        else:
            other = draw(st.sampled_from(CORPUS))
            start = draw(st.integers(0, len(other)))
            page = page[:at] + other[start : start + draw(st.integers(0, 3000))] + page[at:]
    return page


garbage = st.binary(min_size=0, max_size=9000).map(lambda b: decode_text(b, "text/html").text)
pages = st.one_of(documents, mutated_pages(), st.text(max_size=2000), garbage)
urls = st.one_of(
    st.just("https://kalsel.antaranews.com/berita/412345/pasar-rantau"),
    st.just("https://example.id/2024/03/05/judul"),
    st.builds(lambda p: "https://example.id/" + p, st.text(max_size=30)),
)
hints = st.one_of(
    st.none(),
    st.builds(
        FeedHints,
        title=st.one_of(st.none(), words),
        published=st.one_of(
            st.none(),
            st.datetimes(
                min_value=datetime(1900, 1, 1),
                max_value=datetime(2100, 1, 1),
                timezones=st.one_of(st.none(), st.just(UTC), st.just(timezone(timedelta(hours=9)))),
            ),
        ),
        published_raw=st.one_of(st.none(), words),
        summary=st.one_of(st.none(), words),
        image=st.one_of(st.none(), words),
        via=st.sampled_from(["rss", "sitemap"]),
    ),
)
N = cases()
TRIED = [0]


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    record("fuzz_extract", cases=TRIED[0])


@pytest.mark.timeout(1800)
@settings(
    max_examples=N,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(html=pages, url=urls, source=st.sampled_from(PICKED), feed=hints)
def test_extract_article_returns_a_record_or_extract_error(
    html: str, url: str, source: Source | None, feed: FeedHints | None
) -> None:
    TRIED[0] += 1
    try:
        record_ = extract_article(html, url, source=source, fetched_at=FETCHED, hints=feed)
    except ExtractError:
        return
    assert record_.url == url
    assert record_.published_at is not None and record_.published_at.tzinfo is not None
    assert record_.published_at.utcoffset() == timedelta(0), "stored in UTC"
    assert record_.date_source in DATE_SOURCES
    if record_.date_source == "first_seen":
        assert record_.published_at == FETCHED and record_.published_raw is None
    assert isinstance(record_.title, str) and isinstance(record_.text, str)
    assert record_.title or record_.text
    assert all(isinstance(a, str) and a for a in record_.authors)


# --- What the fuzzer and the faulty simulated site found ------------------------------------


def test_random_bytes_are_never_an_article() -> None:
    """The simulated site's "garbage" fault: 8 KB of random bytes served as text/html. Read
    through a single-byte codepage they once passed for an article of mojibake (about 1 in 130)."""
    accepted = []
    for seed in ("garbage:jatim", "garbage:kalsel", "garbage:kaltim", "garbage:www"):
        rng = Random(seed)
        for i in range(200):
            text = decode_text(rng.randbytes(8192), "text/html; charset=UTF-8").text
            try:
                extract_article(text, "https://example.id/berita/1/x", fetched_at=FETCHED)
            except ExtractError:
                continue
            accepted.append((seed, i))
    assert not accepted


def test_a_page_that_says_nothing_is_refused_even_with_feed_hints() -> None:
    """Only the feed's title and no text of the page's own: not the article, so the page is
    retried later rather than stored for good as a title with no text."""
    hints = FeedHints(title="Judul dari RSS", summary="Ringkasan")
    with pytest.raises(ExtractError, match="no article text"):
        extract_article(
            "<html><body><br></body></html>",
            "https://example.id/a",
            fetched_at=FETCHED,
            hints=hints,
        )


def test_impossible_offsets_in_meta_are_no_date_not_a_crash() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2024-05-01T08:00+99:00">'
        "</head><body><article><p>Isi berita yang cukup panjang untuk dibaca, dengan koma dan"
        " titik.</p></article></body></html>"
    )
    record_ = extract_article(html, "https://example.id/a", fetched_at=FETCHED)
    assert record_.date_source == "first_seen"


@pytest.mark.parametrize(
    "block",
    [
        '{"@type": "NewsArticle", "author": {"@id": []}}',  # an @id that is not a string
        '{"@type": "NewsArticle", "image": {"@id": {"x": 1}}}',
        "[" * 5000 + "]" * 5000,  # nesting deeper than the JSON decoder's recursion limit
        '{"@graph":' * 3000 + "{}" + "}" * 3000,
    ],
)
def test_hostile_json_ld_is_ignored(block: str) -> None:
    html = (
        f'<html><head><script type="application/ld+json">{block}</script></head><body>'
        "<article><p>Isi berita yang cukup panjang untuk dibaca, dengan koma dan titik.</p>"
        "</article></body></html>"
    )
    assert extract_article(html, "https://example.id/a", fetched_at=FETCHED).text


def test_a_story_quoting_markup_is_still_a_story() -> None:
    """Many symbols, but the spaces of prose: not mistaken for garbage."""
    quoted = "<script>alert('x')</script> dan <img src=x onerror=alert(1)> ditemukan di situs"
    html = (
        "<html><body><article><h1>Peretas sisipkan kode</h1>"
        f"<p>Tim menemukan kode {quoted.replace('<', '&lt;')} milik pemda.</p>"
        f"<p>Kode {quoted.replace('<', '&lt;')} sudah dihapus, kata kepala dinas.</p>"
        "</article></body></html>"
    )
    record_ = extract_article(html, "https://example.id/a", fetched_at=FETCHED)
    assert "<script>alert('x')</script>" in record_.text


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:image" content="http://[::1">',
        '<meta property="og:url" content="http://[::1">',
        '<meta property="og:url" content="https://example.id:99999/x">',
        '<link rel="canonical" href="http://[x">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "url": "http://[::1",'
        ' "image": "javascript:alert(1)"}</script>',
    ],
)
def test_malformed_or_script_urls_on_a_page_are_dropped_not_raised(head: str) -> None:
    """Each of these raised ValueError out of extract_article (or later out of normalize),
    which failed the whole run of the source, every run."""
    html = (
        f"<html><head>{head}</head><body><article><p>Isi berita yang cukup panjang untuk"
        " dibaca, dengan koma dan titik.</p><p>Baca juga: <a href='javascript:alert(1)'>X</a>"
        "</p><p>Baca juga: <a href='http://[::1'>Y</a></p></article></body></html>"
    )
    url = "https://example.id/berita/1/a"
    record_ = normalize(extract_article(html, url, fetched_at=FETCHED), None, first_seen=FETCHED)
    assert record_.canonical_url == url
    assert record_.image is None
    assert all(r.url.startswith(("http://", "https://")) for r in record_.related)
