"""extract_article and its stages: cleaning rules, JSON-LD, datelines, footers, dates, errors."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from database.records import Related
from ingestor.extract.article import ExtractError, FeedHints, extract_article
from ingestor.extract.byline import authors_from_byline, parse_footer
from ingestor.extract.dateline import parse_dateline
from ingestor.extract.jsonld import find_article
from ingestor.sources.css import compile_selector
from ingestor.sources.model import SiteRules
from tests.fixtures.pages.corpus import layouts, make_source

FETCHED = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)
URL = "https://kalsel.antaranews.com/berita/412345/pasar-rantau"
KALSEL = make_source("antara-kalsel", URL, "antara", "WITA")
NOTICE = (
    "Dilarang keras mengambil konten, melakukan crawling atau pengindeksan otomatis untuk AI di "
    "situs web ini tanpa izin tertulis dari Kantor Berita ANTARA."
)


def antara(body: str, *, head: str = "", info: str = "Rabu, 1 Mei 2024 09:15 WITA") -> str:
    """A page in today's ANTARA layout around `body` (the inside of the content div)."""
    return f"""<!DOCTYPE html><html lang="id"><head><title>Pasar Rantau - ANTARA</title>{head}</head>
<body><nav><a href="/">Beranda</a><a href="/ekonomi">Ekonomi</a></nav>
<div class="wrap__article-detail">
<div class="wrap__article-detail-title"><h1 class="post-title">Pasar Rantau direvitalisasi</h1></div>
<div class="wrap__article-detail-info"><span>Ekonomi</span><span>{info}</span></div>
<div class="wrap__article-detail-image"><figure><img src="/img/pasar.jpg">
<figcaption>Suasana Pasar Rantau. ANTARA/Fauzi</figcaption></figure></div>
<div class="wrap__article-detail-content post-content">{body}</div>
</div></body></html>"""


def extract(html: str, **kw: object) -> tuple[str, object]:
    record = extract_article(html, URL, source=KALSEL, fetched_at=FETCHED, **kw)  # type: ignore[arg-type]
    return record.text, record


# --- cleaning --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "insert",
    [
        '<p><span class="baca-juga">Baca juga: <a href="/berita/2/lain">Berita lain</a></span></p>',
        '<span class="baca-juga">Baca Juga: <a href="/berita/2/lain">Berita lain</a></span><br><br>',
        'Baca juga: <a href="/berita/2/lain">Berita lain</a><br><br>',
        '<p><strong>Baca juga: </strong><a href="/berita/2/lain">Berita lain</a></p>',
        '<table class="linksisip"><tr><td><div class="lihatjg"><strong>Baca juga:</strong> '
        '<a href="/berita/2/lain">Berita lain</a></div></td></tr></table>',
        '<p><strong>BACA JUGA: <a href="/berita/2/lain">Berita lain</a></strong></p>',
    ],
)
def test_baca_juga_is_removed_and_kept_as_related(insert: str) -> None:
    html = antara(f"Tapin (ANTARA) - Paragraf satu.<br><br>{insert}Paragraf dua.")
    text, record = extract(html)
    assert text == "Tapin (ANTARA) - Paragraf satu.\n\nParagraf dua."
    assert record.related == (  # type: ignore[attr-defined]
        Related("Berita lain", "https://kalsel.antaranews.com/berita/2/lain"),
    )


@pytest.mark.parametrize(
    ("footer", "authors"),
    [
        ("Pewarta: Putu Indah SavitriEditor: Agus Salim Copyright © ANTARA 2026", ["Putu Indah Savitri"]),
        ("Pewarta : Putu Indah Savitri Editor: Faidin COPYRIGHT © ANTARA 2026", ["Putu Indah Savitri"]),
        ("Pewarta : Sukarli<br>Editor: Ulul Maskuriah<br>COPYRIGHT © ANTARA 2022", ["Sukarli"]),
        ("Pewarta: KatrianaPenerjemah: Yuni SinagaEditor: Atman Copyright © ANTARA 2024", ["Katriana"]),
        ("Pewarta : Ahmad Rifandi, Arumanto<br>Editor: Rahmad<br>COPYRIGHT © ANTARA 2022",
         ["Ahmad Rifandi", "Arumanto"]),
    ],
)  # fmt: skip
def test_footer_variants_are_removed_and_give_authors(footer: str, authors: list[str]) -> None:
    body = f'Paragraf satu.<br><br>Paragraf dua.<p class="text-muted mt-2 small">{footer}</p>'
    text, record = extract(antara(body))
    assert text == "Paragraf satu.\n\nParagraf dua."
    assert list(record.authors) == authors  # type: ignore[attr-defined]


