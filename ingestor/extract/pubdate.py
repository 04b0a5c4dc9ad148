"""Choose a page's publication date among its candidates (rules, JSON-LD, meta, page, feed, URL)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo

from database.records import DateSource
from ingestor.extract.dates import ParsedDate, parse_date

__all__ = ["Candidate", "DatePick", "lead_date", "pick_date", "url_date"]

# Within this distance an explicit-offset date and a "Z" or zone-less one are the same instant
# misread; farther apart they are different events (an update, a related story).
_SAME_STORY = timedelta(hours=14)
_HALF_HOUR = timedelta(minutes=30)
_RESAVED = timedelta(days=30)
_FINER: dict[str, tuple[str, ...]] = {"day": ("minute", "second"), "minute": ("second",)}
_URL_DATE = re.compile(
    r"/(20\d{2}|19\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
# Squarespace and some blogs drop the leading zeros, but only between slashes: /2017/7/12/.
_URL_SHORT = re.compile(r"/(20\d{2}|19\d{2})/([1-9]|1[0-2])/([1-9]|[12]\d|3[01])/")
# Day first, as German and Indonesian CMSs write it into slugs: /~02-01-2022-land-zahlte, /29-10-2021.
_URL_DMY = re.compile(
    r"[/~_-](0[1-9]|[12]\d|3[01])[.-]?(0[1-9]|1[0-2])[.-]?(20\d{2}|19\d{2})(?:[/_.-]|$)"
)

# Only a numeric day followed by a separator or an opening quote: a sentence that starts with
# "12 March 2020 was ..." is prose, but "12.03.2020 – Text" is a dateline.
_LEAD_DATE = re.compile(
    r"\s*((?:[0-3]?\d\.[01]?\d\.(?:19|20)\d\d|(?:19|20)\d\d-[01]\d-[0-3]\d)(?:,? \d\d?:\d\d)?)"
    r"(?:\s*[-–—:|/]\s|\s+[„“\"«])"
)

_LEAD_REACH = 3
_LEAD_SHORT = 250  # characters: a kicker, subheading or standfirst above the story is shorter


@dataclass(frozen=True, slots=True)
class Candidate:
    """A date string found somewhere on the page, and which layer found it."""

    text: str
    source: DateSource


@dataclass(frozen=True, slots=True)
class DatePick:
    """The chosen date and where it came from."""

    parsed: ParsedDate
    source: DateSource


def pick_date(candidates: list[Candidate], *, tz: tzinfo, now: datetime) -> DatePick | None:
    """The first parseable candidate in layer order, with two corrections.

    An explicit offset beats a bare "Z" or an assumed zone for the same story (detik labels
    WIB times "Z"), and a more precise candidate inside the chosen one's day or minute wins
    (the page prints "20:59 WIB", JSON-LD has 20:59:53+07:00).
    """
    parsed: list[DatePick] = []
    for candidate in candidates:
        value = parse_date(candidate.text, tz=tz, now=now)
        if value is not None:
            parsed.append(DatePick(value, candidate.source))
    if not parsed:
        return None
    best = parsed[0]
    in_url = next((p for p in parsed if p.source == "url"), None)
    if in_url is not None:
        # The day the newsroom wrote into the URL is fixed when the story is first published.
        # A date read from the page's text that disagrees can be another story's or an
        # event's; metadata dated months after it is a re-save stamped as "published".
        gap = _day(best.parsed, tz) - in_url.parsed.value.date()
        if (best.source == "page" and gap) or gap > _RESAVED:
            best = in_url
    if best.parsed.zone_source != "explicit":
        for other in parsed[1:]:
            if other.parsed.zone_source == "explicit" and _near(other, best):
                best = other
                break
    # Refine step by step: a bare day to a time of day, a minute to a second.
    for finer in _FINER.get(best.parsed.precision, ()):
        for other in parsed:
            if other.parsed.precision == finer and _within(other.parsed, best.parsed, tz):
                best = other
                break
    return _in_local_time(best, parsed)


def url_date(url: str) -> str | None:
    """A "YYYY-MM-DD" date written into the URL path (/2024/05/01/ or /20240501/), if any."""
    path = url.split("?", 1)[0]
    m = _URL_DATE.search(path)
    if m:
        return f"{m[1]}-{m[2]}-{m[3]}"
    m = _URL_SHORT.search(path)
    if m:
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    m = _URL_DMY.search(path)
    return f"{m[3]}-{m[2]}-{m[1]}" if m else None


def lead_date(paragraphs: Sequence[str]) -> str | None:
    """A full date opening the story's first paragraph, as press releases print it:
    "01.02.2022 „Der Arbeitsmarkt ...", "27.1.2022 - Bei der Erinnerung ...", "2021-03-04: ...".

    Short lines before it (a kicker, a subheading) are passed over; a date opening a later
    paragraph is a chronology's entry, not the story's date.
    """
    for paragraph in paragraphs[:_LEAD_REACH]:
        m = _LEAD_DATE.match(paragraph)
        if m:
            return m[1]
        if len(paragraph) >= _LEAD_SHORT:
            break
    return None


def _in_local_time(best: DatePick, parsed: list[DatePick]) -> DatePick:
    """A UTC timestamp re-expressed in the newsroom's offset when the page prints the same instant
    as a local clock time ("2023-11-09T03:28:35Z" and "Nov. 8, 2023, 10:28 p.m. ET").

    The instant is unchanged; the kept text and offset are the page's own, so the record shows
    the day the newsroom published on rather than the UTC day. The clocks must differ by whole
    or half hours within a day's worth of zones, to the minute: another event is not that.
    """
    value = best.parsed.value
    if value.utcoffset() != timedelta(0) or best.parsed.precision == "day":
        return best
    utc_clock = value.replace(tzinfo=None, second=0, microsecond=0)
    for other in parsed:
        local = other.parsed.value
        if other.parsed.zone_source == "explicit" and local.utcoffset() and local == value:
            # The same instant printed with the newsroom's own offset: keep that form.
            return DatePick(replace(best.parsed, value=local, raw=other.parsed.raw), best.source)
        if other.parsed.zone_source != "assumed" or other.parsed.precision == "day":
            continue
        if local.second and local.second != value.second:
            continue
        shift = local.replace(tzinfo=None, second=0, microsecond=0) - utc_clock
        if shift and abs(shift) <= _SAME_STORY and shift % _HALF_HOUR == timedelta(0):
            moved = value.astimezone(timezone(shift))
            return DatePick(replace(best.parsed, value=moved, raw=other.parsed.raw), best.source)
    return best


def _within(finer: ParsedDate, coarse: ParsedDate, tz: tzinfo) -> bool:
    """Whether `finer` falls inside the day or minute that `coarse` names."""
    if coarse.precision == "day":
        return finer.value.astimezone(coarse.value.tzinfo or tz).date() == coarse.value.date()
    return finer.value.replace(second=0, microsecond=0) == coarse.value


def _day(parsed: ParsedDate, tz: tzinfo) -> date:
    """The calendar day a date names where it was written (its own offset, else the source's)."""
    return parsed.value.astimezone(parsed.value.tzinfo or tz).date()


def _near(a: DatePick, b: DatePick) -> bool:
    return abs(a.parsed.value - b.parsed.value) <= _SAME_STORY
