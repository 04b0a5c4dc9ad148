"""SSRF: every way of naming a non-public address is refused, by source, by redirect and by DNS.

Extends tests/test_fetch_guard.py (which proves the mechanism) with the spellings attackers use:
decimal, octal, hex and shortened IPv4; IPv6 with zone ids, IPv4-mapped, -compatible,
-translated, NAT64 and 6to4 forms; names that resolve to private addresses, and one that
changes its answer between the check and the connect (DNS rebinding); redirects to all of
them; and a whole source on a private address through the ingest pipeline. In every case no
connection reaches the loopback server that listens on the port named.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from config.settings import Settings
from ingestor.fetch.fetcher import FetchPolicy
from ingestor.sources.load import load_sources
from tests.conftest import run_pass, truncate
from tests.faultserver import FaultServer, fast_settings, fetcher_for
from tests.reliability.budget import record
from warta.demo import write_simsite_seeds
from warta.simsite import SimSite

STRICT = FetchPolicy("ssrf")
ONLY_TEST_SERVER = FetchPolicy("ssrf", allowed_networks=FetchPolicy.networks("127.0.0.1/32"))

SPELLINGS = [
    # IPv4 loopback, metadata and private ranges in every notation inet_aton accepts
    "127.0.0.1", "127.1", "127.0.1", "127.000.000.001", "0177.0.0.1", "017700000001",
    "0x7f000001", "0x7f.1", "2130706433", "127.1.2.3", "0", "0.0.0.0", "169.254.169.254",
    "169.254.43518", "0251.0376.0251.0376", "0xa9fea9fe", "2852039166", "3232235777",
    "10.1", "192.168.1", "172.16.0.1", "100.64.0.1", "224.0.0.1", "255.255.255.255",
    "①②⑦.0.0.1", "127。0。0。1", "evil.example@127.0.0.1",
    # IPv6 and IPv6 carrying IPv4
    "[::1]", "[0::1]", "[::]", "[fe80::1%25lo]", "[fc00::1]", "[fd00:ec2::254]", "[ff02::1]",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]", "[::ffff:0:7f00:1]", "[::ffff:0:127.0.0.1]", "[::127.0.0.1]",
    "[64:ff9b::127.0.0.1]", "[64:ff9b:1::a9fe:a9fe]", "[2002:7f00:1::]", "[2002:a9fe:a9fe::]",
    "[100::1]", "[2001:db8::1]", "[2001::1]",
    # names
    "localhost", "LOCALHOST", "localhost.", "LocalHost.", "127.0.0.1.",
]  # fmt: skip


REFUSED: list[str] = []


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv
    record("ssrf", attempts_refused=len(REFUSED), connections_reached=0)


@pytest.mark.parametrize("host", SPELLINGS)
async def test_every_spelling_of_a_private_address_is_refused(
    server: FaultServer, host: str
) -> None:
    before = len(server.seen)
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(f"http://{host}:{server.port}/ssrf", source=STRICT)
    assert not out.ok and out.attempts == 0 and out.status is None, out
    # A name this machine cannot resolve fails as DNS; everything else is refused outright.
    if not host.endswith("."):
        assert out.error_kind == "blocked_address", out
    assert len(server.seen) == before, "nothing reached the server"
    REFUSED.append(host)


@pytest.fixture
async def resolver(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names of our choosing, answered by the event loop's resolver (which aiohttp uses too);
    each name's list of answers is consumed one lookup at a time, the last one repeating."""
    answers: dict[str, list[str]] = {}
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo

    async def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.rstrip(".") in answers:
            queue = answers[name.rstrip(".")]
            address = queue.pop(0) if len(queue) > 1 else queue[0]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (
                (address, int(port or 0), 0, 0) if ":" in address else (address, int(port or 0))
            )
            return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]
        return await real(host, port, *args, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", fake)
    return answers


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("metadata.google.internal", "169.254.169.254"), ("intranet.corp", "10.0.0.5"),
        ("loop.example", "127.0.0.1"), ("v6.example", "::1"), ("ula.example", "fd00::1"),
        ("mapped.example", "::ffff:127.0.0.1"), ("cgnat.example", "100.64.1.1"),
    ],
)  # fmt: skip
async def test_names_resolving_to_private_addresses_are_refused(
    server: FaultServer, resolver: dict[str, list[str]], name: str, address: str
) -> None:
    resolver[name] = [address]
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(f"http://{name}:{server.port}/ssrf-dns", source=STRICT)
    assert out.error_kind == "blocked_address" and address in (out.error_message or ""), out
    assert server.hits("/ssrf-dns") == 0
    REFUSED.append(name)


