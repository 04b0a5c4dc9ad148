"""The source catalogue: every seed file loads; malformed entries are rejected naming file, entry, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.catalogue import load_catalogue
from ingestor.sources.load import SeedError, load_sources

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue()
PROVINCES = {p.slug for p in CATALOGUE.provinces}


def test_the_shipped_catalogue_loads_and_covers_every_bureau() -> None:
    sources = load_sources(ROOT / "seeds", provinces=PROVINCES)
    by_id = {s.id: s for s in sources}
    antara = [s for s in sources if s.id.startswith("antara-") and s.id != "antara-nasional"]
    assert len(antara) >= 33
    assert by_id["antara-makassar"].province == "sulsel"
    assert by_id["antara-kalsel"].province == "kalsel"
    assert by_id["antara-kalsel"].tz_name == "WITA"
    assert by_id["antara-nasional"].province is None
    assert any(not s.id.startswith("antara-") for s in sources), (
        "a non-ANTARA publisher proves generality"
    )
    for source in sources:
        assert source.discovery.rss or source.discovery.listings or source.discovery.sitemaps
        assert source.republish in ("title", "summary", "full")
        assert source.rules is not None, f"{source.id} has no site rules"


def test_bureau_time_zones_match_their_province() -> None:
    zones = {p.slug: p.timezone for p in CATALOGUE.provinces}
    for source in load_sources(ROOT / "seeds", provinces=PROVINCES):
        if source.province:
            assert source.tz_name == zones[source.province], source.id


GOOD = """
[defaults]
lang = "id"
article_pattern = '^/berita/\\d+/'
rss = ["/rss/terkini.xml"]

[[source]]
id = "site-a"
name = "Site A"
base_url = "https://a.example.org"
province = "kalsel"
timezone = "WITA"
"""


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "sites.toml").write_text(text)
    return folder


def test_defaults_apply_and_relative_urls_resolve(tmp_path: Path) -> None:
    [source] = load_sources(_write(tmp_path, GOOD), provinces=PROVINCES)
    assert source.discovery.rss == ("https://a.example.org/rss/terkini.xml",)
    assert source.lang == "id" and source.republish == "summary" and source.enabled
    assert source.article_pattern.search("/berita/123/slug")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('timezone = "WITA"', 'timezone = "Mars"'), r"source\[0\] \(site-a\): field 'timezone'"),
        (('province = "kalsel"', 'province = "atlantis"'), r"field 'province': unknown province"),
        (('base_url = "https://a.example.org"', 'base_url = "ftp://x"'), r"field 'base_url'"),
        (('id = "site-a"', 'id = "Site A!"'), r"source\[0\]: field 'id'"),
        (('name = "Site A"', "name = 3"), r"field 'name': must be str"),
        (('name = "Site A"', 'name = "A"\nrepublish = "everything"'), r"field 'republish'"),
        (('name = "Site A"', 'name = "A"\npoll_min = 10'), r"field 'poll_min'"),
        (('name = "Site A"', 'name = "A"\nlayout = "nope"'), r"field 'layout': unknown layout"),
        (('name = "Site A"', 'name = "A"\nsecret = 1'), r"field 'secret': unknown field"),
        (
            ("article_pattern = '^/berita/\\d+/'", "article_pattern = '(['"),
            r"field 'article_pattern'",
        ),
        (('name = "Site A"\n', ""), r"field 'name': is required"),
    ],
)
def test_errors_name_file_entry_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD
    folder = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SeedError, match=message) as info:
        load_sources(folder, provinces=PROVINCES)
    assert "sites.toml" in str(info.value)


def test_duplicate_ids_and_broken_toml_are_rejected(tmp_path: Path) -> None:
    folder = _write(tmp_path, GOOD + "\n[[source]]" + GOOD.split("[[source]]")[1])
    with pytest.raises(SeedError, match="duplicate"):
        load_sources(folder, provinces=PROVINCES)
    folder = _write(tmp_path, "[[source]\nid=")
    with pytest.raises(SeedError, match="not valid TOML"):
        load_sources(folder, provinces=PROVINCES)
