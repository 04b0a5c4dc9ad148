"""Regions are data: another country's catalogue and lexicon tag stories with no code change."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.catalogue import Catalogue, Region
from config.lexicon import LexiconError, load_lexicon
from database.records import ArticleRecord
from ingestor.classify.regions import Gazetteer, tag_regions

# A made-up German catalogue: a Landkreis and a kreisfreie Stadt share the name Hof (also the
# word for a courtyard), Berlin is the seat of government.
CATALOGUE = Catalogue(
    provinces=(
        Region("bayern", "bayern", "province", "Bayern", aliases=("Freistaat Bayern",)),
        Region("sachsen", "sachsen", "province", "Sachsen", aliases=("Freistaat Sachsen",)),
        Region("berlin", "berlin", "province", "Berlin"),
    ),
    regencies=(
        Region("landkreis-hof", "bayern", "regency", "Hof", aliases=("Landkreis Hof",)),
        Region("hof", "bayern", "city", "Hof", aliases=("Stadt Hof",)),
        Region(
            "berchtesgadener-land",
            "bayern",
            "regency",
            "Berchtesgadener Land",
            capital="Bad Reichenhall",
        ),
        Region("leipzig", "sachsen", "city", "Leipzig", aliases=("Stadt Leipzig",)),
        Region("bautzen", "sachsen", "regency", "Bautzen", aliases=("Landkreis Bautzen",)),
    ),
    topics=(),
)

GERMAN = """
[names]
common = ["Hof"]
national_capitals = ["Berlin"]
designators = ["Landkreis", "Stadt"]

[before]
regency = ["Landkreis", "Landrat", "Landrätin"]
city = ["Stadt", "Oberbürgermeister", "Oberbürgermeisterin"]
province = ["Freistaat", "Ministerpräsident"]

[after]
regency = []
city = []
province = []

[context]
locatives = ["in", "im", "aus", "nach", "bei"]
features = ["Fluss", "See", "Straße"]
speech = ["sagte", "erklärte", "betonte"]
quoted_at = ["in"]
agencies = ["Landtag", "Polizei", "Landesamt"]

[dateline]
site_suffixes = ["de"]

[authors]
generic = ["redaktion", "dpa"]
"""


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    path = tmp_path_factory.mktemp("lexicon") / "de.toml"
    path.write_text(GERMAN, encoding="utf-8")
    return Gazetteer.from_catalogue(CATALOGUE, load_lexicon(path))


def _tag(
    gazetteer: Gazetteer, title: str, lead: str, source: str | None, place: str | None
) -> tuple[str | None, str | None]:
    record = ArticleRecord(url="https://example.de/artikel/1", title=title, text=lead, place=place)
    tags = tag_regions(record, source, gazetteer)
    return tags.province, tags.regency


@pytest.mark.parametrize(
    ("title", "lead", "source", "place", "expected"),
    [
        # The qualifier picks the Landkreis of the Hof pair.
        (
            "Landkreis Hof baut neue Brücke",
            "Hof (dpa) - Der Landkreis Hof baut eine neue Brücke über die Saale.",
            "bayern", "Hof", ("bayern", "landkreis-hof"),
        ),
        (
            "Stadt Hof saniert das Hallenbad",
            "Hof (dpa) - Die Stadt Hof saniert ihr Hallenbad.",
            "bayern", "Hof", ("bayern", "hof"),
        ),
        # "Hof" the courtyard is no place; the national desk finds the province in the lead.
        (
            "Neuer Spielplatz eröffnet",
            "Auf dem Hof der Grundschule in Bautzen steht ein neuer Spielplatz.",
            None, None, ("sachsen", "bautzen"),
        ),
        # The seat of government is no evidence; the place the lead names is.
        (
            "Bund fördert die Messe",
            "Berlin (dpa) - Der Bund in Berlin gibt Geld für die Messe in Leipzig.",
            None, "Berlin", ("sachsen", "leipzig"),
        ),
        # The province is the subject: no regency from the dateline.
        (
            "Freistaat Bayern stellt mehr Polizisten ein",
            "Hof (dpa) - Bayern stellt im nächsten Jahr mehr Polizisten ein.",
            "bayern", "Hof", ("bayern", None),
        ),
        # A regency's capital counts after a locative.
        (
            "Kurhaus wird saniert",
            "Das Kurhaus in Bad Reichenhall wird ab Mai saniert.",
            None, None, ("bayern", "berchtesgadener-land"),
        ),
    ],
)  # fmt: skip
def test_a_german_catalogue_and_lexicon_tag_german_stories(
    gazetteer: Gazetteer,
    title: str,
    lead: str,
    source: str | None,
    place: str | None,
    expected: tuple[str | None, str | None],
) -> None:
    assert _tag(gazetteer, title, lead, source, place) == expected


def test_the_bundled_lexicon_loads() -> None:
    lexicon = load_lexicon()
    assert "Kabupaten" in lexicon.before["regency"]
    assert "Jakarta" in lexicon.national_capitals


@pytest.mark.parametrize(
    ("old", "new", "entry", "field"),
    [
        ('speech = ["sagte",', 'speech = [3, "sagte",', "context", "speech"),
        (
            'locatives = ["in", "im", "aus", "nach", "bei"]',
            "locatives = []",
            "context",
            "locatives",
        ),
        ('regency = ["Landkreis",', 'regency = ["", "Landkreis",', "before", "regency"),
        ('generic = ["redaktion", "dpa"]', 'generic = "dpa"', "authors", "generic"),
        ("site_suffixes =", "site_suffix =", "dateline", "site_suffix"),
    ],
)
def test_a_bad_lexicon_entry_fails_naming_file_entry_and_field(
    tmp_path: Path, old: str, new: str, entry: str, field: str
) -> None:
    assert old in GERMAN
    path = tmp_path / "bad.toml"
    path.write_text(GERMAN.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LexiconError) as failure:
        load_lexicon(path)
    message = str(failure.value)
    assert str(path) in message
    assert f"entry {entry}" in message
    assert repr(field) in message
