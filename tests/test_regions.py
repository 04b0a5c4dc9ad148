"""Region tagging (ingestor/regions.py): one test per rule, then the labelled set's accuracy."""

from __future__ import annotations

import time

import pytest

from config.catalogue import load_catalogue
from config.lexicon import load_lexicon
from database.records import ArticleRecord
from ingestor.classify.regions import Gazetteer, RegionTags, tag_regions
from tests.fixtures.labelled.cases import Case, fixture_cases, labelled_cases, simsite_cases

GAZETTEER = Gazetteer.from_catalogue(load_catalogue(), load_lexicon())


def tag(
    title: str,
    *paragraphs: str,
    source: str | None = "kalsel",
    place: str | None = None,
    hint: str | None = None,
) -> RegionTags:
    record = ArticleRecord(
        url="https://example.antaranews.com/berita/1/x",
        title=title,
        text="\n\n".join(paragraphs),
        place=place,
        provenance={"place_hint": hint} if hint else {},
    )
    return tag_regions(record, source, GAZETTEER)


# --- source, dateline and hint ----------------------------------------------------------------


def test_source_province_is_the_default_and_says_so() -> None:
    tags = tag("Harga beras naik", "Banjarmasin (ANTARA) - Harga beras naik.", place="Banjarmasin")
    assert tags.province == "kalsel"
    assert tags.tags[0] == ("kalsel", "source")


def test_dateline_capital_gives_the_regency() -> None:
    tags = tag(
        "Warga gotong royong bersihkan saluran",
        "Rantau, Kalsel (ANTARA) - Warga bergotong royong membersihkan saluran air.",
        place="Rantau",
        hint="Kalsel",
    )
    assert (tags.province, tags.regency) == ("kalsel", "tapin")
    assert ("kalsel/tapin", "dateline") in tags.tags
    assert tags.dateline_province == "kalsel"


def test_a_hint_naming_another_province_moves_the_story_there() -> None:
    tags = tag(
        "Kalsel dan Kalteng sepakat tangani karhutla",
        "Palangka Raya, Kalteng (ANTARA) - Dua provinsi sepakat berbagi data titik panas.",
        place="Palangka Raya",
        hint="Kalteng",
    )
    assert tags.province == "kalteng"
    assert tags.tags[0] == ("kalteng", "dateline")


def test_a_bureau_filing_from_jakarta_keeps_its_province() -> None:
    tags = tag(
        "Gubernur Kalsel temui menteri",
        "Jakarta (ANTARA) - Gubernur Kalimantan Selatan menemui menteri di Jakarta.",
        place="Jakarta",
    )
    assert (tags.province, tags.regency) == ("kalsel", None)
    assert tags.dateline_province == "dki"


def test_a_bureau_dateline_in_another_province_without_hint_moves_the_story() -> None:
    # The kaltim bureau republished a Kalsel story datelined "Banjarbaru".
    tags = tag(
        "Kalimantan Selatan siap pasok pangan",
        "Banjarbaru (ANTARA) - Pemerintah Provinsi Kalimantan Selatan siap memasok beras.",
        source="kaltim",
        place="Banjarbaru",
    )
    assert (tags.province, tags.regency) == ("kalsel", None)
    assert tags.tags[0] == ("kalsel", "dateline")


def test_national_desk_takes_the_province_from_the_dateline() -> None:
    tags = tag(
        "Pawai ogoh-ogoh jelang Nyepi",
        "Denpasar (ANTARA) - Ribuan warga menyaksikan pawai ogoh-ogoh.",
        source=None,
        place="Denpasar",
    )
    assert (tags.province, tags.regency) == ("bali", "denpasar")
    assert tags.tags == (("bali", "dateline"), ("bali/denpasar", "dateline"))


def test_national_desk_in_jakarta_is_no_province() -> None:
    tags = tag(
        "Presiden minta pupuk dipercepat",
        "Jakarta (ANTARA) - Presiden meminta penyaluran pupuk dipercepat di Istana Merdeka, Jakarta.",
        source=None,
        place="Jakarta",
    )
    assert tags == RegionTags(None, None, (), "dki")


def test_national_desk_takes_the_province_from_a_title_mention() -> None:
    tags = tag(
        "BNPB kirim bantuan untuk korban banjir di Tapin",
        "Jakarta (ANTARA) - BNPB mengirim bantuan ke Kabupaten Tapin, Kalimantan Selatan.",
        source=None,
        place="Jakarta",
    )
    assert (tags.province, tags.regency) == ("kalsel", "tapin")
    assert tags.tags[:2] == (("kalsel", "mention"), ("kalsel/tapin", "mention"))


