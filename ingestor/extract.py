"""Turn one saved article page into an ArticleRecord: site rules, then JSON-LD, meta, generic body.

The page is parsed once with lxml; every layer reads the same tree. Per field the first layer
with a value wins, and `provenance` records which one it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree  # type: ignore[import-untyped,unused-ignore]
from lxml import html as lxml_html  # type: ignore[import-untyped,unused-ignore]

from config.records import ArticleRecord
from ingestor.body import BodyResult, extract_body
from ingestor.byline import authors_from_byline
from ingestor.clean import normalize_text
from ingestor.dateline import parse_dateline
from ingestor.dates import parse_date
from ingestor.jsonld import JsonLdArticle, find_article
from ingestor.meta import PageMeta, headline_element, page_dates, read_meta
from ingestor.pageurl import page_canonical
from ingestor.pubdate import Candidate, pick_date, url_date
from ingestor.rules import RuleFields, read_rules
from ingestor.sources import TIMEZONES, Source
from ingestor.titles import clean_title, trim_summary

__all__ = ["DEFAULT_TZ", "ExtractError", "FeedHints", "extract_article"]

# Pages with no catalogue source are read as Jakarta time: the national desks print WIB.
DEFAULT_TZ = TIMEZONES["WIB"]
_LOOKS_HTML = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|p|div|article|title|h1)\b", re.I)
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
)
_META_MODIFIED = (
    "article:modified_time",
    "og:updated_time",
    "dcterms.modified",
    "last-modified",
    "content_modifieddate",
    "article.updated",
)


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


def extract_article(
    html: str,
    url: str,
    *,
    source: Source | None = None,
    fetched_at: datetime,
    hints: FeedHints | None = None,
) -> ArticleRecord:
    """The article record of one page; raises ExtractError when it has no title and no text."""
    root = _parse(html, url)
    hints = hints or FeedHints()
    tz = source.tz if source is not None else DEFAULT_TZ
    meta = read_meta(root)
    ld = find_article(list(meta.jsonld)) or JsonLdArticle()
    rules = source.rules if source is not None else None
    ruled = read_rules(root, rules) if rules is not None else RuleFields()
    prov: dict[str, str] = {}
    title = _pick(prov, "title", *_titles(root, meta, ld, ruled, url, hints))
    date_texts = page_dates(root, title)  # read before the body is cleaned, which drops date lines
    body = extract_body(root, html, url, rules, title or "", fetched_at)
    prov["text"] = body.method
    if not title and not body.paragraphs:
        raise ExtractError(f"{url}: no title and no article text found")
    published = _published(prov, meta, ld, ruled, date_texts, url, hints, tz, fetched_at)
    image = _pick(
        prov,
        "image",
        (ruled.image, "rules"),
        (ld.image, "jsonld"),
        (meta.first("og:image", "og:image:url", "twitter:image", "twitter:image:src"), "meta"),
        (meta.microdata.get("image"), "microdata"),
        (hints.image, "rss"),
    )
    image = urljoin(url, image) if image else None
    dateline = parse_dateline(body.paragraphs[0]) if body.paragraphs else None
    if dateline is not None and dateline.hint:
        prov["place_hint"] = dateline.hint
    canonical, declared = page_canonical(url, [meta.canonical, meta.meta.get("og:url"), ld.url])
    prov["canonical_url"] = "page" if declared else "url"
    updated = _updated(meta, ld, tz, fetched_at)
    return ArticleRecord(
        url=url,
        canonical_url=canonical,
        source=source.id if source is not None else None,
        title=title or "",
        summary=_summary(prov, meta, ld, hints, body),
        text="\n\n".join(body.paragraphs),
        authors=_authors(prov, meta, ld, ruled, body),
        published_at=published[0],
        published_raw=published[1],
        date_source=published[2],  # type: ignore[arg-type]
        updated_at=updated,
        lang=_lang(prov, root, meta, ld, source),
        image=image,
        image_caption=_pick(
            prov,
            "image_caption",
            (ruled.image_caption, "rules"),
            (ld.image_caption, "jsonld"),
            (body.caption, "body"),
            (_figure_caption(root, image), "page"),
        ),
        section=_pick(
            prov,
            "section",
            (ruled.section, "rules"),
            (ld.section, "jsonld"),
            (meta.first("article:section"), "meta"),
            (meta.microdata.get("articlesection"), "microdata"),
        ),
        tags=_tags(prov, meta, ld, ruled),
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


def _pick(prov: dict[str, str], field: str, *options: tuple[str | None, str]) -> str | None:
    """The first non-empty value; its layer goes into `prov`."""
    for value, layer in options:
        text = normalize_text(value) if value else ""
        if text:
            prov[field] = layer
            return text
    return None


def _titles(
    root: Any, meta: PageMeta, ld: JsonLdArticle, ruled: RuleFields, url: str, hints: FeedHints
) -> list[tuple[str | None, str]]:
    site = meta.first("og:site_name")
    h1_element = headline_element(root, None)
    h1 = normalize_text(h1_element.text_content()) if h1_element is not None else None
    return [
        (ruled.title, "rules"),
        (ld.headline, "jsonld"),
        (clean_title(meta.first("og:title", "twitter:title"), site, url), "meta"),
        (meta.microdata.get("headline"), "microdata"),
        (h1, "page"),
        (clean_title(meta.title, site, url), "page"),
        (hints.title, "rss"),
    ]


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
) -> tuple[datetime, str | None, str]:
    candidates = [Candidate(t, "page") for t in ruled.dates]
    if ld.date_published:
        candidates.append(Candidate(ld.date_published, "jsonld"))
    for text in (meta.first(*_META_PUBLISHED), meta.microdata.get("datepublished")):
        if text:
            candidates.append(Candidate(text, "meta"))
    candidates.extend(Candidate(t, "page") for t in page_texts)
    if hints.published is not None and hints.published.tzinfo is not None:
        candidates.append(Candidate(hints.published.isoformat(), "rss"))
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
    if pick.source == "rss" and hints.published_raw:
        raw = hints.published_raw
    return pick.parsed.value.astimezone(UTC), raw, pick.source


def _updated(meta: PageMeta, ld: JsonLdArticle, tz: Any, now: datetime) -> datetime | None:
    for text in (ld.date_modified, meta.first(*_META_MODIFIED), meta.microdata.get("datemodified")):
        parsed = parse_date(text, tz=tz, now=now) if text else None
        if parsed is not None:
            return parsed.value.astimezone(UTC)
    return None


def _authors(
    prov: dict[str, str], meta: PageMeta, ld: JsonLdArticle, ruled: RuleFields, body: BodyResult
) -> tuple[str, ...]:
    meta_author = meta.first("author", "article:author", "dc.creator", "parsely-author")
    layers: list[tuple[tuple[str, ...], str]] = [
        (ruled.authors, "rules"),
        (ld.authors, "jsonld"),
        (authors_from_byline(meta_author) if meta_author else (), "meta"),
        (authors_from_byline(meta.microdata.get("author") or ""), "microdata"),
        (body.footer.authors if body.footer is not None else (), "footer"),
    ]
    for names, layer in layers:
        clean = tuple(dict.fromkeys(normalize_text(n) for n in names if normalize_text(n)))
        if clean:
            prov["authors"] = layer
            return clean
    return ()


def _summary(
    prov: dict[str, str], meta: PageMeta, ld: JsonLdArticle, hints: FeedHints, body: BodyResult
) -> str | None:
    text = _pick(
        prov,
        "summary",
        (ld.description, "jsonld"),
        (meta.first("description", "og:description", "twitter:description"), "meta"),
        (hints.summary, "rss"),
        (body.paragraphs[0] if body.paragraphs else None, "body"),
    )
    return trim_summary(text) if text else None


def _tags(
    prov: dict[str, str], meta: PageMeta, ld: JsonLdArticle, ruled: RuleFields
) -> tuple[str, ...]:
    keywords = tuple(k.strip() for k in (meta.microdata.get("keywords") or "").split(","))
    for values, layer in (
        (ruled.tags, "rules"),
        (ld.keywords, "jsonld"),
        (meta.tags, "meta"),
        (keywords, "microdata"),
    ):
        clean = tuple(dict.fromkeys(normalize_text(v) for v in values if normalize_text(v)))
        if clean:
            prov["tags"] = layer
            return clean
    return ()


def _lang(
    prov: dict[str, str], root: Any, meta: PageMeta, ld: JsonLdArticle, source: Source | None
) -> str | None:
    locale = meta.first("og:locale", "language", "content-language")
    value = _pick(
        prov,
        "lang",
        (meta.lang, "html"),
        (locale, "meta"),
        (ld.lang, "jsonld"),
        (source.lang if source is not None else None, "source"),
    )
    if value is None:
        return None
    # "id-ID", "id_ID" -> "id"; "in" is the withdrawn ISO code some CMSs still print.
    primary = re.split(r"[-_]", value.lower(), maxsplit=1)[0]
    return "id" if primary == "in" else primary


def _figure_caption(root: Any, image: str | None) -> str | None:
    """The caption of the figure that shows the lead image, matched by file name."""
    if not image:
        return None
    name = image.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    if not name:
        return None
    for figure in root.iter("figure"):
        if any(name in (img.get("src") or "") for img in figure.iter("img")):
            captions = [normalize_text(c.text_content()) for c in figure.iter("figcaption")]
            return next((c for c in captions if c), None)
    return None