def test_same_footers_without_rules_come_from_the_body() -> None:
    body = (
        "Paragraf satu yang cukup panjang untuk dibaca sebagai isi berita, dengan koma.<br><br>"
        "Paragraf dua yang juga cukup panjang untuk dibaca sebagai isi berita.<br><br>"
        "Pewarta: Putu Indah SavitriEditor: Agus Salim Copyright © ANTARA 2026"
    )
    record = extract_article(antara(body), URL, fetched_at=FETCHED)
    assert record.authors == ("Putu Indah Savitri",)
    assert "Pewarta" not in record.text and "Agus Salim" not in record.text
    assert record.provenance["authors"] == "footer"


def test_noise_is_removed() -> None:
    body = f"""Paragraf satu.<br><br>
<div class="ads-container"><ins class="adsbygoogle" data-ad-slot="1"></ins>
<script>(adsbygoogle = window.adsbygoogle || []).push({{}});</script>
<div id="aswift_2_host"><iframe id="aswift_2" title="Advertisement"></iframe></div></div>
<p><script>googletag.cmd.push(function() {{ googletag.display('x'); }});</script></p>
<style>.x{{color:red}}</style>
<div class="social-share"><a href="https://facebook.com/share">Facebook</a></div>
<div class="related-news"><h4>Berita Terkait</h4><ul><li><a href="/b/1">Judul terkait</a></li></ul></div>
<ul class="blog-tags"><li><a href="/tag/x">pasar</a></li></ul>
Paragraf dua.<p>{NOTICE}</p>"""
    text, _ = extract(antara(body))
    assert text == "Paragraf satu.\n\nParagraf dua."


def test_notice_outside_the_body_and_inside_a_paragraph_is_dropped() -> None:
    text, _ = extract(antara(f"Paragraf satu.<br><br>{NOTICE}"))
    assert text == "Paragraf satu."


def test_caption_is_kept_apart() -> None:
    body = (
        "<figure><img src='/x.jpg'><figcaption>Foto di dalam badan berita</figcaption></figure>Isi."
    )
    text, record = extract(antara(body))
    assert text == "Isi."
    # The rule's caption (the lead image's) wins over a figure inside the body.
    assert record.image_caption == "Suasana Pasar Rantau. ANTARA/Fauzi"  # type: ignore[attr-defined]


def test_paragraph_boundaries_whitespace_and_nfc() -> None:
    body = (
        "<p>Satu\n   dua&nbsp;tiga\u200b.</p>  Empat<br>lima.<br><br>\n<br>Enam <b>tujuh</b>,"
        "<i> delapan</i>.<div>Sembilan Cafe\u0301.</div>"
    )
    text, _ = extract(antara(body))
    assert text == "Satu dua tiga.\n\nEmpat\nlima.\n\nEnam tujuh, delapan.\n\nSembilan Café."


def test_dateline_stays_in_text_and_is_parsed() -> None:
    text, record = extract(antara("Tapin, Kalsel (ANTARA) - Pasar Rantau ramai."))
    assert text.startswith("Tapin, Kalsel (ANTARA) - ")
    assert record.place == "Tapin"  # type: ignore[attr-defined]
    assert record.provenance["place_hint"] == "Kalsel"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("paragraph", "place", "hint"),
    [
        ("Tapin, Kalsel (ANTARA) - Pasar ramai.", "Tapin", "Kalsel"),
        ("Banjarmasin (ANTARA) - Pasar ramai.", "Banjarmasin", None),
        ("Mataram, NTB (ANTARA News) - Pasar ramai.", "Mataram", "NTB"),
        ("ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) - Rute baru.", "Istanbul", None),
        ("BANJARMASIN, KOMPAS.com - Harga karet turun.", "Banjarmasin", None),
        ("BANJARMASINPOST.CO.ID, BANJARMASIN - Dishub menertibkan parkir.", "Banjarmasin", None),
        ("TRIBUNKALTIM.CO, BALIKPAPAN - BPBD siaga.", "Balikpapan", None),
        ("Jakarta - Polisi menangkap tiga orang.", "Jakarta", None),
        ("PALANGKA RAYA - Pemprov menyalurkan air.", "Palangka Raya", None),
        ("Pontianak, W Kalimantan (ANTARA) - Indonesia and Malaysia agreed.", "Pontianak", "W Kalimantan"),
        ("Pemerintah Kabupaten Tapin mulai merevitalisasi pasar.", None, None),
        ("Sebanyak 135 posyandu menerima bantuan.", None, None),
    ],
)  # fmt: skip
def test_dateline_forms(paragraph: str, place: str | None, hint: str | None) -> None:
    dateline = parse_dateline(paragraph)
    assert (dateline.place if dateline else None) == place
    assert (dateline.hint if dateline else None) == hint


