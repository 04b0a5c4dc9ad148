"""The lead between headline and body: taken when it is prose, left when it is a caption or a list."""

from __future__ import annotations

from datetime import UTC, datetime

from ingestor.extract.article import extract_article

FETCHED = datetime(2026, 12, 1, tzinfo=UTC)
_PARA = (
    "Bei einem Treffen mit dem Landrat legten die Vertreter der Bauernverbände ihre Zahlen vor, "
    "und der Landrat sagte zu, sie an das Ministerium weiterzugeben, noch vor dem Sommer."
)
_BODY = f'<div class="news-text-wrap"><p>{_PARA}</p><p>{_PARA} Zwei.</p><p>{_PARA} Drei.</p></div>'
_LEAD = (
    "Die Landwirte im Kreis fordern mehr Geld für Blühstreifen, denn die Prämien decken nach "
    "ihrer Rechnung nicht einmal die Kosten für das Saatgut."
)


def _page(between: str, *, headline: str = "<h1>Mehr Geld für Blühstreifen</h1>") -> str:
    return f"""<html><head><title>Mehr Geld für Blühstreifen</title></head><body>
<nav><a href="/">Start</a> <a href="/news">News</a></nav><div class="news news-single">
<div class="article">{headline}{between}{_BODY}</div></div></body></html>"""


def test_a_lead_box_named_teaser_is_the_lead_not_a_teaser_list() -> None:
    # TYPO3 and others print the lead as "teaser-text": a furniture word, but no links.
    html = _page(f'<div class="teaser-text"><p>{_LEAD}</p></div>')
    record = extract_article(html, "https://kreis.example/news/1", fetched_at=FETCHED)
    assert record.text.startswith(f"{_LEAD}\n\n{_PARA}")


def test_an_unnamed_deck_under_the_headline_is_the_lead() -> None:
    html = _page(f"<h2>{_LEAD}</h2>")
    record = extract_article(html, "https://kreis.example/news/2", fetched_at=FETCHED)
    assert record.text.startswith(f"{_LEAD}\n\n{_PARA}")


def test_a_caption_under_the_headline_is_not_the_lead() -> None:
    caption = "Ein Landwirt mäht einen Blühstreifen am Rand eines Weizenfelds bei Musterstadt"
    between = f'<div class="image"><img src="/a.jpg"></div><div class="bu">{caption}</div>'
    record = extract_article(_page(between), "https://kreis.example/news/3", fetched_at=FETCHED)
    assert record.text.startswith(_PARA)


def test_a_date_line_under_the_headline_is_not_the_lead() -> None:
    between = "<p>Erstellt von Max Muster am Dienstag, 6. Mai 2014, 10:15 Uhr</p>"
    record = extract_article(_page(between), "https://kreis.example/news/6", fetched_at=FETCHED)
    assert record.text.startswith(_PARA)


def test_a_notice_under_the_headline_is_not_the_lead() -> None:
    between = (
        '<div class="community-notice">Dieser Beitrag stammt aus der Community unserer Leser</div>'
    )
    record = extract_article(_page(between), "https://kreis.example/news/7", fetched_at=FETCHED)
    assert record.text.startswith(_PARA)


def test_a_lead_box_is_found_without_a_headline_but_unnamed_prose_is_not() -> None:
    promo = "Unser Magazin erscheint jeden Monat neu und ist im Handel und im Abo erhältlich"
    between = f'<p>{promo}</p><div class="summary">{_LEAD}</div>'
    record = extract_article(
        _page(between, headline=""), "https://kreis.example/news/4", fetched_at=FETCHED
    )
    assert record.text.startswith(f"{_LEAD}\n\n{_PARA}")
    assert promo not in record.text


def test_a_blog_name_in_h1_is_no_headline() -> None:
    # The blog's name above every post: what follows it is the site's tagline, not a lead.
    tagline = "Das Blog über Landwirtschaft, Natur und das Leben auf dem Land und in den Dörfern"
    html = f"""<html><head><meta property="og:title" content="Mehr Geld für Blühstreifen">
</head><body><div id="page">
<div id="header"><h1><a href="/">Landblog</a></h1><h2>{tagline}</h2></div>
<div id="content"><div class="article"><h2>Mehr Geld für Blühstreifen</h2>{_BODY}</div></div>
</div></body></html>"""
    record = extract_article(html, "https://landblog.example/2014/05/1", fetched_at=FETCHED)
    assert tagline not in record.text


def test_many_blocks_in_a_lead_box_are_a_list_not_a_lead() -> None:
    # A "lede" box holding a video playlist: six titles are no lead.
    clip = '<div class="clip"><div class="clip-title">Video: {n}. Folge unserer Serie über Höfe im Kreis</div></div>'
    clips = "".join(clip.format(n=n) for n in range(6))
    body = "".join(f"<p>{_PARA} {n}.</p>" for n in range(6))
    html = f"""<html><body><div class="story"><div class="lede-wrapper">{clips}</div>
<div class="article-body">{body}</div></div></body></html>"""
    record = extract_article(html, "https://kreis.example/news/5", fetched_at=FETCHED)
    assert record.text.startswith(_PARA)


def test_a_lead_box_inside_the_body_container_is_kept() -> None:
    html = f"""<html><body><div class="article-body"><div class="teaser-text"><p>{_LEAD}</p></div>
<p>{_PARA}</p><p>{_PARA} Zwei.</p><div class="teaser"><a href="/x">Mehr</a></div></div></body></html>"""
    record = extract_article(html, "https://kreis.example/news/8", fetched_at=FETCHED)
    assert record.text == f"{_LEAD}\n\n{_PARA}\n\n{_PARA} Zwei."
