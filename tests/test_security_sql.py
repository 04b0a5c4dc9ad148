"""SQL injection in every feed and API parameter and path segment: refused or harmless, always.

A real `warta serve` over a database holding the simulated site and a canary table. Every
payload goes into every query parameter of every kind of route and into every path segment;
each answer must be 200, 304, 400 or 404 with no database error in it, quick (a pg_sleep that
ran would show), and afterwards the canary, the articles and the sources are as they were and
no table or role the payloads try to create exists.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import asyncpg
import pytest

from config.settings import Settings
from ingestor.sources.model import Source
from tests.conftest import ingest, truncate
from tests.reliability.budget import record
from tests.reliability.feedsite import serve_process
from tests.reliability.procs import Warta, unexpected_errors

PAYLOADS = [
    "' OR '1'='1", "1' OR 1=1 --", "'; DROP TABLE articles; --",
    "'; CREATE TABLE pwned (x int); --", "1); DELETE FROM sources; --",
    "' UNION SELECT usename, passwd FROM pg_shadow --", "'; SELECT pg_sleep(5); --",
    "1 AND (SELECT pg_sleep(5)) IS NULL", "$1", "$$; DROP TABLE canary; $$",
    "%27%20OR%201%3D1", "\uff07 OR \uff071\uff07=\uff071", "' || (SELECT current_user) || '",
    "kalsel' --", "E'\\x27; DROP TABLE canary; --", "1e9999", "-1", "9" * 40,
    "2025-01-01T00:00:00Z' OR '1'='1", "ekonomi'/**/OR/**/'1'='1", "\\", "\\'",
    "' AND 1=CAST((SELECT version()) AS int) --", "'; CREATE ROLE pwned SUPERUSER; --",
    "\"; DROP TABLE articles; --", "') OR ('a'='a", "*", "%", "_", "[[:alpha:]]", "(?:)",
    "'; COPY canary TO PROGRAM 'touch /tmp/pwned'; --", "1;SELECT 1", "null", "NULL", "true",
]  # fmt: skip
PARAMS = ["topic", "region", "source", "q", "since", "until", "lang", "limit", "filter",
          "filterout", "duplicates", "page", "cursor"]  # fmt: skip
ROUTES = ["/feeds/all.rss", "/feeds/kalsel.json", "/feeds/kalsel/tapin.atom",
          "/feeds/topics/ekonomi.atom", "/api/v1/articles"]  # fmt: skip
PATHS = ["/feeds/{}.rss", "/feeds/kalsel/{}.atom", "/feeds/topics/{}.json", "/api/v1/articles/{}",
         "/feeds/{}/tapin.json"]  # fmt: skip
_LEAKS = (
    "syntax error",
    "asyncpg",
    "postgres",
    "sqlstate",
    "traceback",
    "pg_catalog",
    'relation "',
)
_MARK = "zzqqxx"  # in no article: a filter that starts with it can match nothing


@pytest.fixture(scope="module")
async def served(
    site: object, settings: Settings, pool: asyncpg.Pool, sources: list[Source],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Warta]:  # fmt: skip
    await truncate(pool)
    await ingest(settings, pool, sources)
    await pool.execute(
        "DROP TABLE IF EXISTS canary; CREATE TABLE canary (x int); INSERT INTO canary VALUES (42)"
    )
    async with serve_process(settings, tmp_path_factory.mktemp("sqli")) as server:
        yield server


async def _state(pool: asyncpg.Pool) -> dict[str, object]:
    return {
        "articles": await pool.fetchval("SELECT count(*) FROM articles"),
        "sources": await pool.fetchval("SELECT count(*) FROM sources WHERE enabled"),
        "canary": await pool.fetchval("SELECT sum(x) FROM canary"),
        "pwned_table": await pool.fetchval("SELECT to_regclass('pwned') IS NOT NULL"),
        "pwned_role": await pool.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = 'pwned'"),
    }


async def _check(http: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    started = time.monotonic()
    async with http.get(url, allow_redirects=False) as resp:
        body = await resp.read()
        status = resp.status
    took = time.monotonic() - started
    assert status in (200, 304, 400, 404), (url, status, body[:200])
    lowered = body.lower().decode("utf-8", "replace")
    assert not any(leak in lowered for leak in _LEAKS if leak not in url.lower()), (url, body[:300])
    assert took < 3.0, f"{url} took {took:.1f}s: did a pg_sleep run?"
    return status, body


async def test_injection_in_every_parameter_and_path_is_harmless(
    served: Warta, pool: asyncpg.Pool
) -> None:
    before = await _state(pool)
    statuses: dict[int, int] = {}
    sent = 0
    async with aiohttp.ClientSession() as http:
        for route in ROUTES:
            for name in PARAMS:
                for payload in PAYLOADS:
                    value = _MARK + payload if name == "filter" else payload
                    url = f"{served.base}{route}?{quote(name)}={quote(value, safe='')}"
                    status, body = await _check(http, url)
                    statuses[status] = statuses.get(status, 0) + 1
                    sent += 1
                    # "|" is alternation in a regular expression: "a||b" matches anything, by
                    # design. Without it, a pattern that starts with the marker matches nothing.
                    if (
                        name == "filter"
                        and "|" not in payload
                        and status == 200
                        and route.endswith(".json")
                    ):
                        assert json.loads(body)["items"] == [], "a filter matched by injection"
            for payload in PAYLOADS:  # in a parameter's name, and doubled
                await _check(http, f"{served.base}{route}?{quote(payload, safe='')}=1")
                await _check(
                    http, f"{served.base}{route}?source={quote(payload, safe='')}&source=x"
                )
                sent += 2
        for template in PATHS:
            for payload in PAYLOADS:
                status, _ = await _check(
                    http, served.base + template.format(quote(payload, safe=""))
                )
                assert status in (400, 404), (template, payload, status)
                sent += 1
    after = await _state(pool)
    assert after == before, (before, after)
    assert before["canary"] == 42 and not after["pwned_table"] and not after["pwned_role"]
    assert not unexpected_errors(served.log())
    record("sql_injection", requests=sent, payloads=len(PAYLOADS), statuses=statuses)