# --- footers and bylines -----------------------------------------------------------------------


def test_editors_and_translators_are_not_authors() -> None:
    footer = parse_footer("Pewarta: KatrianaPenerjemah: Yuni Arisandy SinagaEditor: Atman Ahdiat")
    assert footer is not None
    assert footer.authors == ("Katriana",)
    assert footer.editors == ("Atman Ahdiat",)
    assert footer.translators == ("Yuni Arisandy Sinaga",)


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Mulia Budi - detikNews", ("Mulia Budi",)),
        ("Penulis: Rahmadhani | Editor: Hari Widodo", ("Rahmadhani",)),
        ("Penulis : Ahmad Husaini | Senin, 12 Februari 2024 15:40", ("Ahmad Husaini",)),
        ("Oleh Andi Saputra dan Budi Santoso", ("Andi Saputra", "Budi Santoso")),
        ("Diposting oleh Rusdiansyah", ("Rusdiansyah",)),
        ("By Rizka Khaerunnisa", ("Rizka Khaerunnisa",)),
        ("(Reporter: Dewi Anggraini)", ("Dewi Anggraini",)),
        ("antaranews.com", ()),
        ("Tim Redaksi Banua", ()),
        ("Redaksi", ()),
        ("Editor: Agus Salim", ()),
    ],
)
def test_bylines(byline: str, authors: tuple[str, ...]) -> None:
    assert authors_from_byline(byline) == authors


# --- JSON-LD ---------------------------------------------------------------------------------------


def test_jsonld_graph_list_types_and_author_references() -> None:
    graph = """{"@context": "https://schema.org", "@graph": [
      {"@type": "WebPage", "@id": "u", "name": "x"},
      {"@type": ["ReportageNewsArticle"], "headline": "Judul", "datePublished": "2024-05-01T09:15:00+08:00",
       "author": [{"@id": "#p1"}, {"@type": "Organization", "name": "ANTARA"}],
       "image": {"@id": "#img"}, "keywords": ["a", "b", "a"], "articleSection": ["Ekonomi"]},
      {"@type": "Person", "@id": "#p1", "name": "Putu Indah Savitri"},
      {"@type": "ImageObject", "@id": "#img", "url": "https://x/i.jpg", "caption": "Keterangan"}]}"""
    ld = find_article(['{"@type": "WebSite", "name": "s"}', graph])
    assert ld is not None
    assert ld.headline == "Judul"
    assert ld.authors == ("Putu Indah Savitri",)
    assert (ld.image, ld.image_caption) == ("https://x/i.jpg", "Keterangan")
    assert ld.keywords == ("a", "b")
    assert ld.section == "Ekonomi"


def test_jsonld_list_and_sloppy_json() -> None:
    blocks = ['[{"@type": "Organization"}, {"@type": "NewsArticle", "headline": "A\x01B",}]']
    ld = find_article(blocks)
    assert ld is not None and ld.headline == "A B"
    assert find_article(["{not json"]) is None
    assert find_article(['{"@type": "WebPage", "headline": "x"}']) is None


# --- dates in context ------------------------------------------------------------------------------


def test_explicit_offset_beats_detik_z_and_z_alone_is_local_time() -> None:
    detik = make_source("detik-news", "https://news.detik.com/", "detik-like", "WIB")
    page = """<html><head><meta name="pubdate" content="2023-11-02T20-59-53Z">{ld}</head><body>
<h1 class="detail__title">Judul berita</h1><div class="detail__body-text"><p>Isi berita.</p></div>
</body></html>"""
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2023-11-02T21:10:00+07:00"}</script>'
    )
    fetched = datetime(2023, 11, 3, tzinfo=UTC)
    with_ld = extract_article(
        page.format(ld=ld), "https://news.detik.com/d-1", source=detik, fetched_at=fetched
    )
    assert with_ld.published_at == datetime(2023, 11, 2, 14, 10, tzinfo=UTC)
    assert with_ld.date_source == "jsonld"
    alone = extract_article(
        page.format(ld=""), "https://news.detik.com/d-1", source=detik, fetched_at=fetched
    )
    assert alone.published_at == datetime(2023, 11, 2, 13, 59, 53, tzinfo=UTC)
    assert (alone.published_raw, alone.date_source) == ("2023-11-02T20-59-53Z", "meta")


