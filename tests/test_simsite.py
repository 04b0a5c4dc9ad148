"""The simulated ANTARA site: real HTTP over loopback, checked the way a crawler would see it."""

from __future__ import annotations

import asyncio
import calendar
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import aiohttp
import feedparser
import lxml.etree
import lxml.html
import pytest

from warta.simsite import FAULT_KINDS, SimArticle, SimSite
from warta.simsite.article_page import NOTICE
from warta.simsite.dates import page_date
from warta.simsite.labels import PROVINCES, REGENCIES, TOPICS

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # 12:00 WITA, 11:00 WIB
BUREAUS = ("kalsel", "kaltim", "jatim", "www")
REGIONAL = ("kalsel", "kaltim", "jatim")
UA = "warta-tests/1.0 (+https://example.invalid)"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NEWS_NS = {**SITEMAP_NS, "news": "http://www.google.com/schemas/sitemap-news/0.9"}
MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
]  # fmt: skip
PAGE_DATE = re.compile(
    r"^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), (\d{1,2}) (\w+) (\d{4}) (\d{2}):(\d{2}) "
    r"(WIB|WITA)$"
)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
async def site() -> AsyncIterator[SimSite]:
    sim = SimSite(bureaus=BUREAUS, per_page=10, clock=Clock(NOW))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def fresh() -> AsyncIterator[SimSite]:
    """A site of its own, for tests that publish."""
    sim = SimSite(bureaus=("kalsel", "www"), per_page=10, clock=Clock(NOW))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers={"User-Agent": UA}) as session:
        yield session


async def fetch(http: aiohttp.ClientSession, url: str, **kw: Any) -> tuple[int, bytes, Any]:
    async with http.get(url, allow_redirects=False, **kw) as resp:
        return resp.status, await resp.read(), resp.headers


def html(body: bytes) -> Any:
    return lxml.html.fromstring(body)


def by_key(site: SimSite, bureau: str, key: str) -> SimArticle:
    return next(a for a in site.articles(bureau) if a.key == key)


# -- corpus --------------------------------------------------------------------------------------


async def test_corpus_sizes_ids_and_labels(site: SimSite) -> None:
    for bureau in BUREAUS:
        stories = site.articles(bureau)
        assert len(stories) >= (30 if bureau in REGIONAL else 6), bureau
        ids = [a.id for a in stories]
        assert len(set(ids)) == len(ids), f"{bureau}: duplicate ids"
        # Newest first, and ids grow with time as on the real site.
        assert ids == sorted(ids, reverse=True)
        assert [a.published_at for a in stories] == sorted(
            (a.published_at for a in stories), reverse=True
        )
        base = site.base_url(bureau)
        for a in stories:
            assert a.bureau == bureau
            assert a.url == f"{base}/berita/{a.id}/{a.slug}"
            assert a.published_at.tzinfo is not None and a.published_at <= NOW
            assert NOW - a.published_at < timedelta(days=11)
            assert 3 <= len(a.paragraphs) <= 7
            assert a.paragraphs[0].startswith(a.dateline), a.title
            assert a.authors and a.editor and a.title and a.image_url and a.image_caption
            assert a.province is None or a.province in PROVINCES
            assert a.regency is None or (a.province and a.regency in REGENCIES[a.province])
            assert a.topics and set(a.topics) <= set(TOPICS)
            for _, url in a.related:
                assert url.startswith(f"{base}/berita/")
        if bureau in REGIONAL:
            assert {a.province for a in stories} >= {bureau}
            assert any(a.regency is None for a in stories), "province-wide stories"
            assert len({a.regency for a in stories if a.regency}) >= 8, "several regencies"
            assert len({t for a in stories for t in a.topics}) >= 9, "several topics"
    assert site.articles("kalsel")[-1].id > 529000


