"""Read each extraction layer of a parsed page once into a partial record (see `merge`).

Each function reads one source of evidence and nothing else: site rules (or a learned
template, read the same way), JSON-LD, meta tags, microdata, the page's own headline and
title, the feed's hints, the URL. Two page layers need a picked field first: the headline area
(where date lines and bylines are printed) needs the title, the lead figure needs the image.
"""

from __future__ import annotations

from typing import Any

from database.records import DateSource
from ingestor.extract.body import BodyResult
from ingestor.extract.byline import authors_from_byline
from ingestor.extract.clean import normalize_text
from ingestor.extract.headline import headline_area, headline_element, page_bylines, page_dates
from ingestor.extract.jsonld import JsonLdArticle
from ingestor.extract.merge import Partial
from ingestor.extract.meta import PageMeta
from ingestor.extract.pubdate import Candidate, lead_date, url_date
from ingestor.extract.rules import read_rules
from ingestor.extract.titles import clean_title
from ingestor.sources import SiteRules

__all__ = [
    "META_MODIFIED",
    "META_PUBLISHED",
    "area_layer",
    "body_layers",
    "feed_layer",
    "figure_layer",
    "jsonld_layer",
    "meta_layers",
    "rules_layer",
    "url_layer",
]

META_PUBLISHED = (
    "article:published_time", "og:published_time", "og:article:published_time", "pubdate",
    "publishdate", "publish-date", "publish_date", "datepublished", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "sailthru.date", "parsely-pub-date",
    "content_publisheddate", "article.published", "originalpublicationdate", "publication_date",
    "article:published", "dcterms.date", "dcterms.issued", "dc.date.created",
    "citation_publication_date", "citation_date",
)  # fmt: skip
META_MODIFIED = (
    "article:modified_time", "og:updated_time", "dcterms.modified", "last-modified",
    "content_modifieddate", "article.updated",
)  # fmt: skip


def rules_layer(root: Any, rules: SiteRules, layer: str = "rules") -> Partial:
    """Hand rules (layer "rules") or a learned template (layer "template"): same reader.

    Read before the body is cleaned, which drops nodes.
    """
    ruled = read_rules(root, rules)
    return Partial(
        layer=layer,
        title=ruled.title,
        dates=tuple(Candidate(t, "page") for t in ruled.dates),
        authors=ruled.authors,
        section=ruled.section,
        image=ruled.image,
        image_caption=ruled.image_caption,
        tags=ruled.tags,
    )


def jsonld_layer(ld: JsonLdArticle) -> Partial:
    return Partial(
        layer="jsonld",
        title=ld.headline,
        dates=(Candidate(ld.date_published, "jsonld"),) if ld.date_published else (),
        updated=(ld.date_modified,) if ld.date_modified else (),
        authors=ld.authors,
        summary=ld.description,
        section=ld.section,
        image=ld.image,
        image_caption=ld.image_caption,
        tags=ld.keywords,
        lang=ld.lang,
    )


def meta_layers(root: Any, meta: PageMeta, url: str, source_lang: str | None) -> list[Partial]:
    """Meta tags, microdata, `<html lang>`, the `<h1>` and `<title>`, the source's language."""
    site = meta.first("og:site_name")
    author = meta.first("author", "article:author", "dc.creator", "parsely-author")
    published = meta.first(*META_PUBLISHED)
    modified = meta.first(*META_MODIFIED)
    micro = meta.microdata
    heading = headline_element(root, None)
    return [
        Partial(
            layer="meta",
            title=clean_title(meta.first("og:title", "twitter:title"), site, url),
            dates=(Candidate(published, "meta"),) if published else (),
            updated=(modified,) if modified else (),
            authors=authors_from_byline(author) if author else (),
            summary=meta.first("description", "og:description", "twitter:description"),
            section=meta.first("article:section"),
            image=meta.first("og:image", "og:image:url", "twitter:image", "twitter:image:src"),
            tags=meta.tags,
            lang=meta.first("og:locale", "language", "content-language"),
        ),
        Partial(
            layer="microdata",
            title=micro.get("headline"),
            # Microdata's date, then dates in the page's script data (also "meta" grade).
            dates=tuple(
                Candidate(text, "meta")
                for text in (micro.get("datepublished"), *meta.script_dates)
                if text
            ),
            updated=(micro["datemodified"],) if micro.get("datemodified") else (),
            authors=authors_from_byline(micro.get("author") or ""),
            section=micro.get("articlesection"),
            image=micro.get("image"),
            tags=tuple((micro.get("keywords") or "").split(",")),
        ),
        Partial(layer="html", lang=meta.lang),
        Partial(
            layer="heading",
            label="page",
            title=heading.text_content() if heading is not None else None,
        ),
        Partial(layer="doctitle", label="page", title=clean_title(meta.title, site, url)),
        Partial(layer="source", lang=source_lang),
    ]


def feed_layer(
    title: str | None,
    published: str | None,
    via: DateSource,
    summary: str | None,
    image: str | None,
) -> Partial:
    """What the RSS item or sitemap entry said; a naive feed time is read in the source's zone."""
    return Partial(
        layer="feed",
        label="rss",
        title=title,
        dates=(Candidate(published, via),) if published else (),
        summary=summary,
        image=image,
    )


def url_layer(url: str) -> Partial:
    found = url_date(url)
    return Partial(layer="url", dates=(Candidate(found, "url"),) if found else ())


def area_layer(root: Any, title: str | None) -> Partial:
    """Date lines and bylines printed around the headline (read before the body is cleaned)."""
    area = headline_area(root, title)
    bylines = tuple(name for line in page_bylines(area) for name in authors_from_byline(line))
    return Partial(
        layer="area",
        label="page",
        dates=tuple(Candidate(t, "page") for t in page_dates(area)),
        authors=bylines,
    )


def body_layers(body: BodyResult) -> list[Partial]:
    """The first paragraph as a summary, a date opening it, the body's figure caption; the credit
    footer's writers."""
    lead = lead_date(body.paragraphs)
    return [
        Partial(
            layer="body",
            summary=body.paragraphs[0] if body.paragraphs else None,
            image_caption=body.caption,
        ),
        Partial(layer="lead", label="page", dates=(Candidate(lead, "page"),) if lead else ()),
        Partial(layer="footer", authors=body.footer.authors if body.footer is not None else ()),
    ]


def figure_layer(root: Any, image_url: str | None) -> Partial:
    """The caption of the figure that shows the lead image, matched by file name."""
    return Partial(layer="figure", label="page", image_caption=_figure_caption(root, image_url))


def _figure_caption(root: Any, image_url: str | None) -> str | None:
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
