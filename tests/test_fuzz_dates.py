"""Fuzz the date parser: any text, any zone, any fetch time: a sane date or None, never an exception.

`make reliability` runs 10,000 cases per property (tests/reliability/budget.py); `make test`
a few hundred. The regressions below are what the fuzzer found first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingestor.extract.dates import parse_date
from tests.reliability.budget import cases, record

WIB = timezone(timedelta(hours=7))
NOW = datetime(2025, 1, 1, tzinfo=UTC)

_MONTHS = ["januari", "Pebruari", "mar", "Mei", "Agu", "agt", "Okt", "Nop", "Des", "December"]
_ZONES = ["WIB", "WITA", "WIT", "GMT", "UTC", "Z", "z", "EST", "+07:00", "+0700", "-12:00",
          "+14:00", "+99:99", "-9999", "WIB+30", "GMT-13", "+24:00", "+00:00"]  # fmt: skip
_WORDS = ["lalu", "yang lalu", "ago", "jam", "menit", "detik", "hari", "minggu", "pekan",
          "kemarin", "hari ini", "baru saja", "pukul", "T", "am", "pm", "a.m.", "Senin,", "|",
          "-", "/", ".", ":", ",", " ", "  "]  # fmt: skip
numbers = st.one_of(
    st.integers(0, 60), st.integers(1900, 2100), st.integers(0, 10**30), st.integers(0, 9999)
).map(str)
tokens = st.one_of(numbers, st.sampled_from(_MONTHS + _ZONES + _WORDS), st.text(max_size=4))
# Date-like strings built from the pieces dates are made of, and arbitrary text.
date_text = st.one_of(
    st.lists(tokens, max_size=12).map(" ".join),
    st.lists(tokens, max_size=12).map("".join),
    st.text(max_size=80),
    st.builds(
        lambda y, mo, d, h, mi, z: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}{z}",
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from(["", "Z", "+07:00", "+99:00", "-23:59", "+1400"]),
    ),
)
zones = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
fetch_times = st.one_of(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones),
    st.sampled_from([datetime.min, datetime.max, datetime.min.replace(tzinfo=UTC)]),
)
N = cases()
TRIED = [0]


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    record("fuzz_dates", cases=TRIED[0])


@pytest.mark.timeout(1800)
@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=date_text, tz=zones, now=fetch_times)
@example(text="2024-01-01T10:00+99:00", tz=WIB, now=NOW)
@example(text="1 Januari 2024 10:00 WIB+99", tz=WIB, now=NOW)
@example(text="99999999999 hari lalu", tz=WIB, now=NOW)
@example(text="0001-01-01T00:00:00+07:00", tz=WIB, now=NOW)
@example(text="kemarin", tz=WIB, now=datetime.min)
def test_parse_date_never_raises_and_stays_sane(text: str, tz: timezone, now: datetime) -> None:
    TRIED[0] += 1
    parsed = parse_date(text, tz=tz, now=now)
    if parsed is None:
        return
    assert parsed.value.tzinfo is not None, "always aware"
    utc = parsed.value.astimezone(UTC)  # convertible: callers store UTC
    aware_now = now if now.tzinfo is not None else now.replace(tzinfo=tz)
    assert utc <= aware_now + timedelta(days=1), "never more than a day in the future"
    assert parsed.raw == " ".join(text.split())
    assert parsed.precision in ("second", "minute", "day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T10:00+99:00", None),  # no zone has that offset: not a time stamp
        ("2024-01-01T10:00-13:00", None),
        ("2024-01-01T10:00+14:00", datetime(2023, 12, 31, 20, 0, tzinfo=UTC)),
        ("1 Januari 2024 10:00 WIB+99", datetime(2024, 1, 1, 3, 0, tzinfo=UTC)),  # zone ignored
        ("99999999999 hari lalu", None),
        ("99999999999999999999 jam lalu", None),
        ("0001-01-01T00:00:00+07:00", None),
    ],
)
def test_regressions_found_by_the_fuzzer(text: str, expected: datetime | None) -> None:
    parsed = parse_date(text, tz=WIB, now=NOW)
    assert (parsed.value.astimezone(UTC) if parsed else None) == expected
