"""Widen the finder's winning container to the whole story: siblings, twins and stray paragraphs.

The density finder picks one container; stories are often split over several. Three rules take
the rest in: sibling blocks that continue the story (readability's sibling rule: a story split
by an ad or a pull quote), the winner's counterparts in twin ancestors (same tag and class: a
forum thread, a page of sections built from one template), and long unlinked paragraphs a few
levels above the containers (a lead or a box set apart).
"""

from __future__ import annotations

from typing import Any

from ingestor.extract.furniture import link_density

__all__ = ["with_siblings", "with_strays", "with_twins"]

_SIBLING_SHARE = 0.2
_SIBLING_FLOOR = 10.0
_REGION = 9  # levels above the containers searched for stray paragraphs


def with_strays(
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


def with_siblings(
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


def with_twins(
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


def _continues(el: Any) -> bool:
    """A paragraph beside the story that reads as its continuation: prose, hardly linked."""
    if el.tag != "p":
        return False
    text = " ".join(el.text_content().split())
    density = link_density(el, len(text))
    if len(text) > 80:
        return density < 0.25
    return density == 0 and text.endswith((".", "!", "?", "。"))
