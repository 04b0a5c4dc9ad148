"""Timeouts, resets, retries and Retry-After, each against a misbehaving loopback endpoint."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from ingestor.fetch.fetcher import FetchPolicy
from tests.faultserver import FaultServer, fast_settings, fetcher_for

SOURCE_A = FetchPolicy("source-a", allow_private_network=True)
SOURCE_B = FetchPolicy("source-b", allow_private_network=True)
NO_ROBOTS = FetchPolicy("source-a", allow_private_network=True, respect_robots=False)


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv


async def test_slow_first_byte_times_out_and_is_retried(server: FaultServer) -> None:
    settings = fast_settings(read_timeout=0.2, max_retries=1)
    async with fetcher_for(settings) as fetcher:
        started = time.monotonic()
        out = await fetcher.get(server.url("/slow?s=3"), source=SOURCE_A)
    assert out.error_kind == "timeout" and out.status is None and out.attempts == 2
    assert time.monotonic() - started < 1.5  # two 0.2 s read timeouts, not the 3 s stall


async def test_stall_mid_body_times_out(server: FaultServer) -> None:
    settings = fast_settings(read_timeout=0.2, max_retries=0)
    async with fetcher_for(settings) as fetcher:
        out = await fetcher.get(server.url("/stall?s=3"), source=SOURCE_A)
    assert out.error_kind == "timeout" and out.status == 200 and out.attempts == 1
    assert out.body == b"" and out.text is None  # half a body is no body


async def test_total_timeout_bounds_a_trickle(server: FaultServer) -> None:
    settings = fast_settings(read_timeout=5.0, total_timeout=0.3, max_retries=0)
    async with fetcher_for(settings) as fetcher:
        out = await fetcher.get(server.url("/stall?s=3"), source=SOURCE_A)
    assert out.error_kind == "timeout" and out.elapsed_ms < 1500


async def test_connection_reset_is_retried_then_reported(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=2)) as fetcher:
        out = await fetcher.get(server.url("/reset?key=always"), source=SOURCE_A)
    assert out.error_kind == "reset" and out.attempts == 3 and out.status is None


async def test_connection_reset_then_recovers(server: FaultServer) -> None:
    # aiohttp re-sends an idempotent request once by itself after a disconnect (RFC 9112
    # §9.3.1), so three resets take at least two of our attempts.
    async with fetcher_for(fast_settings(max_retries=2)) as fetcher:
        out = await fetcher.get(server.url("/reset?key=thrice&fail=3"), source=NO_ROBOTS)
    assert out.ok and out.text == "recovered" and out.attempts >= 2


async def test_reset_mid_body_is_a_reset(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=0)) as fetcher:
        out = await fetcher.get(server.url("/reset-mid"), source=SOURCE_A)
    assert out.error_kind == "reset" and out.status == 200 and out.body == b""


async def test_unreachable_port_is_a_connect_error(server: FaultServer) -> None:
    async with FaultServer() as gone:
        url = gone.url("/ok")
    async with fetcher_for(fast_settings(max_retries=1)) as fetcher:
        out = await fetcher.get(url, source=NO_ROBOTS)
    assert out.error_kind == "connect" and out.attempts == 2


async def test_503_is_retried_with_backoff_then_succeeds(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=2)) as fetcher:
        out = await fetcher.get(server.url("/status/503?key=b&fail=2"), source=SOURCE_A)
    assert out.ok and out.status == 200 and out.attempts == 3


async def test_503_every_time_is_http_5xx(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=2)) as fetcher:
        out = await fetcher.get(server.url("/status/503?key=c"), source=SOURCE_A)
    assert out.error_kind == "http_5xx" and out.status == 503 and out.attempts == 3


async def test_408_is_retried(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=1)) as fetcher:
        out = await fetcher.get(server.url("/status/408?key=d&fail=1"), source=SOURCE_A)
    assert out.ok and out.attempts == 2


async def test_429_retry_after_seconds_is_honoured(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(
            server.url("/status/429?key=e&fail=1&retry_after=1"), source=SOURCE_A
        )
    assert out.ok and out.attempts == 2
    gap = server.arrivals("/status/429")[-1] - server.arrivals("/status/429")[-2]
    assert 0.95 <= gap < 1.5


async def test_429_retry_after_http_date_is_honoured(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        # An HTTP-date has one-second resolution: "now + 1.5 s" waits between 0.5 and 1.5 s.
        out = await fetcher.get(server.url("/status/429?key=f&fail=1&date=1.5"), source=SOURCE_A)
    assert out.ok and out.attempts == 2
    gap = server.arrivals("/status/429")[-1] - server.arrivals("/status/429")[-2]
    assert 0.45 <= gap < 1.7  # far above the 0.05 s backoff ceiling: the date was used


async def test_429_without_retry_after_exhausts_to_rate_limited(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retries=1)) as fetcher:
        out = await fetcher.get(server.url("/status/429?key=g"), source=SOURCE_A)
    assert out.error_kind == "rate_limited" and out.status == 429 and out.attempts == 2


async def test_long_retry_after_is_not_slept_on(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_retry_after=2.0)) as fetcher:
        out = await fetcher.get(server.url("/status/503?key=h&retry_after=120"), source=SOURCE_A)
    assert out.error_kind == "rate_limited" and out.status == 503 and out.attempts == 1
    assert out.retry_after is not None and 119 <= out.retry_after <= 120
    assert out.elapsed_ms < 500


async def test_retry_after_is_scoped_to_origin_and_source(server: FaultServer) -> None:
    async with FaultServer() as other_origin, fetcher_for(fast_settings()) as fetcher:
        first = await fetcher.get(server.url("/status/429?key=i&retry_after=300"), source=SOURCE_A)
        assert first.error_kind == "rate_limited" and first.attempts == 1

        same = await fetcher.get(server.url("/page/scoped"), source=SOURCE_A)
        assert same.error_kind == "rate_limited" and same.attempts == 0
        assert same.retry_after is not None and 290 < same.retry_after <= 300
        assert server.hits("/page/scoped") == 0  # held back without asking the server

        other_source = await fetcher.get(server.url("/page/scoped"), source=SOURCE_B)
        assert other_source.ok
        other_host = await fetcher.get(other_origin.url("/page/scoped"), source=SOURCE_A)
        assert other_host.ok


async def test_cancelling_a_fetch_propagates_and_frees_the_origin(server: FaultServer) -> None:
    settings = fast_settings(per_host_concurrency=1, read_timeout=5.0)
    async with fetcher_for(settings) as fetcher:
        task = asyncio.create_task(fetcher.get(server.url("/slow?s=3"), source=NO_ROBOTS))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task  # a caller's cancel is never turned into a "timeout" outcome
        # The only per-origin place was given back: the next fetch goes straight through.
        out = await asyncio.wait_for(fetcher.get(server.url("/ok"), source=NO_ROBOTS), 2.0)
    assert out.ok
