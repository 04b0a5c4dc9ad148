"""Find the article body of a page with no site rules: score text blocks, pick the story's container.

One walk over the parsed page scores every block of prose (paragraphs, list items, cells, bare
text in containers) on its length, punctuation and link density, skipping blocks inside page
furniture (navigation, sidebars, comments, share bars: told by tag or by whole words in class and
id). Each score flows up to the block's ancestors, fading with distance, so a container wins by
holding many blocks close by. From the winner the finder climbs to an enclosing container named
like an article body, and takes in sibling blocks that continue the story (a story split by an ad
or a pull quote). Lists, tables, quotes and subheadings inside the chosen containers are kept.
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
_SIBLING_SHARE = 0.2
_SIBLING_FLOOR = 10.0


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
    containers = _with_siblings(best, scores.get(best, best_score), scores, furniture)
    containers = _with_twins(best, containers, mass, furniture)
    containers = _with_strays(containers, paragraphs, furniture)
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


# A stray paragraph: long and hardly linked, within a few levels above the chosen containers.
_STRAY_MIN = 120
_STRAY_LINKS = 0.1
_REGION = 9


def _with_strays(
    containers: list[Any], paragraphs: list[tuple[int, Any]], furniture: dict[Any, bool]
) -> list[Any]:
    """Add long unlinked paragraphs near the story but outside its containers (a lead, a box)."""
    region = containers[0].getparent()
    for _ in range(_REGION - 1):
        if region is None or region.tag in ("html", "body"):
            break
        up = region.getparent()
        if up is None or up.tag in ("html", "body") or furniture.get(up, True):
            break
        region = up
    if region is None or region.tag in ("html", "body"):
        return containers
    chosen = set(containers)
    order: list[tuple[float, Any]] = []
    for position, el in paragraphs:
        ancestors = list(el.iterancestors())
        if region in ancestors and not chosen.intersection(ancestors):
            order.append((position, el))
    if not order:
        return containers
    # Page order: each container sits where its first paragraph or itself starts.
    rank = {el: position for position, el in paragraphs}
    placed = [(_first_position(c, rank), c) for c in containers]
    return [el for _, el in sorted(placed + order, key=lambda item: item[0])]


def _first_position(container: Any, rank: dict[Any, int]) -> float:
    for el in container.iter("p"):
        if el in rank:
            return rank[el] - 0.5
    return -1.0


def _with_siblings(
    best: Any, best_score: float, scores: dict[Any, float], furniture: dict[Any, bool]
) -> list[Any]:
    """`best` and the sibling blocks that continue its story (readability's sibling rule)."""
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(_SIBLING_FLOOR, best_score * _SIBLING_SHARE)
    best_class = best.get("class")
    out = []
    for sibling in parent:
        if sibling is best:
            out.append(best)
            continue
        if not isinstance(sibling.tag, str) or furniture.get(sibling, True):
            continue
        bonus = (
            best_score * _SIBLING_SHARE if best_class and sibling.get("class") == best_class else 0
        )
        if scores.get(sibling, 0.0) + bonus >= threshold or _continues(sibling):
            out.append(sibling)
    return out


# A story told in repeated blocks (forum posts, a page of sections built from one template):
# the winner's counterparts in its ancestors' twins (same tag and class) are taken in too.
_TWIN_CLIMB = 8
_TWIN_MIN = 80  # characters of prose a counterpart must hold
_TWIN_LINKS = 0.3


def _with_twins(
    best: Any, containers: list[Any], mass: dict[Any, int], furniture: dict[Any, bool]
) -> list[Any]:
    """`containers` plus, in page order, the blocks at the winner's place in twin ancestors."""
    steps: list[tuple[str, str]] = []
    el = best
    for _ in range(_TWIN_CLIMB):
        parent = el.getparent()
        if parent is None or el.tag in ("html", "body"):
            return containers
        cls = " ".join((el.get("class") or "").split())
        if cls:
            twins = [
                s
                for s in parent
                if s is not el
                and s.tag == el.tag
                and " ".join((s.get("class") or "").split()) == cls
            ]
            found = [_counterpart(t, steps, mass, furniture) for t in twins]
            if any(f is not None for f in found):
                out: list[Any] = []
                for child in parent:
                    if child is el:
                        out.extend(containers)
                    elif child in twins:
                        match = found[twins.index(child)]
                        if match is not None:
                            out.append(match)
                return out
        steps.append((el.tag, cls))
        el = parent
    return containers


def _counterpart(
    twin: Any, steps: list[tuple[str, str]], mass: dict[Any, int], furniture: dict[Any, bool]
) -> Any:
    """The block of `twin` at the winner's place (same tags and classes down), if it is prose."""
    el = twin
    for tag, cls in reversed(steps):
        el = next(
            (c for c in el if c.tag == tag and " ".join((c.get("class") or "").split()) == cls),
            None,
        )
        if el is None:
            return None
    if furniture.get(el, True) or mass.get(el, 0) < _TWIN_MIN:
        return None
    if link_density(el, len(el.text_content())) > _TWIN_LINKS:
        return None
    return el


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


def _continues(el: Any) -> bool:
    """A paragraph beside the story that reads as its continuation: prose, hardly linked."""
    if el.tag != "p":
        return False
    text = " ".join(el.text_content().split())
    density = link_density(el, len(text))
    if len(text) > 80:
        return density < 0.25
    return density == 0 and text.endswith((".", "!", "?", "。"))


def _own_text(el: Any) -> str:
    """Text directly inside `el` (its text and its inline children's), not nested blocks'."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE and child.tag != "a":
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)
