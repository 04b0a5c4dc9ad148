"""Fetcher basics over real loopback HTTP: the outcome record, headers sent, bodies, refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime, timedelta

import pytest

from config import __version__
from ingestor.fetch.fetcher import ERROR_KINDS, FetchPolicy, policy_for
from ingestor.fetch.outcome import ErrorKind
from tests.faultserver import PAGE, FaultServer, fast_settings, fetcher_for

LOOPBACK = FetchPolicy("basics", allow_private_network=True)


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv


async def test_ok_page_outcome_has_body_text_and_headers(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/ok#frag"), source=LOOPBACK)
    assert out.ok and out.error_kind is None and out.status == 200
    assert out.final_url == server.url("/ok")
    assert out.body == PAGE.encode() and out.text == PAGE and out.encoding == "utf-8"
    assert out.bytes_read == len(PAGE.encode()) and out.attempts == 1 and out.redirects == 0
    assert out.etag == '"v1-abc"' and out.last_modified == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert out.cache_control == "max-age=300" and out.expires is not None
    assert out.content_type == "text/html; charset=utf-8" and out.retry_after is None
    assert out.elapsed_ms > 0 and not out.not_modified
    with pytest.raises(FrozenInstanceError):
        out.status = 500  # type: ignore[misc]


async def test_reuse_directives_are_read_from_every_x_robots_tag_header(
    server: FaultServer,
) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        limited = await fetcher.get(server.url("/reuse"), source=LOOPBACK)
        plain = await fetcher.get(server.url("/ok"), source=LOOPBACK)
    assert limited.x_robots_tag == "noarchive, max-snippet:50"
    assert limited.to_log()["etag"] is None and limited.cache_control is None
    assert plain.x_robots_tag is None


async def test_text_is_decoded_on_first_use_and_kept(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/ok"), source=LOOPBACK)
    assert out.textual and out._decoded is None  # the fetch itself decoded nothing
    text = out.text
    assert text == PAGE and out._decoded is not None and out.text is text  # decoded once
    assert out == replace(out)  # the cache is not part of the value


async def test_sends_honest_user_agent_and_accept_encoding(server: FaultServer) -> None:
    settings = fast_settings(user_agent_contact="https://example.org/warta")
    async with fetcher_for(settings) as fetcher:
        await fetcher.get(server.url("/page/ua"), source=LOOPBACK)
    headers = next(s.headers for s in server.seen if s.path == "/page/ua")
    assert headers["User-Agent"] == f"Warta/{__version__} (+https://example.org/warta)"
    assert headers["Accept-Encoding"] == "gzip, deflate, br"


async def test_to_log_has_every_field_but_the_body(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/ok"), source=LOOPBACK)
    row = out.to_log()
    assert "body" not in row and "text" not in row
    assert row["source_id"] == "basics" and row["status"] == 200 and row["body_bytes"] == len(PAGE)
    assert {"url", "final_url", "elapsed_ms", "bytes_read", "error_kind", "attempts"} <= set(row)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate-raw", "br"])
async def test_compressed_bodies_are_decoded(server: FaultServer, encoding: str) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url(f"/compressed/{encoding}"), source=LOOPBACK)
    assert out.ok, out.error_message
    assert out.text == PAGE * 50
    assert out.bytes_read < len(out.body) // 10  # the wire carried the compressed form


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("ftp://example.org/feed.xml", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("http://", "bad_url"),
    ],
)
async def test_only_http_and_https(url: str, kind: ErrorKind) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(url, source=LOOPBACK)
    assert out.error_kind == kind and out.attempts == 0 and out.status is None


async def test_4xx_is_not_retried(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=3)) as fetcher:
        out = await fetcher.get(server.url("/status/404?key=nr"), source=LOOPBACK)
    assert out.error_kind == "http_4xx" and out.status == 404 and out.attempts == 1
    assert out.counts_as_failure  # toward the source's circuit breaker
    assert out.body == b"" and out.text is None
    assert server.hits("/status/404") == 1


async def test_open_circuit_skips_the_network(server: FaultServer) -> None:
    until = datetime.now(UTC) + timedelta(minutes=5)
    policy = FetchPolicy("basics", allow_private_network=True, circuit_open_until=until)
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/page/circuit"), source=policy)
    assert out.error_kind == "circuit_open" and out.attempts == 0
    assert not out.counts_as_failure
    assert out.retry_after is not None and 290 < out.retry_after <= 300
    assert server.hits("/page/circuit") == 0


def test_policy_for_reads_the_source_record() -> None:
    import re

    from ingestor.sources.model import Discovery, Source

    src = Source(
        id="antara-kalsel", name="ANTARA Kalsel", base_url="https://kalsel.antaranews.com",
        province="kalsel", tz_name="WITA", tz=UTC, lang="id", discovery=Discovery(),
        article_pattern=re.compile("/berita/"), rules=None, allow_private_network=True,
        proxy="http://proxy.local:3128",
    )  # fmt: skip
    policy = policy_for(src)
    assert policy == FetchPolicy(
        "antara-kalsel", allow_private_network=True, proxy="http://proxy.local:3128"
    )
    assert policy.respect_robots


def test_error_kinds_are_documented() -> None:
    from typing import get_args

    assert set(get_args(ErrorKind)) == set(ERROR_KINDS)
