"""parse_date: a table of the date strings Indonesian news pages, feeds and metadata print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ingestor.extract.dates import parse_date

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
WIT = timezone(timedelta(hours=9))
# The fetch time every relative case counts back from: Thursday 2 May 2024, 19:00 WIB.
NOW = datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
# Absolute cases are read on a later day, so none of them is "in the future".
LATER = datetime(2025, 1, 1, tzinfo=UTC)

# (text, source zone, expected UTC time as "YYYY-MM-DDTHH:MM:SS", precision, zone source)
CASES: list[tuple[str, timezone, str, str, str]] = [
    # --- ANTARA page lines, every zone label -------------------------------------------------
    ("Rabu, 1 Mei 2024 08:00 WIB", WITA, "2024-05-01T01:00:00", "minute", "explicit"),
    ("Rabu, 1 Mei 2024 09:15 WITA", WIB, "2024-05-01T01:15:00", "minute", "explicit"),
    ("Senin, 24 Juni 2024 16:20 WIT", WIB, "2024-06-24T07:20:00", "minute", "explicit"),
    ("Senin, 13 Januari 2020 14:25", WITA, "2020-01-13T06:25:00", "minute", "assumed"),
    ("Senin, 13 Januari 2020 14:25", WIB, "2020-01-13T07:25:00", "minute", "assumed"),
    ("Selasa, 7 Mei 2024 19:42 WIB", WITA, "2024-05-07T12:42:00", "minute", "explicit"),
    ("Minggu, 7 Juli 2024 22:40 WITA", WITA, "2024-07-07T14:40:00", "minute", "explicit"),
    ("Jumat, 3 Mei 2024 | 14:05 WITA", WIB, "2024-05-03T06:05:00", "minute", "explicit"),
    ("Kamis, 3 Oktober 2024 | 10:15 WITA", WIB, "2024-10-03T02:15:00", "minute", "explicit"),
    ("Sabtu, 7 Maret 2020 - 22:05 WITA", WIB, "2020-03-07T14:05:00", "minute", "explicit"),
    ("1 Mei 2024 08.00 WIB", WITA, "2024-05-01T01:00:00", "minute", "explicit"),
    ("Diterbitkan 1 Mei 2024 pukul 08.00 WIB", WITA, "2024-05-01T01:00:00", "minute", "explicit"),
    ("Senin, 4 Januari 2016 13:45 WIB", WITA, "2016-01-04T06:45:00", "minute", "explicit"),
    # --- every Indonesian month, full and abbreviated ------------------------------------------
    ("2 Januari 2024", WIB, "2024-01-01T17:00:00", "day", "assumed"),
    ("2 Jan 2024", WIB, "2024-01-01T17:00:00", "day", "assumed"),
    ("14 Februari 2024", WIB, "2024-02-13T17:00:00", "day", "assumed"),
    ("14 Pebruari 2024", WIB, "2024-02-13T17:00:00", "day", "assumed"),
    ("14 Feb 2024", WIB, "2024-02-13T17:00:00", "day", "assumed"),
    ("5 Maret 2024 10:21", WIB, "2024-03-05T03:21:00", "minute", "assumed"),
    ("5 Mar 2024 10:21", WIB, "2024-03-05T03:21:00", "minute", "assumed"),
    ("9 April 2024", WIB, "2024-04-08T17:00:00", "day", "assumed"),
    ("9 Apr 2024", WIB, "2024-04-08T17:00:00", "day", "assumed"),
    ("1 Mei 2024", WIB, "2024-04-30T17:00:00", "day", "assumed"),
    ("24 Juni 2024", WIB, "2024-06-23T17:00:00", "day", "assumed"),
    ("24 Jun 2024", WIB, "2024-06-23T17:00:00", "day", "assumed"),
    ("10 Juli 2019", WIB, "2019-07-09T17:00:00", "day", "assumed"),
    ("10 Jul 2019", WIB, "2019-07-09T17:00:00", "day", "assumed"),
    ("17 Agustus 2024 10:00 WIB", WIB, "2024-08-17T03:00:00", "minute", "explicit"),
    ("17 Agu 2024 10:00 WIB", WIB, "2024-08-17T03:00:00", "minute", "explicit"),
    ("17 Agt 2024 10:00 WIB", WIB, "2024-08-17T03:00:00", "minute", "explicit"),
    ("17 Agus 2024 10:00 WIB", WIB, "2024-08-17T03:00:00", "minute", "explicit"),
    ("2 September 2024 13:45 WITA", WIB, "2024-09-02T05:45:00", "minute", "explicit"),
    ("2 Sep 2024 13:45 WITA", WIB, "2024-09-02T05:45:00", "minute", "explicit"),
    ("2 Sept 2024 13:45 WITA", WIB, "2024-09-02T05:45:00", "minute", "explicit"),
    ("1 Oktober 2024 09:45 WIB", WITA, "2024-10-01T02:45:00", "minute", "explicit"),
    ("1 Okt 2024 09:45 WIB", WITA, "2024-10-01T02:45:00", "minute", "explicit"),
    ("10 November 2022 15:30 WITA", WIB, "2022-11-10T07:30:00", "minute", "explicit"),
    ("10 Nov 2022 15:30 WITA", WIB, "2022-11-10T07:30:00", "minute", "explicit"),
    ("10 Nop 2022 15:30 WITA", WIB, "2022-11-10T07:30:00", "minute", "explicit"),
    ("10 Nopember 2022 15:30 WITA", WIB, "2022-11-10T07:30:00", "minute", "explicit"),
    ("31 Desember 2023 23:59 WIB", WITA, "2023-12-31T16:59:00", "minute", "explicit"),
    ("31 Des 2023 23:59 WIB", WITA, "2023-12-31T16:59:00", "minute", "explicit"),
    # --- other sites' styles ---------------------------------------------------------------------
    ("Kamis, 02 Nov 2023 20:59 WIB", WITA, "2023-11-02T13:59:00", "minute", "explicit"),
    ("Kompas.com - 02/11/2023, 20:59 WIB", WITA, "2023-11-02T13:59:00", "minute", "explicit"),
    ("Senin, 12/02/2024 - 14:20 WIB", WITA, "2024-02-12T07:20:00", "minute", "explicit"),
    ("15 Jul 2024, 10:12 WIB", WITA, "2024-07-15T03:12:00", "minute", "explicit"),
    ("05-03-2024 10:21", WITA, "2024-03-05T02:21:00", "minute", "assumed"),
    ("5.3.2024", WIB, "2024-03-04T17:00:00", "day", "assumed"),
    # --- ISO 8601 -----------------------------------------------------------------------------------
    ("2024-05-01T09:15:00+08:00", WIB, "2024-05-01T01:15:00", "second", "explicit"),
    ("2024-05-01T09:15:00+0800", WIB, "2024-05-01T01:15:00", "second", "explicit"),
    ("2024-05-01T09:15:00+08", WIB, "2024-05-01T01:15:00", "second", "explicit"),
    ("2024-05-01T09:15:00.123+07:00", WITA, "2024-05-01T02:15:00", "second", "explicit"),
    ("2024-07-15T03:12:00.000Z", WIB, "2024-07-15T03:12:00", "second", "utc"),
    ("2023-11-02T13:59:53+00:00", WIB, "2023-11-02T13:59:53", "second", "explicit"),
    ("2024-05-01T09:15", WITA, "2024-05-01T01:15:00", "minute", "assumed"),
    ("2024-05-01 09:15:00", WITA, "2024-05-01T01:15:00", "second", "assumed"),
    ("2016-01-04 13:45:23", WIB, "2016-01-04T06:45:23", "second", "assumed"),
    ("2023/11/02 20:59:53", WIB, "2023-11-02T13:59:53", "second", "assumed"),
    ("2024-05-01", WITA, "2024-04-30T16:00:00", "day", "assumed"),
    ("2024-05-01 08:00 WIT", WIB, "2024-04-30T23:00:00", "minute", "explicit"),
    # --- the detik trap: local WIB time with dashes, labelled "Z" ------------------------------------
    ("2023-11-02T20-59-53Z", WIB, "2023-11-02T13:59:53", "second", "assumed"),
    ("2023-11-03T09-12-40Z", WIB, "2023-11-03T02:12:40", "second", "assumed"),
    ("2023-11-02T20-59-53", WIB, "2023-11-02T13:59:53", "second", "assumed"),
    # A real "Z" (colons) is UTC, but flagged so an explicit offset can win over it.
    ("2023-11-02T13:59:53Z", WIB, "2023-11-02T13:59:53", "second", "utc"),
    # --- RFC 822 (RSS pubDate) ---------------------------------------------------------------------
    ("Wed, 01 May 2024 08:00:00 +0700", WITA, "2024-05-01T01:00:00", "second", "explicit"),
    ("Wed, 01 May 2024 01:00:00 GMT", WIB, "2024-05-01T01:00:00", "second", "utc"),
    ("Wed, 01 May 2024 01:00:00 UT", WIB, "2024-05-01T01:00:00", "second", "utc"),
    ("Tue, 30 Apr 2024 21:00:00 -0400", WIB, "2024-05-01T01:00:00", "second", "explicit"),
    ("Tue, 30 Apr 2024 21:00:00 EDT", WIB, "2024-05-01T01:00:00", "second", "explicit"),
    ("Selasa, 5 Maret 2024 10:21 GMT+8", WIB, "2024-03-05T02:21:00", "minute", "explicit"),
    ("5 Maret 2024 10:21 UTC+07:00", WITA, "2024-03-05T03:21:00", "minute", "explicit"),
    # --- English -------------------------------------------------------------------------------------
    ("May 1, 2024 14:05 WIB", WITA, "2024-05-01T07:05:00", "minute", "explicit"),
    ("Wednesday, May 1, 2024 8:00 pm", WIB, "2024-05-01T13:00:00", "minute", "assumed"),
    ("May 1, 2024 at 12:30 am", WIB, "2024-04-30T17:30:00", "minute", "assumed"),
    ("1st May 2024 14:05", WIB, "2024-05-01T07:05:00", "minute", "assumed"),
    ("September 2, 2024", WITA, "2024-09-01T16:00:00", "day", "assumed"),
    ("Dec 31, 2023 11:59 PM", WIB, "2023-12-31T16:59:00", "minute", "assumed"),
]
RELATIVE: list[tuple[str, timezone, str, str, str]] = [
    # --- relative, counted back from NOW (19:00 WIB, 20:00 WITA) ---------------------------------------
    ("15 menit lalu", WIB, "2024-05-02T11:45:00", "minute", "assumed"),
    ("13 menit yang lalu", WIB, "2024-05-02T11:47:00", "minute", "assumed"),
    ("2 jam lalu", WIB, "2024-05-02T10:00:00", "minute", "assumed"),
    ("2 jam yang lalu", WITA, "2024-05-02T10:00:00", "minute", "assumed"),
    ("sejam lalu", WIB, "2024-05-02T11:00:00", "minute", "assumed"),
    ("30 detik lalu", WIB, "2024-05-02T11:59:00", "minute", "assumed"),
    ("baru saja", WIB, "2024-05-02T12:00:00", "minute", "assumed"),
    ("kemarin", WIB, "2024-04-30T17:00:00", "day", "assumed"),
    ("Kemarin, 13:45", WIB, "2024-05-01T06:45:00", "minute", "assumed"),
    ("kemarin pukul 13.45", WITA, "2024-05-01T05:45:00", "minute", "assumed"),
    ("1 hari lalu", WIB, "2024-04-30T17:00:00", "day", "assumed"),
    ("3 hari yang lalu", WIB, "2024-04-28T17:00:00", "day", "assumed"),
    ("1 minggu lalu", WIB, "2024-04-24T17:00:00", "day", "assumed"),
    ("hari ini 08:30", WIB, "2024-05-02T01:30:00", "minute", "assumed"),
    ("5 minutes ago", WIB, "2024-05-02T11:55:00", "minute", "assumed"),
    ("an hour ago", WIB, "2024-05-02T11:00:00", "minute", "assumed"),
    ("2 days ago", WIB, "2024-04-29T17:00:00", "day", "assumed"),
    ("yesterday", WITA, "2024-04-30T16:00:00", "day", "assumed"),
    ("just now", WIB, "2024-05-02T12:00:00", "minute", "assumed"),
    # Late in the evening WIB, "kemarin" is still the local yesterday, not UTC's.
    ("kemarin 23:00", WIT, "2024-05-01T14:00:00", "minute", "assumed"),
]

REJECTED: list[tuple[str, str]] = [
    ("", "empty"),
    ("   ", "blank"),
    ("Waktu baca 3 menit", "reading time, not a date"),
    ("Ekonomi", "a section name"),
    ("2024-13-45", "no month 13"),
    ("31 Februari 2024", "no 31 February"),
    ("Rabu, 1 Mei 2024 25:00 WIB", "no hour 25"),
    ("4 Mei 2024 09:00 WIB", "two days after NOW: a future date"),
    ("2030-01-01T00:00:00+07:00", "years ahead"),
    ("Mei 2024", "month without a day"),
    ("3 bulan lalu", "months ago is too vague to be a publication time"),
]


@pytest.mark.parametrize(
    ("text", "tz", "expected", "precision", "zone", "now"),
    [(*case, LATER) for case in CASES] + [(*case, NOW) for case in RELATIVE],
)
def test_parse_date(
    text: str, tz: timezone, expected: str, precision: str, zone: str, now: datetime
) -> None:
    parsed = parse_date(text, tz=tz, now=now)
    assert parsed is not None, text
    assert parsed.value.tzinfo is not None
    assert parsed.value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") == expected
    assert parsed.precision == precision
    assert parsed.zone_source == zone
    assert parsed.raw == " ".join(text.split())


@pytest.mark.parametrize(("text", "why"), REJECTED)
def test_rejected(text: str, why: str) -> None:
    assert parse_date(text, tz=WIB, now=NOW) is None, why
    assert "future" in why or parse_date(text, tz=WIB, now=LATER) is None, why


def test_table_is_big_enough() -> None:
    assert len(CASES) + len(RELATIVE) >= 60


def test_one_day_of_slack_for_the_future() -> None:
    # Clocks drift and sites in WIT are two hours ahead of WIB: tomorrow-ish is still accepted.
    assert parse_date("3 Mei 2024 10:00 WIB", tz=WIB, now=NOW) is not None
    assert parse_date("3 Mei 2024 20:00 WIB", tz=WIB, now=NOW) is None


def test_naive_now_is_read_in_the_source_zone_not_utc() -> None:
    naive_now = datetime(2024, 5, 2, 19, 0)  # 19:00 local WIB
    parsed = parse_date("2 jam lalu", tz=WIB, now=naive_now)
    assert parsed is not None
    assert parsed.value.astimezone(UTC) == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)


def test_value_keeps_the_printed_offset() -> None:
    parsed = parse_date("Rabu, 1 Mei 2024 09:15 WITA", tz=WIB, now=NOW)
    assert parsed is not None
    assert parsed.value.utcoffset() == timedelta(hours=8)


def test_raw_keeps_the_original_text() -> None:
    parsed = parse_date("  Kompas.com -  02/11/2023, 20:59 WIB ", tz=WIB, now=NOW)
    assert parsed is not None
    assert parsed.raw == "Kompas.com - 02/11/2023, 20:59 WIB"
