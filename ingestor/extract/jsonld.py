"""Read the news-article object out of a page's JSON-LD blocks (also inside @graph and lists)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["ARTICLE_TYPES", "JsonLdArticle", "find_article"]

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
    }
)
# Organisations are publishers, not the people who wrote the story.
_NOT_PEOPLE = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "WebSite"})
# Some CMSs leave raw control characters and trailing commas inside the JSON.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
# How deep an article object may sit in lists and @graphs; real pages nest two or three.
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class JsonLdArticle:
    """The fields of one JSON-LD article object that the record uses, as raw strings."""

    headline: str | None = None
    description: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    authors: tuple[str, ...] = ()
    section: str | None = None
    keywords: tuple[str, ...] = ()
    image: str | None = None
    image_caption: str | None = None
    lang: str | None = None
    url: str | None = None


def find_article(blocks: list[str]) -> JsonLdArticle | None:
    """The first article-typed object in the given `<script type=application/ld+json>` texts.

    An article without dates takes them from the page node of its graph (Yoast dates the
    WebPage); a page with no article object at all still gives the dates of its page, video
    or other creative-work node, so the publication date is not lost with the type.
    """
    dated: JsonLdArticle | None = None
    for block in blocks:
        data = _load(block)
        if data is None:
            continue
        nodes = list(_walk(data))
        by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        page = next((n for n in nodes if _published(n) and not _types(n) & _NOT_PEOPLE), None)
        for node in nodes:
            if _types(node) & ARTICLE_TYPES:
                article = _article(node, by_id)
                if article.date_published is None and page is not None:
                    article = replace(
                        article,
                        date_published=_published(page),
                        date_modified=article.date_modified or _text(page.get("dateModified")),
                    )
                return article
        if dated is None and page is not None:
            dated = JsonLdArticle(
                date_published=_published(page), date_modified=_text(page.get("dateModified"))
            )
    return dated


def _published(node: dict[str, Any]) -> str | None:
    """The publication date of any creative work: articles, pages, videos (uploadDate)."""
    for key in ("datePublished", "dateCreated", "uploadDate"):
        text = _text(node.get(key))
        if text:
            return text
    return None


def _load(block: str) -> Any:
    text = block.strip()
    if text.startswith("<!--"):
        text = text.removeprefix("<!--").removesuffix("-->")
    text = _CONTROL.sub(" ", text)
    for attempt in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
        except RecursionError:  # thousands of nested brackets: hostile, not an article
            return None
    return None


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"], depth + 1)


def _ref(value: Any, by_id: dict[str, dict[str, Any]], field: str) -> Any:
    """The node a bare {"@id": ...} reference points at (Yoast-style graphs), else `value`."""
    if isinstance(value, dict) and field not in value:
        ref = value.get("@id")
        if isinstance(ref, str) and ref in by_id:  # an @id may be any JSON value
            return by_id[ref]
    return value


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind.removeprefix("schema:").removeprefix("http://schema.org/")}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def _article(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> JsonLdArticle:
    image, caption = _image(node.get("image"), by_id)
    return JsonLdArticle(
        headline=_text(node.get("headline")) or _text(node.get("name")),
        description=_text(node.get("description")),
        date_published=_published(node),
        date_modified=_text(node.get("dateModified")),
        authors=_authors(node.get("author"), by_id),
        section=_first_text(node.get("articleSection")),
        keywords=_keywords(node.get("keywords")),
        image=image,
        image_caption=caption,
        lang=_text(node.get("inLanguage")),
        url=_url(node.get("mainEntityOfPage")) or _text(node.get("url")),
    )


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        # Some CMSs HTML-escape strings before JSON-encoding them ("&quot;Pasar&quot;").
        return " ".join(html.unescape(value).split())
    return None


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        return next((t for t in map(_text, value) if t), None)
    return _text(value)


def _url(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("@id")) or _text(value.get("url"))
    return _text(value)


def _authors(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        item = _ref(item, by_id, "name")  # Yoast-style graphs point at a Person node by @id
        if isinstance(item, dict):
            if _types(item) & _NOT_PEOPLE:
                continue
            name = _text(item.get("name"))
        else:
            name = _text(item)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list):
        parts = [v for v in value if isinstance(v, str)]
    else:
        return ()
    out: list[str] = []
    for part in parts:
        word = " ".join(part.split())
        if word and word not in out:
            out.append(word)
    return tuple(out)


def _image(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[str | None, str | None]:
    if isinstance(value, list):
        value = value[0] if value else None
    value = _ref(value, by_id, "url")
    if isinstance(value, dict):
        url = _text(value.get("url")) or _text(value.get("contentUrl"))
        return url, _text(value.get("caption"))
    return _text(value), None
