"""Find a story's lead: the prose printed between its headline and the body the finder chose.

Newsrooms set the lead (standfirst, intro, deck, "Vorspann") apart from the body: in the
article's header, in a box named "teaser-text" or "summary", or as a subheading under the
headline. The density finder picks the body and misses it. The lead is read from the stretch of
page that runs back from the body's first container to the headline (`h1`), within a few levels
of the body; when no headline is found that close, only blocks named like a lead are taken.
"""

from __future__ import annotations

import re
from typing import Any

from ingestor.extract.furniture import is_furniture, link_density, name_words

__all__ = ["is_lead_box", "with_lead"]

_CLIMB = 3  # levels above the body's first container searched for the headline
# Class words of a lead block (English, German, French, Spanish, Czech, Polish newsroom CMSs).
_LEAD_WORDS = frozenset(
    {"lead", "lede", "intro", "introduction", "summary", "teaser", "abstract", "description"}
    | {"deck", "dek", "excerpt", "standfirst", "preface", "subtitle", "subheadline", "epigraph"}
    | {"subheading", "strapline", "perex", "chapo", "chapeau", "entradilla", "bajada", "copete"}
    | {"sumario", "vorspann", "anriss", "zusammenfassung", "einleitung", "lid", "zajawka"}
)
_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}
    | {"article", "header", "figure", "blockquote", "dl", "form", "footer", "aside", "nav"}
)
_LEAD_TAGS = frozenset({"p", "div", "h2", "h3", "span", "section", "header", "strong", "em"})
_SKIP = frozenset({"figure", "figcaption", "time", "address", "table", "ul", "ol", "form"})
_MIN_LEAD = 40  # characters: shorter lines there are dates, bylines, labels
_MAX_LINKS = 0.1
_MAX_BLOCKS = 4  # more prose blocks between headline and body are a list (videos, teasers)
_DATE_LINE_MAX = 100
_DATE = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}:\d\d\b")
_CAPTION_CLIMB = 2
_CAPTION_MAX = 250
# Named as a caption, a notice or an appeal, a block between headline and body is not the lead.
_NOT_LEAD = frozenset({"legend", "notice", "disclaimer", "hinweis", "cta", "donation", "donate"})
_WORDS = re.compile(r"\w+")
_TITLE_SHARE = 0.5
_CAPTION_SHARE = 1.5


def with_lead(containers: list[Any], furniture: dict[Any, bool], title: str = "") -> list[Any]:
    """`containers` with the lead blocks in front of them, in page order.

    `title` is the page's title: a headline must carry most of its words (a blog's name set
    in `h1` above every post is no headline).
    """
    first = containers[0]
    if any(_headline(c, title) is not None for c in containers):
        return containers  # the headline is inside the body: no lead stands apart
    found: list[Any] = []  # lead blocks, last first
    node = first
    for _ in range(_CLIMB):
        parent = node.getparent()
        if parent is None or parent.tag in ("html", "body"):
            break
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str):
                continue
            headline = _headline(sibling, title)
            blocks = _blocks(sibling, headline, furniture)
            found.extend(reversed(blocks))
            if headline is not None:
                return _merge(found, containers)
        node = parent
    return _merge([el for el in found if _in_lead_box(el, first)], containers)


def _in_lead_box(el: Any, body: Any) -> bool:
    """Whether `el` or a block above it (below the body's common ancestor) is named like a lead."""
    stop = set(body.iterancestors())
    for up in (el, *el.iterancestors()):
        if up in stop:
            return False
        if name_words(up) & _LEAD_WORDS:
            return True
    return False


def _merge(found: list[Any], containers: list[Any]) -> list[Any]:
    if not found or len(found) > _MAX_BLOCKS:
        return containers
    story = " ".join(" ".join(c.text_content().split()) for c in containers)
    lead = [el for el in reversed(found) if " ".join(el.text_content().split()) not in story]
    return [*lead, *containers]


def _headline(el: Any, title: str) -> Any:
    """The last `h1` at or under `el` that carries the title, if any."""
    last = None
    for h in el.iter("h1"):
        last = h
    if last is None or not title:
        return last
    words = _WORDS.findall(title.casefold())
    have = set(_WORDS.findall(last.text_content().casefold()))
    return last if sum(w in have for w in words) >= _TITLE_SHARE * len(words) else None


def _blocks(region: Any, headline: Any, furniture: dict[Any, bool]) -> list[Any]:
    """Lead blocks in `region` after `headline` (all of them when it is None), in page order."""
    out: list[Any] = []
    after = headline is None

    def walk(el: Any, trusted: bool) -> None:
        nonlocal after
        if el is headline:
            after = True
            return
        tag = el.tag
        if not isinstance(tag, str) or tag in _SKIP:
            return
        if trusted:
            # Inside a lead box or the article's header the names above no longer count.
            if is_furniture(el, tag):
                return
        elif furniture.get(el, True):
            if not (is_lead_box(el) or (tag == "header" and _holds(el, headline))):
                return
            trusted = True
        if after and tag in _LEAD_TAGS and not _has_block(el):
            if _is_lead(el):
                out.append(el)
            return
        for child in el:
            walk(child, trusted)

    walk(region, False)
    return out


def _is_lead(el: Any) -> bool:
    """Prose of a lead's size, hardly linked, not a date line and not a picture's caption."""
    text = " ".join(el.text_content().split())
    if len(text) < _MIN_LEAD or link_density(el, len(text)) > _MAX_LINKS:
        return False
    if len(text) < _DATE_LINE_MAX and _DATE.search(text):
        return False  # "Erstellt am Dienstag 6. Mai 2014", "08 May 2022 | 6:00 h"
    if name_words(el) & _NOT_LEAD:
        return False
    if len(text) < _CAPTION_MAX and any(_pictured(s) for s in _neighbours(el)):
        return False  # the line beside a picture: its caption
    up = el
    for _ in range(_CAPTION_CLIMB):
        up = up.getparent()
        if up is None:
            break
        if len(up.text_content()) > _CAPTION_SHARE * len(text):
            break
        if any(True for _ in up.iter("img", "picture", "video")):
            return False  # the line under a picture: its caption
    return True


def _neighbours(el: Any) -> list[Any]:
    before = next(el.itersiblings(preceding=True), None)
    after = next(el.itersiblings(), None)
    return [s for s in (before, after) if s is not None and isinstance(s.tag, str)]


def _pictured(el: Any) -> bool:
    return any(True for _ in el.iter("img", "picture", "video", "figure"))


def is_lead_box(el: Any) -> bool:
    """A block named like a lead whose only fault is its name ("teaser-text" is no teaser list)."""
    if not name_words(el) & _LEAD_WORDS:
        return False
    length = len(el.text_content().strip())
    return length >= _MIN_LEAD and link_density(el, length) <= _MAX_LINKS


def _holds(el: Any, headline: Any) -> bool:
    return headline is not None and any(h is headline for h in el.iter("h1"))


def _has_block(el: Any) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCKS for d in el.iterdescendants())