async def test_corpus_tricky_cases(site: SimSite) -> None:
    kalsel, jatim = site.articles("kalsel"), site.articles("jatim")
    # Happens in Banjarbaru, talks about Banjarmasin.
    airport = by_key(site, "kalsel", "bandara-syamsudin-noor")
    assert airport.regency == "banjarbaru" and "Banjarmasin" in " ".join(airport.paragraphs)
    # Capital dateline, regency story; capital dateline, province-wide story.
    assert any(a.dateline_place == "Banjarmasin" and a.regency == "tanah-laut" for a in kalsel)
    assert any(a.dateline_place == "Banjarmasin" and a.regency is None for a in kalsel)
    # Kota vs Kabupaten Malang, both datelined "Malang".
    malang = {a.regency for a in jatim if a.dateline_place == "Malang"}
    assert {"kota-malang", "kab-malang"} <= malang
    assert any(a.dateline_hint == "Kalsel" and a.dateline_place == "Rantau" for a in kalsel)


async def test_corpus_syndicated_story(site: SimSite) -> None:
    copies = [a for b in BUREAUS for a in site.articles(b) if a.syndicated_from]
    assert {a.bureau for a in copies} == {"kaltim", "www"}
    (origin,) = {a.syndicated_from for a in copies}
    assert origin is not None and origin[0] == "kalsel"
    original = site.article("kalsel", origin[1])
    assert original is not None and original.syndicated_from is None
    for copy in copies:
        assert copy.paragraphs == original.paragraphs  # dateline unchanged
        assert copy.url != original.url and copy.published_at > original.published_at
        assert (copy.province, copy.regency, copy.topics) == (
            original.province,
            original.regency,
            original.topics,
        )
    assert any(c.title != original.title for c in copies)


async def test_corpus_near_miss_pair_is_two_stories(site: SimSite) -> None:
    first = by_key(site, "kalsel", "banjir-candi-laras-utara")
    second = by_key(site, "kalsel", "banjir-tapin-tengah")
    # Same official, same opening formula, same quote...
    assert first.paragraphs[1] == second.paragraphs[1]
    assert first.paragraphs[0][:90] == second.paragraphs[0][:90]
    assert first.regency == second.regency == "tapin"
    # ...but different events.
    assert first.title != second.title
    assert not set(first.paragraphs[2:]) & set(second.paragraphs[2:])
    assert first.syndicated_from is None and second.syndicated_from is None


async def test_markup_variants_are_spread(site: SimSite) -> None:
    stories = [a for b in BUREAUS for a in site.articles(b)]
    assert Counter(a.jsonld for a in stories).keys() == {"article", "graph", "none"}
    assert Counter(a.body_style for a in stories).keys() == {"p", "br"}
    assert Counter(a.footer_style for a in stories).keys() == {"glued", "spaced", "br"}
    assert {a.baca_juga_label for a in stories if a.related} == {"Baca juga:", "Baca Juga:"}
    assert any(a.translator for a in stories)
    assert any(a.modified_at for a in stories)


