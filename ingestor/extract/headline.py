"""Read what a page prints around its headline: date lines and bylines (for pages without rules)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ingestor.extract.dates import parse_date
from ingestor.extract.furniture import name_words

__all__ = ["headline_area", "headline_element", "page_bylines", "page_dates"]

_HEADINGS = ("h1", "h2", "h3")
_DATE_NAMES = re.compile(r"date|time|tanggal|waktu|publish|posted", re.IGNORECASE)
_BYLINE_NAMES = re.compile(r"author|byline|penulis|reporter|writer|vcard", re.IGNORECASE)
_BYLINE_LABEL = re.compile(
    r"^\W*(?:oleh|by|penulis|reporter|pewarta|wartawan|kontributor|ditulis oleh|diposting oleh"
    r"|posted by)\b",
    re.IGNORECASE,
)
_DATEISH = re.compile(r"\b(?:19|20)\d\d\b|\blalu\b|\bago\b", re.IGNORECASE)
_LEAF_TAGS = frozenset(
    {"span", "div", "p", "small", "li", "em", "strong", "font", "abbr", "a", "b", "dd", "td", "i"}
    | {"h3", "h4", "h5", "h6"}  # a bare "<h5>23.01.2019</h5>" over or under the headline
)
_MAX_DATE_TEXT = 100
_MAX_LOOSE_TEXT = 60
_MAX_DATE_SCRIPT = 120
_STAMPS = 3
_MAX_BYLINE = 100
_RELATIVE = re.compile(r"\b(?:lalu|ago|kemarin|yesterday|today|hari ini)\b", re.IGNORECASE)
_TEASER_LINK = 20  # characters of link text: another story's headline, not a "more" button
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # "is it a date at all": no date is in the future
_WHOLE_PAGE = frozenset({"body", "html"})
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "menu", "select"})
_FURNITURE_WORDS = frozenset(
    {"comment", "comments", "kommentar", "kommentare", "sidebar", "related", "menu"}
    | {"nav", "navigation", "footer", "popular", "trending"}
    | {"calendar", "archive", "archives", "recent", "weather", "cuaca", "ticker"}
)
# A full date in a bare text run: 31.10.2023, 2023-10-31, 31 Oktober 2023, Oct 31, 2023.
_UPDATED = re.compile(
    r"updated?|modified|aktualisiert|geändert|änderung|zuletzt|last edited|diperbarui|mis à jour"
    r"|actualizado|atualizado",
    re.IGNORECASE,
)
_DATE_META = frozenset(
    {"article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate"}
    | {"publish_date", "publish-date", "dc.date", "dc.date.issued", "dcterms.created", "date"}
    | {"sailthru.date", "parsely-pub-date", "publication_date", "dcterms.date"}
)
_RANGE = re.compile(r"(?<![\d.])\d{1,2}\.(?:\d{1,2}\.)?\s*(?:[-–—]|bis)\s*\d{1,2}\.")
_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "head", "title", "option"})
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
_ARTICLE_BOX = frozenset({"aside"})
_SIDEBAR = frozenset({"sidebar"})
_LAYOUT_WORDS = frozenset({"layout", "wrap", "wrapper", "container", "has", "with", "columns"})
_FULL_DATE = re.compile(
    r"\b(?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?|\b\d\d?[-/.]\d\d?[-/.](?:19|20)\d\d\b"
    r"|\b\d{1,2}\.?\s+(?:de\s+)?[^\W\d]{3,10}\.?,?\s+(?:de\s+)?(?:19|20)\d\d\b|\b[^\W\d]{3,9}\.?\s+\d{1,2}\w{0,2},?\s+(?:19|20)\d\d\b"
)


def headline_element(root: Any, title: str | None) -> Any:
    """The heading holding `title`, else the longest <h1>: a site logo is often an <h1> too."""
    key = _norm(title).casefold()
    best, best_len = None, 0
    for heading in root.iter(*_HEADINGS):
        text = _norm(heading.text_content())
        if key and text.casefold() == key:
            return heading
        if heading.tag == "h1" and len(text) > best_len:
            best, best_len = heading, len(text)
    if best is None and key:
        # Old CMSs print the headline in <b> or <font>; match on direct text, which is cheap.
        # Only in <body>: the <title> element itself would match the <title>'s text.
        body = root.find("body")
        for el in (body if body is not None else root).iter():
            if isinstance(el.tag, str) and el.text and _norm(el.text).casefold() == key:
                return el
    return best


def headline_area(root: Any, title: str | None) -> Any:
    """The headline's block and its parent: where the date and byline lines are printed.

    Site headers print today's date and sidebars print other stories' dates, so outside this
    area only dates are looked for, and only past page furniture. With no headline and no
    <article> the area is the page's <body>, where bylines are not read at all.
    """
    heading = headline_element(root, title)
    area = heading.getparent() if heading is not None else next(root.iter("article"), None)
    if area is not None and area.tag != "article" and area.getparent() is not None:
        area = area.getparent()
    if area is None:
        area = root.find("body")
    return area


def page_dates(area: Any) -> list[str]:
    """Date-looking texts in `area`: `<time>` and "date"/"tanggal" classes first, bare lines after.

    When the headline's area prints no date, the rest of the page is searched past furniture
    (navigation, sidebars, footers, comment threads and teaser lists carry other days: today's
    date in a site header, the dates of comments and other stories), nearest to the area first.
    """
    if area is None:
        return []
    found = [text for _, _, text in _dates_in(area, wide=area.tag in _WHOLE_PAGE)]
    ancestors = list(area.iterancestors())
    if not ancestors or any(parse_date(t, tz=UTC, now=_LATEST) is not None for t in found):
        return found
    if _dated_in_metadata(ancestors[-1]):
        # JSON-LD or a meta tag dates the page: no need to comb the whole page. Its first
        # machine-readable times still come along: a UTC stamp's local form is often one
        # (<time datetime="2023-11-08 18:09:55">), and the picker keeps the metadata's instant.
        stamps = ancestors[-1].xpath("//time/@datetime")[:_STAMPS]
        return list(dict.fromkeys([*found, *(_norm(s) for s in stamps if s.strip())]))
    level = {el: i for i, el in enumerate(ancestors)}
    ranked = []
    # The blocks holding the headline are the story's, whatever their class says
    # ("mainwrap sidebar", "sidebar_content": a layout beside a sidebar, not one).
    holders = frozenset(ancestors) | {area}
    for order, (kind, el, text) in enumerate(_dates_in(ancestors[-1], wide=True, keep=holders)):
        rank = _nearness(el, area, level)
        if rank is not None:
            ranked.append((kind, rank, order, text))
    # A year alone ("Jahresbericht 2021") dates nothing: whatever the area held goes last.
    wider = [text for *_, text in sorted(ranked)]
    return list(dict.fromkeys([*wider, *found]))


def _dated_in_metadata(root: Any) -> bool:
    """Whether a publication-date meta tag or a JSON-LD datePublished is on the page."""
    for el in root.iter("meta", "script"):
        if el.tag == "script":
            if el.text and "datePublished" in el.text and "ld+json" in (el.get("type") or ""):
                return True
            continue
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if key in _DATE_META and el.get("content"):
            return True
    return False


def _nearness(el: Any, area: Any, level: dict[Any, int]) -> int | None:
    """How many levels above `area` the search had to go to reach `el`; None inside `area`."""
    for up in el.iterancestors():
        if up is area:
            return None
        rank = level.get(up)
        if rank is not None:
            return rank
    return None


def _dates_in(
    top: Any, *, wide: bool, keep: frozenset[Any] = frozenset()
) -> list[tuple[int, Any, str]]:
    """(0 for named, 1 for loose; element; text) of each date-looking text under `top`."""
    named: list[tuple[int, Any, str]] = []
    loose: list[tuple[int, Any, str]] = []
    stack = [top]
    total: int | None = None
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            # Text after a commented-out tag: "<!--span>mail</span--> 2020-03-04 16:52:59".
            value = _norm(el.tail)
            if value and len(value) <= _MAX_LOOSE_TEXT and _FULL_DATE.search(value):
                loose.append((1, el, value))
            continue
        if wide and el is not top and el not in keep and _is_furniture(el):
            # A "sidebar" class on the block holding most of the page is a layout flag
            # (<div class="mainwrap sidebar">), not a sidebar.
            if total is None:
                total = len(top.text_content())
            if len(el.text_content()) * 2 < total:
                continue
        stack.extend(reversed(el))
        names = f"{el.get('class', '')} {el.get('id', '')} {el.get('property', '')}"
        if el.tag == "time" or _DATE_NAMES.search(names):
            value = _machine_date(el) or _norm(el.text_content())
            if value and len(value) <= _MAX_DATE_TEXT:
                named.append((0, el, value))
        elif el.tag == "script":
            # Old CMSs write the date line from a script: <script>showDate("2020/04/17 01:43")</script>.
            code = el.text or ""
            if len(code) <= _MAX_DATE_SCRIPT and (m := _FULL_DATE.search(code)):
                loose.append((1, el, m[0]))
        elif el.tag in _LEAF_TAGS or (wide and el.tag not in _NOT_TEXT):
            # An unlabelled info line ("Rabu, 1 Mei 2024 08:00 WIB" in a bare span), or the
            # first line of a block ("<p>Veröffentlicht am 16.08.2019<br>Dauer ...").
            value = _norm(el.text)
            leaf = not any(isinstance(c.tag, str) for c in el)
            dateish = (leaf and _DATEISH.search(value)) or _FULL_DATE.search(value)
            if value and len(value) <= _MAX_LOOSE_TEXT and dateish:
                loose.append((1, el, value))
        if el.tail and el is not top:
            # A labelled line: "<b>Datum:</b> 03.02.2022", "<em>von</em> Name, 31.10.2023".
            value = _norm(el.tail)
            if value and len(value) <= _MAX_LOOSE_TEXT and _FULL_DATE.search(value):
                loose.append((1, el, value))
    # An update line ("Letzte Änderung: 31.10.2023", class="updated") is not the publication,
    # and a range ("14. - 20. Januar 2022", "12.10. - 15.10.2023") is an event's or a report's.
    both = sorted((h for h in named + loose if not _RANGE.search(h[2])), key=_is_update)
    # Far from the headline "3 jam lalu" dates a teaser, not this story.
    return [hit for hit in both if not _RELATIVE.search(hit[2])] if wide else both


def _machine_date(el: Any) -> str | None:
    """The date an element carries in an attribute: <time datetime>, hAtom's <abbr title>,
    RDFa content, or a title or data attribute holding a full date."""
    for attr in ("datetime", "content", "title", "data-date-time", "data-date", "data-published"):
        value = _norm(el.get(attr))
        if (
            value
            and len(value) <= _MAX_DATE_TEXT
            and (attr == "datetime" or _FULL_DATE.search(value))
        ):
            return value
    return None


def _is_update(hit: tuple[int, Any, str]) -> bool:
    _, el, text = hit
    names = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(_UPDATED.search(text) or _UPDATED.search(names))


def _is_furniture(el: Any) -> bool:
    """Navigation, sidebars, comments, and list items that link elsewhere (other stories)."""
    if el.tag == "li":
        text = len(_norm(el.text_content()))
        linked = sum(len(_norm(a.text_content())) for a in el.iter("a"))
        if linked >= _TEASER_LINK and linked * 2 >= text:
            return True
    if el.tag == "header":
        # The site's header prints today's date; an article's own header prints its date.
        return not any(up.tag == "article" for up in el.iterancestors())
    if el.tag in _NEVER_FURNITURE:
        return False  # <body class="nav-no-loaded">: page state, not navigation
    words = el.tag in _FURNITURE_TAGS or bool(name_words(el) & _FURNITURE_WORDS)
    if not words:
        return False
    # "layoutTwoColumnsRightSidebar", "content-sidebar-wrap": a page layout, not a sidebar.
    if el.tag not in _FURNITURE_TAGS and name_words(el) & _LAYOUT_WORDS:
        return False
    # An <aside> or "sidebar" inside the story's own <article> is its fact box (date, category,
    # tags); teaser items in it are still skipped one by one as linked list items.
    if el.tag in _ARTICLE_BOX or _SIDEBAR & name_words(el):
        return not any(up.tag == "article" for up in el.iterancestors())
    return True


def page_bylines(area: Any) -> list[str]:
    """Byline texts in `area`: author-ish classes, or short lines opening with "Oleh", "Penulis"."""
    if area is None or area.tag in _WHOLE_PAGE:
        return []  # an author box or a commenter's name anywhere on the page is no byline
    out: list[str] = []
    for el in area.iter():
        if not isinstance(el.tag, str):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if _BYLINE_NAMES.search(names) or (el.text and _BYLINE_LABEL.match(el.text)):
            text = _norm(el.text_content())
            if text and len(text) <= _MAX_BYLINE:
                out.append(text)
    return out


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())
