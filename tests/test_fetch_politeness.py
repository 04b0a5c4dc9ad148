"""Politeness proven from the server's side: concurrency per origin, spacing, the global cap."""

from __future__ import annotations

import asyncio
import itertools
import time

from ingestor.fetch.fetcher import FetchPolicy
from tests.faultserver import FaultServer, fast_settings, fetcher_for, max_overlap

LOOPBACK = FetchPolicy("polite", allow_private_network=True, respect_robots=False)


async def test_per_host_concurrency_limit_holds() -> None:
    settings = fast_settings(per_host_concurrency=2)
    async with FaultServer() as server, fetcher_for(settings) as fetcher:
        started = time.monotonic()
        outs = await asyncio.gather(
            *(fetcher.get(server.url(f"/hold?s=0.1&n={i}"), source=LOOPBACK) for i in range(8))
        )
        elapsed = time.monotonic() - started
    assert all(o.ok for o in outs)
    host = f"127.0.0.1:{server.port}"
    assert server.max_in_flight[host] == 2  # never more, and the limit was actually reached
    assert elapsed >= 0.4 - 0.02  # eight 0.1 s requests, two at a time


async def test_limit_is_per_origin_not_shared() -> None:
    settings = fast_settings(per_host_concurrency=2, global_concurrency=16)
    async with FaultServer() as one, FaultServer() as two, fetcher_for(settings) as fetcher:
        await asyncio.gather(
            *(
                fetcher.get(server.url(f"/hold?s=0.15&n={i}"), source=LOOPBACK)
                for server in (one, two)
                for i in range(4)
            )
        )
    assert one.max_in_flight[f"127.0.0.1:{one.port}"] == 2
    assert two.max_in_flight[f"127.0.0.1:{two.port}"] == 2
    assert max_overlap(one.seen + two.seen) == 4


async def test_global_cap_holds_across_origins() -> None:
    settings = fast_settings(per_host_concurrency=2, global_concurrency=3)
    async with (
        FaultServer() as a,
        FaultServer() as b,
        FaultServer() as c,
        fetcher_for(settings) as fetcher,
    ):
        await asyncio.gather(
            *(
                fetcher.get(server.url(f"/hold?s=0.1&n={i}"), source=LOOPBACK)
                for server in (a, b, c)
                for i in range(3)
            )
        )
    assert max_overlap(a.seen + b.seen + c.seen) == 3


async def test_minimum_spacing_between_request_starts() -> None:
    settings = fast_settings(per_host_concurrency=4, min_host_spacing=0.1, host_spacing_jitter=0.5)
    async with FaultServer() as server, fetcher_for(settings) as fetcher:
        await asyncio.gather(
            *(fetcher.get(server.url(f"/page/{i}"), source=LOOPBACK) for i in range(5))
        )
    starts = sorted(s.at for s in server.seen)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 4
    assert min(gaps) >= 0.095, gaps  # the spacing ...
    assert max(gaps) <= 0.15 + 0.05, gaps  # ... plus at most half of it as jitter


async def test_politeness_off_for_benchmarks() -> None:
    settings = fast_settings(per_host_concurrency=64, global_concurrency=256, min_host_spacing=0)
    async with FaultServer() as server, fetcher_for(settings) as fetcher:
        await asyncio.gather(
            *(fetcher.get(server.url(f"/hold?s=0.1&n={i}"), source=LOOPBACK) for i in range(20))
        )
    assert server.max_in_flight[f"127.0.0.1:{server.port}"] == 20


async def test_cancelled_waiter_does_not_leak_the_origin_place() -> None:
    settings = fast_settings(per_host_concurrency=1)
    async with FaultServer() as server, fetcher_for(settings) as fetcher:
        holder = asyncio.create_task(fetcher.get(server.url("/hold?s=0.2"), source=LOOPBACK))
        await asyncio.sleep(0.05)
        waiter = asyncio.create_task(fetcher.get(server.url("/page/w"), source=LOOPBACK))
        await asyncio.sleep(0.05)
        waiter.cancel()  # cancelled while queued for the origin's only place
        assert (await holder).ok
        out = await asyncio.wait_for(fetcher.get(server.url("/page/after"), source=LOOPBACK), 2)
    assert out.ok and waiter.cancelled()
    assert server.hits("/page/w") == 0


async def test_forgetting_idle_origins_keeps_those_in_use() -> None:
    """Past the remembered-origin bound, idle origins are forgotten, never one that holds or
    awaits a place: forgetting it would hand a second request a fresh, empty gate."""
    from ingestor.fetch import politeness

    limits = politeness.Politeness(per_origin=1, global_limit=1_000_000, spacing=0.0)
    busy = limits.try_acquire("http://busy:80") or await limits.acquire("http://busy:80")
    assert busy is not None
    queued = asyncio.create_task(limits.acquire("http://busy:80"))
    await asyncio.sleep(0)  # the second request now waits in the busy origin's queue
    for n in range(politeness._PRUNE_AT + 1):  # fills the table, then one more prunes it
        turn = limits.try_acquire(f"http://idle{n}:80") or await limits.acquire(
            f"http://idle{n}:80"
        )
        assert turn is not None
        limits.release(turn)
    assert "http://idle0:80" not in limits._origins  # an idle one was forgotten
    # The busy origin is still the one whose place is taken: a third request must wait.
    third = asyncio.create_task(limits.acquire("http://busy:80"))
    await asyncio.sleep(0.05)
    assert not queued.done() and not third.done()
    limits.release(busy)
    second = await asyncio.wait_for(queued, 1.0)
    assert second is not None and not third.done()
    limits.release(second)
    last = await asyncio.wait_for(third, 1.0)
    assert last is not None
    limits.release(last)
