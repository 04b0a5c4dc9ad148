"""WebSub: feeds advertise the hub; after articles are stored the hub is pinged once per changed
feed URL, by one replica only, and another replica takes over when that one goes away."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import asyncpg
import feedparser
import pytest
from aiohttp import web

from feeds.state import STATE, FeedState
from tests.conftest import free_port
from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve

PUBLIC = "https://warta.example"


class Hub:
    """A local hub that records publish pings."""

    def __init__(self) -> None:
        self.pings: list[tuple[str, str]] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hub"

    async def handle(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.pings.append((str(form.get("hub.mode")), str(form.get("hub.url"))))
        return web.Response(status=204)

    async def wait_for(self, count: int, within: float = 3.0) -> None:
        for _ in range(int(within / 0.02)):
            if len(self.pings) >= count:
                return
            await asyncio.sleep(0.02)


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    recorder = Hub()
    app = web.Application()
    app.router.add_post("/hub", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", recorder.port).start()
    try:
        yield recorder
    finally:
        await runner.cleanup()


def expected_urls(*stems: str) -> set[str]:
    return {f"{PUBLIC}/feeds/{stem}.{fmt}" for stem in stems for fmt in ("rss", "atom", "json")}


async def leaders(states: list[FeedState], within: float = 3.0) -> list[FeedState]:
    started = time.monotonic()
    while time.monotonic() - started < within:
        found = [s for s in states if s.listener is not None and s.listener.leader]
        if found:
            return found
        await asyncio.sleep(0.02)
    return []


async def test_feeds_advertise_the_hub(database_url: str, pool: asyncpg.Pool, hub: Hub) -> None:
    await reset(pool)
    await add_source(pool)
    await insert(pool, Art("Ada hub", regions=("kalsel",)))
    settings = feed_settings(database_url, websub_hub=hub.url, public_url=PUBLIC)
    async with serve(settings, pool) as (base, _app), aiohttp.ClientSession() as http:
        for fmt in ("rss", "atom"):
            async with http.get(f"{base}/feeds/kalsel.{fmt}") as resp:
                links = {
                    (link.rel, link.href) for link in feedparser.parse(await resp.read()).feed.links
                }
                header = resp.headers["Link"]
            assert ("hub", hub.url) in links
            assert ("self", f"{PUBLIC}/feeds/kalsel.{fmt}") in links
            assert f'<{hub.url}>; rel="hub"' in header
        async with http.get(f"{base}/feeds/kalsel.json") as resp:
            assert json.loads(await resp.read())["hubs"] == [{"type": "WebSub", "url": hub.url}]
    async with (
        serve(feed_settings(database_url), pool) as (base, _app),
        aiohttp.ClientSession() as http,
        http.get(f"{base}/feeds/kalsel.atom") as resp,
    ):
        assert b'rel="hub"' not in await resp.read(), "no hub configured, none advertised"


async def test_one_replica_pings_each_changed_feed_once(
    database_url: str, pool: asyncpg.Pool, hub: Hub
) -> None:
    await reset(pool)
    await add_source(pool)
    async with AsyncExitStack() as stack:
        states = []
        for _ in range(2):
            settings = feed_settings(database_url, websub_hub=hub.url, public_url=PUBLIC)
            _, app = await stack.enter_async_context(serve(settings, pool, listener_check=0.2))
            states.append(app[STATE])
        (leader,) = await leaders(states)
        await insert(pool, Art("Banjir", regions=("kalsel", "kalsel/tapin"), topics=("ekonomi",)))
        wanted = expected_urls("all", "kalsel", "kalsel/tapin", "topics/ekonomi")
        await hub.wait_for(len(wanted))
        await asyncio.sleep(0.3)  # time enough for a second replica's duplicate pings
        assert Counter(url for _, url in hub.pings) == Counter(wanted)
        assert {mode for mode, _ in hub.pings} == {"publish"}
        # Changes close together are pinged together: three stores, one ping per URL.
        hub.pings.clear()
        for i in range(3):
            await insert(pool, Art(f"Susulan {i}", regions=("kalsel",)))
        wanted = expected_urls("all", "kalsel")
        await hub.wait_for(len(wanted))
        await asyncio.sleep(0.3)
        assert Counter(url for _, url in hub.pings) == Counter(wanted)
    assert leader.publisher is not None and leader.publisher.sent >= 18


async def test_another_replica_takes_over_the_pings(
    database_url: str, pool: asyncpg.Pool, hub: Hub
) -> None:
    await reset(pool)
    await add_source(pool, "src-jatim", timezone="WIB")
    async with AsyncExitStack() as outer:
        follower_settings = feed_settings(database_url, websub_hub=hub.url, public_url=PUBLIC)
        first_settings = feed_settings(database_url, websub_hub=hub.url, public_url=PUBLIC)
        async with serve(first_settings, pool, listener_check=0.2) as (_url, first):
            assert await leaders([first[STATE]])
            _, second = await outer.enter_async_context(
                serve(follower_settings, pool, listener_check=0.2)
            )
            await asyncio.sleep(0.3)
            assert not second[STATE].listener.leader  # type: ignore[union-attr]
        # The leader is gone: its connection went back to the pool and its lock with it.
        assert await leaders([second[STATE]])
        await insert(pool, Art("Gempa", source="src-jatim", regions=("jatim",)))
        wanted = expected_urls("all", "jatim")
        await hub.wait_for(len(wanted))
        assert Counter(url for _, url in hub.pings) == Counter(wanted)
