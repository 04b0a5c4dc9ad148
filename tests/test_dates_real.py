"""Date rules learned from real pages (htmldate's and trafilatura's sets), on hand-written snippets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingestor.extract.article import extract_article
from ingestor.extract.dates import parse_date
from ingestor.extract.pubdate import lead_date, url_date

FETCHED = datetime(2026, 12, 1, tzinfo=UTC)
URL = "https://news.example.org/story"
TEXT = "<p>Der Text der Meldung ist lang genug, um als Artikel zu gelten, mit Komma, Punkt.</p>"


def _page(head: str = "", top: str = "", body: str = TEXT, h1: str = "Die Meldung") -> str:
    return (
        f"<html><head><title>{h1}</title>{head}</head><body>"
        f"<article><h1>{h1}</h1>{top}<div class='text'>{body}</div></article></body></html>"
    )


def _extract(html: str, url: str = URL) -> tuple[str | None, str, str]:
    record = extract_article(html, url, fetched_at=FETCHED)
    day = record.published_at.date().isoformat() if record.date_source != "first_seen" else ""
    return record.published_raw, record.date_source, day


def test_page_state_script_keys() -> None:
    script = (
        '<script>var layer = {"last-updated":"2019-07-31 10:00",'
        '"first-publication":"2019-07-30 09:35"};</script>'
    )
    assert _extract(_page(head=script))[:2] == ("2019-07-30 09:35", "meta")


def test_trackback_rdf_in_a_comment() -> None:
    rdf = (
        '<!-- <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description dc:date="2020-07-03T17:16:22+09:00" /></rdf:RDF> -->'
    )
    assert _extract(_page(top=rdf)) == ("2020-07-03T17:16:22+09:00", "meta", "2020-07-03")


@pytest.mark.parametrize(
    ("paragraphs", "found"),
    [
        (["01.02.2022 „Der Arbeitsmarkt ist gut gestartet."], "01.02.2022"),
        (["27.1.2022 - Bei der Erinnerung an die Verfolgten"], "27.1.2022"),
        (["Kurz", "Eine Unterzeile", "2021-03-04: Der Rat tagte."], "2021-03-04"),
        (["12.03.2020 war ein Tag wie jeder andere."], None),  # prose, no separator
        (["Ein Vorspann " * 15, "01.02.2022 „Der Arbeitsmarkt"], "01.02.2022"),  # standfirst
        (["x" * 400, "12.03.2020 – die Chronik"], None),  # a chronology entry further down
    ],
)
def test_lead_date(paragraphs: list[str], found: str | None) -> None:
    assert lead_date(paragraphs) == found


def test_lead_date_dates_the_record() -> None:
    body = "<p>27.1.2022 - Bei der Erinnerung an die Verfolgten waren viele Menschen dabei, sagt sie.</p>"
    assert _extract(_page(body=body)) == ("27.1.2022", "page", "2022-01-26")  # midnight WIB


def test_url_days_without_leading_zeros() -> None:
    assert url_date("https://www.example.de/home/2017/7/12/unter-uns") == "2017-07-12"
    assert url_date("https://www.example.de/home/2017/7/123/x") is None


def test_url_day_beats_a_disagreeing_page_text_date() -> None:
    top = "<p class='date'>23.02.2020</p>"
    url = "https://example.it/newsroom/23-01-2022-wierer-jubelt"
    assert _extract(_page(top=top), url)[:2] == ("2022-01-23", "url")
    # The same page text agreeing with the URL keeps its own, finer, source.
    assert _extract(_page(top="<p class='date'>23.01.2022</p>"), url)[:2] == ("23.01.2022", "page")


def test_utc_stamp_keeps_the_pages_local_form_of_the_same_instant() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T03:28:35+00:00">'
    top = "<div class='byline'>Published Nov. 8, 2023, 10:28 p.m. ET</div>"
    raw, source, _ = _extract(_page(head=head, top=top))
    assert (raw, source) == ("Published Nov. 8, 2023, 10:28 p.m. ET", "meta")
    record = extract_article(_page(head=head, top=top), URL, fetched_at=FETCHED)
    assert record.published_at == datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC)  # instant kept
    # A local clock 7 minutes off is another event, not the same instant.
    other = top.replace("10:28", "10:21")
    assert _extract(_page(head=head, top=other))[0] == "2023-11-09T03:28:35+00:00"


def test_utc_stamp_takes_an_explicit_offset_form() -> None:
    head = (
        '<meta property="article:published_time" content="2023-11-09T02:11:03+00:00">'
        '<meta property="og:published_time" content="x">'
    )
    top = "<time datetime='2023-11-08T21:11:03-05:00'>Nov 8</time>"
    assert _extract(_page(head=head, top=top))[0] == "2023-11-08T21:11:03-05:00"


def test_fact_box_aside_inside_the_article() -> None:
    aside = "<aside class='blogData'><dl><dt>Datum</dt><dd>12.01.2017</dd></dl></aside>"
    html = f"<html><body><article>{aside}<div>{TEXT}</div></article></body></html>"
    assert _extract(html)[:2] == ("12.01.2017", "page")


def test_sidebar_layout_flag_on_the_main_block() -> None:
    main = f"<div class='post_detail'><div class='item'>27 Sep 2016</div></div>{TEXT * 4}"
    html = (
        f"<html><body><div class='sidebar_content'>{main}</div>"
        "<div class='sidebar'><ul><li>5 Jan 2015</li></ul></div></body></html>"
    )
    assert _extract(html)[:2] == ("27 Sep 2016", "page")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15 августа 2016, 13:43", "2016-08-15"),
        ("3 березня 2020", "2020-03-03"),
        ("الأربعاء، 07 أكتوبر 2020 - 12:09 م", "2020-10-07"),
        ("Von Deutscher Tennis Bund 4. 2. 2022.", "2022-02-04"),
    ],
)
def test_more_languages_and_spaced_dots(text: str, day: str) -> None:
    parsed = parse_date(text, tz=UTC, now=FETCHED)
    assert parsed is not None and parsed.value.date().isoformat() == day


def test_date_heading_comment_tail_and_script_lines() -> None:
    assert _extract(_page(top="<h5>23.01.2019</h5>"))[0] == "23.01.2019"
    tail = "<span>Reporter | </span><!--span>mail</span--> 2020-03-04 16:52:59"
    assert _extract(_page(top=f"<div>{tail}</div>"))[0] == "2020-03-04 16:52:59"
    script = '<td><script>showDate("2020/04/17 01:43:09")</script></td>'
    assert _extract(_page(top=f"<table><tr>{script}</tr></table>"))[0] == "2020/04/17"


def test_date_ranges_date_nothing() -> None:
    top = "<h3>Wochenbericht 14. - 20. Januar 2022</h3>"
    assert _extract(_page(top=top))[1] == "first_seen"


def test_local_time_element_outside_the_headline_area_when_metadata_dates_the_page() -> None:
    head = '<meta property="article:published_time" content="2023-11-09T01:09:55+00:00">'
    html = (
        f"<html><head>{head}</head><body><div><div><div><h1>Die Meldung</h1></div></div>"
        "<div class='byline'><div class='time'><time datetime='2023-11-08 18:09:55'>"
        f"November 8, 2023 at 6:09 p.m.</time></div></div></div><div>{TEXT}</div></body></html>"
    )
    record = extract_article(html, URL, fetched_at=FETCHED)
    assert (record.published_raw, record.date_source) == ("2023-11-08 18:09:55", "meta")
    assert record.published_at == datetime(2023, 11, 9, 1, 9, 55, tzinfo=UTC)


def test_metadata_months_after_the_url_day_is_a_resave() -> None:
    head = '<meta property="article:published_time" content="2019-06-17T18:28:00+02:00">'
    url = "https://www.example.de/home/2017/7/12/unter-uns"
    assert _extract(_page(head=head), url)[:2] == ("2017-07-12", "url")
    # A week later is an update the newsroom chose to show as the date: it stays.
    week = head.replace("2019-06-17", "2017-07-19")
    assert _extract(_page(head=week), url)[:2] == ("2017-07-19T18:28:00+02:00", "meta")
