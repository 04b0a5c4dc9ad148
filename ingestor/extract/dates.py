"""Parse the dates news pages print (Indonesian, English, RFC 822, ISO 8601, relative) to aware times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

from ingestor.extract.months import MONTHS

__all__ = ["ParsedDate", "Precision", "ZoneSource", "parse_date"]

Precision = Literal["second", "minute", "day"]
# Where the offset came from: printed on the page, a bare UTC label ("Z", "GMT"), or assumed
# from the source's zone. A bare "Z" is the least trusted: detik labels local WIB times with it.
ZoneSource = Literal["explicit", "utc", "assumed"]


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """One parsed date: an aware `value`, the `raw` string it came from, and how precise it is."""

    value: datetime
    raw: str
    precision: Precision
    zone_source: ZoneSource = "assumed"


_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

_HOURS = {"wib": 7, "wita": 8, "wit": 9, "est": -5, "edt": -4, "cst": -6, "cdt": -5}
_HOURS |= {"mst": -7, "mdt": -6, "pst": -8, "pdt": -7}
_UTC_NAMES = ("utc", "gmt", "ut", "z")

_ISO = re.compile(
    r"(?<!\d)(\d{4})([-/])(\d{1,2})\2(\d{1,2})"
    r"(?:(?:t|\s+)(\d{1,2})([:\-.])(\d{2})(?:\6(\d{2})(?:[.,]\d{1,9})?)?)?"
    r"\s*(z(?![a-z])|[+-]\d{2}(?::?\d{2})?(?!\d))?"
)
_DMY_TEXT = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|\.)?[\s\-/]*(?:de\s+)?({_MONTH})\.?(?![a-z])[\s\-/,]*"
    rf"(?:de\s+)?(\d{{4}})(?!\d)"
)
_MDY_TEXT = re.compile(
    rf"(?<![a-z])({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)"
)
# German print also spaces its dots: "4. 2. 2022".
_DMY_NUM = re.compile(r"(?<![\d/.\-])(\d{1,2})([/.\-]|\.\s)(\d{1,2})\2(\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<![\d.:])(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?![\d])\s*(a\.?m\.?|p\.?m\.?)?(?![a-z])"
)
_ZONE = re.compile(
    r"(?<![a-z])(wita|wib|wit|utc|gmt|ut|est|edt|cst|cdt|mst|mdt|pst|pdt)(?![a-z])"
    r"(?:\s*([+-])(\d{1,2})(?::?(\d{2}))?)?"
    r"|(?<![\w:])([+-])(\d{2}):?(\d{2})(?!\d)"
)
_AGO = re.compile(
    r"(?<![a-z])(\d+\s*|se|satu\s+|an?\s+|one\s+)"
    r"(detik|menit|mnt|jam|hari|minggu|pekan|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
    r"\s+(?:yang\s+)?(?:lalu|ago)(?![a-z])"
)
_UNIT_SECONDS = {"detik": 1, "sec": 1, "menit": 60, "mnt": 60, "min": 60, "jam": 3600, "hour": 3600}
_UNIT_SECONDS |= {"hr": 3600, "second": 1, "minute": 60}
_UNIT_DAYS = {"hari": 1, "day": 1, "minggu": 7, "pekan": 7, "week": 7}
_YESTERDAY = re.compile(r"(?<![a-z])(kemarin|yesterday)(?![a-z])")
_TODAY = re.compile(r"(?<![a-z])(hari ini|today)(?![a-z])")
_NOW = re.compile(r"(?<![a-z])(baru saja|barusan|just now)(?![a-z])")
_ZONE_REACH = 4
# Dates more than this far after the fetch time are typos or scheduled teasers, not publication.
_FUTURE_SLACK = timedelta(days=1)
# The offsets zones really use (UTC-12:00 to UTC+14:00), in minutes; anything else is noise.
_MIN_OFFSET, _MAX_OFFSET = -12 * 60, 14 * 60


def parse_date(text: str, *, tz: tzinfo, now: datetime) -> ParsedDate | None:
    """Parse `text`; naive times are read in `tz`; relative ones ("2 jam lalu") count back from `now`.

    Returns None when nothing parses or the date lies more than a day after `now`.
    A naive `now` is read in `tz` too, never as UTC.
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    now = now if now.tzinfo is not None else now.replace(tzinfo=tz)
    low = raw.lower()
    try:
        parsed = _iso(low, raw, tz) or _textual(low, raw, tz) or _relative(low, raw, tz, now)
        if parsed is None or parsed.value > now + _FUTURE_SLACK:
            return None
        if not MINYEAR < parsed.value.year < MAXYEAR:
            return None  # relative to a `now` at the calendar's edge: not storable in UTC
    except OverflowError:
        # "99999999 hari lalu", or a `now` at the edge of the calendar: no publication date.
        return None
    return parsed


def _iso(low: str, raw: str, tz: tzinfo) -> ParsedDate | None:
    m = _ISO.search(low)
    if m is None:
        return None
    day = _date(int(m[1]), int(m[3]), int(m[4]))
    if day is None:
        return None
    precision: Precision = "day"
    clock = _clock(0, 0, 0)
    if m[5] is not None:
        clock = _clock(int(m[5]), int(m[7]), int(m[8] or 0))
        precision = "second" if m[8] else "minute"
    if clock is None:
        return None
    zone_text = m[9]
    if zone_text == "z" and m[6] == "-":
        # detik's "2023-11-02T20-59-53Z": a local time with dashes, labelled UTC by mistake.
        zone_text = None
    if zone_text:
        explicit = _offset_zone(zone_text)
        if explicit is None:
            return None  # "+99:00" is no zone on Earth: the string is not a time stamp
        zone, source = explicit
    else:
        zone, source = _zone_after(low, m.end(), tz)
    return ParsedDate(datetime.combine(day, clock, tzinfo=zone), raw, precision, source)


