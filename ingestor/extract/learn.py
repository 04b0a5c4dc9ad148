"""Learn a site's template from several of its pages: what repeats is furniture, what varies is the story.

A pure function on (url, html) pairs. Every text line of every page is counted across pages: a
line printed on two or more pages (navigation, notices, footers, "most read" titles) is
furniture. Each element scores its varying, unlinked text minus its furniture and link text, so
the best container holds the story and little else. Per page the story container, the headline,
the date line and the byline are found, and `ingestor.extract.paths` turns those elements into
selectors that hold on most pages. The keys of the pages' short lines are kept too (a story's
own only when repeated): on a later page, what the site printed before is furniture.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

from ingestor.extract.byline import authors_from_byline
from ingestor.extract.clean import normalize_text
from ingestor.extract.dates import parse_date
from ingestor.extract.paths import Page, generalize, removable
from ingestor.extract.template import SEEN_MAX, LearnedTemplate, remembered
from ingestor.sources import select

__all__ = ["MIN_PAGES", "learn_template", "remember"]

MIN_PAGES = 2  # one page shows no repetition; the pipeline asks for more
_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "head")
# The body cleaner drops these, so text inside them never counts as story.
_NOT_STORY = frozenset({"a", "footer", "aside", "nav", "form", "button", "figure", "h1"})
_CONTAINERS = frozenset({"div", "article", "section", "main", "td", "font", "span", "center"})
_BYLINE = re.compile(
    r"^\W*(?:oleh|by|penulis|reporter|pewarta|wartawan|kontributor|ditulis oleh|posted by"
    r"|diposting oleh)\b", re.IGNORECASE
)  # fmt: skip
# Removals never name a word-level tag: a dash or a quote mark in a <span> repeats on every page
# (so it reads as furniture), and dropping it glued the words around it ("controversialand").
_INLINE = frozenset({"span", "em", "i", "b", "strong", "small", "sup", "sub", "u", "s", "mark"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TIGHT = 0.95  # a container holding this share of the best score is tight enough
_SAME_PAGE = 0.5  # pages sharing this share of their long lines are one story twice
_MAX_LINE = 80  # date lines and bylines are short
_MAX_TITLE = 300
_FAR = 10**6
# Any fixed "now" works: we only ask whether a text is a date, never which one.
_NOW = datetime(2100, 1, 1, tzinfo=UTC)


def learn_template(
    pages: Sequence[tuple[str, str]], *, min_pages: int = MIN_PAGES
) -> LearnedTemplate | None:
    """The template of the site these pages come from; None with too few distinct pages."""
    parsed = _prepared(pages)
    if len(parsed) < max(MIN_PAGES, min_pages):
        return None
    body_sel, body_hits = generalize(parsed, [_body(p) for p in parsed], _holds_story)
    if body_sel is None:
        return None
    n = len(parsed)
    bodies = [_first(p, body_sel) for p in parsed]
    titles = [_headline(p) for p in parsed]
    fields = {
        "title": generalize(parsed, titles, _same_text),
        "date": generalize(
            parsed, [_date_line(p, t) for p, t in zip(parsed, titles, strict=True)], _same_text
        ),
        "author": generalize(
            parsed, [_byline(p, t) for p, t in zip(parsed, titles, strict=True)], _same_text
        ),
    }
    # A field is kept when its selector finds the right element on most learning pages.
    kept = {k: (sel,) if sel and hits * 2 > n else () for k, (sel, hits) in fields.items()}
    hits = {"body": round(body_hits / n, 3)}
    hits.update({k: round(h / n, 3) for k, (_, h) in fields.items()})
    return LearnedTemplate(
        title=kept["title"],
        body=(body_sel,),
        date=kept["date"],
        author=kept["author"],
        remove=tuple(sel for sel in removable(parsed, bodies) if not _inline(sel)),
        confidence=hits["body"],
        hits=hits,
        pages=tuple(p.url for p in parsed),
        seen=_seen(parsed),
    )


def remember(pages: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The keys of these pages' short lines and blocks (`LearnedTemplate.seen`), one page or more."""
    return _seen(_prepared(pages))


def _prepared(pages: Sequence[tuple[str, str]]) -> list[Page]:
    """The distinct pages, parsed, with their lines counted across pages and their elements scored."""
    parsed = _distinct([p for p in (_parse(url, html) for url, html in pages) if p is not None])
    seen: Counter[str] = Counter()
    for page in parsed:
        seen.update({text for _, text, _ in page.lines})
    furniture = {text for text, count in seen.items() if count > 1}
    for page in parsed:
        page.furniture = furniture
        _tally(page, seen)
    return parsed


def _seen(pages: list[Page]) -> frozenset[str]:
    """The keys of the pages' lines and short blocks (see `remembered`)."""
    texts = []  # per page: (text, in the story container)
    for page in pages:
        inside = set(body.iter()) if (body := _body(page)) is not None else set()
        # An element's whole text is what the body cleaner prints as one line ("Like us on
        # Facebook" across an <a>); the size test first keeps text_content off the wrappers.
        blocks = (el for el in page.order if 0 < _size(page, el) <= SEEN_MAX)
        texts.append(
            [(text, el in inside) for el, text, _ in page.lines]
            + [(_text(el), el in inside) for el in blocks]
        )
    return remembered(texts)


def _inline(selector: str) -> bool:
    """Whether a selector's last step names a word-level tag (`div.x > span.em`)."""
    last = selector.split(">")[-1].strip()
    return re.split(r"[.#\[:]", last, maxsplit=1)[0] in _INLINE


