"""Date strings the way ANTARA prints them: page dates, listing times, RSS and ISO stamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import format_datetime

__all__ = ["http_date", "iso_local", "page_date", "relative_time", "rss_date"]

_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_RSS_ZONE = timezone(timedelta(hours=7))
"""ANTARA's RSS prints WIB offsets (+0700) even for bureaus in WITA."""


def page_date(when: datetime, tz: tzinfo, label: str) -> str:
    """'Rabu, 1 Mei 2024 08:00 WITA' in the bureau's zone."""
    local = when.astimezone(tz)
    return (
        f"{_DAYS[local.weekday()]}, {local.day} {_MONTHS[local.month - 1]} {local.year} "
        f"{local:%H:%M} {label}"
    )


def absolute_listing_date(when: datetime, tz: tzinfo) -> str:
    """'7 Januari 2019 13:12' in the bureau's zone (listing cards for older items)."""
    local = when.astimezone(tz)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"


def relative_time(when: datetime, now: datetime, tz: tzinfo) -> str:
    """Listing time: 'N menit lalu', 'N jam lalu', 'kemarin', else the absolute local time."""
    age = now - when
    if age < timedelta(hours=1):
        return f"{max(1, int(age.total_seconds() // 60))} menit lalu"
    if age < timedelta(hours=24):
        return f"{int(age.total_seconds() // 3600)} jam lalu"
    if when.astimezone(tz).date() == (now.astimezone(tz) - timedelta(days=1)).date():
        return "kemarin"
    return absolute_listing_date(when, tz)


def rss_date(when: datetime) -> str:
    """RFC 822 date with a numeric +0700 offset, e.g. 'Wed, 01 May 2024 07:00:00 +0700'."""
    return format_datetime(when.astimezone(_RSS_ZONE).replace(microsecond=0))


def iso_local(when: datetime, tz: tzinfo) -> str:
    """ISO 8601 in the bureau's zone with its offset, e.g. '2024-05-01T08:00:00+08:00'."""
    return when.astimezone(tz).replace(microsecond=0).isoformat()


def http_date(when: datetime) -> str:
    """An HTTP-date (RFC 9110 IMF-fixdate) for Last-Modified."""
    return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)
