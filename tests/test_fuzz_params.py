"""Fuzz every feed query parameter over HTTP against a real `warta serve`: never a 5xx.

For each parameter, values of its own kind (slugs, times, numbers, patterns, cursors), hostile
strings and arbitrary text, percent-encoded bytes that are not UTF-8, alone or with other
parameters, on every kind of route. Each answer is 200 (a document that parses), 304, 400 or
404; the server's log shows no unhandled exception. `make reliability`: 10,000 requests per
parameter (tests/reliability/budget.py).
"""

from __future__ import annotations

import http.client
import json
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from urllib.parse import quote, urlsplit

import aiohttp
import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from config.catalogue import load_catalogue
from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import ingest, truncate
from tests.reliability.budget import cases, record
from tests.reliability.feedsite import serve_process
from tests.reliability.procs import Warta, unexpected_errors
from tests.test_feeds_support import feed_settings, serve

CATALOGUE = load_catalogue()
SLUGS = [p.slug for p in CATALOGUE.provinces] + [t.slug for t in CATALOGUE.topics]
PARAMS = ["topic", "region", "source", "q", "since", "until", "lang", "limit", "filter",
          "filterout", "duplicates", "page", "cursor"]  # fmt: skip
ROUTES = ["/feeds/all.{f}", "/feeds/kalsel.{f}", "/feeds/kalsel/tapin.{f}",
          "/feeds/topics/ekonomi.{f}", "/feeds/jatim.{f}", "/api/v1/articles"]  # fmt: skip
HOSTILE = ["", " ", "'", "\\", "%", "\x00", "\x7f", "\u202e", "😀", "a" * 5000, "(a+)+$",
           "(?:(?:a*)*)*b", "[", "\\b\\y", "(?i)x", "1e999", "-0", "0x10", "NaN", "∞",
           "2025-13-45T99:99:99Z", "2025-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
           "0001-01-01T00:00:00-12:00", "ffffffffffffffff-ffffffffffffffff", "0-0", "1-",
           "sim-kalsel", "kalsel/tapin", "kalsel/../../etc", "id", "en-US", "true", "1", "0",
           "201", "100", "101", "-1"]  # fmt: skip
KIND = {
    "topic": st.sampled_from(SLUGS), "region": st.sampled_from([*SLUGS, "kalsel/tapin"]),
    "source": st.sampled_from(["sim-kalsel", "sim-jatim", "nope", "a" * 101]),
    "q": st.text(max_size=60), "since": st.datetimes().map(lambda d: d.isoformat() + "Z"),
    "until": st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    "lang": st.sampled_from(["id", "en", "jv", "id-ID", "xx-Yyyy"]),
    "filter": st.from_regex(r"[a-z()|*+?\[\]\\^$.]{0,20}"),
    "filterout": st.text(max_size=30), "duplicates": st.sampled_from(["0", "1", "true", "false"]),
    "page": st.integers(-5, 200).map(str),
    "cursor": st.tuples(st.integers(0, 2**70), st.integers(0, 2**70)).map(lambda t: f"{t[0]:x}-{t[1]:x}"),
    "limit": st.one_of(st.integers(-10, 10_000).map(str), st.sampled_from(["²", "٣", "１０", "1_0"])),
}  # fmt: skip
raw_bytes = st.binary(max_size=30).map(lambda b: "".join(f"%{x:02X}" for x in b))


def values(name: str) -> st.SearchStrategy[str]:
    """Percent-encoded: a value of the parameter's kind, hostile, any text, or raw bytes."""
    plain = st.one_of(KIND[name], st.sampled_from(HOSTILE), st.text(max_size=80))
    return st.one_of(plain.map(lambda v: quote(v, safe="")), raw_bytes)


@pytest.fixture(scope="module")
async def served(
    site: object, settings: Settings, pool: asyncpg.Pool, sources: list[Source],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Warta]:  # fmt: skip
    await truncate(pool)
    await ingest(settings, pool, sources)
    async with serve_process(settings, tmp_path_factory.mktemp("params")) as server:
        yield server
        assert not unexpected_errors(server.log())


class Client:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def get(self, target: str) -> tuple[int, bytes, str]:
        for attempt in range(2):
            try:
                self.conn.request("GET", target, headers={"Accept-Encoding": "identity"})
                resp = self.conn.getresponse()
                return resp.status, resp.read(), resp.getheader("Content-Type") or ""
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


STATUSES: Counter[int] = Counter()
N = cases(quick=400)


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    record("fuzz_params", cases_per_parameter=N, parameters=len(PARAMS),
           requests=sum(STATUSES.values()), statuses=dict(STATUSES))  # fmt: skip


def _parses(body: bytes, content_type: str) -> None:
    if "json" in content_type:
        json.loads(body)
    else:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", PARAMS)
def test_no_value_of_any_parameter_makes_a_5xx(served: Warta, name: str) -> None:
    client = Client(served.base)

    @settings(max_examples=N, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        route=st.sampled_from(ROUTES), fmt=st.sampled_from(["rss", "atom", "json"]),
        value=values(name),
        others=st.dictionaries(st.sampled_from(PARAMS), st.deferred(lambda: values("q")), max_size=3),
    )  # fmt: skip
    def one(route: str, fmt: str, value: str, others: dict[str, str]) -> None:
        query = "&".join([f"{name}={value}", *(f"{k}={v}" for k, v in others.items())])
        target = route.format(f=fmt) + "?" + query
        status, body, content_type = client.get(target)
        STATUSES[status] += 1
        assert status in (200, 304, 400, 404), (target, status, body[:300])
        if status == 200:
            _parses(body, content_type)

    try:
        one()
    finally:
        client.conn.close()


@pytest.mark.parametrize(
    "cursor", ["ffffffffffffffff-1", "1-ffffffffffffffff", "8000000000000000-0"]
)
async def test_a_cursor_beyond_bigint_is_a_400(
    database_url: str, pool: asyncpg.Pool, cursor: str
) -> None:
    # In-process, so the expected 500's traceback stays out of the fuzzed server's log.
    async with (
        serve(feed_settings(database_url), pool) as (base, _),
        aiohttp.ClientSession() as http,
        http.get(f"{base}/feeds/all.rss?cursor={cursor}") as resp,
    ):
        assert resp.status == 400, resp.status


@pytest.mark.parametrize("query", ["limit=%C2%B2", "page=%C2%B9", "limit=1%C2%B2"])
async def test_a_superscript_number_is_a_400(
    database_url: str, pool: asyncpg.Pool, query: str
) -> None:
    async with (
        serve(feed_settings(database_url), pool) as (base, _),
        aiohttp.ClientSession() as http,
        http.get(f"{base}/feeds/all.rss?{query}") as resp,
    ):
        assert resp.status == 400, resp.status
