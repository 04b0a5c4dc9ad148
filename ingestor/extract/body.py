"""Get the article text: the site's body rule, its learned template, the density finder, trafilatura."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from database.records import Related
from ingestor.extract.appeals import drop_appeals
from ingestor.extract.byline import Footer
from ingestor.extract.clean import Body, clean_body, clean_lines, normalize_text
from ingestor.extract.dates import parse_date
from ingestor.extract.generic import find_body
from ingestor.extract.rules import body_containers
from ingestor.sources import SiteRules

__all__ = ["BodyResult", "extract_body"]

# A longer opening line is prose, not a date or byline line.
_FURNITURE_MAX = 60
_FURNITURE_WORDS = 8
_BYLINE_LINE = re.compile(r"^\W*(?:oleh|by|penulis|reporter|ditulis oleh)\b", re.IGNORECASE)
_MIN_TEXT = 25
# Characters under which a generic body is checked against trafilatura's (a teaser, a caption).
_SHORT_BODY = 200
# A Chinese, Japanese or Korean character carries about a word: a 150-character lead in those
# scripts is a paragraph, not a teaser, so each counts as three toward _SHORT_BODY.
_WIDE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True, slots=True)
class BodyResult:
    """Cleaned paragraphs plus what cleaning set apart, and which method found the body."""

    paragraphs: tuple[str, ...]
    related: tuple[Related, ...]
    footer: Footer | None
    caption: str | None
    method: str


def extract_body(
    root: Any,
    html: str,
    url: str,
    rules: SiteRules | None,
    title: str,
    now: datetime,
    learned: SiteRules | None = None,
) -> BodyResult:
    """The body by the first method that yields paragraphs (the tree is modified).

    Site rules first, then the template learned from the site's pages, then the generic finder.
    """
    remove = rules.remove if rules is not None else ()
    for layer, method in ((rules, "rules"), (learned, "template")):
        if layer is None or not layer.body:
            continue
        containers = body_containers(root, layer)
        by_name = True
        if containers and method == "template":
            containers, by_name = _within(containers, title)
        if containers:
            both = tuple(dict.fromkeys((*remove, *layer.remove)))
            body = clean_body(containers, base_url=url, remove=both, by_name=by_name)
            if body.paragraphs:
                return _result(body, method, title, now)
    containers = find_body(root, title)
    if containers:
        body = clean_body(containers, base_url=url, remove=remove, by_name=False)
        if _weight(body.paragraphs) >= _SHORT_BODY:
            return _result(body, "generic", title, now)
        if body.paragraphs:
            # A few lines only: the finder may have picked a teaser; trafilatura gets a say.
            other = _trafilatura(html, title, now)
            if sum(map(len, other.paragraphs)) > sum(map(len, body.paragraphs)):
                return other
            return _result(body, "generic", title, now)
    return _trafilatura(html, title, now)


def _within(containers: list[Any], title: str) -> tuple[list[Any], bool]:
    """The story inside a learned template's containers, by the generic finder; else them whole.

    A learned selector names the block whose text varies from page to page, and on real sites
    that block also holds what varies but is not story: a video playlist, captions and photo
    counters, the author's bio, a rating widget. The finder, held inside the block (it never
    climbs past it), prunes those as it does on a whole page; the template keeps it from
    wandering off to another block. Measured on the corpora's multi-page hosts, learned from all
    of a host's pages: 32 pages changed against the generic path, 14 lost, before; 14 changed,
    2 lost, after (`bench/templates.py`).
    """
    inner = [found for container in containers for found in find_body(container, title)]
    # Whole-word names only for the finder's picks: it has pruned them by its own, stricter test.
    return (inner, False) if inner else (containers, True)


def _weight(paragraphs: tuple[str, ...]) -> int:
    """Length toward the short-body check, wide-script characters counting as three."""
    text = "".join(paragraphs)
    return len(text) + 2 * len(_WIDE_SCRIPT.findall(text))


def _result(body: Body, method: str, title: str, now: datetime) -> BodyResult:
    paragraphs = _drop_dangling(_drop_furniture(list(body.paragraphs), title, now))
    if method != "rules":
        # Hand rules were written for the site and say what its body is; other methods
        # take whatever the container holds, the newsroom's closing appeals included.
        paragraphs = _drop_dangling(drop_appeals(_drop_repeats(paragraphs)))
    return BodyResult(tuple(paragraphs), body.related, body.footer, body.caption, method)


def _drop_furniture(paragraphs: list[str], title: str, now: datetime) -> list[str]:
    """Leading title repeats, date and byline lines that sit inside the body container."""
    key = normalize_text(title).casefold()
    while paragraphs:
        lines = paragraphs[0].split("\n")
        while lines and (lines[0].casefold() == key or _is_furniture(lines[0], now)):
            lines.pop(0)
        if lines:
            paragraphs[0] = "\n".join(lines)
            break
        paragraphs.pop(0)
    return paragraphs


_LABEL_MAX = 80
_REPEAT_MIN = 80  # characters: shorter lines (a tweet's signature, "* * *") may well come twice


def _drop_repeats(paragraphs: list[str]) -> list[str]:
    """Later copies of a paragraph: a page printing its intro twice (slideshow, mobile copy)."""
    seen: set[str] = set()
    out = []
    for p in paragraphs:
        if len(p) >= _REPEAT_MIN:
            if p in seen:
                continue
            seen.add(p)
        out.append(p)
    return out


def _drop_dangling(paragraphs: list[str]) -> list[str]:
    """Closing labels whose content was cleaned away ("Kontakt:", "Weitere Informationen:")."""
    while paragraphs:
        lines = paragraphs[-1].split("\n")
        while lines and len(lines[-1]) < _LABEL_MAX and lines[-1].rstrip().endswith(":"):
            lines.pop()
        if lines:
            paragraphs[-1] = "\n".join(lines)
            break
        paragraphs.pop()
    return paragraphs


def _is_furniture(line: str, now: datetime) -> bool:
    """A short line that is only a date ("Rabu, 1 Mei 2024 08:00") or a byline ("Oleh Andi")."""
    if len(line) > _FURNITURE_MAX or len(line.split()) > _FURNITURE_WORDS:
        return False
    if line.rstrip().endswith((".", "?", "!", '"', "”")):
        return False  # a sentence that happens to carry a date
    if _BYLINE_LINE.match(line):
        return True
    # The zone does not matter: we only ask whether the line is a date, not which one.
    return parse_date(line, tz=UTC, now=now) is not None


def _trafilatura(html: str, title: str, now: datetime) -> BodyResult:
    """Last resort for pages our finder cannot read; imported lazily, it is slow to load."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False)
    # A menu label or a cookie line is not an article; demand what the finder demands of prose.
    if not text or len(str(text).strip()) < _MIN_TEXT:
        return BodyResult((), (), None, None, "none")
    related: list[Related] = []
    footers: list[Footer] = []
    no_links: list[tuple[str, str]] = []
    lines = [(normalize_text(line), no_links) for line in str(text).splitlines()]
    kept = clean_lines(lines, related, footers)
    footer = footers[0] if footers else None
    return BodyResult(tuple(_drop_furniture(kept, title, now)), (), footer, None, "trafilatura")
