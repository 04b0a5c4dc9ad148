"""Pick each record field from the extraction layers in order; the first layer with a value wins."""

from __future__ import annotations

import re
from typing import Any

from ingestor.extract.body import BodyResult
from ingestor.extract.byline import authors_from_byline
from ingestor.extract.clean import normalize_text
from ingestor.extract.headline import headline_element
from ingestor.extract.jsonld import JsonLdArticle
from ingestor.extract.meta import PageMeta
from ingestor.extract.rules import RuleFields
from ingestor.extract.titles import clean_title, trim_summary

__all__ = ["authors", "figure_caption", "image", "lang", "pick", "summary", "tags", "title"]

Layer = tuple[str | None, str]


def pick(prov: dict[str, str], field: str, *options: Layer) -> str | None:
    """The first non-empty value among `options`; its layer name goes into `prov[field]`."""
    for value, layer in options:
        text = normalize_text(value) if value else ""
        if text:
            prov[field] = layer
            return text
    return None


def title(
    prov: dict[str, str],
    root: Any,
    meta: PageMeta,
    ld: JsonLdArticle,
    ruled: RuleFields,
    url: str,
    feed_title: str | None,
    learned: RuleFields,
) -> str | None:
    """Rules, JSON-LD headline, og:title without the site name, microdata, the learned template,
    <h1>, <title>, feed."""
    site = meta.first("og:site_name")
    heading = headline_element(root, None)
    return pick(
        prov,
        "title",
        (ruled.title, "rules"),
        (ld.headline, "jsonld"),
        (clean_title(meta.first("og:title", "twitter:title"), site, url), "meta"),
        (meta.microdata.get("headline"), "microdata"),
        (learned.title, "template"),
        (heading.text_content() if heading is not None else None, "page"),
        (clean_title(meta.title, site, url), "page"),
        (feed_title, "rss"),
    )


def authors(
    prov: dict[str, str],
    meta: PageMeta,
    ld: JsonLdArticle,
    ruled: RuleFields,
    bylines: tuple[str, ...],
    body: BodyResult,
    learned: RuleFields,
) -> tuple[str, ...]:
    """Rules, JSON-LD, meta, microdata, the learned template, the byline near the headline,
    the credit footer."""
    meta_author = meta.first("author", "article:author", "dc.creator", "parsely-author")
    layers: list[tuple[tuple[str, ...], str]] = [
        (ruled.authors, "rules"),
        (ld.authors, "jsonld"),
        (authors_from_byline(meta_author) if meta_author else (), "meta"),
        (authors_from_byline(meta.microdata.get("author") or ""), "microdata"),
        (learned.authors, "template"),
        (bylines, "page"),
        (body.footer.authors if body.footer is not None else (), "footer"),
    ]
    return _first_list(prov, "authors", layers)


def summary(
    prov: dict[str, str],
    meta: PageMeta,
    ld: JsonLdArticle,
    feed_summary: str | None,
    body: BodyResult,
) -> str | None:
    """JSON-LD or meta description, the feed's teaser, else the first paragraph; trimmed."""
    text = pick(
        prov,
        "summary",
        (ld.description, "jsonld"),
        (meta.first("description", "og:description", "twitter:description"), "meta"),
        (feed_summary, "rss"),
        (body.paragraphs[0] if body.paragraphs else None, "body"),
    )
    return trim_summary(text) if text else None


def tags(
    prov: dict[str, str], meta: PageMeta, ld: JsonLdArticle, ruled: RuleFields
) -> tuple[str, ...]:
    """Rules, JSON-LD keywords, article:tag metas, microdata keywords."""
    keywords = tuple((meta.microdata.get("keywords") or "").split(","))
    layers = [(ruled.tags, "rules"), (ld.keywords, "jsonld"), (meta.tags, "meta")]
    return _first_list(prov, "tags", [*layers, (keywords, "microdata")])


def image(
    prov: dict[str, str],
    meta: PageMeta,
    ld: JsonLdArticle,
    ruled: RuleFields,
    feed_image: str | None,
) -> str | None:
    """Rules, JSON-LD, og:/twitter:image, microdata, the feed's thumbnail."""
    return pick(
        prov,
        "image",
        (ruled.image, "rules"),
        (ld.image, "jsonld"),
        (meta.first("og:image", "og:image:url", "twitter:image", "twitter:image:src"), "meta"),
        (meta.microdata.get("image"), "microdata"),
        (feed_image, "rss"),
    )


def lang(
    prov: dict[str, str], meta: PageMeta, ld: JsonLdArticle, source_lang: str | None
) -> str | None:
    """<html lang>, og:locale, JSON-LD inLanguage, the source's language; as a primary subtag."""
    locale = meta.first("og:locale", "language", "content-language")
    value = pick(
        prov,
        "lang",
        (meta.lang, "html"),
        (locale, "meta"),
        (ld.lang, "jsonld"),
        (source_lang, "source"),
    )
    if value is None:
        return None
    # "id-ID", "id_ID" -> "id"; "in" is the withdrawn ISO code some CMSs still print.
    primary = re.split(r"[-_]", value.lower(), maxsplit=1)[0]
    return "id" if primary == "in" else primary


def figure_caption(root: Any, image_url: str | None) -> str | None:
    """The caption of the figure that shows the lead image, matched by file name."""
    if not image_url:
        return None
    name = image_url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    if not name:
        return None
    for figure in root.iter("figure"):
        if any(name in (img.get("src") or "") for img in figure.iter("img")):
            captions = [normalize_text(c.text_content()) for c in figure.iter("figcaption")]
            return next((c for c in captions if c), None)
    return None


def _first_list(
    prov: dict[str, str], field: str, layers: list[tuple[tuple[str, ...], str]]
) -> tuple[str, ...]:
    for values, layer in layers:
        clean = tuple(dict.fromkeys(t for t in map(normalize_text, values) if t))
        if clean:
            prov[field] = layer
            return clean
    return ()
