"""Turn one chosen element per page into a CSS selector that finds it on most of a site's pages.

Candidates come from the elements themselves: tag plus id, one class, two classes, or the
parent's id or class as context. Nothing positional (no nth-child), so a layout that moves a
block keeps matching. A class or id that carries a story number changes from page to page, so
it loses to the stable ones when every candidate is tried on every page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingestor.sources import select

__all__ = ["Page", "generalize", "removable"]

_TOKEN = re.compile(r"^[A-Za-z_-][\w-]*$")
_MAX_PAIRS = 10
_MAX_REMOVE = 12
_BARE_OK = frozenset({"h1", "article", "main", "time"})  # tags a page usually has once
# Only whole blocks are dropped: a "Baca juga" paragraph is left to the cleaner, which keeps
# its link as a related story.
_BLOCKS = frozenset(
    {"div", "section", "aside", "ul", "ol", "table", "nav", "form", "figure", "footer", "dl"}
    | {"header"}
)
_STORY_SLACK = 0.02  # a removal may touch at most this much story text per furniture character
_MOSTLY_FURNITURE = 0.1


@dataclass(slots=True)
class Page:
    """One parsed learning page: text lines with their owner element, document order, scores."""

    url: str
    root: Any
    titles: tuple[str, str] = ("", "")  # og:title and <title>, casefolded
    lines: list[tuple[Any, str, bool]] = field(default_factory=list)  # owner, text, linked
    order: dict[Any, int] = field(default_factory=dict)
    score: dict[Any, float] = field(default_factory=dict)
    furniture: set[str] = field(default_factory=set)
    # Per element, over the lines under it: story characters, furniture-or-link characters,
    # and how many lines are not furniture (tallied once per page by the learner).
    story: dict[Any, int] = field(default_factory=dict)
    other: dict[Any, int] = field(default_factory=dict)
    loose: dict[Any, int] = field(default_factory=dict)


Check = Callable[[Page, Any, list[Any]], bool]


def generalize(pages: list[Page], targets: list[Any], ok: Check) -> tuple[str | None, int]:
    """The selector right on the most pages (then fewest extra matches, then shortest)."""
    candidates: dict[str, None] = {}
    for target in targets:
        if target is not None:
            candidates.update(dict.fromkeys(_candidates(target)))
    best: tuple[int, int, int, str] | None = None
    for selector in candidates:
        hits = extra = 0
        for page, target in zip(pages, targets, strict=True):
            found = select(page.root, selector)
            if target is not None and ok(page, target, found):
                hits += 1
            extra += max(0, len(found) - 1)
        key = (hits, -extra, -len(selector), selector)
        if best is None or key > best:
            best = key
    if best is None or best[0] == 0:
        return None, 0
    return best[3], best[0]


def removable(pages: list[Page], bodies: list[Any]) -> list[str]:
    """Blocks inside the story container that hold furniture or links and no story, on every page.

    A block qualifies by its tag (a div, list, table...) with furniture or links in it, or, any
    tag, by holding nothing but furniture (a notice paragraph). A "Baca juga" paragraph is
    neither: it is left to the cleaner, which keeps its link as a related story.
    """
    out: dict[str, None] = {}
    tried: set[str] = set()
    for page, body in zip(pages, bodies, strict=True):
        covered: set[Any] = set()
        for el in body.iter() if body is not None else ():
            if el is body or not isinstance(el.tag, str) or el in covered:
                continue
            story, other = _split(page, el)
            block = el.tag in _BLOCKS and story <= _MOSTLY_FURNITURE * (story + other)
            if other == 0 or not (block or (story == 0 and _all_furniture(page, el))):
                continue
            # Named by its own class or id: a bare tag under a named parent is too broad.
            own = [c for c in _candidates(el) if "." in c.split(" > ")[-1] or "#" in c]
            for selector in own:
                if selector in out or (selector not in tried and _safe(pages, bodies, selector)):
                    out[selector] = None
                    covered.update(d for m in select(body, selector) for d in m.iter())
                    break
                tried.add(selector)
            if len(out) >= _MAX_REMOVE:
                return list(out)
    return list(out)


def _safe(pages: list[Page], bodies: list[Any], selector: str) -> bool:
    """Whether removing `selector`'s matches takes furniture and next to no story on any page."""
    story = other = 0
    for page, body in zip(pages, bodies, strict=True):
        for el in select(body, selector) if body is not None else ():
            if el is body:
                return False  # never the story container itself
            s, o = _split(page, el)
            story, other = story + s, other + o
    return other > 0 and story <= _STORY_SLACK * other


def _all_furniture(page: Page, el: Any) -> bool:
    return page.loose.get(el, 0) == 0


def _split(page: Page, el: Any) -> tuple[int, int]:
    """Characters of story and of furniture or links under `el`."""
    return page.story.get(el, 0), page.other.get(el, 0)


def _tokens(el: Any) -> list[str]:
    return [c for c in (el.get("class") or "").split() if _TOKEN.match(c)]


def _candidates(el: Any) -> list[str]:
    tag = el.tag
    out = []
    ident = el.get("id")
    if ident and _TOKEN.match(ident):
        out.append(f"{tag}#{ident}")
    tokens = _tokens(el)
    out += [f"{tag}.{c}" for c in tokens]
    out += [f"{tag}.{a}.{b}" for i, a in enumerate(tokens) for b in tokens[i + 1 :]][:_MAX_PAIRS]
    parent = el.getparent()
    if parent is not None and isinstance(parent.tag, str):
        pid = parent.get("id")
        context = [f"{parent.tag}#{pid}"] if pid and _TOKEN.match(pid) else []
        context += [f"{parent.tag}.{c}" for c in _tokens(parent)]
        for prefix in context:
            out.append(f"{prefix} > {tag}")
            out += [f"{prefix} > {tag}.{c}" for c in tokens[:3]]
    if tag in _BARE_OK:
        out.append(tag)
    return out
