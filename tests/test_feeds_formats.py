"""Every format survives hostile article fields: well-formed, feedparser bozo 0, fields kept."""

from __future__ import annotations

import calendar
import html
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import asyncpg
import feedparser
import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.entry import UNTITLED, clean_line, paragraphs
from feeds.names import Names, RegionName
from feeds.query import ArticleRow
from feeds.render import FeedMeta, render
from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve

NAMES = Names(
    regions={
        "kalsel": RegionName("kalsel", "Kalimantan Selatan", "province", "kalsel"),
        "kalsel/tapin": RegionName("kalsel/tapin", "Tapin", "regency", "kalsel"),
    },
    topics={"ekonomi": "Ekonomi"},
)
META = FeedMeta(
    feed_id="https://warta.example/feeds/kalsel.atom",
    title="Warta: Kalimantan Selatan",
    description="Berita terbaru",
    self_url="https://warta.example/feeds/kalsel.atom",
    home_url="https://warta.example/",
    updated=datetime(2025, 12, 18, 9, tzinfo=UTC),
    hub="https://hub.example/",
    links=(("first", "https://warta.example/feeds/kalsel.atom?page=1"),),
)

# Pieces of the text real feeds have broken on: markup and CDATA in titles, entities,
# controls, bidi overrides, right-to-left scripts, astral emoji, and mojibake.
MARKUP = re.compile(r"<|&#?\w+;")  # what feeds.render escapes in RSS text
PIECES = [
    "<script>alert(1)</script>", '<b onclick="x()">tebal</b>', "]]>", "<![CDATA[x]]>", "&amp;",
    "&nbsp;", "AT&T <3", "\u202eRTL\u202c", "\u200f", "مرحبا", "שלום", "😀", "👩\u200d👩\u200d👧",
    "\x00", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff", "\r\n", "\r", "\t", "  ",
    "Kota Banjarmasin", "é", "Ã©", "<p>paragraf</p>", "&#0;", "\u2028",
]  # fmt: skip
text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=8).map("".join)
field = st.one_of(st.just(""), text, st.just("Judul sangat panjang " * 500))  # ~10 KB


@st.composite
def rows(draw: st.DrawFn) -> ArticleRow:
    published = datetime(2025, 12, 18, 8, tzinfo=UTC) + timedelta(
        seconds=draw(st.integers(0, 10**7))
    )
    return ArticleRow(
        id=1, url="https://kalsel.example/berita/1/a", canonical_url="https://kalsel.example/berita/1/a",
        source_id="src", source_name=draw(field), source_url="https://kalsel.example",
        source_timezone=draw(st.sampled_from(["WIB", "WITA", "WIT", "UTC"])),
        republish=draw(st.sampled_from(["title", "summary", "full"])), rights=draw(field),
        title=draw(field), summary=draw(st.one_of(st.none(), field)), text=draw(field),
        authors=tuple(draw(st.lists(field, max_size=3))), published_at=published,
        published_raw=None, date_source="meta", updated_at=None, lang="id",
        image=draw(st.sampled_from([None, "/img/a.jpg", "javascript:alert(1)"])),
        image_caption=draw(field), section=None, tags=(), place=None, region="kalsel",
        regency="tapin", topics=("ekonomi",), related=(("Baca <juga>", "/berita/2/b"),),
        content_hash="h", duplicate_of=None, duplicate_of_url=None, changed_at=published,
        ingest_xid=1,
    )  # fmt: skip


def as_feedparser_reads(value: str) -> str:
    """feedparser "repairs" text that would be valid UTF-8 if encoded as Latin-1 (its guess
    at mojibake), whatever the format: the expected value gets the same treatment."""
    try:
        return value.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def text_of(item: Any, name: str) -> str:
    """A text field as a reader shows it: HTML (RSS text that looks like markup is sent
    escaped, and typed text/html by feedparser) is unescaped, plain text taken as is."""
    value: str = item[name]
    return html.unescape(value) if item[f"{name}_detail"]["type"] == "text/html" else value


