"""Script payloads in every article field never reach a feed, the HTML index or OPML as markup.

Two ways in: a story on the simulated site whose every field carries a payload, through the
whole pipeline (fetch, extract, normalize, store), and records with a payload in every field
of the article record stored through the write side, from a source republished in full. Then
every document a reader or browser gets from a real `warta serve` is parsed, and every part a
consumer may treat as HTML is parsed again as HTML: no script-capable element, no event
handler attribute, no javascript:/data:/vbscript: URL anywhere.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import asyncpg
import pytest
from lxml import etree
from lxml import html as lxml_html

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import ingest, truncate
from tests.reliability.budget import record
from tests.reliability.feedsite import XSS, serve_process, store_hostile
from warta.simsite import SimSite
from warta.simsite.model import SimArticle

_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "form",
                   "base", "meta", "link", "frame", "frameset", "applet"}  # fmt: skip
_URL_ATTRS = {"href", "src", "action", "formaction", "url", "poster", "background", "xlink:href"}
_BAD_SCHEMES = ("javascript:", "vbscript:")
# A data: URL runs script only as a document (HTML, XHTML, SVG); "data:," is an empty icon.
_BAD_DATA = ("data:text/html", "data:application/xhtml", "data:image/svg", "data:text/xml")
# RSS elements that carry URLs, not text: a reader uses them as links, never renders them.
_RSS_URLS = {"link", "guid", "url", "comments", "docs", "enclosure", "content"}


def _bad_url(value: str) -> bool:
    squeezed = "".join(value.split()).lower()
    return squeezed.startswith(_BAD_SCHEMES) or squeezed.startswith(_BAD_DATA)


def dangers(root: Any, where: str, *, allow_scripts: bool = False) -> list[str]:
    """What in an HTML tree could run: elements, handlers, script URLs."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.rsplit("}", 1)[-1].lower()
        if tag in _DANGEROUS_TAGS and not (
            allow_scripts and tag in ("script", "style", "meta", "link")
        ):
            found.append(f"{where}: <{tag}>")
        for name, value in el.attrib.items():
            name = name.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                found.append(f"{where}: {name}= on <{tag}>")
            squeezed = "".join(value.split()).lower()
            if (name in _URL_ATTRS and _bad_url(value)) or (
                name == "style" and ("javascript:" in squeezed or "expression(" in squeezed)
            ):
                found.append(f"{where}: {name}={value!r}")
    return found


def html_dangers(fragment: str, where: str) -> list[str]:
    if not fragment.strip():
        return []
    return dangers(lxml_html.fragment_fromstring(fragment, create_parent="div"), where)


