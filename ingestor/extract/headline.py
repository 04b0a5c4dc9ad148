"""Read what a page prints around its headline: date lines and bylines (for pages without rules)."""

from __future__ import annotations

import re
from typing import Any

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
_LEAF_TAGS = frozenset({"span", "div", "p", "small", "li", "em", "strong", "font", "abbr"})
_MAX_DATE_TEXT = 100
_MAX_LOOSE_TEXT = 60
_MAX_BYLINE = 100


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
        for el in root.iter():
            if isinstance(el.tag, str) and el.text and _norm(el.text).casefold() == key:
                return el
    return best


def headline_area(root: Any, title: str | None) -> Any:
    """The headline's block and its parent: where the date and byline lines are printed.

    Site headers print today's date and sidebars print other stories' dates, so nothing
    outside this area is read.
    """
    heading = headline_element(root, title)
    area = heading.getparent() if heading is not None else next(root.iter("article"), None)
    if area is not None and area.tag != "article" and area.getparent() is not None:
        area = area.getparent()
    return area


def page_dates(area: Any) -> list[str]:
    """Date-looking texts in `area`: `<time>` and "date"/"tanggal" classes first, bare lines after."""
    if area is None:
        return []
    named: list[str] = []
    loose: list[str] = []
    for el in area.iter():
        if not isinstance(el.tag, str):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if el.tag == "time" or _DATE_NAMES.search(names):
            # <abbr class="published" title="..."> is the hAtom way to carry the machine date.
            attr = el.get("datetime") or (el.get("title") if el.tag == "abbr" else None)
            value = _norm(attr) or _norm(el.text_content())
            if value and len(value) <= _MAX_DATE_TEXT:
                named.append(value)
        elif el.tag in _LEAF_TAGS and len(el) == 0:
            # An unlabelled info line ("Rabu, 1 Mei 2024 08:00 WIB" in a bare span).
            value = _norm(el.text)
            if value and len(value) <= _MAX_LOOSE_TEXT and _DATEISH.search(value):
                loose.append(value)
    return named + loose


def page_bylines(area: Any) -> list[str]:
    """Byline texts in `area`: author-ish classes, or short lines opening with "Oleh", "Penulis"."""
    if area is None:
        return []
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
