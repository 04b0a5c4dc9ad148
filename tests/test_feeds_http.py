"""Feeds over HTTP: validators and 304s, caching headers, compression, HEAD, types and CORS."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import aiohttp
import asyncpg
import brotli
import feedparser
import pytest

from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve


@pytest.fixture(scope="module")
async def base(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[str]:
    await reset(pool)
    await add_source(pool)
    await insert(pool, Art(title="Banjir di Tapin", regions=("kalsel", "kalsel/tapin")))
    async with serve(feed_settings(database_url), pool) as (url, _app):
        yield url


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # auto_decompress off: the tests look at the bytes as sent.
    headers = {"Accept-Encoding": "identity"}
    async with aiohttp.ClientSession(auto_decompress=False, headers=headers) as session:
        yield session


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/feeds/all.rss", "application/rss+xml"),
        ("/feeds/kalsel.atom", "application/atom+xml"),
        ("/feeds/kalsel/tapin.json", "application/feed+json"),
    ],
)
async def test_each_format_has_its_content_type_and_caching_headers(
    base: str, http: aiohttp.ClientSession, path: str, ctype: str
) -> None:
    async with http.get(base + path) as resp:
        body = await resp.read()
        assert resp.status == 200
        assert resp.headers["Content-Type"] == f"{ctype}; charset=utf-8"
        etag = resp.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), "a strong ETag"
        assert parsedate_to_datetime(resp.headers["Last-Modified"]).tzinfo is not None
        cache = resp.headers["Cache-Control"]
        assert "max-age=60" in cache and "stale-while-revalidate=600" in cache
        assert resp.headers["Vary"] == "Accept-Encoding"
        assert f'<{base}{path}>; rel="self"' in resp.headers["Link"]
    if ctype.endswith("json"):
        assert json.loads(body)["items"][0]["title"] == "Banjir di Tapin"
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in resp.headers["Access-Control-Expose-Headers"]
    else:
        assert feedparser.parse(body).entries[0].title == "Banjir di Tapin"
        assert "Access-Control-Allow-Origin" not in resp.headers


async def test_if_none_match_and_if_modified_since_give_304(
    base: str, http: aiohttp.ClientSession
) -> None:
    url = base + "/feeds/kalsel.atom"
    async with http.get(url) as resp:
        etag, modified = resp.headers["ETag"], resp.headers["Last-Modified"]
    async with http.get(url, headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304 and await resp.read() == b""
        assert resp.headers["ETag"] == etag and "max-age" in resp.headers["Cache-Control"]
    # A list of tags, weak form included (RFC 9110: weak comparison for If-None-Match).
    async with http.get(url, headers={"If-None-Match": f'"nope", W/{etag}'}) as resp:
        assert resp.status == 304
    async with http.get(url, headers={"If-None-Match": '"other"'}) as resp:
        assert resp.status == 200
    async with http.get(url, headers={"If-Modified-Since": modified}) as resp:
        assert resp.status == 304
    earlier = parsedate_to_datetime(modified) - timedelta(seconds=1)
    async with http.get(url, headers={"If-Modified-Since": format_datetime(earlier, True)}) as r:
        assert r.status == 200
    # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 §13.2.2).
    headers = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    async with http.get(url, headers=headers) as resp:
        assert resp.status == 200


async def test_gzip_and_brotli_with_their_own_etags(base: str, http: aiohttp.ClientSession) -> None:
    url = base + "/feeds/all.rss"
    async with http.get(url, headers={"Accept-Encoding": "identity"}) as resp:
        plain, plain_tag = await resp.read(), resp.headers["ETag"]
        assert "Content-Encoding" not in resp.headers
    async with http.get(url, headers={"Accept-Encoding": "gzip"}) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(await resp.read()) == plain
        gz_tag = resp.headers["ETag"]
    async with http.get(url, headers={"Accept-Encoding": "gzip, deflate, br"}) as resp:
        assert resp.headers["Content-Encoding"] == "br"
        assert brotli.decompress(await resp.read()) == plain
        br_tag = resp.headers["ETag"]
    async with http.get(url, headers={"Accept-Encoding": "br;q=0, gzip;q=0.5"}) as resp:
        assert resp.headers["Content-Encoding"] == "gzip"
    assert len({plain_tag, gz_tag, br_tag}) == 3, "one strong tag per representation"
    # Any of them revalidates, whatever coding the client now accepts.
    async with http.get(url, headers={"If-None-Match": gz_tag, "Accept-Encoding": "br"}) as resp:
        assert resp.status == 304 and resp.headers["ETag"] == br_tag


async def test_head_has_the_headers_and_no_body(base: str, http: aiohttp.ClientSession) -> None:
    url = base + "/feeds/kalsel.rss"
    async with http.get(url) as resp:
        body, etag = await resp.read(), resp.headers["ETag"]
    async with http.head(url) as resp:
        assert resp.status == 200 and await resp.read() == b""
        assert resp.headers["ETag"] == etag
        assert int(resp.headers["Content-Length"]) == len(body)
        assert resp.headers["Content-Type"].startswith("application/rss+xml")


async def test_cors_preflight_for_json_and_the_api(base: str, http: aiohttp.ClientSession) -> None:
    for path in ("/feeds/all.json", "/api/v1/articles"):
        headers = {
            "Origin": "https://reader.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        }
        async with http.options(base + path, headers=headers) as resp:
            assert resp.status == 204
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
            assert "If-None-Match" in resp.headers["Access-Control-Allow-Headers"]


async def test_replicas_render_the_same_bytes_and_etags(
    database_url: str, pool: asyncpg.Pool, http: aiohttp.ClientSession
) -> None:
    """Replicas behind a load balancer must agree on ETags: nothing in a document may
    depend on when or where it was rendered."""
    seen = set()
    for _ in range(2):
        settings = feed_settings(database_url, public_url="https://warta.example")
        async with serve(settings, pool) as (url, _app), http.get(url + "/feeds/all.atom") as resp:
            seen.add((await resp.read(), resp.headers["ETag"]))
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("what", "request_bytes"),
    [
        ("request line", b"GET /feeds/all.rss?q=" + b"a" * 10240 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
        (
            "header",
            b"GET /feeds/all.rss HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 10240 + b"\r\n\r\n",
        ),
    ],
)
async def test_a_request_over_the_parser_limits_is_a_4xx_and_one_log_line(
    base: str, caplog: pytest.LogCaptureFixture, what: str, request_bytes: bytes
) -> None:
    host, port = base.removeprefix("http://").split(":")
    caplog.set_level(logging.DEBUG, logger="aiohttp.server")
    caplog.clear()
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request_bytes)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    status = int(status_line.split()[1])
    assert 400 <= status < 500, (what, status_line)
    server = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert len(server) == 1, [r.getMessage() for r in server]
    assert server[0].levelno == logging.WARNING and "bad request" in server[0].getMessage()
    assert not any(r.exc_info for r in caplog.records), "no traceback"
    assert "aaaa" not in server[0].getMessage() and "bbbb" not in server[0].getMessage()