def xml_dangers(body: bytes, where: str, *, rss: bool) -> list[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(body, parser)
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = el.tag.rsplit("}", 1)[-1].lower()
        if local in _DANGEROUS_TAGS - {"link", "meta"} or local in ("img", "a"):
            found.append(f"{where}: XML element <{local}>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or (name.lower() in _URL_ATTRS and _bad_url(value)):
                found.append(f"{where}: {local} {name}={value!r}")
        # RSS text is ambiguous (readers render titles and descriptions as HTML): every text
        # node must be harmless as HTML. In Atom only type="html" says so.
        is_url = local in _RSS_URLS or local == "id"
        as_html = (rss and not is_url) or el.get("type") == "html"
        if as_html and el.text:
            found += html_dangers(el.text, f"{where} <{local}>")
        if is_url and el.text and _bad_url(el.text):
            found.append(f"{where}: <{local}> {el.text!r}")
    return found


def json_dangers(doc: Any, where: str) -> list[str]:
    found = []
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "content_html" and isinstance(value, str):
                found += html_dangers(value, f"{where}.{key}")
            elif key in ("url", "external_url", "image", "banner_image", "avatar", "icon",
                         "favicon", "home_page_url", "feed_url", "next_url") and isinstance(value, str):  # fmt: skip
                if _bad_url(value):
                    found.append(f"{where}.{key} = {value!r}")
            else:
                found += json_dangers(value, f"{where}.{key}")
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            found += json_dangers(item, f"{where}[{i}]")
    return found


HOSTILE_STORY = SimArticle(
    title=f"Banjir {XSS[0]} di Tapin {XSS[1]}",
    paragraphs=(f"Warga {XSS[2]} mengungsi.", f"Bantuan {XSS[4]} datang {XSS[5]}.", XSS[6]),
    authors=(f"Ani {XSS[9]}",),
    editor=XSS[3],
    section=("berita", f"Berita {XSS[10]}"),
    tags=(XSS[0], "banjir"),
    image_caption=f"Foto {XSS[1]}",
    related=((f"Lainnya {XSS[0]}", "javascript:alert('related')"),),
    dateline_place=f"Rantau {XSS[2]}",
)


@pytest.fixture(scope="module")
async def served(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, sources: list[Source],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[str]:  # fmt: skip
    await truncate(pool)
    story = site.publish("kalsel", HOSTILE_STORY)
    await ingest(settings, pool, sources)
    stored = await pool.fetchrow("SELECT title, text FROM articles WHERE url = $1", story.url)
    assert stored is not None and "<script>" in stored["title"], "the payload got through as text"
    await store_hostile(pool, "sim-kalsel", 2 * len(XSS))
    async with serve_process(settings, tmp_path_factory.mktemp("xss")) as server:
        yield server.base


DOCUMENTS = [
    "/feeds/all.rss", "/feeds/all.atom", "/feeds/all.json", "/feeds/kalsel.rss",
    "/feeds/kalsel.atom", "/feeds/kalsel.json", "/feeds/topics/politik.rss",
    "/feeds/topics/politik.atom", "/feeds/topics/politik.json", "/feeds/all.rss?page=1",
    "/feeds/all.atom?duplicates=1&limit=200", "/feeds/all.json?q=judul", "/opml", "/",
    "/api/v1/articles", "/api/v1/sources",
]  # fmt: skip


async def _get(base: str, path: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        return resp.status, await resp.read(), resp.headers.get("Content-Type", "")


CHECKED = [0]


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    record("xss", payloads=len(XSS), documents_checked=CHECKED[0])


@pytest.mark.parametrize("path", DOCUMENTS)
async def test_no_document_carries_a_payload_as_markup(served: str, path: str) -> None:
    CHECKED[0] += 1
    status, body, content_type = await _get(served, path)
    assert status == 200, (path, body[:300])
    if "json" in content_type:
        doc = json.loads(body)
        # The API is data for programs, not a document anyone renders: valid JSON is its
        # proof (test below); feeds in JSON Feed are read by readers that render content_html.
        found = [] if path.startswith("/api/") else json_dangers(doc, path)
    elif "html" in content_type:
        root = lxml_html.document_fromstring(body)
        found = dangers(root, path, allow_scripts=True)
        for script in root.iter("script"):
            assert "xss" not in (script.text or ""), "no payload inside the page's own scripts"
    else:
        rss = "rss" in content_type or path.endswith(".rss")
        found = xml_dangers(body, path, rss=rss)
    assert not found, found[:10]


async def test_the_payloads_are_there_as_text(served: str) -> None:
    """Not vacuous: the hostile articles are in the feeds, their payloads shown as text."""
    status, body, _ = await _get(served, "/feeds/all.json?limit=200")
    assert status == 200
    items = json.loads(body)["items"]
    titles = " ".join(i.get("title", "") for i in items)
    assert "<script>alert('xss-1')</script>" in titles
    assert any("content_html" in i and "xss" in i["content_html"] for i in items)
    status, body, _ = await _get(served, "/")
    assert b"xss-1" in body, "the index lists the hostile headlines, escaped"


async def test_every_article_page_in_the_api_is_json(served: str, pool: asyncpg.Pool) -> None:
    for article_id in [r["id"] for r in await pool.fetch("SELECT id FROM articles LIMIT 40")]:
        status, body, content_type = await _get(served, f"/api/v1/articles/{article_id}")
        assert status == 200 and content_type.startswith("application/json")
        json.loads(body)
