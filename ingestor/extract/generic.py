"""Find the article body of a page with no site rules: score text blocks, pick the story's container.

One walk over the parsed page scores every block of prose (paragraphs, list items, cells, bare
text in containers) on its length, punctuation and link density, skipping blocks inside page
furniture (navigation, sidebars, comments, share bars: told by tag or by whole words in class and
id). Each score flows up to the block's ancestors, fading with distance, so a container wins by
holding many blocks close by. From the winner the finder climbs to an enclosing container named
like an article body; `recover` takes in the blocks that continue the story and `lead` the lead
above it. Lists, tables, quotes and subheadings inside the chosen containers are kept.
"""

from __future__ import annotations

import re
from typing import Any

from ingestor.extract.furniture import (
    BODY_WORDS,
    FURNITURE_WORDS,
    is_body_name,
    is_furniture,
    is_pointer,
    link_density,
    name_words,
)
from ingestor.extract.lead import is_lead_box, with_lead
from ingestor.extract.recover import with_siblings, with_strays, with_twins

__all__ = ["find_body"]

# Blocks whose whole text is one unit of prose; containers and items score their own bare text.
_PROSE_TAGS = frozenset({"p", "pre", "blockquote"})
_OWN_TEXT_TAGS = frozenset({"div", "article", "section", "main", "td", "li", "dd", "font", "span"})
_INLINE = frozenset({"a", "b", "strong", "i", "em", "u", "span", "br", "font", "sup", "sub"})
_INLINE |= {"small", "mark", "abbr", "cite", "q", "code", "time", "s", "del", "ins", "big", "tt"}
_COMMAS = re.compile(r"[,，、،]")
_MIN_BLOCK = 25  # characters; shorter blocks are labels, buttons and captions
_MAX_LINK_DENSITY = 0.5
_MIN_SCORE = 4.0
_CLASS_WEIGHT = 25.0
_FADE = (1.0, 0.5, 1 / 3, 0.25)  # share of a block's score its parent, grandparent, ... get
_TOP = 5
_CLIMB = 4  # levels above the winner searched for a container named like an article body
_CLIMB_MAX_LINKS = 0.35
# A stray paragraph (taken in by `recover`): long and hardly linked.
_STRAY_MIN = 120
_STRAY_LINKS = 0.1


def find_body(root: Any, title: str = "") -> list[Any]:
    """The containers of the story, in page order; empty when nothing on the page reads as prose.

    `title` (the page's title, when known) tells the headline above a lead from a site's name.
    """
    furniture: dict[Any, bool] = {}
    scores: dict[Any, float] = {}
    mass: dict[Any, int] = {}  # characters of prose under each element
    paragraphs: list[tuple[int, Any]] = []  # (page position, element) of long, unlinked <p>
    linked: set[Any] = set()  # elements inside a link: a teaser card, all of it link text
    for position, el in enumerate(root.iter()):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        parent = el.getparent()
        inherited = furniture.get(parent, False) if parent is not None else False
        bad = inherited or is_furniture(el, tag)
        furniture[el] = bad
        if bad or parent is None:
            continue
        if is_pointer(el):
            furniture[el] = True  # "Lesen Sie auch: ...", "Mehr zum Thema": a way out, not story
            continue
        if parent in linked or (parent.tag == "a" and parent.get("href")):
            # <a href><div>headline</div><p>teaser</p></a>: its blocks count no link text of
            # their own, yet every word of them is a link to another page.
            linked.add(el)
            continue
        if tag in _PROSE_TAGS:
            text, owner = el.text_content(), parent
        elif tag in _OWN_TEXT_TAGS:
            text, owner = _own_text(el), el
        else:
            continue
        length = len(text.strip())
        if length < _MIN_BLOCK:
            continue
        if tag in _PROSE_TAGS:
            density = link_density(el, length)
            if density > _MAX_LINK_DENSITY:
                continue
            if length >= _STRAY_MIN and density <= _STRAY_LINKS:
                paragraphs.append((position, el))
        score = 1.0 + len(_COMMAS.findall(text)) + min(length / 100.0, 3.0)
        for up in (owner, *owner.iterancestors()):
            mass[up] = mass.get(up, 0) + length
        for share in _FADE:
            scores[owner] = scores.get(owner, 0.0) + score * share
            owner = owner.getparent()
            if owner is None:
                break
    if not scores:
        return []
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:_TOP]
    best_score, best = max(((_final_score(el, s), el) for el, s in top), key=lambda x: x[0])
    if best_score < _MIN_SCORE:
        return []
    best = _named_body(best, mass, furniture)
    best = _climb(best, furniture)
    best = _spread(best, mass, furniture, mass.get(root, 0))
    containers = with_siblings(best, scores.get(best, best_score), scores, furniture)
    containers = with_twins(best, containers, mass, furniture)
    containers = with_strays(containers, paragraphs, furniture)
    containers = with_lead(containers, furniture, title)
    for container in containers:
        _prune(container, furniture)
    return containers


