"""Time zones are data: IANA zones date pages DST-correctly, labels come from TOML, errors name the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from config.catalogue import CatalogueError, load_catalogue
from config.lexicon import load_lexicon
from config.zones import ZoneError, default_zones, load_zones
from database.records import ArticleRecord
from feeds.names import clock, source_zone
from ingestor.classify import Gazetteer
from ingestor.extract import extract_article
from ingestor.onboard.locale import propose_region
from ingestor.sources.load import SeedError, load_sources

BERLIN_SEED = """
[[source]]
id = "berlin-desk"
name = "Berlin Desk"
base_url = "https://news.example.de"
timezone = "{zone}"
lang = "de"
article_pattern = '^/artikel/'
rss = ["/rss.xml"]
"""

# A page whose only date is local time with no zone: the source's zone decides the instant.
PAGE = """<!DOCTYPE html><html lang="de"><head><title>Stadtrat tagt - Berlin Desk</title>
<meta property="article:published_time" content="{stamp}"></head>
<body><article><h1>Stadtrat tagt</h1>
<p>Der Stadtrat hat am Vormittag über den Haushalt beraten, und die Sitzung dauerte lange.</p>
<p>Mehrere Fraktionen legten Änderungsanträge vor, die in den Ausschüssen beraten werden.</p>
</article></body></html>"""


def _seeds(tmp_path: Path, zone: str) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir(exist_ok=True)
    (folder / "sites.toml").write_text(BERLIN_SEED.replace("{zone}", zone))
    return folder


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2024-07-01 10:00:00", datetime(2024, 7, 1, 8, 0, tzinfo=UTC)),  # CEST, UTC+2
        ("2024-01-15 10:00:00", datetime(2024, 1, 15, 9, 0, tzinfo=UTC)),  # CET, UTC+1
    ],
)
def test_a_berlin_source_dates_local_pages_in_summer_and_winter(
    tmp_path: Path, local: str, utc: datetime
) -> None:
    [source] = load_sources(_seeds(tmp_path, "Europe/Berlin"))
    assert source.tz_name == "Europe/Berlin"
    html = PAGE.replace("{stamp}", local)
    fetched = datetime(2024, 7, 2, tzinfo=UTC)
    record = extract_article(
        html, "https://news.example.de/artikel/1", source=source, fetched_at=fetched
    )
    assert record.published_at == utc


def test_a_zone_label_added_in_data_is_accepted_by_a_seed_entry(tmp_path: Path) -> None:
    zones_file = tmp_path / "zones.toml"
    zones_file.write_text('default = "MEZ"\n[[zone]]\nlabel = "MEZ"\nname = "Europe/Berlin"\n')
    zones = load_zones(zones_file)
    [source] = load_sources(_seeds(tmp_path, "MEZ"), zones=zones)
    assert source.tz_name == "MEZ"
    assert (
        datetime(2024, 7, 1, 12, tzinfo=source.tz).utcoffset()
        == datetime(2024, 7, 1, 12, tzinfo=UTC).astimezone(source.tz).utcoffset()
    )
    assert datetime(2024, 7, 1, 10, tzinfo=source.tz).astimezone(UTC).hour == 8
    with pytest.raises(SeedError, match=r"source\[0\] \(berlin-desk\): field 'timezone'"):
        load_sources(_seeds(tmp_path, "MEZ"))  # the shipped data has no MEZ label


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[zone]]\nlabel = "MEZ"\nname = "Europe/Nowhere"\n', r"zone\[0\] \(MEZ\): field 'name'"),
        ('[[zone]]\nlabel = "MEZ"\n', r"zone\[0\] \(MEZ\): field 'name'"),
        ('[[zone]]\nname = "Europe/Berlin"\n', r"zone\[0\]: field 'label'"),
        (
            '[[zone]]\nlabel = "MEZ"\nname = "Europe/Berlin"\n' * 2,
            r"zone\[1\] \(MEZ\): field 'label'",
        ),
        ('default = "XYZ"\n', "field 'default'"),
    ],
)
def test_a_bad_zone_entry_names_file_entry_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "zones.toml"
    path.write_text(text)
    with pytest.raises(ZoneError, match="^" + re.escape(str(path)) + ": " + message):
        load_zones(path)


def _provinces_with(folder: Path, tz: str) -> Path:
    """A WARTA_CATALOGUE folder: the shipped regions, the first province's zone set to `tz`."""
    shipped = Path(str(resources.files("config")))
    text = (shipped / "provinces.toml").read_text(encoding="utf-8")
    first = re.search(r'^tz = "[^"]*"$', text, re.M)
    assert first is not None
    (folder / "provinces.toml").write_text(
        f"{text[: first.start()]}tz = {tz!r}{text[first.end() :]}", encoding="utf-8"
    )
    (folder / "regencies.toml").write_bytes((shipped / "regencies.toml").read_bytes())
    return folder


