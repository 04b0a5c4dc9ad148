"""Compile the CSS selectors of site rules to lxml XPath once, and run them on a parsed page."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cssselect import HTMLTranslator, SelectorError
from lxml import etree  # type: ignore[import-untyped,unused-ignore]

__all__ = ["compile_selector", "select", "select_all"]

# HTMLTranslator matches tag names case-insensitively, as browsers do.
_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=1024)
def compile_selector(selector: str) -> Any:
    """The compiled XPath of one CSS selector (a selector list is fine); ValueError names a bad one.

    Cached because the same few dozen site-rule selectors run on every page.
    """
    try:
        path = _TRANSLATOR.css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from exc
    return etree.XPath(path)


def select(root: Any, selector: str) -> list[Any]:
    """Elements under `root` (and `root` itself) matching `selector`, in document order."""
    found: list[Any] = compile_selector(selector)(root)
    return found


def select_all(root: Any, selectors: tuple[str, ...]) -> list[Any]:
    """The matches of the first selector in `selectors` that matches anything (site-rule order)."""
    for selector in selectors:
        found = select(root, selector)
        if found:
            return found
    return []
