"""Every feed the OPML lists, empty ones included, in every format: what a strict validator wants.

The database is filled from the simulated site, so most regency feeds are empty. Each document
must parse with feedparser (bozo 0) and pass the W3C Feed Validator rules that can be checked
cheaply: required elements, a self link that is the document's own URL, unique entry ids,
Atom entries with an author and a complete atom:source (id, updated), RFC 822 dates in RSS,
and no date before 2000 (the validator calls those implausible; an empty feed once said 1970).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import asyncpg
import feedparser
import pytest
from lxml import etree

from config.settings import Settings
from feeds.meta import FeedMeta
from feeds.names import Names
from feeds.query import ArticleRow
from feeds.render import render
from ingestor.sources import Source
from tests.conftest import ingest, truncate
from tests.test_feeds_support import serve
from warta.simsite import SimSite

ATOM = "{http://www.w3.org/2005/Atom}"
FLOOR = datetime(2000, 1, 1, tzinfo=UTC)
TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


@pytest.fixture(scope="module")
async def documents(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source]
) -> AsyncIterator[dict[str, bytes]]:
    """Every OPML feed URL in every format, fetched from the real app, by URL; the app goes
    on serving until the module's tests are done."""
    await truncate(pool)
    await ingest(settings, pool, sources)
    async with serve(settings, pool) as (base, _app), aiohttp.ClientSession() as http:
        async with http.get(base + "/opml") as resp:
            assert resp.status == 200
            opml = etree.fromstring(await resp.read())
        listed = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
        urls = [u.removesuffix(".rss") + f".{fmt}" for u in listed for fmt in TYPES]
        limit = asyncio.Semaphore(4)

        async def get(url: str) -> tuple[str, bytes]:
            async with limit, http.get(url) as resp:
                assert resp.status == 200, (url, resp.status)
                fmt = url.rsplit(".", 1)[1]
                assert resp.headers["Content-Type"].startswith(TYPES[fmt]), url
                return url, await resp.read()

        yield dict(await asyncio.gather(*(get(u) for u in urls)))


def plausible(stamp: datetime | None, where: str) -> None:
    assert stamp is not None, f"{where}: no date"
    assert stamp >= FLOOR, f"{where}: implausible date {stamp.isoformat()}"


def iso(text: str | None, where: str) -> datetime:
    assert text, f"{where}: no date"
    return datetime.fromisoformat(text)


