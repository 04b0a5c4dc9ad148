"""Find the article body of a page with no site rules: the container densest in unlinked prose."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["find_body"]

# Paragraph elements count towards their parent; containers count their own bare text.
_PARAGRAPH_TAGS = ("p", "pre", "blockquote")
_CONTAINER_TAGS = ("div", "article", "section", "main", "td", "font")
_INLINE = frozenset({"a", "b", "strong", "i", "em", "u", "span", "br", "font", "sup", "sub"})
_INLINE |= {"small", "mark", "abbr", "cite", "q", "code", "time"}
_GOOD = re.compile(
    r"article|content|entry|post|story|detail|berita|isi|read|text|body|main", re.IGNORECASE
)
_BAD = re.compile(
    r"comment|sidebar|widget|related|terkait|populer|popular|trending|footer|header|menu|nav"
    r"|share|social|promo|banner|advert|iklan|rekomendasi|recommend|tag|breadcrumb|author",
    re.IGNORECASE,
)
_MIN_PARAGRAPH = 25  # characters; shorter blocks are labels, buttons and captions
_MAX_LINK_DENSITY = 0.5
_MIN_SCORE = 4.0
_CLASS_WEIGHT = 25.0
_TOP = 5


def find_body(root: Any) -> list[Any]:
    """The body container of the page; empty when nothing on it looks like prose."""
    scores: dict[Any, float] = {}
    for el in root.iter(*_PARAGRAPH_TAGS, *_CONTAINER_TAGS):
        if el.tag in _PARAGRAPH_TAGS:
            text = el.text_content()
            owner = el.getparent()
        else:
            text = _direct_text(el)  # ANTARA puts bare text nodes in the body div, split by <br>
            owner = el
        length = len(text.strip())
        if length < _MIN_PARAGRAPH or owner is None:
            continue
        if el.tag in _PARAGRAPH_TAGS and _link_density(el, length) > _MAX_LINK_DENSITY:
            continue
        score = 1.0 + text.count(",") + min(length / 100.0, 3.0)
        scores[owner] = scores.get(owner, 0.0) + score
        grand = owner.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2.0
    if not scores:
        return []
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:_TOP]
    best_score, best = max(((_final_score(el, s), el) for el, s in top), key=lambda x: x[0])
    if best_score < _MIN_SCORE:
        return []
    return [best]


def _final_score(el: Any, score: float) -> float:
    names = f"{el.get('class', '')} {el.get('id', '')}"
    if _GOOD.search(names):
        score += _CLASS_WEIGHT
    if _BAD.search(names):
        score -= _CLASS_WEIGHT
    total = len(el.text_content())
    return score * (1.0 - _link_density(el, total))


def _direct_text(el: Any) -> str:
    """Text directly inside `el` (its text and its inline children's), not nested blocks'."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE and child.tag != "a":
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _link_density(el: Any, length: int) -> float:
    if length <= 0:
        return 1.0
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return min(linked / length, 1.0)
