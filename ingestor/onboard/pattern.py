"""Infer a site's article URL pattern from the links it shows, with examples either side.

Links are reduced to path shapes: a number stays a number, a slug ("banjir-rob-di-kotabaru")
or a mixed token ("d-7654321", "story.html") becomes "anything but a slash", a plain word
("berita", "read") stays literal. URLs known to be articles (items of a feed or a news
sitemap) vote for their shape; without them, shapes whose last part looks like a story (a long
slug or a long number) are counted among the page's links. Positions where the winning URLs
disagree on a word (sections: /ekonomi/..., /hukum/...) become "anything" too, so a new
section never hides its stories.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["PatternGuess", "infer_pattern"]

_WORD = re.compile(r"^[a-z]+$")
_DIGITS = re.compile(r"^\d+$")
_SLUG_PART = re.compile(r"[a-z0-9]+")
_PREFIXED_ID = re.compile(r"^([a-z]{1,3}-?)\d{4,}$")
_MIN_STORY_ID = 5  # digits: "/berita/529420" is a story, "/terkini/2" a page
_MIN_SLUG_WORDS = 3
_EXAMPLES = 5
_ANY = "[^/]+"


@dataclass(frozen=True, slots=True)
class PatternGuess:
    """A proposed `article_pattern` (a regular expression on the URL path) and its evidence."""

    pattern: str
    support: int  # how many known or story-like URLs have the winning shape
    matching: tuple[str, ...]
    not_matching: tuple[str, ...]


def _token(segment: str, position: int, segments: Sequence[str]) -> str:
    """The shape of one path segment: a literal word or a generalized class."""
    low = segment.lower()
    if _DIGITS.match(low):
        if len(low) == 4 and 1990 <= int(low) <= 2100:
            return r"\d{4}"
        if (
            len(low) <= 2
            and position > 0
            and re.fullmatch(r"\d{4}|\d{1,2}", segments[position - 1])
        ):
            return r"\d{1,2}"  # month or day after a year
        return r"\d+"
    prefixed = _PREFIXED_ID.match(low)
    if prefixed:  # "d-7654321": a site's id scheme, kept with its prefix
        return "~" + re.escape(prefixed[1]) + r"\d+"
    if _WORD.match(low) and len(low) <= 24:
        return "=" + low  # a literal word, marked so it cannot collide with a class
    return _ANY


def _shape(path: str) -> tuple[str, ...]:
    segments = [s for s in path.split("/") if s]
    return tuple(_token(s, i, segments) for i, s in enumerate(segments))


def _story_like(path: str) -> bool:
    """Whether a path ends the way story URLs do: a long slug or a long numeric id."""
    segments = [s for s in path.lower().split("/") if s]
    if not segments:
        return False
    last = re.sub(r"\.(?:s?html?|php|aspx?)$", "", segments[-1])
    words = _SLUG_PART.findall(last)
    if len(words) >= _MIN_SLUG_WORDS and ("-" in last or "_" in last):
        return True
    return any(
        (_DIGITS.match(s) is not None and len(s) >= _MIN_STORY_ID)
        or _PREFIXED_ID.match(s) is not None
        for s in segments
    )


def _paths(urls: Iterable[str], host: str) -> list[str]:
    out: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        if parts.netloc.lower() == host and parts.path not in ("", "/"):
            out.append(parts.path)
    return out


def _regex(shape: tuple[str, ...], paths: list[str]) -> str:
    """The expression for a winning shape; literal words the paths disagree on become `_ANY`."""
    columns: list[set[str]] = [set() for _ in shape]
    for path in paths:
        segments = [s for s in path.split("/") if s]
        for i, segment in enumerate(segments[: len(shape)]):
            columns[i].add(segment.lower())
    parts = []
    for i, token in enumerate(shape):
        if token.startswith("="):
            parts.append(re.escape(token[1:]) if len(columns[i]) == 1 else _ANY)
        elif token.startswith("~"):
            parts.append(token[1:])
        else:
            parts.append(token)
    return "^/" + "/".join(parts) + "/?$"


def _merged(shape: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_ANY if t.startswith("=") else t for t in shape)


def infer_pattern(base_url: str, known: Iterable[str], links: Iterable[str]) -> PatternGuess | None:
    """The article pattern of a site; None when no shape has enough story-like URLs.

    Args:
        base_url: the site's home page (links to other hosts are ignored).
        known: URLs known to be articles (feed items, news sitemap entries).
        links: every other link seen on the site's pages, shown as examples either side.
    """
    host = urlsplit(base_url).netloc.lower()
    known_paths = _paths(known, host)
    link_paths = _paths(links, host)
    voters = known_paths or [p for p in link_paths if _story_like(p)]
    if len(voters) < 2:
        return None
    # Shapes that differ only in a section word vote together.
    votes = Counter(_merged(_shape(p)) for p in voters)
    merged, support = votes.most_common(1)[0]
    winners = [p for p in voters if _merged(_shape(p)) == merged]
    exact = Counter(_shape(p) for p in winners).most_common(1)[0][0]
    same = all(_shape(p) == exact for p in winners)
    pattern = _regex(exact if same else merged, winners)
    compiled = re.compile(pattern)
    everything = list(dict.fromkeys([*known_paths, *link_paths]))
    matching = [p for p in everything if compiled.search(p)]
    not_matching = [p for p in everything if not compiled.search(p)]
    return PatternGuess(
        pattern=pattern,
        support=support,
        matching=tuple(matching[:_EXAMPLES]),
        not_matching=tuple(not_matching[:_EXAMPLES]),
    )
