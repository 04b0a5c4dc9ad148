"""A site template learned from the site's own pages: where its title, body, date and author sit.

The locations are CSS selectors (tag plus a stable class or id), so a learned template reads a
page through the same machinery as hand-written site rules. It is a plain value: learning is in
`ingestor.extract.learn`, storing it is the store's job.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingestor.sources import SiteRules, select_all

__all__ = ["FIELDS", "SEEN_MAX", "LearnedTemplate", "body_agrees", "remembered", "text_key"]

FIELDS = ("title", "body", "date", "author", "remove")
# Share of the template body's words the generic path also reads as story, under which the
# template's node is taken for another block (a wide wrapper with comments and teasers, a paywall
# notice) on this page. Narrower template bodies pass: cutting what the generic path let in is
# what a template is for (measured on the corpora's multi-page hosts: wrong nodes shared 0.36 and
# 0.50 of their words, right ones 0.88 and more).
_AGREE = 0.75
_WORD = re.compile(r"\w+")
# A stored text key is a short hash: the layout holds what the site printed, not its text, and
# 48 bits keep chance collisions among a site's few thousand lines negligible.
_KEY_BYTES = 6
# Longer lines are never furniture by repetition alone: a newsroom pastes the same background
# paragraph into every follow-up of a story ("Sebelumnya diberitakan, ..."), and it is story.
# Furniture lines on the corpora's multi-page hosts are shorter (notices, teasers, list items).
SEEN_MAX = 200


def text_key(text: str) -> str | None:
    """The key of a text line: its words, casefolded, hashed; None for a line without words.

    Words only, so spacing, punctuation and case (a menu in capitals) do not split one line.
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    return hashlib.blake2b(" ".join(words).encode(), digest_size=_KEY_BYTES).hexdigest()


def remembered(pages: Iterable[Iterable[tuple[str, bool]]]) -> frozenset[str]:
    """The `seen` keys of learning pages given as (text, inside the story container) per line.

    Every short line, but a story's own only where another page printed it too: a follow-up that
    repeats a short line of an earlier story keeps it.
    """
    count: Counter[str] = Counter()
    story: set[str] = set()
    for texts in pages:
        keys = {
            (key, inside)
            for text, inside in texts
            if len(text) <= SEEN_MAX and (key := text_key(text)) is not None
        }
        outside = {key for key, inside in keys if not inside}
        count.update({key for key, _ in keys})
        story.update(key for key, inside in keys if inside and key not in outside)
    return frozenset(key for key, n in count.items() if n > 1 or key not in story)


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
    `seen` holds the keys (`text_key`) of the short lines and blocks of the learning pages, their
    stories' own only where two pages printed them: on a new page, such a line is furniture.
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
    seen: frozenset[str] = frozenset()

    def rules(self) -> SiteRules:
        """The template as site rules, for the rules reader and the body cleaner."""
        return SiteRules(
            title=self.title,
            body=self.body,
            date=self.date,
            author=self.author,
            remove=self.remove,
        )

    def furniture_only(self) -> LearnedTemplate:
        """The template without its selectors: what its pages printed, for a template too weak
        to read pages with (repetition tells furniture even where no body selector holds)."""
        return LearnedTemplate(
            confidence=self.confidence, pages=self.pages, learned_at=self.learned_at, seen=self.seen
        )

    def matches(self, root: Any) -> bool:
        """Whether the body selector finds anything on this parsed page (drift shows as False)."""
        return bool(self.body) and bool(select_all(root, self.body))

    def layout(self) -> dict[str, Any]:
        """The JSON object stored per source: selectors per field and their hit shares."""
        out: dict[str, Any] = {name: list(getattr(self, name)) for name in FIELDS}
        out["hits"] = dict(self.hits)
        out["seen"] = sorted(self.seen)
        return out

    def furniture(self, lines: Iterable[str]) -> set[str]:
        """The lines among `lines` that the learning pages printed too."""
        return {line for line in lines if len(line) <= SEEN_MAX and text_key(line) in self.seen}

    def without_furniture(self, paragraphs: tuple[str, ...], url: str) -> tuple[str, ...]:
        """The body's paragraphs without the lines the site printed on its learning pages too.

        Left whole on a learning page (its own lines were learned) and where nothing would be
        left (a page that is all furniture is not ours to empty).
        """
        if not self.seen or url in self.pages:
            return paragraphs
        seen = self.furniture(line for paragraph in paragraphs for line in paragraph.split("\n"))
        if not seen:
            return paragraphs
        out = []
        for paragraph in paragraphs:
            kept = [line for line in paragraph.split("\n") if line not in seen]
            if kept:
                out.append("\n".join(kept))
        return tuple(out) or paragraphs

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
        seen = layout.get("seen") or []
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
            seen=frozenset(str(k) for k in seen if isinstance(k, str)),
        )
