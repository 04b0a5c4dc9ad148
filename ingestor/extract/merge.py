"""Merge the partial records of the extraction layers: per field, the first layer in its order wins.

Every layer reads the page once into a `Partial`; nothing here reads the page. The per-field
orders are the whole policy, in one table, and the winner's label goes into `provenance`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingestor.extract.clean import normalize_text
from ingestor.extract.pubdate import Candidate
from ingestor.extract.titles import trim_summary

__all__ = ["ORDER", "Merge", "Partial"]


@dataclass(frozen=True, slots=True)
class Partial:
    """What one layer read from the page; empty fields mean it had nothing to say.

    `layer` names it in ORDER; `label` is what provenance records (several page layers are
    all "page"). `dates` are candidates in the layer's own order, each with its date source.
    """

    layer: str
    label: str = ""
    title: str | None = None
    dates: tuple[Candidate, ...] = ()
    updated: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    summary: str | None = None
    section: str | None = None
    image: str | None = None
    image_caption: str | None = None
    tags: tuple[str, ...] = ()
    lang: str | None = None

    @property
    def provenance(self) -> str:
        return self.label or self.layer


# Which layers may give each field, first choice first. Site rules and the learned template
# (a site's rules learned from its pages) lead for what a site prints; structured data comes
# before the headline-area guesses; the feed only fills what the page leaves empty.
ORDER: dict[str, tuple[str, ...]] = {
    "title": ("rules", "jsonld", "meta", "microdata", "template", "heading", "doctitle", "feed"),
    "dates": ("rules", "jsonld", "meta", "microdata", "template", "area", "feed", "url", "lead"),
    "updated": ("jsonld", "meta", "microdata"),
    "authors": ("rules", "jsonld", "meta", "microdata", "template", "area", "footer"),
    "summary": ("jsonld", "meta", "feed", "body"),
    "section": ("rules", "jsonld", "meta", "microdata"),
    "image": ("rules", "jsonld", "meta", "microdata", "feed"),
    "image_caption": ("rules", "jsonld", "body", "figure"),
    "tags": ("rules", "jsonld", "meta", "microdata"),
    "lang": ("html", "meta", "jsonld", "source"),
}


class Merge:
    """The partial records read so far, and the provenance of every field picked from them."""

    def __init__(self, partials: Iterable[Partial] = ()) -> None:
        self.layers: dict[str, Partial] = {}
        self.provenance: dict[str, str] = {}
        self.add(*partials)

    def add(self, *partials: Partial) -> None:
        """Layers that could only be read once a field was picked (the headline area, the body)."""
        for partial in partials:
            self.layers[partial.layer] = partial

    def _ordered(self, field: str) -> list[Partial]:
        return [self.layers[name] for name in ORDER[field] if name in self.layers]

    def text(self, field: str) -> str | None:
        """The first non-empty value, whitespace-normalized; its layer goes into provenance."""
        for partial in self._ordered(field):
            value = getattr(partial, field)
            text = normalize_text(value) if value else ""
            if text:
                self.provenance[field] = partial.provenance
                return text
        return None

    def values(self, field: str) -> tuple[str, ...]:
        """The first layer's non-empty list, normalized and without repeats."""
        for partial in self._ordered(field):
            clean = tuple(
                dict.fromkeys(t for t in map(normalize_text, getattr(partial, field)) if t)
            )
            if clean:
                self.provenance[field] = partial.provenance
                return clean
        return ()

    def candidates(self) -> list[Candidate]:
        """Every publication date candidate, in layer order (pick_date chooses among them)."""
        return [c for partial in self._ordered("dates") for c in partial.dates]

    def modified(self) -> list[str]:
        """Every modification date text, in layer order."""
        return [t for partial in self._ordered("updated") for t in partial.updated if t]

    def summary(self) -> str | None:
        text = self.text("summary")
        return trim_summary(text) if text else None

    def lang(self) -> str | None:
        """As a primary subtag: "id-ID", "id_ID" -> "id"; "in" (withdrawn ISO code) -> "id"."""
        value = self.text("lang")
        if value is None:
            return None
        primary = re.split(r"[-_]", value.lower(), maxsplit=1)[0]
        return "id" if primary == "in" else primary