def _final_score(el: Any, score: float) -> float:
    words = name_words(el)
    if words & BODY_WORDS:
        score += _CLASS_WEIGHT
    if words & FURNITURE_WORDS:
        score -= _CLASS_WEIGHT
    total = len(el.text_content())
    return score * (1.0 - link_density(el, total))


_NAMED_SHARE = 0.5


def _named_body(best: Any, mass: dict[Any, int], furniture: dict[Any, bool]) -> Any:
    """A container named like an article body holding a fair share of the winner's prose."""
    named = [
        el
        for el in mass
        if not furniture.get(el, True)
        and (el.get("itemprop") == "articleBody" or is_body_name(name_words(el)))
    ]
    if not named:
        return best
    pick = max(named, key=lambda el: mass[el])
    if pick is best or mass[pick] < _NAMED_SHARE * mass.get(best, 0):
        return best
    if link_density(pick, len(pick.text_content())) > _CLIMB_MAX_LINKS:
        return best
    return pick


def _climb(best: Any, furniture: dict[Any, bool]) -> Any:
    """The highest container within a few levels named like an article body, else `best`."""
    chosen, el = best, best
    for _ in range(_CLIMB):
        el = el.getparent()
        if el is None or furniture.get(el, True) or el.tag in ("html", "body"):
            break
        if (el.get("itemprop") == "articleBody" or is_body_name(name_words(el))) and (
            link_density(el, len(el.text_content())) <= _CLIMB_MAX_LINKS
        ):
            chosen = el
    return chosen


_SPREAD = 0.5
_PAGE_SHARE = 0.5
_SPREAD_LINKS = 0.4


def _spread(best: Any, mass: dict[Any, int], furniture: dict[Any, bool], total: int) -> Any:
    """Climb while the parent holds much more prose: a story split over many small blocks."""
    el = best
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in ("html", "body") or furniture.get(parent, True):
            return el
        have, more = mass.get(el, 0), mass.get(parent, 0)
        if more < (1 + _SPREAD) * have and not (have < _PAGE_SHARE * total and more > have):
            return el
        if link_density(parent, len(parent.text_content())) > _SPREAD_LINKS:
            return el
        el = parent


def _prune(container: Any, furniture: dict[Any, bool]) -> None:
    """Drop the furniture inside a chosen container (the tree is private to this extraction).

    A lead box inside the story ("teaser-text", "intro") stays: a furniture word names it, but
    it holds no links.
    """
    doomed = [
        el
        for el in container.iter()
        if furniture.get(el) and not furniture.get(el.getparent()) and not is_lead_box(el)
    ]
    for el in doomed:
        el.drop_tree()


def _own_text(el: Any) -> str:
    """Text directly inside `el` (its text and its inline children's), not nested blocks'."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE and child.tag != "a":
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)