def test_jakarta_in_a_headline_names_dki() -> None:
    tags = tag(
        "MRT Jakarta uji coba jalur baru",
        "Jakarta (ANTARA) - PT MRT Jakarta menguji jalur baru.",
        source=None,
        place="Jakarta",
    )
    assert (tags.province, tags.regency) == ("dki", None)


def test_place_is_read_from_the_text_when_the_record_has_none() -> None:
    tags = tag("Panen padi dimulai", "Marabahan, Kalsel (ANTARA) - Petani mulai panen padi.")
    assert tags.regency == "barito-kuala"


def test_unknown_source_province_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="atlantis"):
        tag("x", "y", source="atlantis")


# --- disambiguation ---------------------------------------------------------------------------


def test_longest_name_wins_banjar_banjarmasin_banjarbaru() -> None:
    tags = tag(
        "Banjarbaru dan Banjarmasin sepakat soal angkutan",
        "Banjarbaru (ANTARA) - Pemkot Banjarbaru dan Pemkot Banjarmasin menyepakati rute bus.",
        place="Banjarbaru",
    )
    keys = [key for key, _ in tags.tags]
    assert "kalsel/banjar" not in keys
    assert {"kalsel/banjarbaru", "kalsel/banjarmasin"} <= set(keys)
    assert tags.regency == "banjarbaru"  # the title names both; the dateline's one wins


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Pemerintah Kota Banjar, Jawa Barat,", "jabar/banjar"),
        ("Wali Kota Banjar", "jabar/banjar"),
        ("Pemerintah Kabupaten Banjar, Kalimantan Selatan,", "kalsel/banjar"),
        ("Bupati Banjar", "kalsel/banjar"),
    ],
)
def test_kabupaten_banjar_and_kota_banjar(phrase: str, expected: str) -> None:
    tags = tag(
        f"{phrase} resmikan taman",
        f"Jakarta (ANTARA) - {phrase} meresmikan taman kota.",
        source=None,
        place="Jakarta",
    )
    assert (tags.province, tags.regency) == tuple(expected.split("/"))


def test_bare_banjar_decides_nothing_for_the_national_desk() -> None:
    tags = tag(
        "Festival budaya Banjar digelar",
        "Jakarta (ANTARA) - Festival budaya Banjar digelar di Taman Mini.",
        source=None,
        place="Jakarta",
    )
    assert tags.province is None


@pytest.mark.parametrize(
    ("title", "lead", "expected"),
    [
        ("Bupati Malang resmikan pasar", "Malang (ANTARA) - Pasar diresmikan.", "kab-malang"),
        ("Wali Kota Malang tinjau banjir", "Malang (ANTARA) - Banjir surut.", "kota-malang"),
        (
            "Jalan rusak diperbaiki",
            "Malang (ANTARA) - Jalan di Kab. Malang diperbaiki.",
            "kab-malang",
        ),
        ("RSUD tambah ICU", "Malang (ANTARA) - RSUD di Kepanjen menambah ICU.", "kab-malang"),
        ("Arema siapkan pemain muda", "Malang (ANTARA) - Arema menyiapkan pemain.", "kota-malang"),
        ("Malang Regency opens market", "Malang (ANTARA) - A market opened.", "kab-malang"),
    ],
)
def test_kota_and_kabupaten_malang(title: str, lead: str, expected: str) -> None:
    tags = tag(title, lead, source="jatim", place="Malang")
    assert tags.regency == expected


def test_bare_malang_outside_the_dateline_decides_nothing() -> None:
    tags = tag(
        "Harga cabai di Malang naik",
        "Surabaya (ANTARA) - Dinas Perdagangan Jatim mencatat harga cabai naik di Malang.",
        source="jatim",
        place="Surabaya",
    )
    assert tags.regency == "surabaya"
    assert not any("malang" in key for key, _ in tags.tags)