async def test_dns_rebinding_is_caught_where_the_socket_connects(
    server: FaultServer, resolver: dict[str, list[str]]
) -> None:
    # Public when the name is checked, loopback (our server) when aiohttp connects.
    resolver["rebind.example"] = ["93.184.215.14", "127.0.0.1"]
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(
            f"http://rebind.example:{server.port}/ssrf-rebind",
            source=FetchPolicy("ssrf", respect_robots=False),
        )
    assert out.error_kind == "blocked_address" and "127.0.0.1" in (out.error_message or ""), out
    assert server.hits("/ssrf-rebind") == 0


@pytest.mark.parametrize(
    "location",
    [
        # 127.0.0.1 itself is allowed here (the policy's one network): its neighbours are not
        "http://127.0.0.2:{port}/x", "http://[::1]:{port}/x", "http://0x7f000002:{port}/x",
        "http://2130706434:{port}/x", "http://loop2.test:{port}/x", "http://10.0.0.1/x",
        "http://[::ffff:169.254.169.254]/latest/meta-data/", "http://0251.0376.0251.0376/",
        "//169.254.169.254/latest", "http://metadata.test/computeMetadata/v1/",
        "http://[fd00:ec2::254]/latest/meta-data/",
    ],
)  # fmt: skip
async def test_redirects_to_private_addresses_are_refused(
    server: FaultServer, resolver: dict[str, list[str]], location: str
) -> None:
    resolver["metadata.test"] = ["169.254.169.254"]
    resolver["loop2.test"] = ["127.0.0.2"]
    target = location.format(port=server.port)
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(
            server.url(f"/redirect/to?location={target}"), source=ONLY_TEST_SERVER
        )
    assert out.error_kind == "blocked_address", out
    assert out.redirects == 1 and out.status is None
    REFUSED.append(location)


async def test_an_ipv6_literal_that_is_allowed_is_fetched_not_crashed() -> None:
    """The origin of an IPv6 literal lost its brackets, so the robots.txt URL built from it
    raised ValueError out of Fetcher.get (whose contract is to never raise)."""
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(
            "http://[::1]:9/x", source=FetchPolicy("v6", allow_private_network=True)
        )
    assert not out.ok and out.error_kind is not None


async def test_a_source_on_a_private_address_is_refused_through_the_pipeline(
    site: SimSite, settings: Settings, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """The simulated bureaus, catalogued without allow_private_network: nothing is fetched."""
    seeds = write_simsite_seeds(site, tmp_path / "seeds")
    catalogue = seeds / "simsite.toml"
    catalogue.write_text(
        catalogue.read_text().replace(
            "allow_private_network = true", "allow_private_network = false"
        )
    )
    sources = load_sources(seeds)
    assert sources and not any(s.allow_private_network for s in sources)
    await truncate(pool)
    before = len(site.requests)
    summaries = await run_pass(settings, pool, sources)
    assert summaries and not any(s.ok for s in summaries)
    assert len(site.requests) == before, "no request reached the private site"
    rows = await pool.fetch("SELECT last_error_kind, last_error_message FROM sources")
    assert rows and all(r["last_error_kind"] == "blocked_address" for r in rows), rows
    assert await pool.fetchval("SELECT count(*) FROM articles") == 0
    logged = await pool.fetch("SELECT DISTINCT error_kind FROM ingestion_log WHERE event = 'fetch'")
    assert {r["error_kind"] for r in logged} == {"blocked_address"}
