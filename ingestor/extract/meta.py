"""Collect a page's metadata in one pass: meta tags, microdata, JSON-LD texts, canonical link, lang."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

__all__ = ["PageMeta", "read_meta"]

# The microdata properties the record can use; everything else on the page is ignored.
_MICRODATA = frozenset(
    {"headline", "name", "description", "datepublished", "datemodified", "author"}
    | {"articlesection", "image", "keywords", "inlanguage"}
)
# App state and analytics layers name the publication date too: "datePublished":"2020-03-02T..",
# "published_at", "publication_date = '2020-12-06 00:15'". Only a full date after such a key.
_SCRIPT_DATE = re.compile(
    r"""["']?(?:datePublished|published_?at|publish_?date|publication_?date|pubDate|createdAt"""
    r"""|dateCreated|firstPublished\w*|first-publication|publishedFirst|created_at)["']?\s*[:=]\s*["']((?:19|20)\d\d-\d\d-\d\d[^"']{0,30})["']"""
)
_SCRIPT_KEYS = ("ublish", "ublication", "pubDate", "reated", "irstPublished")
# Blog engines (Movable Type, goo, TypePad) print a trackback RDF block inside an HTML comment:
# <!-- <rdf:Description ... dc:date="2020-07-03T17:16:22+09:00" /> -->.
_RDF_DATE = re.compile(r'dc:date="((?:19|20)\d\d-\d\d-\d\d[^"]{0,30})"')
_SCRIPT_SCAN = 200_000  # characters of one script searched; state blobs can be megabytes


@dataclass(frozen=True, slots=True)
class PageMeta:
    """Raw metadata strings; `meta` keys are lower-cased `property`/`name` values, first one wins."""

    meta: dict[str, str]
    microdata: dict[str, str]
    tags: tuple[str, ...]
    jsonld: tuple[str, ...]
    script_dates: tuple[str, ...]  # a publication date a page script's data names (not JSON-LD)
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
    script_dates: list[str] = []
    canonical: str | None = None
    title: str | None = None
    for el in root.iter("meta", "link", "script", "title", etree.Comment):
        tag = el.tag
        if tag is etree.Comment:
            text = el.text or ""
            if "dc:date" in text and "rdf:" in text and (m := _RDF_DATE.search(text)):
                meta.setdefault("dc.date", m[1])
        elif tag == "meta":
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
            elif el.text and not script_dates:
                text = el.text[:_SCRIPT_SCAN]
                # The regex has no literal to skip ahead on: test for a key word first.
                if any(word in text for word in _SCRIPT_KEYS):
                    script_dates.extend(m[1] for m in _SCRIPT_DATE.finditer(text))
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
        script_dates=tuple(script_dates[:1]),
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
    if el.tag == "abbr" and prop.startswith("date"):
        # hAtom: <abbr itemprop="datePublished" title="2011-03-30T21:05:00-07:00">9:05 PM</abbr>
        value = _clean(el.get("title"))
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
