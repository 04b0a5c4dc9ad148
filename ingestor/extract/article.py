"""Turn one saved article page into an ArticleRecord: site rules, then JSON-LD, meta, generic body.

The page is parsed once with lxml; every layer reads the same tree. Per field the first layer
with a value wins, and `provenance` records which one it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

from database.records import ArticleRecord, DateSource
from ingestor.extract import fields
from ingestor.extract.body import extract_body
from ingestor.extract.byline import authors_from_byline
from ingestor.extract.dateline import parse_dateline
from ingestor.extract.dates import parse_date
from ingestor.extract.headline import headline_area, page_bylines, page_dates
from ingestor.extract.jsonld import JsonLdArticle, find_article
from ingestor.extract.meta import PageMeta, read_meta
from ingestor.extract.pubdate import Candidate, pick_date, url_date
from ingestor.extract.rules import RuleFields, read_rules
from ingestor.sources import TIMEZONES, Source, absolute_url, page_canonical

__all__ = ["DEFAULT_TZ", "ExtractError", "FeedHints", "extract_article"]

# Pages with no catalogue source are read as Jakarta time: the national desks print WIB.
DEFAULT_TZ = TIMEZONES["WIB"]
_LOOKS_HTML = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|p|div|article|section|main|title|h[1-6]|table|span"
    r"|meta|br)\b",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_META_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "content_publisheddate",
    "article.published",
    "originalpublicationdate",
    "publication_date",
    "article:published",
    "dcterms.date",
    "dcterms.issued",
    "dc.date.created",
    "citation_publication_date",
    "citation_date",
)
_META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "dcterms.modified",
    "last-modified",
    "content_modifieddate",
    "article.updated",
)


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
) -> ArticleRecord:
    """The article record of one page; raises ExtractError when it has no title and no text.

    `fetched_at` must be timezone-aware: it is the first-seen time when the page has no date.
    """
    if fetched_at.tzinfo is None:
        raise ValueError("extract_article: fetched_at must be timezone-aware")
    root = _parse(html, url)
    hints = hints or FeedHints()
    tz = source.tz if source is not None else DEFAULT_TZ
    meta = read_meta(root)
    ld = find_article(list(meta.jsonld)) or JsonLdArticle()
    rules = source.rules if source is not None else None
    ruled = read_rules(root, rules) if rules is not None else RuleFields()
    prov: dict[str, str] = {}
    title = fields.title(prov, root, meta, ld, ruled, url, hints.title)
    # The headline's area is read before the body is cleaned, which drops date and byline lines.
    area = headline_area(root, title)
    date_texts = page_dates(area)
    bylines = tuple(name for line in page_bylines(area) for name in authors_from_byline(line))
    body = extract_body(root, html, url, rules, title or "", fetched_at)
    prov["text"] = body.method
    if not title and not body.paragraphs:
        raise ExtractError(f"{url}: no title and no article text found")
    if not body.paragraphs and prov.get("title") == "rss":
        # Only the feed spoke: what came back is not the article (garbage, an interstitial),
        # and storing the feed's title now would keep the real page from ever being read.
        raise ExtractError(f"{url}: no article text and no title on the page itself")
    share = _garbled(" ".join([title or "", *body.paragraphs]))
    if share is not None:
        raise ExtractError(
            f"{url}: not language: {share:.0%} of the text is symbols or control characters"
            " and it has hardly a space (garbage or undecodable bytes)"
        )
    published, raw, date_source = _published(
        prov, meta, ld, ruled, date_texts, url, hints, tz, fetched_at
    )
    image = fields.image(prov, meta, ld, ruled, hints.image)
    image = absolute_url(url, image) if image else None  # never javascript: or malformed
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
        summary=fields.summary(prov, meta, ld, hints.summary, body),
        text="\n\n".join(body.paragraphs),
        authors=fields.authors(prov, meta, ld, ruled, bylines, body),
        published_at=published,
        published_raw=raw,
        date_source=date_source,
        updated_at=_updated(meta, ld, tz, fetched_at),
        lang=fields.lang(prov, meta, ld, source.lang if source is not None else None),
        image=image,
        image_caption=fields.pick(
            prov,
            "image_caption",
            (ruled.image_caption, "rules"),
            (ld.image_caption, "jsonld"),
            (body.caption, "body"),
            (fields.figure_caption(root, image), "page"),
        ),
        section=fields.pick(
            prov,
            "section",
            (ruled.section, "rules"),
            (ld.section, "jsonld"),
            (meta.first("article:section"), "meta"),
            (meta.microdata.get("articlesection"), "microdata"),
        ),
        tags=fields.tags(prov, meta, ld, ruled),
        place=dateline.place if dateline is not None else None,
        related=body.related,
        provenance=prov,
    )


def _parse(html: str, url: str) -> Any:
    if not html or not html.strip():
        raise ExtractError(f"{url}: empty page")
    if not _LOOKS_HTML.search(html):
        raise ExtractError(f"{url}: not HTML (no html, head, body or block tags)")
    try:
        # lxml refuses str input that still carries an XML encoding declaration.
        return lxml_html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"{url}: unparseable HTML ({exc})") from exc


def _published(
    prov: dict[str, str],
    meta: PageMeta,
    ld: JsonLdArticle,
    ruled: RuleFields,
    page_texts: list[str],
    url: str,
    hints: FeedHints,
    tz: Any,
    fetched_at: datetime,
) -> tuple[datetime, str | None, DateSource]:
    candidates = [Candidate(t, "page") for t in ruled.dates]
    if ld.date_published:
        candidates.append(Candidate(ld.date_published, "jsonld"))
    for text in (
        meta.first(*_META_PUBLISHED),
        meta.microdata.get("datepublished"),
        *meta.script_dates,
    ):
        if text:
            candidates.append(Candidate(text, "meta"))
    candidates.extend(Candidate(t, "page") for t in page_texts)
    if hints.published is not None:
        # A naive feed time is read in the source's zone like any other, never as UTC.
        candidates.append(Candidate(hints.published.isoformat(), hints.via))
    from_url = url_date(url)
    if from_url:
        candidates.append(Candidate(from_url, "url"))
    pick = pick_date(candidates, tz=tz, now=fetched_at)
    if pick is None:
        # Never a silent "now": the record says the time is when we first saw the page.
        prov["published_at"] = "first_seen"
        return fetched_at.astimezone(UTC), None, "first_seen"
    prov["published_at"] = pick.source
    raw = pick.parsed.raw
    if pick.source == hints.via and hints.published_raw:
        raw = hints.published_raw
    return pick.parsed.value.astimezone(UTC), raw, pick.source


def _updated(meta: PageMeta, ld: JsonLdArticle, tz: Any, now: datetime) -> datetime | None:
    for text in (ld.date_modified, meta.first(*_META_MODIFIED), meta.microdata.get("datemodified")):
        parsed = parse_date(text, tz=tz, now=now) if text else None
        if parsed is not None:
            return parsed.value.astimezone(UTC)
    return None
