"""`warta sources snapshot`: a live sample saved as files becomes a regression test.

Every folder under tests/fixtures/snapshots is such a sample: its pages, extracted again with
today's code and the catalogue's layouts, must give the records saved with it. Adding a
regression test for a site means running `warta sources snapshot ID --to` into that folder.
The snapshot is also replayed over HTTP: served on loopback, it passes the quality gates and
gives the same records as the live site did.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from config.catalogue import load_catalogue
from config.settings import Settings
from ingestor.fetch import Fetcher, make_session
from ingestor.onboard import fetch_sample, judge_sample
from ingestor.sources import Source, load_sources
from tests.conftest import ROOT
from warta.simsite import SimSite
from warta.snapshot import MANIFEST, RECORDS, replay_records, take_snapshot

SNAPSHOTS = ROOT / "tests" / "fixtures" / "snapshots"
LAYOUTS = ROOT / "seeds" / "layouts.toml"


def _saved(folder: Path) -> list[dict[str, object]]:
    lines = (folder / RECORDS).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _entry(folder: Path) -> Source:
    provinces = {p.slug for p in load_catalogue().provinces}
    (source,) = load_sources(folder / "source.toml", provinces=provinces, layouts_path=LAYOUTS)
    return source


@pytest.mark.parametrize("folder", sorted(p for p in SNAPSHOTS.iterdir() if p.is_dir()), ids=str)
def test_saved_snapshot_extracts_as_on_the_day_it_was_taken(folder: Path) -> None:
    saved = _saved(folder)
    assert saved, f"{folder}: no records"
    assert replay_records(folder, _entry(folder)) == saved


async def _take(settings: Settings, source: Source, folder: Path) -> int:
    session = make_session(settings)
    try:
        return await take_snapshot(
            Fetcher(settings, session), source, folder, size=3, clock=lambda: datetime.now(UTC)
        )
    finally:
        await session.close()


def _replay_app(folder: Path, origin: str, replay_origin: str) -> web.Application:
    """Serve a snapshot's files at their paths, links pointing at the replay server."""
    files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    routes: dict[str, tuple[bytes, str]] = {}
    for item in files:
        body = (folder / item["path"]).read_bytes().replace(origin.encode(), replay_origin.encode())
        parts = urlsplit(item["url"])
        routes[parts.path + (f"?{parts.query}" if parts.query else "")] = (
            body,
            item["content_type"] or "application/octet-stream",
        )

    async def handler(request: web.Request) -> web.Response:
        found = routes.get(request.path_qs)
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[0], headers={"Content-Type": found[1]})

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    return app


async def test_snapshot_of_a_live_source_replays_over_http(
    site: SimSite, settings: Settings, sources: list[Source], tmp_path: Path
) -> None:
    source = next(s for s in sources if s.id == "sim-jatim")
    folder = tmp_path / "snap"
    assert await _take(settings, source, folder) == 0
    names = {p.name for p in folder.iterdir()}
    assert {
        "manifest.json",
        "records.jsonl",
        "source.toml",
        "robots-001.txt",
        "feed-001.xml",
    } <= names
    assert len(list((folder / "pages").iterdir())) == 3
    saved = _saved(folder)
    assert len(saved) == 3 and all(r["title"] and r["text"] for r in saved)
    assert replay_records(folder, _entry(folder)) == saved

    runner = web.AppRunner(web.Application())
    await runner.setup()
    site_ = web.TCPSite(runner, "127.0.0.1", 0)
    await site_.start()
    port = runner.addresses[0][1]
    await runner.cleanup()
    replay_origin = f"http://127.0.0.1:{port}"
    app_runner = web.AppRunner(_replay_app(folder, source.base_url, replay_origin))
    await app_runner.setup()
    await web.TCPSite(app_runner, "127.0.0.1", port).start()
    session = make_session(settings)
    try:
        replayed = replace(_entry(folder), base_url=replay_origin)
        rss = tuple(u.replace(source.base_url, replay_origin) for u in replayed.discovery.rss)
        replayed = replace(
            replayed, discovery=replace(replayed.discovery, rss=rss, listings=(), sitemaps=())
        )
        sample = await fetch_sample(
            Fetcher(settings, session), replayed, size=3, clock=lambda: datetime.now(UTC)
        )
    finally:
        await session.close()
        await app_runner.cleanup()
    report = judge_sample(sample.records, has_rules=True, now=datetime.now(UTC))
    assert report.passed, report.summary()
    titles = sorted(r.title for r in sample.records if not isinstance(r, tuple))
    assert titles == sorted(str(r["title"]) for r in saved)
