"""Turn one saved article page into an ArticleRecord: site rules, learned template, JSON-LD, meta, generic.

The page is parsed once with lxml. Data flows one way: each layer (`layers`) reads the tree
once into a partial record, and one merge (`merge`) picks each field by a fixed per-field layer
order and records in `provenance` which layer gave it. Two page layers wait for a picked field:
the headline area for the title, the lead figure for the image.
"""

from __future__ import annotations

import copy
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

from config.zones import default_zones
from database.records import ArticleRecord, DateSource
from ingestor.extract.body import extract_body
from ingestor.extract.dateline import parse_dateline
from ingestor.extract.dates import parse_date
from ingestor.extract.jsonld import JsonLdArticle, find_article
from ingestor.extract.layers import (
    area_layer,
    body_layers,
    feed_layer,
    figure_layer,
    jsonld_layer,
    meta_layers,
    rules_layer,
    url_layer,
)
from ingestor.extract.merge import Merge, Partial
from ingestor.extract.meta import read_meta
from ingestor.extract.pubdate import pick_date
from ingestor.extract.template import LearnedTemplate, body_agrees
from ingestor.sources import Source, absolute_url, page_canonical

__all__ = ["DEFAULT_TZ", "ExtractError", "FeedHints", "extract_article"]

# Pages with no catalogue source are read in the data's default zone (config/zones.toml: WIB
# for the shipped Indonesian catalogue, where the national desks are).
DEFAULT_TZ = default_zones().resolve(default_zones().default)
_LOOKS_HTML = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|p|div|article|section|main|title|h[1-6]|table|span"
    r"|meta|br)\b",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# lxml.html's own parser picks each element's class in a Python callback, run for every element
# touched (about 2,000 per page on the trafilatura-eval pages: 5 % of the whole extract path).
# We use no form-specific classes, so one class for every element, chosen in C, does the same.
_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement,
    comment=lxml_html.HtmlComment,
    pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity,
)
_PARSERS = threading.local()  # an lxml parser must not be shared between threads
# Random bytes read through a single-byte codepage come out as 14-16 % symbols and control
# characters (Unicode categories S* and C*, U+FFFD among them) with hardly a space (2-3 %).
# Prose has spaces (the fixture corpus: 14 % and more) and almost no symbols, in any script
# that spaces words; a story quoting markup or formulas has many symbols but still its spaces;
# scripts written without spaces have no symbols to speak of. Both together are not language.
_MAX_SYMBOL_SHARE = 0.10
_MIN_SPACE_SHARE = 0.06


def _garbled(text: str) -> float | None:
    """The share of symbols and control characters when `text` is not language, else None."""
    if not text:
        return None
    spaces = len(text) - len("".join(text.split()))  # str.split() splits where isspace()
    if spaces / len(text) >= _MIN_SPACE_SHARE:
        return None  # spaced like language: the symbol count (slow, per character) can wait
    symbols = sum(not c.isspace() and unicodedata.category(c)[0] in "SC" for c in text)
    share = symbols / max(1, len(text) - spaces)
    return share if share > _MAX_SYMBOL_SHARE else None


class ExtractError(ValueError):
    """The page has nothing to extract: empty, not HTML, or neither a title nor article text."""


@dataclass(frozen=True, slots=True)
class FeedHints:
    """What the RSS item said about the article; used only where the page says nothing."""

    title: str | None = None
    published: datetime | None = None
    published_raw: str | None = None
    summary: str | None = None
    image: str | None = None
    via: Literal["rss", "sitemap"] = "rss"  # which listing the hints came from


