"""robots.txt per origin: disallow, Crawl-delay, missing, failing, cached with a TTL."""

from __future__ import annotations

import asyncio
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from ingestor.fetch.fetcher import FetchPolicy
from ingestor.fetch.robots import RobotsAnswer, RobotsCache
from tests.faultserver import FaultServer, fast_settings, fetcher_for

LOOPBACK = FetchPolicy("robots", allow_private_network=True)
RULES = """\
User-agent: *
Disallow: /

User-agent: Warta
Disallow: /private
Crawl-delay: 0.3
"""


async def test_disallowed_url_is_not_fetched() -> None:
    async with FaultServer(robots=RULES) as server, fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/private/secret"), source=LOOPBACK)
        assert out.error_kind == "robots_disallowed" and out.attempts == 0
        assert out.error_message == "disallowed by robots.txt" and not out.counts_as_failure
        assert server.hits("/private/secret") == 0
        # Our own group applies, not the catch-all "Disallow: /".
        assert (await fetcher.get(server.url("/page/open"), source=LOOPBACK)).ok


async def test_crawl_delay_spaces_requests() -> None:
    async with FaultServer(robots=RULES) as server, fetcher_for(fast_settings()) as fetcher:
        await asyncio.gather(
            *(fetcher.get(server.url(f"/page/{i}"), source=LOOPBACK) for i in range(3))
        )
    starts = sorted(s.at for s in server.seen)  # robots.txt, then three pages
    assert len(starts) == 4
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # The client spaces request starts 0.3 s apart; the server sees each one after a latency
    # that varies on a loaded machine, so one gap may shrink by that variation, not two in a
    # row. Without the Crawl-delay the three gathered pages would arrive within milliseconds.
    assert min(gaps) >= 0.15, gaps
    assert starts[3] - starts[1] >= 0.45, gaps


async def test_missing_robots_txt_allows_everything() -> None:
    async with FaultServer(robots=None) as server, fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/private/x"), source=LOOPBACK)
    assert out.ok and server.hits("/robots.txt") == 1


async def test_failing_robots_txt_defers_the_origin() -> None:
    async with (
        FaultServer(robots="oops", robots_status=503) as server,
        fetcher_for(fast_settings()) as fetcher,
    ):
        first = await fetcher.get(server.url("/page/a"), source=LOOPBACK)
        second = await fetcher.get(server.url("/page/b"), source=LOOPBACK)
    assert first.error_kind == second.error_kind == "robots_deferred"
    assert "503" in (first.error_message or "")
    assert server.hits("/page/a") == server.hits("/page/b") == 0
    assert server.hits("/robots.txt") == 1  # the failure is cached for robots_error_ttl too


async def test_unreachable_robots_txt_defers() -> None:
    async with FaultServer() as gone:
        url = gone.url("/page/x")
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(url, source=LOOPBACK)
    # The origin itself is unreachable: reported as the network failure, not as robots.txt.
    assert out.error_kind == "connect" and "robots.txt unreachable" in (out.error_message or "")


async def test_robots_txt_is_cached_per_origin_until_its_ttl() -> None:
    settings = fast_settings(robots_ttl=0.3)
    async with (
        FaultServer(robots="User-agent: *\nDisallow: /x\n") as server,
        fetcher_for(settings) as fetcher,
    ):
        policy = FetchPolicy("robots", allow_private_network=True)
        await asyncio.gather(
            *(fetcher.get(server.url(f"/page/c{i}"), source=policy) for i in range(2))
        )
        assert server.hits("/robots.txt") == 1  # concurrent callers share one fetch
        await asyncio.sleep(0.35)
        await fetcher.get(server.url("/page/c9"), source=policy)
        assert server.hits("/robots.txt") == 2


async def test_respect_robots_false_skips_it() -> None:
    policy = FetchPolicy("robots", allow_private_network=True, respect_robots=False)
    async with FaultServer(robots=RULES) as server, fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/private/x"), source=policy)
    assert out.ok and server.hits("/robots.txt") == 0


@settings(max_examples=150, deadline=None, database=None)
@given(st.binary(max_size=600))
def test_any_robots_txt_body_gives_a_verdict(body: bytes) -> None:
    cache = RobotsCache(agent="Warta", ttl=60, error_ttl=60)

    async def fetch(url: str) -> RobotsAnswer:
        return RobotsAnswer(status=200, body=b"User-agent: *\n" + body)

    verdict = asyncio.run(cache.verdict("http://x:80", "http://x:80/a/b?c=1", fetch))
    assert verdict.allowed in (True, False) and not verdict.deferred
