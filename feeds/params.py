"""Check a feed or API request's query parameters and turn them into one frozen FeedParams."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "MAX_PAGE", "MAX_PATTERN", "MAX_REPEAT", "Cursor", "FeedParams", "ParamError", "parse_params",
]  # fmt: skip

# A regular expression longer than this is refused: length is the first bound on how much
# work a pattern can ask of the database (the query timeout is the second).
MAX_PATTERN = 200
MAX_QUERY = 200
# `page` counts pages with OFFSET; deep offsets cost a scan each, and the `next` links we hand
# out use the cursor anyway, so numbered pages stop here.
MAX_PAGE = 100

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REGION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$")
_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_CURSOR = re.compile(r"^([0-9a-f]{1,16})-([0-9a-f]{1,16})$")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
# Order of the canonical query string: it is the cache key and the basis of every link we emit.
_ORDER = ("region", "topic", "source", "q", "since", "until", "lang", "filter", "filterout")


class ParamError(ValueError):
    """A query parameter is malformed; the message names it and says why (HTTP 400)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in ingestion order: the inserting transaction's id, then the article id."""

    xid: int
    id: int

    def token(self) -> str:
        return f"{self.xid:x}-{self.id:x}"

    @classmethod
    def parse(cls, token: str) -> Cursor:
        match = _CURSOR.match(token)
        if not match or max(int(match[1], 16), int(match[2], 16)) >= 2**63:
            # Both halves are PostgreSQL bigints (xid8 values stay far below 2**63).
            raise ParamError("cursor: not a cursor this server handed out")
        return cls(int(match[1], 16), int(match[2], 16))


@dataclass(frozen=True, slots=True)
class FeedParams:
    """What a request asks for, checked for form (the handler checks that slugs exist)."""

    limit: int
    regions: tuple[str, ...] = ()  # region keys an article must be linked to, all of them
    topics: tuple[str, ...] = ()
    source: str | None = None
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    lang: str | None = None
    filter: str | None = None  # already in PostgreSQL's regular expression dialect
    filterout: str | None = None
    duplicates: bool = False
    page: int | None = None
    cursor: Cursor | None = None
    # The user's filters and limit in canonical form (path parts excluded): cache keys, links.
    query: tuple[tuple[str, str], ...] = ()

    @property
    def paged(self) -> bool:
        """Paged documents walk ingestion order; the plain feed is newest published first."""
        return self.page is not None or self.cursor is not None

    def query_string(self, **position: str | int) -> str:
        """The canonical query string, with `page`/`cursor` replaced by `position`."""
        return urlencode([*self.query, *((k, str(v)) for k, v in position.items())])

    def with_scope(self, regions: tuple[str, ...], topics: tuple[str, ...]) -> FeedParams:
        """Add the path's region or topic in front of the parameters' own."""
        return replace(
            self,
            regions=tuple(dict.fromkeys(regions + self.regions)),
            topics=tuple(dict.fromkeys(topics + self.topics)),
        )


# Nested counted repeats multiply: PostgreSQL expands `(x{1,20}){1,255}` into thousands of
# copies of x before it reads a row. Beyond this product a pattern is refused up front.
MAX_REPEAT = 1000
_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}")


def _costly(pattern: str) -> str | None:
    """Why this pattern is too costly in itself to run over articles, or None.

    Two constructs make a pattern slow whatever the load: a backreference (PostgreSQL then
    backtracks, exponentially in the worst case) and counted repeats nested deep enough to
    blow up the automaton. Everything else runs in time linear in the text, so a pattern
    that passes here and still times out was slowed by the server's load (then 503, not 400).
    """
    stack: list[int] = [1]  # per open group: the largest repeat product inside it so far
    last = 1  # the repeat product of the atom just read (a closed group carries its inside)
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            if not in_class and pattern[i + 1] in "123456789":
                return "backreferences are too expensive to evaluate"
            last, i = 1, i + 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class, last = True, 1
        elif char == "(":
            stack.append(1)
        elif char == ")" and len(stack) > 1:
            last = stack.pop()
        elif char == "{" and (count := _COUNT.match(pattern, i)):
            low, comma, high = count.groups()
            times = int(high) if high else int(low) + (1 if comma else 0)
            last *= max(times, 1)
            if last > MAX_REPEAT:
                return f"nested repeats over {MAX_REPEAT} are too expensive to evaluate"
            i = count.end()
            stack[-1] = max(stack[-1], last)
            continue
        elif char not in "*+?|":
            last = 1
        stack[-1] = max(stack[-1], last)
        i += 1
    return None


