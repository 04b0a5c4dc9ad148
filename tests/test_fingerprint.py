"""Near-duplicate detection (ingestor/fingerprint.py): copies cluster, look-alikes do not."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from random import Random

import pytest

from config.catalogue import load_catalogue
from config.lexicon import load_lexicon
from database.records import ArticleRecord
from ingestor.classify.fingerprint import (
    CANDIDATE_DISTANCE,
    ClusterMember,
    hamming,
    is_near_duplicate,
    pick_canonical,
    simhash,
)
from ingestor.classify.regions import Gazetteer, tag_regions
from tests.fixtures.labelled.cases import record_of, simsite_cases
from warta.simsite.corpus import generate, load_corpus

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
BY_NAME = {case.name: case for case in simsite_cases()}
ORIGINAL = BY_NAME["simsite:kalsel/ikn-pangan"].record
COPIES = [
    BY_NAME["simsite:kaltim/ikn-pangan-kalsel"].record,
    BY_NAME["simsite:www/ikn-pangan-kalsel"].record,
]


def article(title: str, *paragraphs: str, at: datetime = T0) -> ArticleRecord:
    return ArticleRecord(
        url="https://x/berita/1", title=title, text="\n\n".join(paragraphs), published_at=at
    )


# --- the fingerprint --------------------------------------------------------------------------


def test_simhash_is_a_deterministic_signed_64_bit_int() -> None:
    values = {simhash(c.record.title, c.record.text) for c in simsite_cases()}
    assert all(-(2**63) <= v < 2**63 for v in values)
    assert any(v < 0 for v in values) and any(v > 0 for v in values)
    assert simhash(ORIGINAL.title, ORIGINAL.text) == simhash(ORIGINAL.title, ORIGINAL.text)
    assert simhash("", "") == 0


def test_simhash_values_never_change() -> None:
    # Fingerprints are stored: a faster computation must give the very same bits, or stored
    # articles stop matching their copies. Pinned from the bit-by-bit count they replaced;
    # the second text has more shingles than one counting lane holds (65,535).
    assert simhash(ORIGINAL.title, ORIGINAL.text) == 4457377128464160180
    long_text = " ".join(f"kata{i % 70001}" for i in range(70003))
    assert simhash("Judul", long_text) == -4130281538069453935


def test_hamming_counts_differing_bits_for_signed_values() -> None:
    assert hamming(0, 0) == 0
    assert hamming(-1, 0) == 64
    assert hamming(-1, 2**63 - 1) == 1
    assert hamming(5, 3) == hamming(3, 5) == 2


def test_whitespace_case_and_dateline_formatting_do_not_move_the_fingerprint() -> None:
    body = ORIGINAL.text.split("\n\n")
    shouting = "BANJARBARU, KOMPAS.com - " + body[0].split(" - ", 1)[1]
    reformatted = "\n\n".join([shouting, *(p.upper() for p in body[1:])])
    assert (
        hamming(
            simhash(ORIGINAL.title, ORIGINAL.text), simhash(ORIGINAL.title.upper(), reformatted)
        )
        == 0
    )


# --- duplicates -------------------------------------------------------------------------------


def test_the_syndicated_copies_on_the_simulated_site_are_duplicates() -> None:
    for copy in COPIES:
        assert copy.title != ORIGINAL.title or copy.url != ORIGINAL.url
        assert hamming(simhash(ORIGINAL.title, ORIGINAL.text), simhash(copy.title, copy.text)) <= 3
        assert is_near_duplicate(ORIGINAL, copy)
        assert is_near_duplicate(copy, ORIGINAL)


def test_a_copy_with_another_title_dateline_and_boilerplate_is_a_duplicate() -> None:
    body = ORIGINAL.text.split("\n\n")
    lead = body[0].split(" - ", 1)[1]
    copy = article(
        "Kalimantan Selatan siap pasok beras untuk Ibu Kota Nusantara",
        "Banjarbaru, Kalsel (ANTARA) - " + lead,
        *body[1:],
        "Baca juga: Harga beras di Banjarmasin naik",
        "Pewarta: Sukri Ramadhan\nEditor: Maria Ulfa Rosyidah",
        at=ORIGINAL.published_at + timedelta(hours=5),  # type: ignore[operator]
    )
    assert is_near_duplicate(ORIGINAL, copy)


def test_a_copy_trimmed_by_the_republishing_desk_is_a_duplicate() -> None:
    trimmed = replace(
        ORIGINAL, title="Kalsel pasok pangan IKN", text="\n\n".join(ORIGINAL.text.split("\n\n")[:3])
    )
    assert is_near_duplicate(ORIGINAL, trimmed)


def test_the_same_text_is_a_duplicate_even_when_tiny() -> None:
    a = article("Banjir", "Banjir.")
    assert is_near_duplicate(a, replace(a, url="https://y/berita/2"))


def test_the_simulated_flood_aid_pair_is_not_a_duplicate() -> None:
    a = BY_NAME["simsite:kalsel/banjir-candi-laras-utara"].record
    b = BY_NAME["simsite:kalsel/banjir-tapin-tengah"].record
    assert a.text.split(" - ")[1][:80] == b.text.split(" - ")[1][:80]  # the same opening formula
    assert not is_near_duplicate(a, b)


_OPENING = (
    "Rantau, Kalsel (ANTARA) - Bupati Tapin Hendra Wijaya Kusuma menyerahkan bantuan sembako kepada "
    "warga terdampak banjir di Kecamatan {kecamatan}, Kabupaten Tapin, Kalimantan Selatan."
)
_QUOTE = (
    '"Bantuan ini merupakan bentuk kepedulian pemerintah daerah kepada warga yang terdampak banjir. '
    'Kami berharap bisa sedikit meringankan beban masyarakat," kata Hendra di Rantau.'
)


def test_two_handovers_by_the_same_regent_with_the_same_formula_are_not_duplicates() -> None:
    a = article(
        "Bupati Tapin serahkan bantuan banjir di Bakarangan",
        _OPENING.format(kecamatan="Bakarangan"),
        _QUOTE,
        "Bantuan berupa 300 paket sembako disalurkan di Desa Bakarangan dan Desa Parigi.",
        "Banjir di Bakarangan merendam 410 rumah setelah tanggul Sungai Tapin jebol.",
    )
    b = article(
        "Bupati Tapin serahkan bantuan banjir di Lokpaikat",
        _OPENING.format(kecamatan="Lokpaikat"),
        _QUOTE,
        "Bantuan berupa 520 paket sembako disalurkan di Desa Lokpaikat dan Desa Ayunan Papan.",
        "Banjir di Lokpaikat merendam 690 rumah akibat hujan deras sejak Jumat malam.",
        at=T0 + timedelta(hours=20),
    )
    assert not is_near_duplicate(a, b)


def test_same_official_quoted_in_two_stories_is_not_a_duplicate() -> None:
    statement = (
        '"Jabatan adalah amanah. Saya minta para kepala dinas segera menyesuaikan program dengan '
        'target pembangunan daerah dan tidak bekerja dengan cara lama," kata Gubernur Kalsel.'
    )
    a = article(
        "Gubernur lantik 24 pejabat",
        "Banjarbaru (ANTARA) - Gubernur Kalimantan Selatan melantik 24 pejabat pimpinan tinggi.",
        statement,
        "Pelantikan mengisi jabatan yang kosong setelah sejumlah pejabat pensiun.",
    )
    b = article(
        "Gubernur buka rapat kerja daerah",
        "Banjarbaru (ANTARA) - Gubernur Kalimantan Selatan membuka rapat kerja daerah tahun ini.",
        statement,
        "Rapat kerja membahas target penurunan kemiskinan dan inflasi daerah.",
    )
    assert not is_near_duplicate(a, b)


@pytest.mark.parametrize("bureau", ["kalsel", "kaltim", "jatim", "www"])
def test_template_market_reports_of_other_markets_or_prices_are_not_duplicates(bureau: str) -> None:
    corpus = load_corpus(T0)
    rng = Random(7)
    stories = (generate(bureau, corpus.generator[bureau], n, rng) for n in range(20))
    reports = [
        replace(record_of(replace(story, id=900 + i)), published_at=T0 + timedelta(hours=i))
        for i, story in enumerate(stories)
    ]
    for a, b in itertools.combinations(reports, 2):
        # Same market, item and price in the title is the same fact reported twice: a duplicate.
        if a.title != b.title:
            assert not is_near_duplicate(a, b), (a.title, b.title)


def test_outside_the_time_window_is_not_a_duplicate() -> None:
    late = replace(COPIES[0], published_at=ORIGINAL.published_at + timedelta(days=4))  # type: ignore[operator]
    assert not is_near_duplicate(ORIGINAL, late)
    assert is_near_duplicate(ORIGINAL, late, window=timedelta(days=5))
    assert not is_near_duplicate(ORIGINAL, replace(COPIES[0], published_at=None))


def test_across_the_simulated_corpus_only_the_copies_are_duplicates() -> None:
    records = [c.record for c in simsite_cases()]
    prints = [simhash(r.title, r.text) for r in records]
    found = set()
    for (i, a), (j, b) in itertools.combinations(enumerate(records), 2):
        # As the store does: a cheap Hamming query first, the pairwise rule on candidates.
        if hamming(prints[i], prints[j]) <= CANDIDATE_DISTANCE and is_near_duplicate(a, b):
            found.add(frozenset((a.url, b.url)))
    urls = [r.url for r in (ORIGINAL, *COPIES)]
    assert found == {frozenset(p) for p in itertools.combinations(urls, 2)}


# --- the canonical member ---------------------------------------------------------------------


def test_canonical_is_the_originating_bureau_on_the_simulated_site() -> None:
    gazetteer = Gazetteer.from_catalogue(load_catalogue(), load_lexicon())
    members = []
    for name in (
        "simsite:www/ikn-pangan-kalsel",
        "simsite:kaltim/ikn-pangan-kalsel",
        "simsite:kalsel/ikn-pangan",
    ):
        case = BY_NAME[name]
        tags = tag_regions(case.record, case.source_province, gazetteer)
        assert case.record.published_at is not None
        members.append(
            ClusterMember(
                case.name, case.record.published_at, case.source_province, tags.dateline_province
            )
        )
    assert pick_canonical(members).id == "simsite:kalsel/ikn-pangan"


def test_canonical_prefers_the_home_bureau_even_when_it_is_later() -> None:
    national = ClusterMember("www", T0, None, "kalsel")
    elsewhere = ClusterMember("kaltim", T0 + timedelta(hours=1), "kaltim", "kalsel")
    home = ClusterMember("kalsel", T0 + timedelta(hours=2), "kalsel", "kalsel")
    assert pick_canonical([national, elsewhere, home]) is home


def test_canonical_without_a_home_bureau_is_the_earliest_then_the_smallest_id() -> None:
    a = ClusterMember("b", T0, None, None)
    b = ClusterMember("a", T0, "kaltim", "kalsel")
    c = ClusterMember("c", T0 - timedelta(minutes=1), "jatim", None)
    assert pick_canonical([a, b, c]) is c
    assert pick_canonical([a, b]) is b
    with pytest.raises(ValueError, match="empty"):
        pick_canonical([])
