"""The HTML index at / (every feed, autodiscovery, latest headlines) and the OPML 2.0 list."""

from __future__ import annotations

import time
from html import escape

from aiohttp import web
from lxml import etree

from feeds import entry as e
from feeds.changes import Scope
from feeds.failing import Failing, failing_sources, notice
from feeds.names import RegionName, clock
from feeds.params import FeedParams
from feeds.query import ArticleRow
from feeds.response import Representation, make_representation, respond
from feeds.routes import fresh, load_page
from feeds.state import STATE, FeedState
from feeds.websub import FORMATS

__all__ = ["index", "opml"]

_HEADLINES = 20
_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}a{color:#0645ad}.f a{margin-right:.5em;font-size:.9em}"
    "details{margin:.2em 0}summary{cursor:pointer}ul{padding-left:1.2em}"
    "time,.src{color:#555;font-size:.9em}"
    ".warn{background:#fff3cd;border:1px solid #e0b252;padding:.5em .8em;border-radius:4px}"
)


def _formats(stem: str) -> str:
    links = "".join(f'<a href="feeds/{stem}.{f}">{_LABELS[f]}</a>' for f in FORMATS)
    return f'<span class="f">{links}</span>'


def _headline(row: ArticleRow) -> str:
    when = e.local(row, row.published_at)
    shown = clock(row.published_at, row.source_timezone, date=True)  # 4 Des 2026, 08.30 WITA
    return (
        f'<li><a href="{escape(e.xml_safe(row.canonical_url))}">{escape(e.title(row))}</a>'
        f' <span class="src">{escape(e.clean_line(row.source_name))}</span>'
        f' <time datetime="{when.isoformat()}">{escape(shown)}</time></li>'
    )


def _notice(failing: Failing | None) -> str:
    if failing is None:
        return ""
    return f'<p class="warn" role="status">{escape(notice(failing))}</p>'


def _province(state: FeedState, province: RegionName) -> str:
    regencies = "".join(
        f"<li>{escape(r.name)} {_formats(r.key)}</li>" for r in state.names.regencies(province.key)
    )
    return (
        f"<details><summary>{escape(province.name)}</summary>"
        f"<p>Seluruh provinsi {_formats(province.key)}</p><ul>{regencies}</ul></details>"
    )


_VERIFICATION = (
    "SELECT v.verification, count(*) AS n FROM source_verification v"
    " JOIN sources s ON s.id = v.source_id WHERE s.enabled GROUP BY v.verification"
)
_STATES = (("verified", "terverifikasi"), ("failing", "gagal cek kualitas"),
           ("stale", "entri berubah sejak dicek"), ("unverified", "belum dicek"))  # fmt: skip


def _sources_line(counts: dict[str, int]) -> str:
    """How many sources `warta sources check` vouched for: readers judge the feeds by it."""
    total = sum(counts.values())
    parts = [f"{counts[k]} {label}" for k, label in _STATES if counts.get(k)]
    return f"<p>Sumber aktif: {total}" + (f" ({', '.join(parts)})" if parts else "") + ".</p>"


def _page(
    state: FeedState, rows: tuple[ArticleRow, ...], failing: Failing | None, sources: str = ""
) -> str:
    discovery = "".join(
        f'<link rel="alternate" type="{t}" title="Warta: semua berita ({_LABELS[f]})"'
        f' href="feeds/all.{f}">'
        for f, t in (
            ("rss", "application/rss+xml"),
            ("atom", "application/atom+xml"),
            ("json", "application/feed+json"),
        )
    )
    topics = "".join(
        f"<li>{escape(name)} {_formats('topics/' + slug)}</li>"
        for slug, name in sorted(state.names.topics.items(), key=lambda t: t[1])
    )
    provinces = "".join(_province(state, p) for p in state.names.provinces())
    headlines = "".join(_headline(r) for r in rows) or "<li>Belum ada berita.</li>"
    return (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Warta: umpan berita daerah</title>"
        # An empty icon: otherwise browsers ask for /favicon.ico and log the 404.
        '<link rel="icon" href="data:,">'
        f'{discovery}<link rel="alternate" type="text/x-opml" title="Semua umpan (OPML)"'
        f' href="opml"><style>{_STYLE}</style></head><body>'
        "<h1>Warta</h1><p>Berita daerah Indonesia sebagai umpan RSS, Atom dan JSON Feed.</p>"
        f"{_notice(failing)}"
        f'<p>Semua berita {_formats("all")} · <a href="opml">OPML</a>'
        ' · <a href="api/v1/articles">API artikel</a> · <a href="api/v1/sources">sumber</a></p>'
        f"{sources}<h2>Berita terbaru</h2><ol>{headlines}</ol>"
        f"<h2>Topik</h2><ul>{topics}</ul>"
        f"<h2>Provinsi, kabupaten dan kota</h2>{provinces}"
        "</body></html>"
    )


async def _render_index(state: FeedState) -> Representation:
    started = time.perf_counter()
    page = await load_page(state, FeedParams(limit=_HEADLINES), ingestion=False)
    failing = await failing_sources(state.pool)
    counts = {r["verification"]: r["n"] for r in await state.pool.fetch(_VERIFICATION)}
    body = _page(state, page.rows, failing, _sources_line(counts)).encode("utf-8")
    rep = make_representation(
        body,
        "text/html; charset=utf-8",
        # Health changes without a NOTIFY: Last-Modified would hide a new notice.
        modified_at=None,
        cache_control=f"public, max-age={state.settings.feed_max_age}",
        # Never kept in the cache for the same reason; clients still get 304s by ETag.
        cacheable=False,
    )
    state.metrics.observe_render("html", time.perf_counter() - started)
    return rep


async def index(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        rep = await state.cache.get_or_render("/", Scope(), lambda: _render_index(state))
    except web.HTTPException as exc:
        raise fresh(exc) from None
    return respond(request, rep)


def _outline(parent: etree._Element, text: str, xml_url: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, "outline", text=text)
    if xml_url:
        node.set("title", text)
        node.set("type", "rss")
        node.set("xmlUrl", xml_url)
    return node


async def _render_opml(state: FeedState) -> Representation:
    base = state.settings.base_url
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = "Warta: semua umpan"
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    _outline(body, "Warta: semua berita", f"{base}/feeds/all.rss").set("htmlUrl", base + "/")
    topics = _outline(body, "Topik")
    for slug, name in sorted(state.names.topics.items(), key=lambda t: t[1]):
        _outline(topics, f"Topik: {name}", f"{base}/feeds/topics/{slug}.rss")
    provinces = _outline(body, "Provinsi")
    for province in state.names.provinces():
        folder = _outline(provinces, province.name)
        _outline(folder, province.name, f"{base}/feeds/{province.key}.rss")
        for regency in state.names.regencies(province.key):
            _outline(folder, f"{regency.name} ({province.name})", f"{base}/feeds/{regency.key}.rss")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return make_representation(
        data,
        "text/x-opml; charset=utf-8",
        modified_at=None,
        cache_control=f"public, max-age={state.settings.feed_max_age}",
    )


async def opml(request: web.Request) -> web.Response:
    state = request.app[STATE]
    # The list depends only on the catalogue, fixed for the life of the process.
    rep = await state.cache.get_or_render(
        "/opml", Scope(articles=False), lambda: _render_opml(state)
    )
    return respond(request, rep)