def _parse(url: str, html: str) -> Page | None:
    try:
        root = lxml_html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (etree.ParserError, ValueError):
        return None
    page = Page(url, root, titles=_titles(root))
    etree.strip_elements(root, *_DROP, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for i, el in enumerate(root.iter()):
        page.order[el] = i
        if not isinstance(el.tag, str):
            continue
        linked = el.tag in _NOT_STORY or any(a.tag in _NOT_STORY for a in el.iterancestors())
        if el.text and el.text.strip():
            page.lines.append((el, normalize_text(el.text), linked))
        for child in el:
            if child.tail and child.tail.strip():
                page.lines.append((el, normalize_text(child.tail), linked))
    return page


def _distinct(pages: list[Page]) -> list[Page]:
    """One page per story: a story fetched twice would make its own text look like furniture."""
    out: list[Page] = []
    keys: list[set[str]] = []
    for page in pages:
        key = {text for _, text, linked in page.lines if not linked and len(text) > 40}
        if any(len(key & k) > _SAME_PAGE * max(1, min(len(key), len(k))) for k in keys):
            continue
        out.append(page)
        keys.append(key)
    return out


def _tally(page: Page, seen: Counter[str]) -> None:
    """Per element: story characters (varying, unlinked), furniture and link characters, and
    lines that are not furniture; its score is the first minus the second."""
    story, other, loose = page.story, page.other, page.loose
    for owner, text, linked in page.lines:
        repeated = seen[text] > 1
        bad = linked or repeated
        el = owner
        while el is not None:
            if bad:
                other[el] = other.get(el, 0) + len(text)
            else:
                story[el] = story.get(el, 0) + len(text)
            if not repeated:
                loose[el] = loose.get(el, 0) + 1
            el = el.getparent()
    page.score = {el: float(story.get(el, 0) - other.get(el, 0)) for el in {*story, *other}}


def _body(page: Page) -> Any:
    """The deepest container still holding nearly all of the story (not headline, date line)."""
    found = [(s, el) for el, s in page.score.items() if el.tag in _CONTAINERS and s > 0]
    if not found:
        return None
    best = max(s for s, _ in found)
    return max((el for s, el in found if s >= _TIGHT * best), key=lambda el: page.order[el])


def _holds_story(page: Page, target: Any, found: list[Any]) -> bool:
    """The first match holds most of what the page's own best container holds."""
    if not found:
        return False
    return found[0] is target or page.score.get(found[0], 0.0) >= 0.8 * page.score[target]


def _same_text(page: Page, target: Any, found: list[Any]) -> bool:
    return bool(found) and _text(found[0]) == _text(target)


def _first(page: Page, selector: str) -> Any:
    found = select(page.root, selector)
    return found[0] if found else None


def _size(page: Page, el: Any) -> int:
    """The characters of text under `el` (without the spaces between its lines)."""
    return page.story.get(el, 0) + page.other.get(el, 0)


def _text(el: Any) -> str:
    return normalize_text(el.text_content())


def _titles(root: Any) -> tuple[str, str]:
    """og:title (or twitter:title) and the document <title>, casefolded; read before <head> goes."""
    wanted = ""
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in ("og:title", "twitter:title"):
            wanted = normalize_text(meta.get("content") or "")
            if wanted:
                break
    title = root.find(".//title")
    doc_title = _text(title) if title is not None else ""
    return wanted.casefold(), doc_title.casefold()


def _headline(page: Page) -> Any:
    """The first element printing og:title, else most of the page <title>, headings first."""
    wanted, doc_title = page.titles
    best, best_key = None, None
    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "a", "meta", "html", "body"):
            continue
        if _size(page, el) > _MAX_TITLE:
            continue  # cheap test first: text_content of every wrapper is quadratic
        text = _text(el).casefold()
        if not 8 <= len(text) <= _MAX_TITLE:
            continue
        if wanted and text == wanted:
            rank = 2
        elif doc_title and text in doc_title and len(text) * 2 >= len(doc_title):
            rank = 1
        else:
            continue
        key = (rank, el.tag in ("h1", "h2", "h3"), -page.order[el])
        if best_key is None or key > best_key:
            best, best_key = el, key
    return best


def _date_line(page: Page, title: Any) -> Any:
    """The innermost short element after the headline whose text (or datetime) is a date."""
    found = []
    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "title", "html", "body", "meta"):
            continue
        machine = el.get("datetime")
        if not machine and _size(page, el) > _MAX_LINE:
            continue
        text = normalize_text(machine or el.text_content())
        if not text or len(text) > _MAX_LINE or (not machine and _text(el) in page.furniture):
            continue  # today's date in the site header repeats on every page
        if parse_date(text, tz=UTC, now=_NOW) is not None:
            found.append(el)
    return _nearest(page, _innermost(found), title)


def _byline(page: Page, title: Any) -> Any:
    """The innermost short element near the headline that opens with "Oleh", "By", "Penulis"."""
    found = []
    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "html", "body", "meta"):
            continue
        if _size(page, el) > _MAX_LINE:
            continue
        text = _text(el)
        if text and len(text) <= _MAX_LINE and _BYLINE.match(text) and authors_from_byline(text):
            found.append(el)
    return _nearest(page, _innermost(found), title)


def _innermost(found: list[Any]) -> list[Any]:
    chosen = set(found)
    return [el for el in found if not any(d in chosen for d in el.iterdescendants())]


def _nearest(page: Page, found: list[Any], title: Any) -> Any:
    """The element closest after the headline; one before it only when nothing follows."""
    start = page.order[title] if title is not None else 0

    def distance(el: Any) -> int:
        at = page.order[el]
        return at - start if at >= start else _FAR + start - at

    return min(found, key=distance, default=None)