def check_atom(url: str, root: etree._Element) -> None:
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{name}"), f"{url}: feed without {name}"
    plausible(iso(root.findtext(f"{ATOM}updated"), url), url)
    selfs = [link.get("href") for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert selfs == [url], f"{url}: self link {selfs}"
    feed_author = root.find(f"{ATOM}author") is not None
    ids = [entry.findtext(f"{ATOM}id") for entry in root.findall(f"{ATOM}entry")]
    assert len(ids) == len(set(ids)), f"{url}: duplicate entry ids"
    for entry in root.findall(f"{ATOM}entry"):
        where = f"{url} entry {entry.findtext(f'{ATOM}id')}"
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{name}"), f"{where}: no {name}"
        plausible(iso(entry.findtext(f"{ATOM}updated"), where), where)
        plausible(iso(entry.findtext(f"{ATOM}published"), where), where)
        source = entry.find(f"{ATOM}source")
        if source is not None:
            assert source.findtext(f"{ATOM}id"), f"{where}: atom:source without id"
            plausible(iso(source.findtext(f"{ATOM}updated"), where), f"{where} source")
        has_author = entry.find(f"{ATOM}author/{ATOM}name") is not None or (
            source is not None and source.find(f"{ATOM}author") is not None
        )
        assert has_author or feed_author, f"{where}: no author (RFC 4287 4.1.2)"


def check_rss(url: str, root: etree._Element) -> None:
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description", "lastBuildDate"):
        assert channel.findtext(name), f"{url}: channel without {name}"
    plausible(parsedate_to_datetime(channel.findtext("lastBuildDate") or ""), url)
    selfs = [
        link.get("href") for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"
    ]
    assert selfs == [url], f"{url}: atom:link rel=self {selfs}"
    guids = [item.findtext("guid") for item in channel.findall("item")]
    assert len(guids) == len(set(guids)), f"{url}: duplicate guids"
    for item in channel.findall("item"):
        where = f"{url} item {item.findtext('guid')}"
        assert item.findtext("title") or item.findtext("description"), where
        guid = item.find("guid")
        assert guid is not None and (guid.text or "").startswith(("http://", "https://")), where
        plausible(parsedate_to_datetime(item.findtext("pubDate") or ""), where)
        source = item.find("source")
        assert source is None or source.get("url", "").startswith("http"), f"{where}: source url"


def check_json(url: str, doc: dict[str, Any]) -> None:
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(doc["items"], list), url
    assert doc["title"] and doc["feed_url"] == url, url
    ids = [item["id"] for item in doc["items"]]
    assert len(ids) == len(set(ids)), f"{url}: duplicate item ids"
    for item in doc["items"]:
        where = f"{url} item {item['id']}"
        assert item.get("title") or item.get("content_html") or item.get("content_text"), where
        plausible(iso(item.get("date_published"), where), where)
        plausible(iso(item.get("date_modified"), where), where)


def test_every_listed_feed_in_every_format_is_valid(documents: dict[str, bytes]) -> None:
    assert len(documents) == 3 * (1 + 38 + 514 + 13), "all, provinces, regencies, topics"
    empty = filled = 0
    for url, body in documents.items():
        fmt = url.rsplit(".", 1)[1]
        if fmt == "json":  # feedparser 6.0 does not read JSON Feed: the checks are ours
            doc = json.loads(body)
            check_json(url, doc)
            empty, filled = (empty + 1, filled) if not doc["items"] else (empty, filled + 1)
            continue
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
        stamp = parsed.feed.get("updated_parsed")
        plausible(datetime(*stamp[:6], tzinfo=UTC) if stamp else None, f"{url} (feedparser)")
        root = etree.fromstring(body)
        (check_atom if fmt == "atom" else check_rss)(url, root)
        empty, filled = (empty + 1, filled) if not parsed.entries else (empty, filled + 1)
    assert empty and filled, (empty, filled)  # both kinds were checked


async def test_an_empty_feed_is_dated_by_its_regions_news_or_the_catalogue(
    settings: Settings, pool: asyncpg.Pool, documents: dict[str, bytes]
) -> None:
    """Not the time of rendering (replicas must agree) and not the epoch."""
    base = settings.base_url
    loaded = await pool.fetchval("SELECT min(created_at) FROM sources")
    kalsel_news = await pool.fetchval(
        "SELECT max(a.changed_at) FROM articles a JOIN article_regions r ON r.article_id = a.id"
        " WHERE r.region = 'kalsel'"
    )
    async with aiohttp.ClientSession() as http:  # the server of `documents` still runs
        # A regency nobody wrote about: dated when the source catalogue was loaded.
        empty = [u for u, b in documents.items() if u.endswith(".atom") and b"<entry>" not in b]
        assert empty
        root = etree.fromstring(documents[empty[0]])
        assert iso(root.findtext(f"{ATOM}updated"), empty[0]) == loaded
        # A filter that matches nothing in Kalsel: dated by Kalsel's latest news.
        async with http.get(f"{base}/feeds/kalsel.atom?q=zzzzzzzz") as resp:
            root = etree.fromstring(await resp.read())
        assert root.find(f"{ATOM}entry") is None
        assert iso(root.findtext(f"{ATOM}updated"), "kalsel?q") == kalsel_news


def test_an_entry_without_a_byline_has_its_publisher_as_author() -> None:
    """RFC 4287 wants an author for every entry; one without a byline inherits the source's."""
    stamp = datetime(2025, 12, 18, 8, tzinfo=UTC)
    row = ArticleRow(
        id=1, url="https://kalsel.example/berita/1/a", canonical_url="https://kalsel.example/berita/1/a",
        source_id="src", source_name="ANTARA Kalsel", source_url="https://kalsel.example",
        source_timezone="WITA", republish="summary", rights=None, title="Judul", summary="Isi",
        text="", authors=(), published_at=stamp, published_raw=None, date_source="meta",
        updated_at=None, lang="id", image=None, image_caption=None, section=None, tags=(),
        place=None, region="kalsel", regency=None, topics=(), related=(), content_hash="h",
        duplicate_of=None, duplicate_of_url=None, changed_at=stamp, ingest_xid=1,
    )  # fmt: skip
    url = "https://warta.example/feeds/kalsel.atom"
    meta = FeedMeta(url, "Warta: Kalsel", "Berita", url, "https://warta.example/", stamp)
    root = etree.fromstring(render("atom", meta, [row], Names()))
    check_atom(url, root)
    assert root.findtext(f"{ATOM}entry/{ATOM}source/{ATOM}author/{ATOM}name") == "ANTARA Kalsel"