def test_no_date_anywhere_is_first_seen_never_a_silent_now() -> None:
    html = antara("Isi berita tanpa tanggal.", info="")
    record = extract_article(html, URL, source=KALSEL, fetched_at=FETCHED)
    assert record.published_at == FETCHED
    assert (record.date_source, record.published_raw) == ("first_seen", None)


def test_feed_hints_fill_what_the_page_lacks() -> None:
    html = "<html><body><div><p>Isi berita yang cukup panjang untuk dibaca, dengan koma.</p></div></body></html>"
    naive = datetime(2024, 5, 1, 9, 15)  # a feed time without zone: read as the source's WITA
    hints = FeedHints(
        title="Judul dari RSS",
        published=naive,
        published_raw="Wed, 01 May 2024 09:15:00",
        summary="Ringkasan RSS",
        image="/thumb.jpg",
    )
    record = extract_article(html, URL, source=KALSEL, fetched_at=FETCHED, hints=hints)
    assert record.title == "Judul dari RSS"
    assert record.published_at == datetime(2024, 5, 1, 1, 15, tzinfo=UTC)
    assert (record.date_source, record.published_raw) == ("rss", "Wed, 01 May 2024 09:15:00")
    assert record.summary == "Ringkasan RSS"
    assert record.image == "https://kalsel.antaranews.com/thumb.jpg"


def test_page_date_beats_feed_hint() -> None:
    hints = FeedHints(published=datetime(2024, 4, 30, tzinfo=UTC))
    record = extract_article(antara("Isi."), URL, source=KALSEL, fetched_at=FETCHED, hints=hints)
    assert record.date_source == "page"
    assert record.published_at == datetime(2024, 5, 1, 1, 15, tzinfo=UTC)


def test_date_from_url_when_nothing_else() -> None:
    html = "<html><body><article><p>Isi berita yang cukup panjang untuk dibaca, dengan koma.</p></article></body></html>"
    record = extract_article(html, "https://example.id/2024/03/05/judul", fetched_at=FETCHED)
    assert record.date_source == "url"
    assert record.published_at == datetime(2024, 3, 4, 17, 0, tzinfo=UTC)  # midnight WIB


# --- URLs, errors, rules ----------------------------------------------------------------------------


def test_canonical_same_site_only_and_tracking_stripped() -> None:
    same = antara(
        "Isi.",
        head='<link rel="canonical" href="/berita/412345/pasar-rantau?utm_source=x&id=2#top">',
    )
    record = extract_article(same, URL + "?utm_medium=rss", source=KALSEL, fetched_at=FETCHED)
    assert record.canonical_url == URL + "?id=2"
    other = antara(
        "Isi.", head='<link rel="canonical" href="https://www.antaranews.com/berita/1/x">'
    )
    record = extract_article(other, URL, source=KALSEL, fetched_at=FETCHED)
    assert record.canonical_url == URL


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("", "empty page"),
        ("   \n ", "empty page"),
        ('{"title": "not a page"}', "not HTML"),
        ("Just some plain text that is not a web page at all.", "not HTML"),
        ("<html><head></head><body></body></html>", "no title and no article text"),
        ("<html><body><div class='menu'><a href='/'>Beranda</a></div></body></html>", "no title"),
    ],
)
def test_extract_error_on_unusable_input(html: str, message: str) -> None:
    with pytest.raises(ExtractError, match=message) as info:
        extract_article(html, URL, fetched_at=FETCHED)
    assert URL in str(info.value)
    assert isinstance(info.value, ValueError)


def test_xml_declaration_is_accepted() -> None:
    html = '<?xml version="1.0" encoding="utf-8"?>' + antara("Isi.")
    assert extract_article(html, URL, source=KALSEL, fetched_at=FETCHED).text == "Isi."