def extract_article(
    html: str,
    url: str,
    *,
    source: Source | None = None,
    fetched_at: datetime,
    hints: FeedHints | None = None,
    template: LearnedTemplate | None = None,
) -> ArticleRecord:
    """The article record of one page; raises ExtractError when it has no title and no text.

    `fetched_at` must be timezone-aware: it is the first-seen time when the page has no date.
    `template` is the layout learned from the source's own pages, read after its hand rules.
    """
    if fetched_at.tzinfo is None:
        raise ValueError("extract_article: fetched_at must be timezone-aware")
    root = _parse(html, url)
    hints = hints or FeedHints()
    tz = source.tz if source is not None else DEFAULT_TZ
    rules = source.rules if source is not None else None
    # A template too weak for its selectors has none: it only knows what its pages printed.
    learned = template.rules() if template is not None and template.body else None
    # 1. Every layer reads the page once, before the body cleaner drops nodes.
    meta = read_meta(root)
    ld = find_article(list(meta.jsonld)) or JsonLdArticle()
    merged = Merge(
        [
            *([rules_layer(root, rules)] if rules is not None else []),
            *([rules_layer(root, learned, "template")] if learned is not None else []),
            jsonld_layer(ld),
            *meta_layers(root, meta, url, source.lang if source is not None else None),
            _feed(hints),
            url_layer(url),
        ]
    )
    # 2. The title is picked first: the headline's area (date lines, bylines) is found by it.
    title = merged.text("title")
    merged.add(area_layer(root, title))
    spare = copy.deepcopy(root) if learned is not None else None
    body = extract_body(root, html, url, rules, title or "", fetched_at, learned)
    if body.method == "template" and spare is not None:
        # The template is used only where its page agrees with the generic path (issue 13).
        generic = extract_body(spare, html, url, rules, title or "", fetched_at)
        if not body_agrees("\n".join(body.paragraphs), "\n".join(generic.paragraphs)):
            body = generic
    if template is not None:
        # What the site printed on its other pages is furniture here, whichever path read it.
        body = replace(body, paragraphs=template.without_furniture(body.paragraphs, url))
    merged.add(*body_layers(body))
    prov = merged.provenance
    prov["text"] = body.method
    _check(url, title, body.paragraphs, prov)
    # 3. Every other field is picked from the layers; the lead figure is found by the image.
    published, raw, date_source = _published(merged, hints, tz, fetched_at)
    image = merged.text("image")
    image = absolute_url(url, image) if image else None  # never javascript: or malformed
    merged.add(figure_layer(root, image))
    dateline = parse_dateline(body.paragraphs[0]) if body.paragraphs else None
    if dateline is not None and dateline.hint:
        prov["place_hint"] = dateline.hint
    canonical, declared = page_canonical(url, [meta.canonical, meta.meta.get("og:url"), ld.url])
    prov["canonical_url"] = "page" if declared else "url"
    return ArticleRecord(
        url=url,
        canonical_url=canonical,
        source=source.id if source is not None else None,
        title=title or "",
        summary=merged.summary(),
        text="\n\n".join(body.paragraphs),
        authors=merged.values("authors"),
        published_at=published,
        published_raw=raw,
        date_source=date_source,
        updated_at=_updated(merged, tz, fetched_at),
        lang=merged.lang(),
        image=image,
        image_caption=merged.text("image_caption"),
        section=merged.text("section"),
        tags=merged.values("tags"),
        place=dateline.place if dateline is not None else None,
        related=body.related,
        provenance=prov,
    )


def _feed(hints: FeedHints) -> Partial:
    published = hints.published.isoformat() if hints.published is not None else None
    return feed_layer(hints.title, published, hints.via, hints.summary, hints.image)


def _check(url: str, title: str | None, paragraphs: tuple[str, ...], prov: dict[str, str]) -> None:
    """Refuse a page with nothing to extract, or whose text is not language."""
    if not title and not paragraphs:
        raise ExtractError(f"{url}: no title and no article text found")
    if not paragraphs and prov.get("title") == "rss":
        # Only the feed spoke: what came back is not the article (garbage, an interstitial),
        # and storing the feed's title now would keep the real page from ever being read.
        raise ExtractError(f"{url}: no article text and no title on the page itself")
    share = _garbled(" ".join([title or "", *paragraphs]))
    if share is not None:
        raise ExtractError(
            f"{url}: not language: {share:.0%} of the text is symbols or control characters"
            " and it has hardly a space (garbage or undecodable bytes)"
        )


def _parse(html: str, url: str) -> Any:
    if not html or not html.strip():
        raise ExtractError(f"{url}: empty page")
    if not _LOOKS_HTML.search(html):
        raise ExtractError(f"{url}: not HTML (no html, head, body or block tags)")
    try:
        # lxml refuses str input that still carries an XML encoding declaration.
        return lxml_html.document_fromstring(
            _XML_DECLARATION.sub("", html, count=1), parser=_parser()
        )
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"{url}: unparseable HTML ({exc})") from exc


def _parser() -> Any:
    """This thread's HTML parser, with the one-class lookup."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser()
        parser.set_element_class_lookup(_LOOKUP)
    return parser


def _published(
    merged: Merge, hints: FeedHints, tz: Any, fetched_at: datetime
) -> tuple[datetime, str | None, DateSource]:
    pick = pick_date(merged.candidates(), tz=tz, now=fetched_at)
    if pick is None:
        # Never a silent "now": the record says the time is when we first saw the page.
        merged.provenance["published_at"] = "first_seen"
        return fetched_at.astimezone(UTC), None, "first_seen"
    merged.provenance["published_at"] = pick.source
    raw = pick.parsed.raw
    if pick.source == hints.via and hints.published_raw:
        raw = hints.published_raw
    return pick.parsed.value.astimezone(UTC), raw, pick.source


def _updated(merged: Merge, tz: Any, now: datetime) -> datetime | None:
    for text in merged.modified():
        parsed = parse_date(text, tz=tz, now=now)
        if parsed is not None:
            return parsed.value.astimezone(UTC)
    return None
