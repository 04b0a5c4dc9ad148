"""`warta sources add` on real newsroom pages: saved CNN articles served as a small site on loopback.

The pages come from the newspaper4k test corpus in ../shared/corpora (skipped cleanly when the
folder is absent: a clone does not have it). The small site around them is ours: a home page
linking the stories, an RSS feed listing them, robots.txt. No hand layout fits these pages,
so the generic path extracts them; the entry must still find every story exactly once.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import AsyncIterator
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from aiohttp import web

from ingestor.onboard import entry_toml
from tests.conftest import ROOT, run_pass, truncate
from tests.test_onboard_sites import _seeds, _settings, _stored, _survey

CORPORA = Path(os.environ.get("WARTA_CORPORA", ROOT.parent / "shared" / "corpora"))
PAGES = ("head-cnn_001", "head-cnn_002", "head-cnn_article", "head-cnn_test_nlp")
pytestmark = pytest.mark.skipif(
    not (CORPORA / "newspaper4k" / "gold.json").is_file(),
    reason=f"real pages not available ({CORPORA} is absent)",
)


def _site(origin: list[str]) -> web.Application:
    gold = json.loads((CORPORA / "newspaper4k" / "gold.json").read_text(encoding="utf-8"))
    pages: dict[str, tuple[bytes, str]] = {}
    for name in PAGES:
        html = gzip.decompress((CORPORA / "newspaper4k" / "pages" / f"{name}.html.gz").read_bytes())
        pages[urlsplit(gold[name]["url"]).path] = (html, gold[name].get("title") or name)

    async def home(request: web.Request) -> web.Response:
        links = "".join(f'<li><a href="{p}">{escape(t)}</a></li>' for p, (_, t) in pages.items())
        body = (
            '<!DOCTYPE html><html lang="en"><head><title>Small News - Home</title>'
            '<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>'
            f'<nav><a href="/about">About</a> <a href="/politics">Politics</a></nav><ul>{links}</ul>'
            "<footer>© Small News 2026</footer></body></html>"
        )
        return web.Response(text=body, content_type="text/html")

    async def feed(request: web.Request) -> web.Response:
        items = "".join(
            f"<item><title>{escape(t)}</title><link>{origin[0]}{p}</link></item>"
            for p, (_, t) in pages.items()
        )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Small News</title>{items}</channel></rss>'
        return web.Response(text=body, content_type="application/rss+xml")

    async def article(request: web.Request) -> web.Response:
        found = pages.get(request.path)
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[0], content_type="text/html")

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text="User-agent: *\nAllow: /\n")

    app = web.Application()
    app.router.add_get("/", home)
    app.router.add_get("/rss.xml", feed)
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/{tail:.+}", article)
    return app


@pytest.fixture
async def small_site() -> AsyncIterator[tuple[str, list[str]]]:
    origin: list[str] = []
    runner = web.AppRunner(_site(origin))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    origin.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
    try:
        yield origin[0], [f"{origin[0]}{p}" for p in _paths()]
    finally:
        await runner.cleanup()


def _paths() -> list[str]:
    gold = json.loads((CORPORA / "newspaper4k" / "gold.json").read_text(encoding="utf-8"))
    return [urlsplit(gold[name]["url"]).path for name in PAGES]


async def test_real_pages_onboard_into_an_entry_that_ingests_each_story_once(
    small_site: tuple[str, list[str]], database_url: str, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    base, urls = small_site
    settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
    result = await _survey(settings, base + "/")
    assert result.fields is not None and result.pattern is not None, result.fatal
    assert set(result.pattern.matching) == {urlsplit(u).path for u in urls}
    assert "/about" in result.pattern.not_matching
    assert result.fields["layout"] is None  # no hand layout fits: the generic path
    assert result.fields["lang"] == "en" and result.fields["rss"] == [base + "/rss.xml"]
    assert result.report is not None and result.report.passed, result.report.summary()
    for record in result.records:
        assert not isinstance(record, tuple), record
        assert record.title and len(record.text.split()) > 100

    await truncate(pool)
    fields = {**result.fields, "id": "small-news"}
    sources = _seeds(tmp_path / "seeds", entry_toml(fields))
    assert sources[0].enabled
    await run_pass(settings, pool, sources)
    stored = await _stored(pool, "small-news")
    assert sorted(stored) == sorted(urls)
