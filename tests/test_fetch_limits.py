"""Size limits while streaming (also after decompression) and redirect handling."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ingestor.fetch.fetcher import FetchPolicy
from tests.faultserver import BOMB_BYTES, FaultServer, fast_settings, fetcher_for

LOOPBACK = FetchPolicy("limits", allow_private_network=True)
LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv


async def test_50mb_streamed_body_is_cut_at_the_limit(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_body_bytes=LIMIT)) as fetcher:
        out = await fetcher.get(server.url("/big"), source=LOOPBACK)
    assert out.error_kind == "too_large" and out.status == 200 and out.attempts == 1
    assert LIMIT < out.bytes_read <= LIMIT + 256 * 1024  # stopped within a chunk or so
    assert out.body == b""
    assert server.bytes_sent["/big"] < BOMB_BYTES // 2  # we hung up; it never sent it all


async def test_declared_length_over_the_limit_is_refused_before_reading(
    server: FaultServer,
) -> None:
    async with fetcher_for(fast_settings(max_body_bytes=LIMIT)) as fetcher:
        out = await fetcher.get(server.url("/big?cl=1"), source=LOOPBACK)
    assert out.error_kind == "too_large" and out.bytes_read == 0
    assert "Content-Length" in (out.error_message or "")


async def test_connections_are_kept_unless_a_body_was_cut_off(server: FaultServer) -> None:
    # One connection per origin, reused, is what a newsroom's server expects of a polite
    # crawler; a connection whose body we stopped reading must not be handed to the next
    # request, which would read the rest of that body as its response.
    server.reset_counts()
    async with fetcher_for(fast_settings(max_body_bytes=LIMIT, per_host_concurrency=1)) as f:
        kept = [await f.get(server.url(path), source=LOOPBACK)
                for path in ("/ok", "/status/404", "/redirect/chain/1", "/ok")]  # fmt: skip
        cut = await f.get(server.url("/big"), source=LOOPBACK)
        after = await f.get(server.url("/ok"), source=LOOPBACK)
    assert [o.status for o in kept] == [200, 404, 200, 200] and kept[2].redirects == 2
    assert cut.error_kind == "too_large" and after.ok and after.body == kept[0].body
    peers = {s.path: s.peer for s in server.seen}
    ports = [s.peer for s in server.seen]
    assert all(ports) and len(server.seen) == 9  # robots.txt, 4 + 2 redirect hops, /big, /ok
    assert len(set(ports[:-1])) == 1  # bodies read whole (404 and redirects too): one connection
    assert ports[-1] != peers["/big"]  # the cut one was closed, not reused


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_decompression_bomb_is_stopped_at_the_limit(
    server: FaultServer, encoding: str
) -> None:
    async with fetcher_for(fast_settings(max_body_bytes=LIMIT)) as fetcher:
        out = await fetcher.get(server.url(f"/bomb/{encoding}"), source=LOOPBACK)
    assert out.error_kind == "too_large", out.error_message
    assert "decoded" in (out.error_message or "")
    assert out.bytes_read < LIMIT  # the compressed form was small: the decoded size tripped it


async def test_redirects_are_followed_and_counted(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_redirects=5)) as fetcher:
        out = await fetcher.get(server.url("/redirect/chain/2"), source=LOOPBACK)
    assert out.ok and out.status == 200 and out.redirects == 3
    assert out.final_url == server.url("/ok") and out.url == server.url("/redirect/chain/2")


async def test_redirect_loop_is_detected(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_redirects=10)) as fetcher:
        out = await fetcher.get(server.url("/redirect/loop-a"), source=LOOPBACK)
    assert out.error_kind == "redirect_loop" and out.redirects == 2
    assert out.final_url == server.url("/redirect/loop-a")
    assert server.hits("/redirect/loop-a") == 1  # detected before asking again


async def test_too_many_redirects(server: FaultServer) -> None:
    async with fetcher_for(fast_settings(max_redirects=3)) as fetcher:
        out = await fetcher.get(server.url("/redirect/chain/9"), source=LOOPBACK)
    assert out.error_kind == "too_many_redirects" and out.redirects == 3
    assert out.status == 302


async def test_cookie_wall_redirect_to_itself_is_not_a_loop(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/redirect/cookie-wall"), source=LOOPBACK)
    assert out.ok and out.text == "past the wall" and out.redirects == 1


async def test_redirect_to_another_scheme_is_refused(server: FaultServer) -> None:
    location = "ftp://files.example.org/feed.xml"
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url(f"/redirect/to?location={location}"), source=LOOPBACK)
    assert out.error_kind == "bad_scheme" and out.final_url == location and out.redirects == 1
