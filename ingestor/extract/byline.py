"""Read authors from bylines and credit footers ("Pewarta: X Editor: Y COPYRIGHT © ANTARA 2024")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from config.lexicon import default_lexicon

__all__ = ["Footer", "authors_from_byline", "is_footer", "parse_footer"]

# Labels of a credit line. No word boundary before them: ANTARA glues "SavitriEditor:" together.
_LABEL = re.compile(
    r"(pewarta|penulis|reporter|wartawan|kontributor|editor|penyunting|redaktur|penerjemah"
    r"|fotografer|foto|sumber)\s*:\s*",
    re.IGNORECASE,
)
# A copyright mark ends the last credit value.
_COPYRIGHT = re.compile(r"copyright\b|\(c\)\s*\d{4}|©", re.IGNORECASE)
_FOOTER_START = re.compile(
    r"^\W*(?:(?:pewarta|penulis|reporter|editor|penyunting|redaktur|penerjemah|fotografer)\s*:"
    r"|copyright\s*©|©\s*\w)",
    re.IGNORECASE,
)
_WRITERS = frozenset({"pewarta", "penulis", "reporter", "wartawan", "kontributor"})
_PREFIX = re.compile(
    r"^\W*(?:oleh|by|penulis|reporter|pewarta|wartawan|kontributor|ditulis oleh|diposting oleh"
    r"|posted by)\b\s*:?\s*",
    re.IGNORECASE,
)
# Site names glued to a byline: "Andi Saputra - detikNews", "Andi | Kompas.com".
_SITE_SUFFIX = re.compile(r"\s*[-|–—]\s*\S*(?:news|\.com|\.co\.id|\.id)\S*\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|&|/|\band\b|\bdan\b)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"https?:|www\.|\.com\b|\.co\.id\b|@|\d", re.IGNORECASE)
# Desks and teams sign as "Tim Redaksi Banua", "Redaksi Kalselpos": not people.
_DESK = re.compile(r"^tim\b|\bredaksi\b|\badmin\b|\bdesk\b")


@dataclass(frozen=True, slots=True)
class Footer:
    """A credit footer split by role; editors and translators are not authors."""

    authors: tuple[str, ...]
    editors: tuple[str, ...]
    translators: tuple[str, ...]


def is_footer(line: str) -> bool:
    """Whether a text line is a credit or copyright line (boilerplate to drop from the body)."""
    return _FOOTER_START.match(line) is not None


def parse_footer(text: str) -> Footer | None:
    """Split a credit footer into roles; None when `text` carries no labelled credit."""
    labels = list(_LABEL.finditer(text))
    if not labels:
        return None
    roles: dict[str, list[str]] = {"writer": [], "editor": [], "translator": []}
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        value = text[m.end() : end]
        stop = _COPYRIGHT.search(value)
        value = value[: stop.start()] if stop else value
        value = value.split("|", 1)[0]  # "Penulis: X | Senin, 12 Februari 2024": fields end at "|"
        label = m[1].lower()
        role = "writer" if label in _WRITERS else label
        role = {"penyunting": "editor", "redaktur": "editor", "penerjemah": "translator"}.get(
            role, role
        )
        if role in roles:
            roles[role].extend(_names(value))
    return Footer(
        authors=tuple(dict.fromkeys(roles["writer"])),
        editors=tuple(dict.fromkeys(roles["editor"])),
        translators=tuple(dict.fromkeys(roles["translator"])),
    )


def authors_from_byline(text: str) -> tuple[str, ...]:
    """Author names from a byline element or meta value ("Oleh Andi dan Budi - detikNews")."""
    text = " ".join(text.split())
    if _LABEL.search(text):
        footer = parse_footer(text)
        return footer.authors if footer else ()
    text = _SITE_SUFFIX.sub("", _PREFIX.sub("", text))
    return tuple(dict.fromkeys(_names(text)))


def _names(value: str) -> list[str]:
    names = []
    for part in _SPLIT.split(value):
        name = re.sub(r"\s*\(.*?\)\s*", " ", part)  # "(ANTARA)", "(kontributor)" and the like
        name = " ".join(name.split()).strip(" |-–—.:()")
        if name and is_plausible_name(name):
            names.append(name)
    return names


def is_plausible_name(name: str) -> bool:
    """Reject values that are sites, URLs, dates or desks rather than people."""
    low = name.lower()
    return (
        len(name) <= 60
        and not _NOT_A_NAME.search(name)
        and low not in default_lexicon().generic_authors
        and not _DESK.search(low)
    )