def _textual(low: str, raw: str, tz: tzinfo) -> ParsedDate | None:
    m = _DMY_TEXT.search(low)
    if m is not None:
        day = _date(int(m[3]), MONTHS[m[2]], int(m[1]))
    else:
        m = _MDY_TEXT.search(low)
        if m is None:
            m = _DMY_NUM.search(low)
            if m is None:
                return None
            first, second = int(m[1]), int(m[3])
            # Indonesian pages write day first; only a second number above 12 means month first.
            d, mo = (second, first) if second > 12 >= first else (first, second)
            day = _date(int(m[4]), mo, d)
        else:
            day = _date(int(m[3]), MONTHS[m[1]], int(m[2]))
    if day is None:
        return None
    rest = low[m.end() :]
    t = _TIME.search(rest)
    if t is None:
        t = _TIME.search(low[: m.start()])
        after = m.end()
    else:
        after = m.end() + t.end()
    clock = _clock(0, 0, 0)
    precision: Precision = "day"
    if t is not None:
        hour = _twelve_hour(int(t[1]), t[4])
        clock = _clock(hour, int(t[2]), int(t[3] or 0))
        precision = "second" if t[3] else "minute"
    if clock is None:
        return None
    zone, source = _zone_after(low, after, tz)
    return ParsedDate(datetime.combine(day, clock, tzinfo=zone), raw, precision, source)


def _relative(low: str, raw: str, tz: tzinfo, now: datetime) -> ParsedDate | None:
    local = now.astimezone(tz)
    if _NOW.search(low):
        return ParsedDate(local.replace(second=0, microsecond=0), raw, "minute")
    m = _AGO.search(low)
    if m is not None:
        count_text = m[1].strip()
        count = int(count_text) if count_text.isdigit() else 1
        unit = m[2].rstrip("s")  # "hours" -> "hour"; no Indonesian unit ends in "s"
        if unit in _UNIT_DAYS:
            when = local.date() - timedelta(days=count * _UNIT_DAYS[unit])
            return ParsedDate(datetime.combine(when, time(), tzinfo=tz), raw, "day")
        delta = timedelta(seconds=count * _UNIT_SECONDS[unit])
        return ParsedDate((local - delta).replace(second=0, microsecond=0), raw, "minute")
    for pattern, days in ((_YESTERDAY, 1), (_TODAY, 0)):
        if pattern.search(low):
            when = local.date() - timedelta(days=days)
            t = _TIME.search(low)
            if t is None:
                return ParsedDate(datetime.combine(when, time(), tzinfo=tz), raw, "day")
            clock = _clock(_twelve_hour(int(t[1]), t[4]), int(t[2]), 0)
            if clock is None:
                return None
            return ParsedDate(datetime.combine(when, clock, tzinfo=tz), raw, "minute")
    return None


def _zone_after(low: str, start: int, tz: tzinfo) -> tuple[tzinfo, ZoneSource]:
    """The zone printed after the date or time (WIB, +0700, GMT+7), else the source's zone."""
    z = _ZONE.search(low, start)
    # Only a zone right after the time counts; a far one belongs to other text.
    if z is None or z.start() - start > _ZONE_REACH:
        return tz, "assumed"
    if z[1]:
        name = z[1]
        base = 0 if name in _UTC_NAMES else _HOURS[name]
        extra = 0
        if z[2]:
            extra = (int(z[3]) * 60 + int(z[4] or 0)) * (1 if z[2] == "+" else -1)
        minutes = base * 60 + extra
        if name in _UTC_NAMES and not extra:
            return UTC, "utc"
    else:
        minutes = (int(z[6]) * 60 + int(z[7])) * (1 if z[5] == "+" else -1)
    if not _MIN_OFFSET <= minutes <= _MAX_OFFSET:
        return tz, "assumed"  # "WIB+30" or "+9999" after a time is not a zone: ignore it
    return timezone(timedelta(minutes=minutes)), "explicit"


def _offset_zone(text: str) -> tuple[tzinfo, ZoneSource] | None:
    """The zone of an ISO offset ("z", "+07", "+0700", "+07:00"); None when no zone has it."""
    if text == "z":
        return UTC, "utc"
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    sign = 1 if text[0] == "+" else -1
    if minutes == 0:
        return UTC, "explicit"
    if not _MIN_OFFSET <= sign * minutes <= _MAX_OFFSET:
        return None
    return timezone(sign * timedelta(minutes=minutes)), "explicit"


def _twelve_hour(hour: int, marker: str | None) -> int:
    if not marker:
        return hour
    pm = marker.startswith("p")
    if hour == 12:
        return 12 if pm else 0
    return hour + 12 if pm else hour


def _date(year: int, month: int, day: int) -> date | None:
    # Not the first or last year of the calendar: any offset moves those out of range in UTC.
    if not MINYEAR < year < MAXYEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock(hour: int, minute: int, second: int) -> time | None:
    try:
        return time(hour, minute, second)
    except ValueError:
        return None
