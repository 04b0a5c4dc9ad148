"""Collect a page's metadata in one pass: meta tags, microdata, JSON-LD texts, canonical link, lang."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["PageMeta", "headline_element", "page_dates", "read_meta"]

# The microdata properties the record can use; everything else on the page is ignored.
_MICRODATA = frozenset(
    {"headline", "name", "description", "datepublished", "datemodified", "author"}
    | {"articlesection", "image", "keywords", "inlanguage"}
)

_DATE_NAMES = re.compile(r"date|time|tanggal|waktu|publish|posted", re.IGNORECASE)
_MAX_DATE_TEXT = 100
_MAX_LOOSE_TEXT = 60
_LEAF_TAGS = frozenset({"span", "div", "p", "small", "li", "em", "strong"})
_DATEISH = re.compile(r"\b(?:19|20)\d\d\b|\blalu\b|\bago\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageMeta:
    """Raw metadata strings; `meta` keys are lower-cased `property`/`name` values, first one wins."""

    meta: dict[str, str]
    microdata: dict[str, str]
    tags: tuple[str, ...]
    jsonld: tuple[str, ...]
    canonical: str | None
    lang: str | None
    title: str | None

    def first(self, *keys: str) -> str | None:
        """The first of `keys` present in the meta tags, in the order given."""
        for key in keys:
            value = self.meta.get(key)
            if value:
                return value
        return None


def read_meta(root: Any) -> PageMeta:
    """Walk the parsed page once for `<meta>`, `<link rel=canonical>`, JSON-LD and `<title>`."""
    meta: dict[str, str] = {}
    microdata: dict[str, str] = {}
    tags: list[str] = []
    jsonld: list[str] = []
    canonical: str | None = None
    title: str | None = None
    for el in root.iter("meta", "link", "script", "title"):
        tag = el.tag
        if tag == "meta":
            content = _clean(el.get("content"))
            if content is None:
                continue
            prop = el.get("itemprop")
            if prop is not None:
                microdata.setdefault(prop.lower(), content)
            key = (el.get("property") or el.get("name") or "").strip().lower()
            if not key:
                continue
            if key == "article:tag":
                tags.append(content)
            meta.setdefault(key, content)
        elif tag == "link":
            rel = (el.get("rel") or "").lower().split()
            if "canonical" in rel and canonical is None:
                canonical = _clean(el.get("href"))
        elif tag == "script":
            if (el.get("type") or "").strip().lower() == "application/ld+json" and el.text:
                jsonld.append(el.text)
        elif title is None:
            title = _clean(el.text_content())
    for el in root.xpath("//*[@itemprop][not(self::meta)]"):
        prop = el.get("itemprop", "").lower()
        if prop in _MICRODATA and prop not in microdata:
            value = _item_value(el, prop)
            if value:
                microdata[prop] = value
    return PageMeta(
        meta=meta,
        microdata=microdata,
        tags=tuple(dict.fromkeys(tags)),
        jsonld=tuple(jsonld),
        canonical=canonical,
        lang=_clean(root.get("lang")) or _clean(root.get("xml:lang")),
        title=title,
    )


def _item_value(el: Any, prop: str) -> str | None:
    """A microdata value: the attribute the element type carries it in, else its text."""
    for attr in ("content", "datetime"):
        value = _clean(el.get(attr))
        if value:
            return value
    if prop == "image":
        urls = el.xpath(
            "descendant-or-self::*/@src | descendant-or-self::*[@itemprop='url']/@content"
        )
        return _clean(urls[0]) if urls else _clean(el.get("href"))
    # An author is often a Person wrapper whose own itemprop="name" holds the name.
    names = el.xpath(".//*[@itemprop='name']")
    if names:
        return _clean(names[0].text_content())
    return _clean(el.text_content())


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = " ".join(value.split())
    return text or None


def page_dates(root: Any, title: str | None) -> list[str]:
    """Date-looking texts around the headline (`<time>`, "date"/"tanggal" classes), in page order.

    Only the headline's neighbourhood is searched: site headers print today's date and sidebars
    print other stories' dates.
    """
    h1 = headline_element(root, title)
    area = h1.getparent() if h1 is not None else next(root.iter("article"), None)
    if area is not None and area.getparent() is not None and area.tag != "article":
        area = area.getparent()
    if area is None:
        return []
    named: list[str] = []
    loose: list[str] = []
    for el in area.iter():
        if not isinstance(el.tag, str):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if el.tag == "time" or _DATE_NAMES.search(names):
            value = _clean(el.get("datetime")) or _clean(el.text_content())
            if value and len(value) <= _MAX_DATE_TEXT:
                named.append(value)
        elif el.tag in _LEAF_TAGS and len(el) == 0:
            # An unlabelled info line ("Rabu, 1 Mei 2024 08:00 WIB" in a bare span).
            value = _clean(el.text)
            if value and len(value) <= _MAX_LOOSE_TEXT and _DATEISH.search(value):
                loose.append(value)
    return named + loose


def headline_element(root: Any, title: str | None) -> Any:
    """The <h1> holding `title`, else the longest one: a site logo is often an <h1> too."""
    best, best_len = None, 0
    key = " ".join((title or "").split()).casefold()
    for h1 in root.iter("h1"):
        text = " ".join(h1.text_content().split())
        if key and text.casefold() == key:
            return h1
        if len(text) > best_len:
            best, best_len = h1, len(text)
    return best
