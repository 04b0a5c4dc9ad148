"""Closing reader appeals leave the text; sentences about newsletters and apps stay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingestor.extract.appeals import drop_appeals
from ingestor.extract.article import extract_article

FETCHED = datetime(2026, 12, 1, tzinfo=UTC)
_PARA = (
    "The council voted on Tuesday to rebuild the old school rather than tear it down, and set "
    "aside two million dollars for the work in next year's budget, the mayor said."
)


@pytest.mark.parametrize(
    "appeal",
    [
        "Subscribe now to our e-edition for the full story.",
        "Follow The Gazette on Twitter and Instagram @gazette.",
        "If you enjoyed this post, would you consider supporting our work? Just click here.",
        "Ihnen hat der Artikel gefallen? Dann abonnieren Sie unseren Newsletter!",
        "Folgen Sie uns auf Twitter",
        "Puede escribirnos o suscribirse aquí a nuestra newsletter.",
        "Abonnez-vous à notre lettre d'information.",
        "Möchten Sie den Artikel teilen?",
        "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
    ],
)
def test_a_closing_appeal_is_dropped(appeal: str) -> None:
    html = f"""<html><body><article class="post"><div class="entry-content">
<p>{_PARA}</p><p>{_PARA} Two.</p><p>{appeal}</p></div></article></body></html>"""
    record = extract_article(html, "https://gazette.example/a/1", fetched_at=FETCHED)
    assert record.text == f"{_PARA}\n\n{_PARA} Two."


def test_appeal_words_in_the_story_are_kept() -> None:
    lead = "Subscribe now, the publisher told readers in 1890, and the paper doubled its run."
    long_one = (
        "The city's library will follow us into the digital age, its director said, and asked "
        "residents to sign up for the new lending app before the branch closes for repairs in "
        "March; more than two thousand people have registered so far, most of them students, "
        "and the waiting list for tablets is already longer than the library can serve."
    )
    paragraphs = [lead, _PARA, long_one]
    assert drop_appeals(paragraphs) == paragraphs  # the first and long paragraphs are story
