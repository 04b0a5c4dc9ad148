"""A site template learned from the site's own pages: where its title, body, date and author sit.

The locations are CSS selectors (tag plus a stable class or id), so a learned template reads a
page through the same machinery as hand-written site rules. It is a plain value: learning is in
`ingestor.extract.learn`, storing it is the store's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingestor.sources import SiteRules, select_all

__all__ = ["FIELDS", "LearnedTemplate"]

FIELDS = ("title", "body", "date", "author", "remove")


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