@pytest.mark.parametrize(
    "title",
    [
        "Warga angkut batu untuk tanggul",  # lower case: a stone
        "Batu nisan kuno ditemukan warga",  # sentence start, no qualifier
        "Harga Batu Bara Acuan Naik Jadi 128 Dolar",  # Title Case headline: coal
        "Kapal tertahan di Batu Licin",  # part of a longer proper noun
    ],
)
def test_batu_as_a_common_word_is_not_kota_batu(title: str) -> None:
    tags = tag(title, "Jakarta (ANTARA) - Tidak ada keterangan lain.", source=None, place="Jakarta")
    assert tags.province is None


@pytest.mark.parametrize(
    "title", ["Pemkot Batu gelar festival apel", "Festival apel di Batu ramai", "Kota Batu ramai"]
)
def test_batu_with_a_qualifier_or_locative_is_kota_batu(title: str) -> None:
    tags = tag(title, "Jakarta (ANTARA) - Festival digelar.", source=None, place="Jakarta")
    assert (tags.province, tags.regency) == ("jatim", "batu")


def test_common_words_do_not_match_inside_words_or_in_lower_case() -> None:
    tags = tag(
        "Perantau mudik lewat pelabuhan",
        "Banjarmasin (ANTARA) - Warga yang merantau pulang; sudah lama di rantau. Tanah dan laut "
        "tercemar, kata warga kota baru itu.",
        place="Banjarmasin",
    )
    assert tags.regency == "banjarmasin"
    assert [key for key, _ in tags.tags] == ["kalsel", "kalsel/banjarmasin"]


def test_tanah_laut_needs_a_proper_noun_context() -> None:
    assert tag("Kasus DBD di Tanah Laut naik", "Banjarmasin (ANTARA) - Kasus naik.").regency == (
        "tanah-laut"
    )
    # A sentence-initial, unqualified "Tanah Laut" followed by a name is no mention.
    tags = tag("Tanah Laut Dahnial bicara", "Banjarmasin (ANTARA) - Ia bicara.")
    assert "kalsel/tanah-laut" not in [key for key, _ in tags.tags]


def test_rivers_and_streets_named_after_a_regency_are_not_mentions() -> None:
    tags = tag(
        "Perahu karam di Sungai Tabalong",
        "Amuntai, Kalsel (ANTARA) - Perahu karam di Sungai Tabalong dekat Jalan Tapin.",
        place="Amuntai",
        hint="Kalsel",
    )
    assert tags.regency == "hulu-sungai-utara"
    assert [key for key, _ in tags.tags] == ["kalsel", "kalsel/hulu-sungai-utara"]


def test_where_a_quote_was_given_is_not_where_the_story_is() -> None:
    tags = tag(
        "Inflasi Kalsel 0,38 persen",
        'Banjarmasin (ANTARA) - BPS Provinsi Kalimantan Selatan mencatat inflasi.\n\n"Beras naik," '
        "kata Kepala BPS Kalsel di Banjarmasin.",
        place="Banjarmasin",
    )
    assert tags.regency is None
    assert "kalsel/banjarmasin" not in [key for key, _ in tags.tags]


def test_bureau_stories_ignore_mentions_in_other_provinces() -> None:
    tags = tag(
        "Telur asin HSU laris sampai Samarinda dan Surabaya",
        "Amuntai, Kalsel (ANTARA) - Telur asin dikirim ke Kota Samarinda dan Kota Surabaya.",
        place="Amuntai",
        hint="Kalsel",
    )
    assert tags.regency == "hulu-sungai-utara"
    assert all(key.startswith("kalsel") for key, _ in tags.tags)


def test_english_regency_qualifier() -> None:
    tags = tag(
        "Floods displace hundreds",
        "Jakarta (ANTARA) - Floods displaced 600 residents in Tapin Regency, South Kalimantan.",
        source=None,
        place="Jakarta",
    )
    assert (tags.province, tags.regency) == ("kalsel", "tapin")


# --- when a regency is asserted ---------------------------------------------------------------


def test_province_wide_story_at_the_capital_asserts_no_regency() -> None:
    tags = tag(
        "KPU Kalsel tetapkan DPT",
        "Banjarmasin (ANTARA) - KPU Provinsi Kalimantan Selatan menetapkan 2,9 juta pemilih.",
        place="Banjarmasin",
    )
    assert (tags.province, tags.regency) == ("kalsel", None)


def test_a_company_named_after_the_province_is_not_province_wide() -> None:
    tags = tag(
        "Pupuk Kaltim tambah pasokan pupuk",
        "Bontang (ANTARA) - PT Pupuk Kalimantan Timur di Kota Bontang menambah pasokan.",
        source="kaltim",
        place="Bontang",
    )
    assert tags.regency == "bontang"