def postgres_regex(pattern: str, name: str) -> str:
    """A Python/JavaScript-style pattern in PostgreSQL's ARE dialect, within the length cap.

    The dialects agree on what feed filters use (alternation, classes, anchors, quantifiers)
    except word boundaries: `\\b` is a backspace in an ARE, `\\y` is the boundary.
    """
    if not pattern:
        raise ParamError(f"{name}: empty pattern")
    if len(pattern) > MAX_PATTERN:
        raise ParamError(f"{name}: pattern longer than {MAX_PATTERN} characters")
    if _CONTROL.search(pattern):
        raise ParamError(f"{name}: control characters are not allowed")
    if reason := _costly(pattern):
        raise ParamError(f"{name}: {reason}")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if not in_class and escaped in "bB":
                out.append("\\y" if escaped == "b" else "\\Y")
            else:
                out.append(char + escaped)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def _time(value: str, name: str) -> datetime:
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise ParamError(f"{name}: not an RFC 3339 time like 2025-12-18T08:00:00Z") from None
    if stamp.tzinfo is None:
        raise ParamError(f"{name}: give a UTC offset or Z (RFC 3339)")
    return stamp


def _int(value: str, name: str, lo: int, hi: int) -> int:
    # ASCII digits only: str.isdigit() also accepts superscripts that int() refuses.
    if not (value.isascii() and value.isdigit()) or not lo <= int(value) <= hi:
        raise ParamError(f"{name}: must be a whole number from {lo} to {hi}")
    return int(value)


def _one(multi: Mapping[str, list[str]], name: str) -> str | None:
    values = multi.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ParamError(f"{name}: give it once")
    value = values[0]
    if _CONTROL.search(value):
        raise ParamError(f"{name}: control characters are not allowed")
    return value


def parse_params(
    multi: Mapping[str, list[str]], *, default_limit: int, max_limit: int
) -> FeedParams:
    """FeedParams from the query's values per name; unknown names are ignored.

    Raises:
        ParamError: naming the first bad parameter.
    """
    get: dict[str, str] = {}
    for name in (*_ORDER, "limit", "duplicates", "page", "cursor"):
        value = _one(multi, name)
        if value is not None:
            get[name] = value
    values: dict[str, Any] = {}
    canonical: dict[str, str] = {}
    if (region := get.get("region")) is not None:
        if not _REGION.match(region):
            raise ParamError("region: not a region key like kalsel or kalsel/tapin")
        values["regions"] = (region,)
        canonical["region"] = region
    if (topic := get.get("topic")) is not None:
        if not _SLUG.match(topic):
            raise ParamError("topic: not a topic slug like ekonomi")
        values["topics"] = (topic,)
        canonical["topic"] = topic
    if (source := get.get("source")) is not None:
        if not _SOURCE.match(source):
            raise ParamError("source: not a source id")
        values["source"] = canonical["source"] = source
    if (q := get.get("q")) is not None and q.strip():
        q = " ".join(q.split())
        if len(q) > MAX_QUERY:
            raise ParamError(f"q: longer than {MAX_QUERY} characters")
        values["q"] = canonical["q"] = q
    for name in ("since", "until"):
        if (raw := get.get(name)) is not None:
            values[name] = _time(raw, name)
            canonical[name] = raw
    if "since" in values and "until" in values and values["since"] > values["until"]:
        raise ParamError("since: later than until")
    if (lang := get.get("lang")) is not None:
        if not _LANG.match(lang):
            raise ParamError("lang: not a language code like id or en")
        values["lang"] = canonical["lang"] = lang
    for name in ("filter", "filterout"):
        if (pattern := get.get(name)) is not None:
            values[name] = postgres_regex(pattern, name)
            canonical[name] = pattern
    if (dup := get.get("duplicates")) is not None:
        if dup not in ("0", "1", "true", "false"):
            raise ParamError("duplicates: 1 shows syndicated copies, 0 (default) hides them")
        values["duplicates"] = dup in ("1", "true")
    limit = default_limit if "limit" not in get else _int(get["limit"], "limit", 1, max_limit)
    if "page" in get and "cursor" in get:
        raise ParamError("page: give page or cursor, not both")
    if (page := get.get("page")) is not None:
        values["page"] = _int(page, "page", 1, MAX_PAGE)
    if (cursor := get.get("cursor")) is not None:
        values["cursor"] = Cursor.parse(cursor)
    query = [(k, canonical[k]) for k in _ORDER if k in canonical]
    if values.get("duplicates"):
        query.append(("duplicates", "1"))
    if limit != default_limit:  # the default is left out: the plain feed URL stays plain
        query.append(("limit", str(limit)))
    return FeedParams(limit=limit, query=tuple(query), **values)