def assert_safe_html(content: str) -> None:
    """Nothing executable: no script elements, no event handlers, only http(s) links."""
    for element in lxml.html.fragment_fromstring(content, create_parent="div").iter():
        assert element.tag not in ("script", "style", "iframe", "object")
        for attr, value in element.attrib.items():
            assert not attr.startswith("on"), (attr, value)
            if attr in ("href", "src"):
                assert value.startswith(("http://", "https://")), value


def expected_summary(row: ArticleRow) -> str:
    return "" if row.republish == "title" else clean_line(row.summary)


def check_xml(fmt: str, row: ArticleRow) -> None:
    body = render(fmt, META, [row], NAMES)
    etree.fromstring(body)  # well-formed, or this raises
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    (item,) = parsed.entries
    rss = fmt == "rss"
    title = clean_line(row.title) or UNTITLED
    assert text_of(item, "title") == as_feedparser_reads(title)
    summary = expected_summary(row)
    if summary:
        assert text_of(item, "summary") == as_feedparser_reads(summary)
    elif row.republish != "full":
        assert not item.get("summary")
    if row.republish != "full":
        assert "content" not in item, "content only where the policy is full"
    if row.republish == "full" and paragraphs(row.text):
        # feedgen puts RSS content in <description> when there is no summary to go there.
        content = item.content[0].value if "content" in item else item.summary
        assert_safe_html(content)
    authors = [a for a in (clean_line(x) for x in row.authors) if a]
    got_authors = [a.get("name") for a in item.get("authors", []) if a.get("name")]
    assert len(got_authors) == len(authors)
    for got, sent in zip(got_authors, authors, strict=True):
        # RSS text that looks like markup is sent escaped (dc:creator holds plain text for
        # feedparser, HTML for readers that render it): unescaped, it is the name as stored.
        if rss and MARKUP.search(sent):
            got = html.unescape(got)
        assert got in (sent, as_feedparser_reads(sent))  # feedparser repairs some names only
    assert calendar.timegm(item.published_parsed) == int(row.published_at.timestamp())
    assert item.link == row.canonical_url
    assert item.id == row.canonical_url
    assert [t.term for t in item.tags][-2:] == (["kalsel", "kalsel/tapin"] if not rss else
                                                ["Kalimantan Selatan", "Tapin"])  # fmt: skip
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [META.self_url]


def check_json(row: ArticleRow) -> None:
    doc: dict[str, Any] = json.loads(render("json", META, [row], NAMES))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    (item,) = doc["items"]
    assert item["title"] == (clean_line(row.title) or UNTITLED)
    assert item.get("summary", "") == expected_summary(row)
    assert item.get("content_html") or item.get("content_text")
    authors = [a for a in (clean_line(x) for x in row.authors) if a]
    assert [a["name"] for a in item.get("authors", [])] == authors
    published = datetime.fromisoformat(item["date_published"])
    assert published == row.published_at and published.utcoffset() is not None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_hostile_fields_survive_every_format(row: ArticleRow) -> None:
    check_xml("rss", row)
    check_xml("atom", row)
    check_json(row)


def test_times_carry_numeric_offsets_never_zone_names() -> None:
    row = ArticleRow(
        id=1, url="https://k.example/a", canonical_url="https://k.example/a", source_id="s",
        source_name="S", source_url="https://k.example", source_timezone="WITA",
        republish="summary", rights=None, title="T", summary="S", text="", authors=(),
        published_at=datetime(2025, 12, 18, 8, 50, tzinfo=UTC),
        published_raw="Kamis, 18 Desember 2025 16:50 WITA", date_source="page",
        updated_at=datetime(2025, 12, 18, 10, tzinfo=UTC), lang="id", image=None,
        image_caption=None, section=None, tags=(), place=None, region=None, regency=None,
        topics=(), related=(), content_hash="h", duplicate_of=None, duplicate_of_url=None,
        changed_at=datetime(2025, 12, 18, 10, tzinfo=UTC), ingest_xid=1,
    )  # fmt: skip
    rss = render("rss", META, [row], NAMES).decode()
    atom = render("atom", META, [row], NAMES).decode()
    feed = json.loads(render("json", META, [row], NAMES))
    assert "<pubDate>Thu, 18 Dec 2025 16:50:00 +0800</pubDate>" in rss
    assert "<published>2025-12-18T16:50:00+08:00</published>" in atom
    assert "<updated>2025-12-18T18:00:00+08:00</updated>" in atom
    assert feed["items"][0]["date_published"] == "2025-12-18T16:50:00+08:00"
    for doc in (rss, atom, json.dumps(feed)):
        assert "WITA" not in doc and "WIB" not in doc and " GMT" not in doc