def test_an_address_naming_the_province_is_not_province_wide() -> None:
    tags = tag(
        "Politeknik terima mahasiswa baru",
        "Banjarmasin (ANTARA) - Politeknik Negeri Banjarmasin, Kalimantan Selatan, menerima mahasiswa.",
        place="Banjarmasin",
    )
    assert tags.regency == "banjarmasin"


def test_a_regency_in_the_title_beats_the_dateline() -> None:
    tags = tag(
        "Dinkes Kalsel: kasus DBD di Tanah Laut naik",
        "Banjarmasin (ANTARA) - Dinas Kesehatan Provinsi Kalimantan Selatan mencatat kasus DBD "
        "di Kabupaten Tanah Laut naik.",
        place="Banjarmasin",
    )
    assert tags.regency == "tanah-laut"
    assert ("kalsel/tanah-laut", "mention") in tags.tags


def test_a_title_place_the_lead_does_not_back_loses_to_the_dateline() -> None:
    tags = tag(
        "Bandara tambah penerbangan rute Banjarmasin-Jakarta",
        "Banjarbaru (ANTARA) - Pengelola bandara di Kota Banjarbaru menambah frekuensi penerbangan.",
        place="Banjarbaru",
    )
    assert tags.regency == "banjarbaru"


def test_a_qualified_place_in_the_first_paragraph_beats_the_dateline() -> None:
    tags = tag(
        "Tim SAR cari korban tenggelam",
        "Banjarmasin (ANTARA) - Tim SAR gabungan mencari korban tenggelam di Kabupaten Barito Kuala.",
        place="Banjarmasin",
    )
    assert tags.regency == "barito-kuala"


def test_two_places_in_the_title_and_neither_at_the_dateline_is_no_regency() -> None:
    tags = tag(
        "Ruas Tapin-Balangan diperbaiki",
        "Banjarbaru (ANTARA) - Balai jalan memperbaiki ruas penghubung dua kabupaten.",
        place="Banjarbaru",
    )
    assert tags.regency is None


def test_no_evidence_no_regency() -> None:
    tags = tag("Harga cabai turun", "Harga cabai turun di pasar.")
    assert (tags.province, tags.regency) == ("kalsel", None)


def test_the_syndicated_story_gets_the_original_labels_at_every_bureau() -> None:
    by_name = {case.name: case for case in simsite_cases()}
    names = [
        "simsite:kalsel/ikn-pangan",
        "simsite:kaltim/ikn-pangan-kalsel",
        "simsite:www/ikn-pangan-kalsel",
    ]
    for name in names:
        case = by_name[name]
        tags = tag_regions(case.record, case.source_province, GAZETTEER)
        assert (tags.province, tags.regency, tags.dateline_province) == ("kalsel", None, "kalsel")


# --- the labelled set -------------------------------------------------------------------------


def _accuracy(cases: tuple[Case, ...]) -> tuple[float, float, list[str]]:
    regency_hits = province_hits = 0
    misses = []
    for case in cases:
        tags = tag_regions(case.record, case.source_province, GAZETTEER)
        regency_hits += tags.regency == case.regency
        province_hits += tags.province == case.province
        if (tags.province, tags.regency) != (case.province, case.regency):
            misses.append(
                f"{case.name}: {tags.province}/{tags.regency}, expected {case.province}/{case.regency}"
            )
    return regency_hits / len(cases), province_hits / len(cases), misses


def test_labelled_set_is_big_enough() -> None:
    cases = labelled_cases()
    assert len(cases) >= 60
    assert len(fixture_cases()) >= 30
    assert len({case.name for case in cases}) == len(cases)


def test_regency_accuracy_on_the_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    cases = labelled_cases()
    regency, province, misses = _accuracy(cases)
    with capsys.disabled():
        print(
            f"\nregions: {len(cases)} articles, regency accuracy {regency:.3f}, province {province:.3f}"
        )
        for miss in misses:
            print(f"  miss {miss}")
    assert regency >= 0.95, misses


def test_tagging_is_fast() -> None:
    cases = labelled_cases()
    start = time.perf_counter()
    for case in cases:
        tag_regions(case.record, case.source_province, GAZETTEER)
    per_article = (time.perf_counter() - start) / len(cases)
    assert per_article < 0.02, f"{per_article * 1000:.1f} ms per article"
