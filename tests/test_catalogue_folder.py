"""WARTA_CATALOGUE: a deployment's own regions, topics and region words, without editing the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from config.catalogue import CatalogueError, load_catalogue
from config.lexicon import catalogue_lexicon, default_lexicon
from config.settings import SettingsError, load_settings
from tests.test_feeds_support import feed_settings, serve
from tests.test_lexicon import GERMAN
from warta.runtime import prepare_database

ROOT = Path(__file__).resolve().parents[1]

PROVINCES = """
[[province]]
slug = "bayern"
name = "Bayern"
iso = "DE-BY"
tz = "Europe/Berlin"
aliases = ["Freistaat Bayern"]
"""

REGENCIES = """
[[regency]]
slug = "hof"
province = "bayern"
type = "city"
name = "Hof"
aliases = ["Stadt Hof"]
"""

TOPICS = """
[[topic]]
slug = "verkehr"
name_id = "Verkehr"
name_en = "Traffic"
keywords = { "Autobahn" = 3, "Stau" = 2, "Unfall" = 2 }
"""

SEEDS = """
[[source]]
id = "frankenpost"
name = "Frankenpost"
base_url = "https://www.frankenpost.example"
province = "bayern"
timezone = "Europe/Berlin"
lang = "de"
article_pattern = '^/region/[a-z]+/[^/?#]+[.]html$'
rss = ["/feed.rss"]
"""

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Stau auf der Autobahn bei Hof</title>
<meta property="article:published_time" content="2026-07-01T08:30:00+02:00"></head>
<body><article><h1>Stau auf der Autobahn bei Hof</h1>
<p>Hof - Nach einem Unfall auf der Autobahn A9 bei Hof staute sich der Verkehr am Mittwoch auf
mehreren Kilometern. Die Polizei sperrte zwei Fahrstreifen, bis die Unfallstelle geraeumt war.</p>
<p>Der Stau loeste sich nach zwei Stunden auf. Verletzt wurde nach Angaben der Polizei niemand,
der Sachschaden liegt bei mehreren tausend Euro. Die Stadt Hof bittet Pendler um Geduld.</p>
<p>Auf der Autobahn wird seit dem Fruehjahr gebaut; bis zum Herbst gilt Tempo 80.</p>
</article></body></html>"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A German deployment's catalogue folder: regions, topics and lexicon."""
    for name, text in (("provinces.toml", PROVINCES), ("regencies.toml", REGENCIES),
                       ("topics.toml", TOPICS), ("lexicon.toml", GERMAN)):  # fmt: skip
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_the_setting_names_a_folder_and_a_bad_one_is_refused(folder: Path) -> None:
    assert load_settings({"WARTA_CATALOGUE": str(folder)}).catalogue == folder
    assert load_settings({}).catalogue is None
    with pytest.raises(SettingsError, match=r"^WARTA_CATALOGUE: not a folder"):
        load_settings({"WARTA_CATALOGUE": str(folder / "provinces.toml")})


def test_the_folder_replaces_the_shipped_regions_topics_and_lexicon(folder: Path) -> None:
    catalogue = load_catalogue(folder)
    assert [p.key for p in catalogue.provinces] == ["bayern"]
    assert [r.key for r in catalogue.regencies] == ["bayern/hof"]
    assert [t.slug for t in catalogue.topics] == ["verkehr"]
    assert catalogue_lexicon(folder) != default_lexicon()
    assert catalogue_lexicon(None) == default_lexicon()


def test_a_file_the_folder_lacks_is_the_shipped_one_but_regencies_follow_provinces(
    folder: Path,
) -> None:
    (folder / "topics.toml").unlink()
    (folder / "lexicon.toml").unlink()
    (folder / "regencies.toml").unlink()
    catalogue = load_catalogue(folder)
    assert catalogue.topics == load_catalogue().topics
    assert catalogue_lexicon(folder) == default_lexicon()
    # The shipped regencies name the shipped provinces: none, rather than an error about them.
    assert [p.key for p in catalogue.provinces] == ["bayern"] and catalogue.regencies == ()


def test_an_error_names_the_operators_file_entry_and_field(folder: Path) -> None:
    (folder / "regencies.toml").write_text(REGENCIES.replace('"bayern"', '"sachsen"'))
    with pytest.raises(CatalogueError, match=rf"^{folder}/regencies\.toml: entry hof: unknown"):
        load_catalogue(folder)


def _extract(env: dict[str, str], page: Path) -> subprocess.CompletedProcess[str]:
    url = "https://www.frankenpost.example/region/hof/stau-a9.html"
    return subprocess.run(
        [sys.executable, "-m", "warta.cli", "extract", str(page), "--url", url],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A Bavarian source's seed file and one of its story pages."""
    work = tmp_path_factory.mktemp("de")
    seeds, page = work / "seeds.toml", work / "page.html"
    seeds.write_text(SEEDS, encoding="utf-8")
    page.write_text(PAGE, encoding="utf-8")
    return seeds, page


def test_warta_tags_a_german_story_with_the_folders_regions_and_topics(
    folder: Path, site: tuple[Path, Path]
) -> None:
    seeds, page = site
    shipped = _extract({"WARTA_SEEDS": str(seeds)}, page)
    # Without the folder the source's province is unknown, and the message says where.
    assert shipped.returncode == 2 and "unknown province 'bayern'" in shipped.stderr
    done = _extract({"WARTA_SEEDS": str(seeds), "WARTA_CATALOGUE": str(folder)}, page)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert (record["region"], record["regency"]) == ("bayern", "hof")
    assert record["topics"] == ["verkehr"]


async def test_the_feed_server_lists_the_folders_regions(
    folder: Path, database_url: str, pool: asyncpg.Pool
) -> None:
    await prepare_database(pool, folder)
    async with (
        serve(feed_settings(database_url), pool) as (base, _app),
        aiohttp.ClientSession() as http,
    ):
        async with http.get(f"{base}/feeds/bayern/hof.atom") as resp:
            assert resp.status == 200
        async with http.get(f"{base}/feeds/kalsel.atom") as resp:
            assert resp.status == 404  # the shipped regions are gone from this deployment
        async with http.get(f"{base}/") as resp:
            index = await resp.text()
    assert "Bayern" in index and "Verkehr" in index and "Kalimantan Selatan" not in index


def test_a_bad_folder_stops_start_up_with_exit_2_naming_file_entry_and_field(
    folder: Path, database_url: str
) -> None:
    (folder / "provinces.toml").write_text(PROVINCES.replace('"bayern"', '"Bay ern"', 1))
    env = {**os.environ, "WARTA_DATABASE_URL": database_url, "WARTA_CATALOGUE": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "warta.cli", "migrate"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"WARTA_CATALOGUE: {folder}/provinces.toml: entry Bay ern: field 'slug'" in done.stderr


def test_a_bad_lexicon_in_the_folder_is_an_exit_2_naming_it(
    folder: Path, site: tuple[Path, Path]
) -> None:
    (folder / "lexicon.toml").write_text(GERMAN.replace('common = ["Hof"]', "common = 3"))
    seeds, page = site
    done = _extract({"WARTA_SEEDS": str(seeds), "WARTA_CATALOGUE": str(folder)}, page)
    assert done.returncode == 2, done.stderr
    assert f"WARTA_CATALOGUE: {folder}/lexicon.toml: entry names: field 'common'" in done.stderr
