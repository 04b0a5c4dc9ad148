"""The SSRF guard: non-public addresses refused by name, by literal, on redirect, at connect."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from ingestor.fetch.fetcher import FetchPolicy, make_session
from ingestor.fetch.guard import (
    BlockedAddressError,
    GuardScope,
    HostCheck,
    guard_scope,
    guarded_socket_factory,
    is_public_address,
)
from tests.faultserver import FaultServer, fast_settings, fetcher_for

STRICT = FetchPolicy("guard")
# Lets the test server's own address through, and nothing else that is not public.
ONLY_TEST_SERVER = FetchPolicy("guard", allowed_networks=FetchPolicy.networks("127.0.0.1/32"))


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1",
        "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:a9fe:a9fe::1",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


async def test_loopback_literal_is_blocked_without_touching_it(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/page/guarded"), source=STRICT)
    assert out.error_kind == "blocked_address" and out.attempts == 0
    assert server.hits("/page/guarded") == 0 and server.hits("/robots.txt") == 0


async def test_name_resolving_to_loopback_is_blocked(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(f"http://localhost:{server.port}/page/byname", source=STRICT)
    assert out.error_kind == "blocked_address"
    assert "localhost resolves to" in (out.error_message or "")
    assert server.hits("/page/byname") == 0


async def test_a_cached_resolution_is_judged_again_under_each_scope() -> None:
    # The fast path answers from the cache without a lookup; it must still apply the scope.
    hosts = HostCheck(ttl=60.0)
    assert hosts.cached_refusal("localhost", GuardScope()) is False  # not resolved yet
    assert await hosts.refusal("localhost", 80, GuardScope()) is not None
    refused = hosts.cached_refusal("localhost", GuardScope())
    assert isinstance(refused, str) and "localhost resolves to" in refused
    assert hosts.cached_refusal("localhost", GuardScope(allow_private=True)) is None
    assert hosts.cached_refusal("127.0.0.1", GuardScope()) == "127.0.0.1 is a non-public address"
    expired = HostCheck(ttl=0.0)
    await expired.refusal("localhost", 80, GuardScope())
    assert expired.cached_refusal("localhost", GuardScope()) is False  # past its TTL: look up


@pytest.mark.parametrize(
    "host",
    [
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::1]",
        "2130706433",
        "0x7f.0.0.1",
        "127.1",
        "0.0.0.0",
    ],
)
async def test_odd_spellings_of_loopback_are_blocked(host: str) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(f"http://{host}:9/x", source=STRICT)
    assert out.error_kind == "blocked_address", out.error_message
    assert out.attempts == 0


async def test_redirect_to_cloud_metadata_is_blocked(server: FaultServer) -> None:
    target = "http://169.254.169.254/latest/meta-data/"
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(
            server.url(f"/redirect/to?location={target}"), source=ONLY_TEST_SERVER
        )
    assert out.error_kind == "blocked_address"
    assert out.final_url == target and out.redirects == 1 and out.status is None


async def test_allowed_network_lets_exactly_that_through(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/ok"), source=ONLY_TEST_SERVER)
    assert out.ok


def test_socket_factory_refuses_at_connect_time() -> None:
    """What catches DNS rebinding: the address checked is the one the socket connects to."""
    addr_info = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))
    scope = GuardScope()
    with guard_scope(scope), pytest.raises(BlockedAddressError):
        guarded_socket_factory(addr_info)
    assert scope.blocked == "169.254.169.254"
    private = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", 80))
    with guard_scope(GuardScope(allow_private=True)):
        guarded_socket_factory(private).close()


async def test_session_refuses_private_addresses_outside_the_fetcher(server: FaultServer) -> None:
    # No guard scope (a caller using the session directly): the connector is strict.
    session = make_session(fast_settings())
    try:
        with pytest.raises(aiohttp.ClientConnectorError):
            await session.get(server.url("/page/direct"))
    finally:
        await session.close()
    assert server.hits("/page/direct") == 0


# Link-local and cloud-metadata addresses: refused even for a source allowed onto private nets.
_METADATA = [
    "169.254.169.254", "169.254.0.1", "fe80::1", "fe80::a9fe:a9fe", "100.100.100.200",
    "fd00:ec2::254", "168.63.129.16", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe",
]  # fmt: skip
OPEN = FetchPolicy("guard", allow_private_network=True)


@pytest.mark.parametrize("address", _METADATA)
def test_metadata_addresses_are_refused_even_when_private_is_allowed(address: str) -> None:
    scope = GuardScope(allow_private=True)
    assert not scope.permits(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.8", "192.168.1.1", "fd12::1", "::1"])
def test_private_addresses_still_pass_when_allowed(address: str) -> None:
    assert GuardScope(allow_private=True).permits(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "host", ["169.254.169.254", "[fe80::1]", "100.100.100.200", "[fd00:ec2::254]"]
)
async def test_a_private_network_source_cannot_reach_metadata(host: str) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(f"http://{host}/latest/meta-data/", source=OPEN)
    assert out.error_kind == "blocked_address" and out.attempts == 0


def test_the_socket_factory_refuses_metadata_under_an_open_scope() -> None:
    info = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))
    with guard_scope(GuardScope(allow_private=True)) as scope, pytest.raises(BlockedAddressError):
        guarded_socket_factory(info)
    assert scope.blocked == "169.254.169.254"


async def test_a_private_network_source_still_reaches_loopback(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/page/open"), source=OPEN)
    assert out.error_kind is None, out
