"""Topic classification (ingestor/topics.py) and the taxonomy's keywords (config/topics.toml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from config.catalogue import CatalogueError, Topic, load_catalogue
from database.records import ArticleRecord
from ingestor.classify.topics import TopicScore, build_taxonomy, classify_topics
from tests.fixtures.labelled.cases import Case, fixture_cases, labelled_cases, simsite_cases

CATALOGUE = load_catalogue()
TAXONOMY = build_taxonomy(CATALOGUE.topics)
SLUGS = {t.slug for t in CATALOGUE.topics}


def classify(
    title: str,
    text: str = "",
    *,
    section: str | None = None,
    url: str = "https://kalsel.antaranews.com/berita/1/x",
    tags: tuple[str, ...] = (),
) -> tuple[TopicScore, ...]:
    record = ArticleRecord(url=url, title=title, text=text, section=section, tags=tags)
    return classify_topics(record, TAXONOMY)


def topics_of(scores: tuple[TopicScore, ...]) -> list[str]:
    return [s.topic for s in scores]


# --- the taxonomy -----------------------------------------------------------------------------


def test_every_topic_has_keywords_in_both_languages() -> None:
    assert len(CATALOGUE.topics) == 13
    english = {"flood", "election", "court", "school", "hospital", "football", "economy", "aid"}
    english |= {"technology", "culture", "road", "mosque", "government"}
    for topic in CATALOGUE.topics:
        phrases = {p for p, _ in topic.keywords}
        assert len(phrases) >= 30, topic.slug
        assert phrases & english, f"{topic.slug}: no English keyword"
        assert all(0 < w < 100 for _, w in topic.keywords)


def test_topic_keywords_field_is_backward_compatible() -> None:
    assert Topic("x", "X", "X").keywords == ()
    assert Topic("x", "X", "X", ("x",)).sections == ("x",)


def _toml(value: object) -> str:
    """`value` as a TOML value: strings, numbers, booleans, lists and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)  # a JSON string or number is a TOML one too


def _load_with_topics(folder: Path, entry: dict[str, Any]) -> Any:
    """The catalogue with a WARTA_CATALOGUE folder whose topics.toml holds only `entry`."""
    lines = ["[[topic]]", *(f"{key} = {_toml(value)}" for key, value in entry.items())]
    (folder / "topics.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_catalogue(folder)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        (["banjir"], "entry lingkungan: field 'keywords' must be a table"),
        ({"banjir": "3"}, "entry lingkungan: field 'keywords': weight of 'banjir'"),
        ({"banjir": 0}, "entry lingkungan: field 'keywords': weight of 'banjir'"),
        ({"banjir": True}, "entry lingkungan: field 'keywords': weight of 'banjir'"),
        ({" ": 1.0}, "entry lingkungan: field 'keywords': empty phrase"),
    ],
)
def test_bad_keywords_name_file_entry_and_field(
    tmp_path: Path, keywords: object, message: str
) -> None:
    entry = {"slug": "lingkungan", "name_id": "L", "name_en": "E", "keywords": keywords}
    with pytest.raises(CatalogueError, match=f"{tmp_path}/topics\\.toml: {message}"):
        _load_with_topics(tmp_path, entry)


def test_keywords_load_in_file_order_with_float_weights(tmp_path: Path) -> None:
    entry = {"slug": "lingkungan", "name_id": "L", "name_en": "E", "keywords": {"b": 2, "a": 1.5}}
    catalogue = _load_with_topics(tmp_path, entry)
    assert catalogue.topics[0].keywords == (("b", 2.0), ("a", 1.5))
    assert catalogue.provinces == CATALOGUE.provinces  # the folder had no provinces.toml


# --- section first ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("Ekonomi", "ekonomi"),
        ("Seni Budaya", "budaya"),
        ("seni-budaya", "budaya"),
        ("Sepak Bola", "olahraga"),
        ("Berita > Hukum", "hukum"),
        ("Religi", "agama"),
        ("Environment", "lingkungan"),
    ],
)
def test_section_label_maps_to_its_topic(section: str, expected: str) -> None:
    scores = classify("Sesuatu terjadi", section=section)
    assert scores == (TopicScore(expected, 0.6, "section"),)


def test_url_kanal_is_used_when_there_is_no_section() -> None:
    scores = classify("Sesuatu terjadi", url="https://example.co.id/olahraga/2025/03/01/judul")
    assert topics_of(scores) == ["olahraga"]
    assert scores[0].reason == "section"


