"""`warta sources add` on simulated newsrooms of every kind: the entry it proposes ingests the site.

Each variant of the simulated site (feeds and listings and sitemaps; RSS only; listing only;
sitemap only; a listing robots.txt forbids; a site with noai signals) is probed, the proposed
entry is written to a seeds folder and loaded unchanged, and one ingestion pass must store
every story the entry can reach exactly once; new stories arrive on the next pass.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import feedparser
import pytest

from config.catalogue import load_catalogue
from config.lexicon import load_lexicon
from config.settings import Settings, load_settings
from ingestor.classify import Gazetteer
from ingestor.fetch import Fetcher, make_session
from ingestor.onboard import SurveyOptions, SurveyResult, entry_toml, survey_site
from ingestor.sources import Source, load_layouts, load_sources
from tests.conftest import ROOT, free_port, run_pass, truncate
from warta.simsite import SimSite, SiteVariant
from warta.sources_cmd import add_source

LAYOUTS = ROOT / "seeds" / "layouts.toml"


def _settings(database_url: str, seeds: Path, data: Path) -> Settings:
    base = load_settings(
        {
            "WARTA_DATABASE_URL": database_url,
            "WARTA_SEEDS": str(seeds),
            "WARTA_DATA_DIR": str(data),
            "WARTA_PORT": str(free_port()),
        }
    )
    return replace(base, min_host_spacing=0.0)  # our own loopback site: no spacing needed


async def _survey(settings: Settings, url: str) -> SurveyResult:
    catalogue = load_catalogue()
    session = make_session(settings)
    try:
        return await survey_site(
            Fetcher(settings, session), url, SurveyOptions(allow_private_network=True),
            layouts=load_layouts(LAYOUTS), gazetteer=Gazetteer.from_catalogue(catalogue, load_lexicon()),
            zones={p.slug: p.timezone for p in catalogue.provinces},
            clock=lambda: datetime.now(UTC),
        )  # fmt: skip
    finally:
        await session.close()


def _seeds(folder: Path, toml: str) -> list[Source]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(LAYOUTS, folder / "layouts.toml")
    (folder / "onboarded.toml").write_text(toml, encoding="utf-8")
    return load_sources(folder, provinces={p.slug for p in load_catalogue().provinces})


async def _stored(pool: asyncpg.Pool, source_id: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT canonical_url FROM articles WHERE source_id = $1 ORDER BY id", source_id
    )
    return [r["canonical_url"] for r in rows]


async def _feed_links(feeds: list[str]) -> list[str]:
    links: set[str] = set()
    async with aiohttp.ClientSession() as http:
        for url in feeds:
            async with http.get(url) as resp:
                links.update(e.link for e in feedparser.parse(await resp.read()).entries)
    return list(links)


VARIANTS = {
    "everything": (SiteVariant(), None, {"feed", "sitemap", "listing"}),
    "rss-only": (SiteVariant(listings=False, sitemaps=False), None, {"feed"}),
    "listing-only": (SiteVariant(rss=False, sitemaps=False), None, {"listing"}),
    "sitemap-only": (SiteVariant(rss=False, listings=False), None, {"sitemap"}),
    "listing-disallowed": (SiteVariant(), "Disallow: /terkini\n", {"feed", "sitemap"}),
    "noai": (SiteVariant(noai=True), "\nUser-agent: GPTBot\nDisallow: /\n", None),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
async def test_added_entry_ingests_the_site_without_missing_or_doubling_a_story(
    site: SimSite,
    database_url: str,
    pool: asyncpg.Pool,
    tmp_path: Path,
    variant: str,
) -> None:
    bureau = "kaltim"
    switches, robots_extra, kinds = VARIANTS[variant]
    site.variants[bureau] = switches
    base = site.base_url(bureau)
    original_robots = site.robots_txt[bureau]
    if robots_extra:
        site.robots_txt[bureau] = original_robots.replace("Allow: /\n", robots_extra + "Allow: /\n")
        if robots_extra.startswith("\n"):
            site.robots_txt[bureau] = original_robots + robots_extra
    try:
        await truncate(pool)
        settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
        before = len(site.requests)
        result = await _survey(settings, base + "/")
        assert result.fatal is None, result.fatal
        assert result.fields is not None and result.report is not None
        assert result.report.passed, result.report.summary()
        found = {f.kind for f in result.findings}
        if kinds is not None:
            assert found == kinds, result.findings
        assert result.fields["layout"] == "antara"
        assert result.fields["province"] == "kaltim" and result.fields["timezone"] == "WITA"
        assert result.fields["allow_private_network"] is True
        if variant == "listing-disallowed":
            assert not any(urlsplit(f.url).path.startswith("/terkini") for f in result.findings)
            assert any("robots.txt" in s and "/terkini" in s for s in result.skipped)
            asked = [r.path_qs for r in site.requests[before:] if r.bureau == bureau]
            assert not any(path.startswith("/terkini") for path in asked), asked
        if variant == "noai":
            assert result.fields["republish"] == "summary"
            notes = str(result.fields["notes"])
            assert "noai" in notes and "GPTBot" in notes

        sources = _seeds(tmp_path / "seeds", entry_toml(result.fields))
        (source,) = sources
        summaries = await run_pass(settings, pool, sources)
        assert all(s.ok for s in summaries), [(s.source_id, s.error_message) for s in summaries]
        stored = await _stored(pool, source.id)
        reachable = [a.url for a in site.articles(bureau)]
        if variant == "rss-only":  # only what the proposed feeds carry is reachable
            reachable = await _feed_links(list(source.discovery.rss))
            assert {a.url for a in site.articles(bureau)[:20]} <= set(reachable)
        assert len(stored) == len(set(stored)), "a story was stored twice"
        assert sorted(stored) == sorted(reachable)

        fresh = [site.publish(bureau).url for _ in range(3)]
        await run_pass(settings, pool, sources)
        again = await _stored(pool, source.id)
        assert len(again) == len(set(again)) == len(stored) + 3
        assert set(fresh) <= set(again)
    finally:
        site.variants.pop(bureau, None)
        site.robots_txt[bureau] = original_robots


async def test_add_command_prints_the_entry_and_the_report(
    site: SimSite, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
    args = argparse.Namespace(
        url=site.base_url("jatim") + "/", out=None, allow_private_network=True, new_id="jatim-sim",
        name=None, province=None, timezone=None, sample=3,
    )  # fmt: skip
    assert await add_source(settings, args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Proposed by `warta sources add")
    assert "[[source]]" in out and "id = 'jatim-sim'" in out and "province = 'jatim'" in out
    assert "Article URL pattern: ^/berita/\\d+/[^/]+/?$" in err
    assert "matches      /berita/" in err and "does not     /" in err
    assert "quality gates: passed 3/3 pages" in err
    (source,) = _seeds(tmp_path / "seeds", out)
    assert source.id == "jatim-sim" and source.allow_private_network and source.tz_name == "WIB"


async def test_add_refuses_a_private_address_unless_allowed(
    site: SimSite, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
    args = argparse.Namespace(
        url=site.base_url("jatim") + "/", out=None, allow_private_network=False, new_id=None,
        name=None, province=None, timezone=None, sample=3,
    )  # fmt: skip
    assert await add_source(settings, args) == 1
    out, err = capsys.readouterr()
    assert out == "" and "blocked_address" in err


async def test_add_stops_where_robots_txt_shuts_us_out(
    site: SimSite, database_url: str, tmp_path: Path
) -> None:
    original = site.robots_txt["www"]
    site.robots_txt["www"] = "User-agent: Warta\nDisallow: /\n"
    try:
        settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
        before = len(site.requests)
        result = await _survey(settings, site.base_url("www") + "/")
        assert result.fields is None and result.fatal is not None and "robots.txt" in result.fatal
        paths = {r.path_qs for r in site.requests[before:] if r.bureau == "www"}
        assert paths == {"/robots.txt"}
    finally:
        site.robots_txt["www"] = original


async def test_cli_add_writes_the_entry_with_the_operators_overrides(
    site: SimSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from warta.cli import main

    monkeypatch.setenv("WARTA_SEEDS", str(ROOT / "seeds"))
    monkeypatch.setenv("WARTA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WARTA_MIN_HOST_SPACING", "0")
    out = tmp_path / "entry.toml"
    argv = ["sources", "add", site.base_url("www") + "/", "--allow-private-network",
            "--out", str(out), "--province", "dki", "--sample", "2", "--id", "desk"]  # fmt: skip
    # In a thread: the command runs its own event loop, the site answers on the test's.
    assert await asyncio.to_thread(main, argv) == 0
    _, err = capsys.readouterr()
    assert f"entry written to {out}" in err
    (source,) = _seeds(tmp_path / "seeds", out.read_text(encoding="utf-8"))
    assert (source.id, source.province, source.tz_name) == ("desk", "dki", "WIB")
    assert await asyncio.to_thread(main, ["sources", "add", "ftp://example.id/"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err