# -- RSS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bureau", BUREAUS)
async def test_rss_parses_with_wib_offsets(
    site: SimSite, http: aiohttp.ClientSession, bureau: str
) -> None:
    status, body, headers = await fetch(http, site.base_url(bureau) + "/rss/terkini.xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == f"{site.bureau(bureau).name} - Berita Terkini"
    expected = site.articles(bureau)[:20]
    assert len(parsed.entries) == len(expected) == min(20, len(site.articles(bureau)))
    for entry, article in zip(parsed.entries, expected, strict=True):
        assert entry.title == article.title
        assert entry.link == entry.id == article.url
        assert entry.published.endswith(" +0700")
        assert calendar.timegm(entry.published_parsed) == int(article.published_at.timestamp())
        assert parsedate_to_datetime(entry.published) == article.published_at
        assert f'src="{article.image_url}"' in entry.summary and entry.summary.startswith("<img")
    assert b"<![CDATA[<img src=" in body and b'align="left"' in body


async def test_section_feed(site: SimSite, http: aiohttp.ClientSession) -> None:
    status, body, _ = await fetch(http, site.base_url("kalsel") + "/rss/ekonomi.xml")
    assert status == 200
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0 and parsed.entries
    ekonomi = {a.url for a in site.articles("kalsel") if a.section[0] == "ekonomi"}
    assert {e.link for e in parsed.entries} <= ekonomi
    status, _, _ = await fetch(http, site.base_url("kalsel") + "/rss/atlantis.xml")
    assert status == 404


# -- listings -------------------------------------------------------------------------------------


def cards(body: bytes) -> list[tuple[str, str]]:
    doc = html(body)
    out = []
    for card in doc.cssselect("div.wrapper__list__article div.card__post"):
        (link,) = card.cssselect("div.card__post__content h2.post_title a")
        (when,) = card.cssselect("div.card__post__content span.text-secondary")
        out.append((link.get("href"), when.text_content().strip()))
    return out


@pytest.mark.parametrize("bureau", BUREAUS)
async def test_terkini_pagination_reaches_every_article_once(
    site: SimSite, http: aiohttp.ClientSession, bureau: str
) -> None:
    base = site.base_url(bureau)
    status, body, _ = await fetch(http, base + "/terkini")
    assert status == 200
    links = html(body).cssselect("ul.pagination a")
    last = int(links[-1].text_content())
    assert last == -(-len(site.articles(bureau)) // 10)
    assert last == 1 or any(a.get("href") == "/terkini/2" for a in links)
    seen = [href for href, _ in cards(body)]
    for number in range(2, last + 1):
        status, body, _ = await fetch(http, f"{base}/terkini/{number}")
        assert status == 200
        page = cards(body)
        assert 1 <= len(page) <= 10
        seen += [href for href, _ in page]
    assert all(href.startswith("/berita/") for href in seen)
    assert [urljoin(base, h) for h in seen] == [a.url for a in site.articles(bureau)]
    status, _, _ = await fetch(http, f"{base}/terkini/{last + 1}")
    assert status == 404


async def test_terkini_query_page_and_relative_times(
    site: SimSite, http: aiohttp.ClientSession
) -> None:
    base = site.base_url("kalsel")
    _, by_path, _ = await fetch(http, base + "/terkini/2")
    _, by_query, _ = await fetch(http, base + "/terkini?page=2")
    assert cards(by_path) == cards(by_query)
    _, body, _ = await fetch(http, base + "/terkini")
    times = {urljoin(base, href): when for href, when in cards(body)}
    # The clock reads 12:00 WITA.
    expected = {
        "cuaca-bmkg-kalsel": "48 menit lalu",
        "pasar-terapung-siring": "3 jam lalu",
        "dermaga-kotabaru": "22 jam lalu",
        "stunting-tanah-laut": "kemarin",
        "baznas-banjarmasin": "2 Maret 2026 21:40",
    }
    for key, when in expected.items():
        assert times[by_key(site, "kalsel", key).url] == when, key


async def test_home_kanal_tag_and_search_pages(site: SimSite, http: aiohttp.ClientSession) -> None:
    base = site.base_url("jatim")
    status, body, _ = await fetch(http, base + "/")
    assert status == 200 and len(cards(body)) == 10
    assert html(body).cssselect('link[rel="alternate"][type="application/rss+xml"]')
    status, body, _ = await fetch(http, base + "/olahraga")
    olahraga = {a.url for a in site.articles("jatim") if a.section[0] == "olahraga"}
    assert status == 200 and {urljoin(base, h) for h, _ in cards(body)} == olahraga
    status, body, _ = await fetch(http, base + "/tag/surabaya")
    assert status == 200 and cards(body)
    status, body, _ = await fetch(http, base + "/search?q=persebaya")
    assert status == 200 and len(cards(body)) == 1
    for path in ("/no-such-kanal", "/api/v1/berita", "/berita/1/nothing"):
        status, body, headers = await fetch(http, base + path)
        assert status == 404 and b"Halaman tidak ditemukan" in body, path
        assert headers["Content-Type"] == "text/html; charset=UTF-8"


# -- publishing -----------------------------------------------------------------------------------


async def test_published_article_tops_listing_rss_and_sitemap(
    fresh: SimSite, http: aiohttp.ClientSession
) -> None:
    base = fresh.base_url("kalsel")
    before = fresh.articles("kalsel")
    clock = fresh.clock
    assert isinstance(clock, Clock)
    clock.now = NOW + timedelta(minutes=5)
    art = fresh.publish("kalsel", None)
    assert art.id > before[0].id and art.published_at == clock.now
    assert art.url == f"{base}/berita/{art.id}/{art.slug}"
    assert fresh.articles("kalsel")[0] == art and len(fresh.articles("kalsel")) == len(before) + 1
    _, body, _ = await fetch(http, base + "/terkini")
    assert cards(body)[0] == (f"/berita/{art.id}/{art.slug}", "1 menit lalu")
    _, body, _ = await fetch(http, base + "/rss/terkini.xml")
    assert feedparser.parse(body).entries[0].link == art.url
    _, body, _ = await fetch(http, base + "/sitemap-news.xml")
    assert lxml.etree.fromstring(body).findtext("sm:url/sm:loc", namespaces=SITEMAP_NS) == art.url
    status, body, _ = await fetch(http, art.url)
    assert status == 200 and art.title in html(body).cssselect("h1.post-title")[0].text_content()


async def test_publish_custom_and_generated_articles(fresh: SimSite) -> None:
    custom = fresh.publish(
        "kalsel",
        SimArticle(
            title="Uji coba berita sisipan",
            paragraphs=("Ini paragraf pertama.", "Ini paragraf kedua.", "Ini paragraf ketiga."),
        ),
    )
    assert custom.paragraphs[0] == "Banjarmasin (ANTARA) - Ini paragraf pertama."
    assert custom.province == "kalsel" and custom.slug == "uji-coba-berita-sisipan"
    titles = [fresh.publish("kalsel", None).title for _ in range(5)]
    assert len(set(titles)) == 5
    assert titles[-1].startswith("Harga ")  # the reserve is used up, then the generator
    national = fresh.publish("www", None)
    assert national.province is None and national.id > 5612000


# -- sitemaps and robots ----------------------------------------------------------------------------


async def test_sitemap_index_news_and_gzip(site: SimSite, http: aiohttp.ClientSession) -> None:
    base = site.base_url("kaltim")
    status, body, _ = await fetch(http, base + "/sitemap.xml")
    assert status == 200
    locs = lxml.etree.fromstring(body).xpath("//sm:sitemap/sm:loc/text()", namespaces=SITEMAP_NS)
    assert locs == [base + "/sitemap-news.xml", base + "/sitemap-articles.xml.gz"]
    status, body, headers = await fetch(http, locs[1])
    assert status == 200 and headers["Content-Type"] == "application/x-gzip"
    tree = lxml.etree.fromstring(gzip.decompress(body))
    urls = tree.xpath("//sm:url/sm:loc/text()", namespaces=SITEMAP_NS)
    assert urls == [a.url for a in site.articles("kaltim")]
    status, body, _ = await fetch(http, locs[0])
    news = lxml.etree.fromstring(body)
    recent = {a.url: a for a in site.articles("kaltim") if NOW - a.published_at <= timedelta(2)}
    entries = news.xpath("//sm:url", namespaces=NEWS_NS)
    assert len(entries) == len(recent) > 0
    for entry in entries:
        article = recent[entry.findtext("sm:loc", namespaces=NEWS_NS)]
        stamp = entry.findtext(".//news:publication_date", namespaces=NEWS_NS)
        assert datetime.fromisoformat(stamp) == article.published_at and stamp.endswith("+08:00")


async def test_robots_default_and_override(site: SimSite, http: aiohttp.ClientSession) -> None:
    base = site.base_url("kalsel")
    _, body, _ = await fetch(http, base + "/robots.txt")
    text = body.decode()
    assert "Disallow: /search" in text and "Disallow: /api/" in text
    assert f"Sitemap: {base}/sitemap.xml" in text and "Crawl-delay" not in text
    default = site.robots_txt["kalsel"]
    site.robots_txt["kalsel"] = "User-agent: *\nCrawl-delay: 5\nDisallow: /\n"
    try:
        _, body, _ = await fetch(http, base + "/robots.txt")
        assert b"Crawl-delay: 5" in body
    finally:
        site.robots_txt["kalsel"] = default


# -- conditional GET ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/rss/terkini.xml", "/sitemap.xml", "/sitemap-articles.xml.gz"])
async def test_conditional_get_feeds(site: SimSite, http: aiohttp.ClientSession, path: str) -> None:
    url = site.base_url("jatim") + path
    status, body, headers = await fetch(http, url)
    assert status == 200 and body
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, body, again = await fetch(http, url, headers={"If-None-Match": etag})
    assert status == 304 and body == b"" and again["ETag"] == etag
    status, _, _ = await fetch(http, url, headers={"If-Modified-Since": modified})
    assert status == 304
    status, _, _ = await fetch(http, url, headers={"If-None-Match": '"stale"'})
    assert status == 200


async def test_conditional_get_article_and_change(
    fresh: SimSite, http: aiohttp.ClientSession
) -> None:
    article = fresh.articles("kalsel")[3]
    status, _, headers = await fetch(http, article.url)
    assert status == 200
    assert parsedate_to_datetime(headers["Last-Modified"]) == article.updated_at
    status, _, _ = await fetch(http, article.url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    since = format_datetime(article.updated_at, usegmt=True)
    status, _, _ = await fetch(http, article.url, headers={"If-Modified-Since": since})
    assert status == 304
    older = format_datetime(article.updated_at - timedelta(hours=1), usegmt=True)
    status, _, _ = await fetch(http, article.url, headers={"If-Modified-Since": older})
    assert status == 200
    rss = fresh.base_url("kalsel") + "/rss/terkini.xml"
    _, _, first = await fetch(http, rss)
    fresh.publish("kalsel", None)
    status, _, second = await fetch(http, rss, headers={"If-None-Match": first["ETag"]})
    assert status == 200 and second["ETag"] != first["ETag"]


# -- faults ---------------------------------------------------------------------------------------


async def test_fault_status_kinds(site: SimSite, http: aiohttp.ClientSession) -> None:
    base = site.base_url("kalsel")
    path = "/rss/terkini.xml"
    try:
        for kind, expected in (("500", 500), ("503", 503), ("404", 404)):
            site.set_fault("kalsel", path, kind)
            status, _, _ = await fetch(http, base + path)
            assert status == expected, kind
        site.set_fault("kalsel", path, "429")
        status, _, headers = await fetch(http, base + path)
        assert status == 429 and headers["Retry-After"] == "1"
        site.set_fault("kalsel", path, "garbage")
        status, body, headers = await fetch(http, base + path)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        # Counted faults heal by themselves; '*' matches a prefix.
        site.clear_faults()
        site.set_fault("kalsel", "/berita/*", "503", times=1)
        url = site.articles("kalsel")[0].url
        assert (await fetch(http, url))[0] == 503
        assert (await fetch(http, url))[0] == 200
    finally:
        site.clear_faults()
    assert (await fetch(http, base + path))[0] == 200
    with pytest.raises(ValueError, match="unknown fault"):
        site.set_fault("kalsel", path, "teapot")
    assert set(FAULT_KINDS) == {"500", "503", "429", "stall", "truncate", "garbage", "slow", "404"}


async def read_into(resp: aiohttp.ClientResponse, buffer: bytearray) -> None:
    async for chunk in resp.content.iter_any():
        buffer += chunk


async def test_fault_truncate_gives_short_body(site: SimSite, http: aiohttp.ClientSession) -> None:
    url = site.articles("kaltim")[0].url
    path = url.removeprefix(site.base_url("kaltim"))
    site.set_fault("kaltim", path, "truncate")
    try:
        got = bytearray()
        async with http.get(url) as resp:
            assert resp.status == 200
            declared = int(resp.headers["Content-Length"])
            with pytest.raises(aiohttp.ClientPayloadError):
                await read_into(resp, got)
        assert 0 < len(got) < declared
    finally:
        site.clear_faults()


async def test_fault_stall_and_slow_can_be_cut_by_timeouts(
    site: SimSite, http: aiohttp.ClientSession
) -> None:
    base = site.base_url("www")
    try:
        site.set_fault("www", "/rss/terkini.xml", "stall")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await fetch(http, base + "/rss/terkini.xml", timeout=aiohttp.ClientTimeout(total=0.3))
        assert time.monotonic() - started < 2
        site.set_fault("www", "/sitemap.xml", "slow")
        with pytest.raises(TimeoutError):
            await fetch(http, base + "/sitemap.xml", timeout=aiohttp.ClientTimeout(total=0.3))
        started = time.monotonic()
        status, _, _ = await fetch(http, base + "/sitemap.xml")
        assert status == 200 and time.monotonic() - started >= 1.9
    finally:
        site.clear_faults()
    # The stalled request is logged without a status once its handler is cancelled.
    for _ in range(50):
        stalled = [r for r in site.requests if r.bureau == "www" and r.path_qs.startswith("/rss")]
        if stalled and stalled[-1].status == 0:
            break
        await asyncio.sleep(0.02)
    assert stalled[-1].status == 0


async def test_request_log(site: SimSite, http: aiohttp.ClientSession) -> None:
    before = len(site.requests)
    await fetch(http, site.base_url("jatim") + "/terkini?page=3")
    record = site.requests[before]
    assert (record.bureau, record.method, record.path_qs, record.status) == (
        "jatim",
        "GET",
        "/terkini?page=3",
        200,
    )
    assert record.headers["User-Agent"] == UA and record.at == NOW


# -- article pages --------------------------------------------------------------------------------


def body_paragraphs(content: Any) -> list[str]:
    """The story's paragraphs: <p> and bare text nodes, minus inserts, footer and notice."""
    out: list[str] = []

    def add(text: str | None) -> None:
        if text and text.strip():
            out.append(text.strip())

    add(content.text)
    for child in content:
        if (
            child.tag == "p"
            and not child.get("class")
            and not child.cssselect("span.baca-juga, script")
            and child.text_content().strip() != NOTICE
        ):
            add(child.text_content())
        add(child.tail)
    return out


def local_instant(text: str, tz_offset: int) -> datetime:
    match = PAGE_DATE.match(text)
    assert match, text
    _, day, month, year, hour, minute, _ = match.groups()
    naive = datetime(int(year), MONTHS.index(month) + 1, int(day), int(hour), int(minute))
    return naive.replace(tzinfo=UTC) - timedelta(hours=tz_offset)


def check_article_page(site: SimSite, article: SimArticle, body: bytes) -> None:
    bureau = site.bureau(article.bureau)
    offset = 8 if bureau.tz_name == "WITA" else 7
    doc = html(body)
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.iter("meta")}
    assert doc.cssselect('link[rel="canonical"]')[0].get("href") == article.url
    assert meta["og:url"] == article.url and meta["og:type"] == "article"
    assert meta["og:title"] == article.title and meta["og:image"] == article.image_url
    assert meta["description"] and meta["og:description"]
    published = datetime.fromisoformat(meta["article:published_time"])
    assert published == article.published_at
    assert published.utcoffset() == timedelta(hours=offset)

    scripts = doc.xpath('//script[@type="application/ld+json"]')
    if article.jsonld == "none":
        assert not scripts
    else:
        (script,) = scripts
        data = json.loads(script.text)
        if article.jsonld == "graph":
            kinds = {node["@type"]: node for node in data["@graph"]}
            assert {"NewsArticle", "BreadcrumbList", "WebPage"} <= kinds.keys()
            news = kinds["NewsArticle"]
        else:
            news = data
            assert news["@type"] == "NewsArticle"
        assert news["headline"] == article.title
        assert datetime.fromisoformat(news["datePublished"]) == article.published_at
        assert datetime.fromisoformat(news["dateModified"]) == article.updated_at
        assert news["author"] == {"@type": "Person", "name": article.authors[0]}
        assert news["publisher"]["name"] == "ANTARA"
        assert news["articleSection"] == article.section[1]

    (detail,) = doc.cssselect("div.wrap__article-detail")
    crumbs = [a.text_content() for a in detail.cssselect("ul.breadcrumbs li.breadcrumbs__item a")]
    assert crumbs == ["Beranda", article.section[1]]
    (h1,) = detail.cssselect(".wrap__article-detail-title h1.post-title")
    assert h1.text_content() == article.title
    spans = detail.cssselect(".wrap__article-detail-info span")
    date_text = spans[-2].text_content().strip()
    assert date_text == page_date(article.published_at, bureau.tz, bureau.tz_name)
    assert date_text.endswith(bureau.tz_name)
    assert local_instant(date_text, offset) == article.published_at.replace(second=0)
    (img,) = detail.cssselect("div.wrap__article-detail-image figure img")
    assert img.get("src") == article.image_url
    caption = detail.cssselect("div.wrap__article-detail-image figcaption")[0].text_content()
    assert caption == article.image_caption

    (content,) = detail.cssselect("div.wrap__article-detail-content.post-content")
    assert body_paragraphs(content) == list(article.paragraphs), article.url
    if article.body_style == "br":
        assert content.text and content.text.strip() == article.paragraphs[0]
        assert len(content.cssselect("br")) >= 2
    baca = content.cssselect("p > span.baca-juga")
    assert len(baca) == min(len(article.related), 2 if len(article.paragraphs) > 4 else 1)
    for span, (title, url) in zip(baca, article.related, strict=False):
        assert span.text_content() == f"{article.baca_juga_label} {title}"
        assert span.cssselect("a")[0].get("href") == url
    (footer,) = content.cssselect("p.text-muted.mt-2.small")
    text = footer.text_content()
    year = article.published_at.astimezone(bureau.tz).year
    author = article.authors[0]
    if article.footer_style == "glued":
        translated = f"Penerjemah: {article.translator}" if article.translator else ""
        assert (
            text
            == f"Pewarta: {author}{translated}Editor: {article.editor} COPYRIGHT © ANTARA {year}"
        )
    elif article.footer_style == "spaced":
        assert text.startswith(f"Pewarta : {author} ")
        assert text.endswith(f"Editor: {article.editor} COPYRIGHT © ANTARA {year}")
    else:
        assert len(footer.cssselect("br")) == (3 if article.translator else 2)
        assert text.startswith(f"Pewarta : {author}")
    assert content.xpath("p[last()]")[0].text_content() == NOTICE
    tags = [a.text_content() for a in detail.cssselect("ul.blog-tags li a")]
    assert tags == list(article.tags)

    # The noise a real page carries around the story.
    assert len(doc.cssselect("header .megamenu a")) >= 40
    assert len(doc.cssselect(".popular-news ol li a")) >= min(10, len(site.articles(bureau.slug)))
    assert len(doc.cssselect(".related-news li a")) >= 3
    assert len(doc.cssselect("footer a")) >= 20
    assert doc.cssselect("ins.adsbygoogle") and doc.cssselect(".social-share")
    if len(article.paragraphs) > 2:
        assert content.cssselect('div[id^="aswift_"]')
    if len(article.paragraphs) > 3:
        assert content.cssselect("p > script")


@pytest.mark.parametrize("bureau", BUREAUS)
async def test_article_pages_structure(
    site: SimSite, http: aiohttp.ClientSession, bureau: str
) -> None:
    for article in site.articles(bureau):
        status, body, headers = await fetch(http, article.url)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=UTF-8"
        check_article_page(site, article, body)


async def test_article_url_variants(site: SimSite, http: aiohttp.ClientSession) -> None:
    article = site.articles("kalsel")[5]
    base = site.base_url("kalsel")
    status, body, _ = await fetch(http, f"{base}/berita/{article.id}/judul-yang-salah")
    assert status == 200
    assert html(body).cssselect('link[rel="canonical"]')[0].get("href") == article.url
    status, _, headers = await fetch(http, f"{base}/berita/{article.id}")
    assert status == 301 and headers["Location"] == article.url
    status, body, _ = await fetch(http, f"{base}/amp/berita/{article.id}/{article.slug}")
    assert status == 200
    amp = html(body)
    assert amp.cssselect('link[rel="canonical"]')[0].get("href") == article.url
    assert amp.cssselect("h1.post-title")[0].text_content() == article.title
    status, body, _ = await fetch(http, f"{base}/berita/999999999/tidak-ada")
    assert status == 404 and b"Halaman tidak ditemukan" in body
    status, body, headers = await fetch(http, article.image_url or "")
    assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
