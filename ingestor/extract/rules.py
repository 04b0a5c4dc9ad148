"""Read a page's fields through a site's CSS rules (selector lists tried in order)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingestor.extract.byline import authors_from_byline
from ingestor.extract.clean import normalize_text
from ingestor.sources import SiteRules, select, select_all

__all__ = ["RuleFields", "body_containers", "read_rules"]


@dataclass(frozen=True, slots=True)
class RuleFields:
    """What the site rules found; `dates` are candidate strings in page order, unparsed."""

    title: str | None = None
    dates: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    section: str | None = None
    image: str | None = None
    image_caption: str | None = None
    tags: tuple[str, ...] = ()


def read_rules(root: Any, rules: SiteRules) -> RuleFields:
    """Every field but the body; call before the body is cleaned, which drops nodes."""
    return RuleFields(
        title=_first_text(root, rules.title),
        dates=tuple(_date_texts(root, rules.date)),
        authors=_authors(root, rules.author),
        section=_section(root, rules.section),
        image=_image(root, rules.image),
        image_caption=_first_text(root, rules.image_caption),
        tags=_texts(root, rules.tags),
    )


def body_containers(root: Any, rules: SiteRules) -> list[Any]:
    """The body elements of the first matching body selector, without ones nested in another."""
    found = select_all(root, rules.body)
    chosen = set(found)
    return [el for el in found if not any(a in chosen for a in el.iterancestors())]


def _value(el: Any) -> str:
    """The text an element carries: meta content, a time's datetime, else its visible text."""
    if el.tag == "meta":
        return normalize_text(el.get("content", ""))
    return normalize_text(el.text_content())


def _first_text(root: Any, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        for el in select(root, selector):
            text = _value(el)
            if text:
                return text
    return None


def _texts(root: Any, selectors: tuple[str, ...]) -> tuple[str, ...]:
    values = (_value(el) for el in select_all(root, selectors))
    return tuple(dict.fromkeys(v for v in values if v))


def _date_texts(root: Any, selectors: tuple[str, ...]) -> list[str]:
    """Every candidate, machine-readable attributes first: a span list usually mixes in non-dates."""
    out: list[str] = []
    for selector in selectors:
        for el in select(root, selector):
            for attr in ("datetime", "content", "data-time"):
                value = el.get(attr)
                if value and value.strip():
                    out.append(normalize_text(value))
            if el.tag != "meta":
                text = normalize_text(el.text_content())
                if text:
                    out.append(text)
    return out


def _authors(root: Any, selectors: tuple[str, ...]) -> tuple[str, ...]:
    names: list[str] = []
    for el in select_all(root, selectors):
        names.extend(authors_from_byline(_value(el)))
    return tuple(dict.fromkeys(names))


def _section(root: Any, selectors: tuple[str, ...]) -> str | None:
    """The last breadcrumb-like match: trails run from "Home" to the most specific section."""
    values = [v for v in (_value(el) for el in select_all(root, selectors)) if v]
    return values[-1] if values else None


def _image(root: Any, selectors: tuple[str, ...]) -> str | None:
    for el in select_all(root, selectors):
        for attr in ("content", "data-src", "data-original", "data-lazy-src", "src", "href"):
            value: str | None = el.get(attr)
            if value and value.strip() and not value.startswith("data:"):
                return value.strip()
    return None