def test_section_comes_first_and_keywords_add_to_it() -> None:
    scores = classify(
        "Polisi ringkus pengedar sabu",
        "Polisi meringkus pengedar sabu dan menyita barang bukti. Tersangka ditahan.",
        section="Ekonomi",
    )
    assert {s.topic: s.reason for s in scores} == {"ekonomi": "section", "hukum": "keywords"}
    # The section is kept on its label alone; the keywords earn hukum its place.
    assert next(s for s in scores if s.topic == "ekonomi").score >= 0.6


def test_catch_all_sections_leave_the_decision_to_keywords() -> None:
    scores = classify(
        "Banjir rendam 500 rumah, warga terima sembako",
        "Banjir merendam 500 rumah. Bupati menyerahkan bantuan sembako kepada warga terdampak banjir.",
        section="Peristiwa",
    )
    assert set(topics_of(scores)) == {"lingkungan", "sosial"}
    assert all(s.reason == "keywords" for s in scores)


# --- keywords ---------------------------------------------------------------------------------


def test_scores_are_between_zero_and_one_and_sorted() -> None:
    scores = classify(
        "Banjir dan longsor landa tiga kecamatan",
        "Banjir dan tanah longsor melanda. BPBD mendirikan posko pengungsian. Hujan lebat turun.",
    )
    assert scores and all(0 < s.score <= 1 for s in scores)
    assert [s.score for s in scores] == sorted((s.score for s in scores), reverse=True)
    assert scores[0].topic == "lingkungan"


def test_longest_phrase_wins_politik_is_not_pemerintahan() -> None:
    scores = classify(
        "KPU tetapkan calon gubernur dan calon bupati",
        "KPU menetapkan pasangan calon gubernur. Kampanye dimulai pekan depan; partai politik "
        "pengusung menyiapkan tim pemenangan.",
    )
    assert topics_of(scores) == ["politik"]


def test_government_administration_is_pemerintahan() -> None:
    scores = classify(
        "DPRD sahkan APBD dan perda",
        "APBD disahkan dalam rapat paripurna. Sekretaris daerah meminta ASN meningkatkan pelayanan "
        "publik; perda retribusi ikut disahkan.",
    )
    assert topics_of(scores) == ["pemerintahan"]


def test_a_corrupt_official_is_hukum() -> None:
    scores = classify(
        "Kejati tahan mantan kepala dinas",
        "Kejaksaan tinggi menahan tersangka korupsi anggaran dinas. Penyidik menyita barang bukti "
        "dan tersangka dijerat pasal tindak pidana korupsi.",
    )
    assert topics_of(scores) == ["hukum"]


def test_english_keywords() -> None:
    scores = classify(
        "Court sentences former official for corruption",
        "The court sentenced the suspect to six years. Prosecutors said the corruption case "
        "involved road contracts.",
    )
    assert topics_of(scores)[0] == "hukum"


def test_idiom_banjir_pesanan_is_trade_not_flood() -> None:
    scores = classify(
        "Perajin marmer banjir pesanan", "Perajin marmer banjir pesanan dari luar negeri."
    )
    assert "lingkungan" not in topics_of(scores)


def test_matching_respects_word_boundaries_and_case() -> None:
    assert classify("Tersangkanya kabur", "Kasusnya ditunda.") == ()
    assert topics_of(classify("BANJIR MELANDA", "Banjir merendam desa; warga mengungsi.")) == [
        "lingkungan"
    ]


def test_nothing_to_go_on_is_no_topic() -> None:
    assert classify("Halo", "") == ()


def test_tags_count_as_evidence() -> None:
    scores = classify(
        "Ribuan orang hadir", "Acara berlangsung meriah.", tags=("festival", "budaya")
    )
    assert topics_of(scores) == ["budaya"]


def test_every_label_in_the_set_is_a_known_topic() -> None:
    assert all(set(case.topics) <= SLUGS and case.topics for case in labelled_cases())


# --- the labelled set -------------------------------------------------------------------------


def _micro(cases: tuple[Case, ...]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for case in cases:
        got = set(topics_of(classify_topics(case.record, TAXONOMY)))
        want = set(case.topics)
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_topic_micro_f1_on_the_labelled_set(capsys: pytest.CaptureFixture[str]) -> None:
    cases = labelled_cases()
    precision, recall, f1 = _micro(cases)
    sim, own = _micro(simsite_cases()), _micro(fixture_cases())
    with capsys.disabled():
        print(
            f"\ntopics: {len(cases)} articles, micro P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
            f" (simsite F1 {sim[2]:.3f}, fixtures F1 {own[2]:.3f})"
        )
    assert f1 >= 0.85
