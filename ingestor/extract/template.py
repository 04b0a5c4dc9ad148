"""A site template learned from the site's own pages: where its title, body, date and author sit.

The locations are CSS selectors (tag plus a stable class or id), so a learned template reads a
page through the same machinery as hand-written site rules. It is a plain value: learning is in
`ingestor.extract.learn`, storing it is the store's job.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingestor.sources import SiteRules, select_all

__all__ = ["FIELDS", "LearnedTemplate", "body_agrees"]

FIELDS = ("title", "body", "date", "author", "remove")
# Share of the template body's words the generic path also reads as story, under which the
# template's node is taken for another block (a wide wrapper with comments and teasers, a paywall
# notice) on this page. Narrower template bodies pass: cutting what the generic path let in is
# what a template is for (measured on the corpora's multi-page hosts: wrong nodes shared 0.36 and
# 0.50 of their words, right ones 0.88 and more).
_AGREE = 0.75
_WORD = re.compile(r"\w+")


def body_agrees(template_text: str, generic_text: str) -> bool:
    """Whether a page's template body is the story the generic path found, not another block.

    With no generic body there is nothing to disagree with, so the template stands.
    """
    mine = Counter(_WORD.findall(template_text.casefold()))
    theirs = Counter(_WORD.findall(generic_text.casefold()))
    if not theirs:
        return True
    shared = sum((mine & theirs).values())
    return shared >= _AGREE * sum(mine.values())


@dataclass(frozen=True, slots=True)
class LearnedTemplate:
    """Selectors per field, the share of learning pages each field matched, and the pages used.

    `confidence` is the share of the learning pages on which the body selector found the story.
    """

    title: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    confidence: float = 0.0
    hits: dict[str, float] = field(default_factory=dict)
    pages: tuple[str, ...] = ()
    learned_at: datetime | None = None

    def rules(self) -> SiteRules:
        """The template as site rules, for the rules reader and the body cleaner."""
        return SiteRules(
            title=self.title,
            body=self.body,
            date=self.date,
            author=self.author,
            remove=self.remove,
        )

    def matches(self, root: Any) -> bool:
        """Whether the body selector finds anything on this parsed page (drift shows as False)."""
        return bool(self.body) and bool(select_all(root, self.body))

    def layout(self) -> dict[str, Any]:
        """The JSON object stored per source: selectors per field and their hit shares."""
        out: dict[str, Any] = {name: list(getattr(self, name)) for name in FIELDS}
        out["hits"] = dict(self.hits)
        return out

    @classmethod
    def from_layout(
        cls,
        layout: dict[str, Any],
        *,
        confidence: float,
        pages: tuple[str, ...] = (),
        learned_at: datetime | None = None,
    ) -> LearnedTemplate:
        """The template stored as `layout()`; unknown keys are ignored, missing ones are empty."""

        def strings(name: str) -> tuple[str, ...]:
            value = layout.get(name) or []
            return tuple(str(v) for v in value if isinstance(v, str) and v.strip())

        hits = layout.get("hits") or {}
        return cls(
            title=strings("title"),
            body=strings("body"),
            date=strings("date"),
            author=strings("author"),
            remove=strings("remove"),
            confidence=confidence,
            hits={str(k): float(v) for k, v in hits.items() if isinstance(v, int | float)},
            pages=pages,
            learned_at=learned_at,
        )