def test_fetched_at_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extract_article(antara("Isi."), URL, fetched_at=datetime(2024, 5, 1))


def test_bad_selector_names_itself() -> None:
    with pytest.raises(ValueError, match=re.escape("'div[[x'")):
        compile_selector("div[[x")
    source = replace(make_source("x", URL, "antara", "WIB"), rules=SiteRules(title=("h1..bad",)))
    with pytest.raises(ValueError, match=re.escape("h1..bad")):
        extract_article(antara("Isi."), URL, source=source, fetched_at=FETCHED)


def test_every_layout_selector_compiles_and_core_fields_are_set() -> None:
    for name, rules in layouts().items():
        for field in (
            "title",
            "body",
            "date",
            "author",
            "section",
            "image",
            "image_caption",
            "tags",
            "remove",
        ):
            for selector in getattr(rules, field):
                compile_selector(selector)
        assert rules.title and rules.body and rules.date, name


def test_pure_function_same_input_same_record() -> None:
    html = antara("Tapin, Kalsel (ANTARA) - Isi.")
    one = extract_article(html, URL, source=KALSEL, fetched_at=FETCHED)
    two = extract_article(html, URL, source=KALSEL, fetched_at=FETCHED)
    assert one == two and one.provenance == two.provenance


def test_times_are_utc_and_zone_is_the_sources() -> None:
    wib = make_source("antara-kalsel", URL, "antara", "WIB")
    page = antara("Isi.", info="Rabu, 1 Mei 2024 09:15")  # no zone label on the page
    assert extract_article(page, URL, source=wib, fetched_at=FETCHED).published_at == datetime(
        2024, 5, 1, 2, 15, tzinfo=UTC
    )
    record = extract_article(page, URL, source=KALSEL, fetched_at=FETCHED)
    assert record.published_at is not None
    assert record.published_at.utcoffset() == timedelta(0)
    assert record.published_at.astimezone(timezone(timedelta(hours=8))).hour == 9


def test_generic_drops_headline_furniture_but_keeps_dated_sentences() -> None:
    html = """<html lang="id"><body><nav><a href="/">Beranda</a> <a href="/kalsel">Kalsel</a></nav>
<article><h1>Warga Tapin gotong royong bersihkan sungai</h1>
<p>Rabu, 1 Mei 2024 08:00 WITA</p><p>Oleh Andi Saputra</p>
<p>Rabu (1/5/2024) warga berkumpul.</p>
<p>Ratusan warga Kecamatan Tapin Utara bergotong royong membersihkan Sungai Tapin, mengangkat
sampah plastik, ranting, dan eceng gondok yang menyumbat aliran air sejak musim hujan lalu.</p>
<p>Camat Tapin Utara mengatakan kegiatan serupa akan digelar setiap bulan, dengan melibatkan
sekolah, karang taruna, dan pedagang pasar di sepanjang bantaran sungai.</p></article></body></html>"""
    record = extract_article(html, "https://contoh.id/berita/1", fetched_at=FETCHED)
    assert record.text.split("\n\n")[0] == "Rabu (1/5/2024) warga berkumpul."
    assert "Oleh Andi" not in record.text and "08:00 WITA" not in record.text
    assert record.authors == ("Andi Saputra",)
    assert record.provenance["authors"] == "page"
    assert record.published_at == datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    assert record.date_source == "page"


def test_generic_finds_bare_text_bodies_split_by_double_br() -> None:
    para = "Kalimat berita yang cukup panjang untuk dihitung sebagai isi, dengan koma, dan titik."
    html = f"""<html><body><div class="menu"><a href="/a">A</a> <a href="/b">B</a></div>
<div class="isi">{para}<br><br>{para} Dua.<br><br>{para} Tiga.</div>
<div class="sidebar"><ul><li><a href="/x">Berita lain yang sangat panjang judulnya sekali</a></li></ul></div>
</body></html>"""
    record = extract_article(html, "https://contoh.id/berita/2", fetched_at=FETCHED)
    assert record.text == f"{para}\n\n{para} Dua.\n\n{para} Tiga."
    assert record.provenance["text"] == "generic"


def test_jsonld_strings_are_unescaped() -> None:
    ld = find_article(
        ['{"@type": "NewsArticle", "headline": "Bupati: &quot;Pasar&quot; &amp; terminal"}']
    )
    assert ld is not None and ld.headline == 'Bupati: "Pasar" & terminal'