def test_a_region_with_an_unknown_zone_fails_naming_file_entry_and_field(tmp_path: Path) -> None:
    first = load_catalogue().provinces[0].slug
    folder = _provinces_with(tmp_path, "Mars/Olympus")
    file = re.escape(str(folder / "provinces.toml"))
    with pytest.raises(CatalogueError, match=rf"^{file}: entry {first}: field 'tz'"):
        load_catalogue(folder)


def test_a_region_may_name_an_iana_zone(tmp_path: Path) -> None:
    assert load_catalogue(_provinces_with(tmp_path, "Europe/Berlin")).provinces[0].timezone == (
        "Europe/Berlin"
    )


def test_display_keeps_labels_and_abbreviates_other_zones() -> None:
    summer, winter = datetime(2024, 7, 1, 8, tzinfo=UTC), datetime(2024, 1, 15, 9, tzinfo=UTC)
    assert clock(summer, "WITA") == "16.00 WITA"
    assert clock(summer, "Europe/Berlin") == "10.00 CEST"
    assert clock(winter, "Europe/Berlin", date=True) == "15 Jan 2024, 10.00 CET"
    assert clock(summer, "Mars/Olympus") == "08.00 UTC"
    # Feed timestamps keep their numeric-offset form, now DST-correct.
    assert (
        summer.astimezone(source_zone("Europe/Berlin")).isoformat() == "2024-07-01T10:00:00+02:00"
    )


def test_the_shipped_default_is_wib_so_nothing_changes() -> None:
    zones = default_zones()
    assert zones.default == "WIB" and list(zones.labels) == ["WIB", "WITA", "WIT"]
    assert datetime(2024, 5, 1, 8, tzinfo=zones.resolve("WIB")).astimezone(UTC).hour == 1


def test_onboarding_proposes_the_label_pages_print_and_else_the_data_default(
    tmp_path: Path,
) -> None:
    catalogue = load_catalogue()
    gazetteer = Gazetteer.from_catalogue(catalogue, load_lexicon())
    zones = {p.slug: p.timezone for p in catalogue.provinces}
    desk = [
        ArticleRecord(
            url=f"https://news.example.de/artikel/{i}",
            title="Stadtrat beschließt Haushalt",
            text="Der Stadtrat hat den Haushalt beschlossen.",
            authors=(),
            published_at=datetime(2024, 7, 2, tzinfo=UTC),
            date_source="page",
            published_raw=f"{i}. Juli 2024, 10:00 MEZ",
            provenance={},
        )
        for i in range(1, 5)
    ]
    zones_file = tmp_path / "zones.toml"
    zones_file.write_text('default = "UTC"\n[[zone]]\nlabel = "MEZ"\nname = "Europe/Berlin"\n')
    assert propose_region(desk, gazetteer, zones, load_zones(zones_file)).timezone == "MEZ"
    assert propose_region(desk, gazetteer, zones).timezone == "WIB"  # shipped: no MEZ label
    zones_file.write_text('default = "Europe/Berlin"\n')
    assert (
        propose_region(desk, gazetteer, zones, load_zones(zones_file)).timezone == "Europe/Berlin"
    )
