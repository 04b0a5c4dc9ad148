"""Infer a listing's `link_selector`: the blocks whose story links change from page 1 to page 2.

A listing page links to stories from several blocks: its own list (often twice per story, the
picture and the headline), a "most read" sidebar, a menu. Without a selector the harvester
takes the largest block of alike links, which on a tie can be the sidebar. Paging tells them
apart: the listing's own blocks show other stories on page 2, the sidebar shows the same ones.
Each block is named by the nearest ancestor of its links that has a class (tag + classes).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from ingestor.sources import absolute_url

__all__ = ["infer_link_selector"]

_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_LEVELS = 4
_MIN_LINKS = 3


def _block(anchor: Tag) -> str | None:
    """`tag.class1.class2 a` for the nearest classed ancestor within a few levels, else None."""
    node = anchor.parent
    for _ in range(_LEVELS):
        if not isinstance(node, Tag) or node.name in ("body", "html", "[document]"):
            return None
        raw = node.get("class")
        classes = sorted(c for c in (raw if isinstance(raw, list) else []) if _CLASS.match(c))
        if classes:
            return f"{node.name}.{'.'.join(classes)} a"
        node = node.parent
    return None


def _blocks(html: str, url: str, is_story: Callable[[str], bool]) -> dict[str, set[str]]:
    soup = BeautifulSoup(html, "lxml")
    found: dict[str, set[str]] = {}
    for anchor in soup.find_all("a"):
        href = anchor.get("href")
        if not isinstance(href, str):
            continue
        target = absolute_url(url, href)
        if target is None or not is_story(target):
            continue
        block = _block(anchor)
        if block is not None:
            found.setdefault(block, set()).add(target.split("#", 1)[0])
    return found


def infer_link_selector(
    first: str, first_url: str, second: str, second_url: str, is_story: Callable[[str], bool]
) -> str | None:
    """The selector of the blocks whose stories differ between two pages of one listing.

    Args:
        first, second: HTML of pages 1 and 2; `*_url` their addresses.
        is_story: whether an absolute URL is an article of the site.
    """
    one = _blocks(first, first_url, is_story)
    two = _blocks(second, second_url, is_story)
    moving = [
        block
        for block, links in one.items()
        # One story may slip from page 1 to page 2 between the two requests.
        if len(links) >= _MIN_LINKS and len(links & two.get(block, set())) <= 1
        and len(two.get(block, set())) >= _MIN_LINKS
    ]  # fmt: skip
    return ", ".join(sorted(moving)) or None
