"""Conditional GET: the validators the caller stored come back as a cheap 304."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ingestor.fetch.fetcher import FetchPolicy, Validators
from tests.faultserver import ETAG, LAST_MODIFIED, FaultServer, fast_settings, fetcher_for

LOOPBACK = FetchPolicy("conditional", allow_private_network=True)


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv


async def test_etag_round_trip_gives_304(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        first = await fetcher.get(server.url("/etag"), source=LOOPBACK)
        assert first.status == 200 and first.etag == ETAG and not first.not_modified
        again = await fetcher.get(
            server.url("/etag"), source=LOOPBACK, validators=Validators(etag=first.etag)
        )
    assert again.ok and again.not_modified and again.status == 304
    assert again.body == b"" and again.text is None and again.bytes_read == 0
    assert again.etag == ETAG
    assert server.seen[-1].headers["If-None-Match"] == ETAG


async def test_last_modified_round_trip_gives_304(server: FaultServer) -> None:
    validators = Validators(last_modified=LAST_MODIFIED)
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/lastmod"), source=LOOPBACK, validators=validators)
    assert out.not_modified and out.status == 304
    # The server's 304 did not repeat Last-Modified; the one we sent is kept for the caller.
    assert out.last_modified == LAST_MODIFIED
    assert server.seen[-1].headers["If-Modified-Since"] == LAST_MODIFIED


async def test_stale_validators_get_the_full_page(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(
            server.url("/etag"), source=LOOPBACK, validators=Validators(etag='"old"')
        )
    assert out.status == 200 and not out.not_modified and out.etag == ETAG and out.text
