"""The page parser: one element class chosen in C, and one parser per thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from ingestor.extract.article import extract_article

FETCHED = datetime(2026, 12, 1, tzinfo=UTC)
PARA = (
    "Der Gemeinderat hat am Dienstag beschlossen, die alte Schule am Markt zu einem Haus für "
    "Vereine umzubauen; die Arbeiten sollen im Frühjahr beginnen und ein Jahr dauern."
)


def _page(n: int) -> str:
    # A form, a label and comments: lxml.html gives these their own classes; ours must read alike.
    body = "".join(f"<p>{PARA} {n}.{k}</p><!-- teaser {k} -->" for k in range(6))
    return f"""<html><head><title>Schule {n}</title></head><body>
<form action="/suche"><label>Suche <input name="q" value="x"></label></form>
<article><h1>Schule {n}</h1>{body}</article></body></html>"""


def test_pages_read_alike_in_worker_threads_and_keep_no_form_or_comment() -> None:
    alone = [
        extract_article(_page(n), f"https://rat.example/a/{n}", fetched_at=FETCHED)
        for n in range(8)
    ]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(
            pool.map(
                lambda n: extract_article(
                    _page(n), f"https://rat.example/a/{n}", fetched_at=FETCHED
                ),
                range(8),
            )
        )
    assert [r.text for r in threaded] == [r.text for r in alone]
    assert alone[3].title == "Schule 3"
    assert alone[3].text == "\n\n".join(f"{PARA} 3.{k}" for k in range(6))
