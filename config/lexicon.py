"""Load the word lists the region tagger and byline reader use from config/lexicon.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from config.catalogue import CatalogueError

__all__ = [
    "KINDS",
    "Lexicon",
    "LexiconError",
    "catalogue_lexicon",
    "default_lexicon",
    "load_lexicon",
    "parse_lexicon",
]

KINDS = ("regency", "city", "province")
# entry -> its fields; every field is a list of words. Fields not listed here are typos.
_SCHEMA: dict[str, tuple[str, ...]] = {
    "names": ("common", "national_capitals", "designators"),
    "before": KINDS,
    "after": KINDS,
    "context": ("locatives", "features", "speech", "quoted_at", "agencies"),
    "dateline": ("site_suffixes",),
    "authors": ("generic",),
}
# Lists a tagger cannot work without: an empty one would make the built pattern match nothing
# useful (or everything), so say so at load rather than tag wrongly.
_NON_EMPTY = frozenset({("context", "locatives")})


class LexiconError(CatalogueError):
    """A lexicon file is malformed; the message names the file, the entry and the field."""


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Language and country words, each a tuple of literal strings (see config/lexicon.toml)."""

    common: frozenset[str]
    national_capitals: frozenset[str]
    designators: tuple[str, ...]
    before: dict[str, tuple[str, ...]]  # kind -> qualifier words before a name
    after: dict[str, tuple[str, ...]]  # kind -> qualifier words after a name
    locatives: tuple[str, ...]
    features: tuple[str, ...]
    speech: tuple[str, ...]
    quoted_at: tuple[str, ...]
    agencies: frozenset[str]
    site_suffixes: tuple[str, ...]
    generic_authors: frozenset[str]


def _words(label: str, entry: str, field: str, value: Any) -> tuple[str, ...]:
    where = f"{label}: entry {entry}: field {field!r}"
    if value is None:
        raise LexiconError(f"{where} is required")
    if not isinstance(value, list):
        raise LexiconError(f"{where} must be a list of strings")
    for i, word in enumerate(value):
        if not isinstance(word, str) or not word.strip() or word != word.strip():
            raise LexiconError(f"{where}: item {i + 1} ({word!r}) must be a non-empty string")
    if not value and (entry, field) in _NON_EMPTY:
        raise LexiconError(f"{where} must not be empty")
    return tuple(value)


def parse_lexicon(text: str, label: str) -> Lexicon:
    """Validate a lexicon's TOML text; `label` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{label}: not valid TOML: {exc}") from None
    for entry in data:
        if entry not in _SCHEMA:
            raise LexiconError(f"{label}: entry {entry}: unknown entry; known: {sorted(_SCHEMA)}")
    lists: dict[tuple[str, str], tuple[str, ...]] = {}
    for entry, fields in _SCHEMA.items():
        table = data.get(entry)
        if not isinstance(table, dict):
            raise LexiconError(f"{label}: entry {entry}: missing (a table of word lists)")
        for field in table:
            if field not in fields:
                raise LexiconError(f"{label}: entry {entry}: field {field!r} is unknown")
        for field in fields:
            lists[entry, field] = _words(label, entry, field, table.get(field))
    return Lexicon(
        common=frozenset(lists["names", "common"]),
        national_capitals=frozenset(lists["names", "national_capitals"]),
        designators=lists["names", "designators"],
        before={kind: lists["before", kind] for kind in KINDS},
        after={kind: lists["after", kind] for kind in KINDS},
        locatives=lists["context", "locatives"],
        features=lists["context", "features"],
        speech=lists["context", "speech"],
        quoted_at=lists["context", "quoted_at"],
        agencies=frozenset(lists["context", "agencies"]),
        site_suffixes=lists["dateline", "site_suffixes"],
        generic_authors=frozenset(w.lower() for w in lists["authors", "generic"]),
    )


def load_lexicon(path: Path | None = None) -> Lexicon:
    """The lexicon at `path`, else the bundled config/lexicon.toml."""
    if path is not None:
        try:
            return parse_lexicon(path.read_text(encoding="utf-8"), str(path))
        except OSError as exc:
            raise LexiconError(f"{path}: cannot read: {exc.strerror}") from None
    text = (resources.files("config") / "lexicon.toml").read_text(encoding="utf-8")
    return parse_lexicon(text, "config/lexicon.toml")


def catalogue_lexicon(folder: Path | None) -> Lexicon:
    """The lexicon of a WARTA_CATALOGUE folder (its lexicon.toml), else the bundled one."""
    path = None if folder is None else folder / "lexicon.toml"
    return load_lexicon(path) if path is not None and path.is_file() else default_lexicon()


@cache
def default_lexicon() -> Lexicon:
    """The bundled lexicon, read once: for code paths with no catalogue at hand (bylines)."""
    return load_lexicon()