async def test_entries_follow_each_sources_republish_policy(
    database_url: str, pool: asyncpg.Pool
) -> None:
    """Stored rows through SQL and HTTP: the source's policy decides what is republished."""
    await reset(pool)
    for policy in ("title", "summary", "full"):
        await add_source(pool, f"src-{policy}", name=f"Sumber {policy}", republish=policy,
                         rights=f"Hak cipta {policy}")  # fmt: skip
        await insert(
            pool,
            Art(f"Berita {policy}", source=f"src-{policy}", summary="Ringkasan.",
                text='Satu <script>alert(1)</script>.\n\nDua <img src=x onerror="alert(1)">.',
                image="/foto/banjir.png", image_caption="Banjir", authors=("Ani", "Budi"),
                regions=("kalsel", "kalsel/tapin"), topics=("ekonomi",),
                related=(("Baca juga ini", "/berita/9/lain"),)),
        )  # fmt: skip
    bodies = {}
    async with (
        serve(feed_settings(database_url), pool) as (base, _app),
        aiohttp.ClientSession() as http,
    ):
        for fmt in ("rss", "atom", "json"):
            async with http.get(f"{base}/feeds/kalsel/tapin.{fmt}") as resp:
                bodies[fmt] = await resp.read()
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(bodies[fmt])
        assert parsed.bozo == 0
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == [
            f"{base}/feeds/kalsel/tapin.{fmt}"
        ]
        by_title = {e.title: e for e in parsed.entries}
        full, summary, title = (by_title[f"Berita {p}"] for p in ("full", "summary", "title"))
        assert "content" not in title and not title.get("summary")
        assert "content" not in summary and summary.summary == "Ringkasan."
        content = full.content[0].value
        assert_safe_html(content)
        assert "Satu" in content and "Dua" in content
        assert 'href="https://src-full.example/berita/9/lain"' in content
        assert 'src="https://src-full.example/foto/banjir.png"' in content
        for entry in (full, summary, title):
            assert entry.link.startswith("https://src-")
            assert [a.name for a in entry.authors] == ["Ani", "Budi"]
            assert entry.enclosures[0].href.endswith("/foto/banjir.png")
            assert entry.enclosures[0].type == "image/png"
            assert entry.media_content[0]["url"].endswith("/foto/banjir.png")
            assert entry.source.title.startswith("Sumber ")
            assert entry.rights.startswith("Hak cipta ")
            labels = [t.label or t.term for t in entry.tags]
            assert labels == ["Ekonomi", "Kalimantan Selatan", "Tapin"]
            assert entry.published.endswith(("+08:00", "+0800"))
    items = {i["title"]: i for i in json.loads(bodies["json"])["items"]}
    assert "summary" not in items["Berita title"]
    assert items["Berita title"]["content_text"] == "Berita title"
    assert items["Berita summary"]["summary"] == "Ringkasan."
    assert "content_html" not in items["Berita summary"]
    assert_safe_html(items["Berita full"]["content_html"])
    assert items["Berita full"]["tags"] == ["ekonomi", "kalsel", "kalsel/tapin"]
    assert items["Berita full"]["_warta"]["source"]["rights"] == "Hak cipta full"
