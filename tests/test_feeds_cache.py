"""The rendered-feed cache: hits, one render per concurrent miss, invalidation by NOTIFY across
processes, and recovery when the listening connection is lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest

from feeds.cache import FeedCache
from feeds.changes import Change, Scope
from feeds.response import Representation, make_representation
from feeds.state import STATE, FeedState
from tests.conftest import ROOT, free_port
from tests.test_feeds_support import (
    Art,
    add_source,
    feed_settings,
    insert,
    reset,
    send_notify,
    serve,
)


@pytest.fixture
async def server(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[tuple[str, FeedState]]:
    await reset(pool)
    await add_source(pool)
    await add_source(pool, "src-jatim", name="ANTARA Jawa Timur", timezone="WIB")
    await insert(pool, Art("Lama di Kalsel", regions=("kalsel",), topics=("ekonomi",)))
    await insert(pool, Art("Lama di Jatim", source="src-jatim", regions=("jatim",)))
    async with serve(feed_settings(database_url), pool) as (url, app):
        state = app[STATE]
        assert state.listener is not None
        await asyncio.wait_for(state.listener.connected.wait(), 5)
        yield url, state


async def titles(http: aiohttp.ClientSession, url: str) -> list[str]:
    async with http.get(url) as resp:
        assert resp.status == 200
        return [i["title"] for i in json.loads(await resp.read())["items"]]


async def wait_for_title(http: aiohttp.ClientSession, url: str, title: str, within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        if title in await titles(http, url):
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise AssertionError(f"{title!r} not in {url} after {within}s")


async def test_a_second_request_is_a_cache_hit(server: tuple[str, FeedState]) -> None:
    url, state = server
    async with aiohttp.ClientSession() as http:
        await titles(http, url + "/feeds/kalsel.json")
        misses, hits = state.cache.stats.misses, state.cache.stats.hits
        await titles(http, url + "/feeds/kalsel.json")
        # Another spelling of the same query is the same document.
        await titles(http, url + "/feeds/kalsel.json?limit=50&junk=1")
    assert state.cache.stats.misses == misses
    assert state.cache.stats.hits == hits + 2


async def test_concurrent_misses_render_once(server: tuple[str, FeedState]) -> None:
    url, state = server
    renders = state.metrics.renders.get("json")
    before = sum(renders.counts) if renders else 0
    async with aiohttp.ClientSession() as http:
        results = await asyncio.gather(
            *(titles(http, url + "/feeds/topics/ekonomi.json?limit=7") for _ in range(20))
        )
    assert all(r == ["Lama di Kalsel"] for r in results)
    assert sum(state.metrics.renders["json"].counts) == before + 1
    assert state.cache.stats.coalesced + state.cache.stats.hits >= 19


async def test_notify_drops_only_the_feeds_it_touches(
    server: tuple[str, FeedState], pool: asyncpg.Pool
) -> None:
    url, state = server
    async with aiohttp.ClientSession() as http:
        for path in ("/feeds/kalsel.json", "/feeds/jatim.json", "/feeds/all.json"):
            await titles(http, url + path)
        # Stored without NOTIFY: the cache cannot know, so it still serves the old feed.
        await insert(pool, Art("Diam-diam", regions=("kalsel",)), notify=False)
        await asyncio.sleep(0.2)
        assert "Diam-diam" not in await titles(http, url + "/feeds/kalsel.json")
        # The writer's NOTIFY (sent with its transaction): gone from the cache within moments.
        await insert(pool, Art("Baru di Kalsel", regions=("kalsel", "kalsel/tapin")))
        await wait_for_title(http, url + "/feeds/kalsel.json", "Baru di Kalsel", within=1.0)
        assert "Diam-diam" in await titles(http, url + "/feeds/kalsel.json")
        assert "Baru di Kalsel" in await titles(http, url + "/feeds/all.json")
        misses = state.cache.stats.misses
        assert await titles(http, url + "/feeds/jatim.json") == ["Lama di Jatim"]
        assert state.cache.stats.misses == misses, "another province's feed stays cached"
        # "{}": everything changed.
        await insert(
            pool, Art("Senyap di Jatim", source="src-jatim", regions=("jatim",)), notify=False
        )
        await send_notify(pool, everything=True)
        await wait_for_title(http, url + "/feeds/jatim.json", "Senyap di Jatim", within=1.0)


async def test_a_lost_listener_connection_clears_the_cache_and_comes_back(
    server: tuple[str, FeedState], pool: asyncpg.Pool
) -> None:
    url, state = server
    listener = state.listener
    assert listener is not None and listener.server_pid is not None
    async with aiohttp.ClientSession() as http:
        await titles(http, url + "/feeds/kalsel.json")
        # Changes made while the connection is down are never notified.
        await pool.execute("SELECT pg_terminate_backend($1)", listener.server_pid)
        await insert(pool, Art("Selama terputus", regions=("kalsel",)), notify=False)
        await wait_for_title(http, url + "/feeds/kalsel.json", "Selama terputus", within=5.0)
        await asyncio.wait_for(listener.connected.wait(), 5)
        await insert(pool, Art("Setelah tersambung", regions=("kalsel",)))
        await wait_for_title(http, url + "/feeds/kalsel.json", "Setelah tersambung", within=1.0)


async def test_two_warta_serve_processes_agree_within_a_second(
    database_url: str, pool: asyncpg.Pool
) -> None:
    await reset(pool)
    await add_source(pool)
    await insert(pool, Art("Sebelumnya", regions=("kalsel",)))
    ports = [free_port(), free_port()]
    procs = []
    for port in ports:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
        env.update(WARTA_DATABASE_URL=database_url, WARTA_PORT=str(port), WARTA_LOG_LEVEL="WARNING")
        proc = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "warta.cli", "serve"),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)
    urls = [f"http://127.0.0.1:{p}/feeds/kalsel.json" for p in ports]
    try:
        async with aiohttp.ClientSession() as http:
            for url in urls:
                started = time.monotonic()
                while True:
                    try:
                        if await titles(http, url) == ["Sebelumnya"]:
                            break
                    except (aiohttp.ClientConnectionError, AssertionError):
                        pass
                    assert time.monotonic() - started < 30, "warta serve did not come up"
                    await asyncio.sleep(0.1)
                await titles(http, url)  # cached now
            await asyncio.sleep(0.3)  # both listeners are up once the feed answers; margin
            await insert(pool, Art("Tersimpan sekali", regions=("kalsel",)))
            delays = await asyncio.gather(
                *(wait_for_title(http, url, "Tersimpan sekali", within=1.0) for url in urls)
            )
        assert max(delays) < 1.0
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
    assert all(p.returncode == 0 for p in procs), [
        (await p.stderr.read()).decode()[-500:] for p in procs if p.stderr
    ]


async def test_the_cache_is_bounded_in_keys_and_bytes() -> None:
    cache = FeedCache(max_entries=3, ttl=60, max_bytes=3000)

    async def render(size: int) -> Representation:
        return make_representation(b"x" * size, "text/plain", modified_at=None, cache_control="")

    for i in range(5):
        await cache.get_or_render(f"/k{i}", Scope(), lambda: render(100))
    assert [k for k in ("/k0", "/k1", "/k2", "/k3", "/k4") if cache.get(k)] == ["/k2", "/k3", "/k4"]
    await cache.get_or_render("/big", Scope(), lambda: render(1900))  # counted as 2,850 bytes
    assert cache.get("/big") and cache.get("/k4") and not cache.get("/k3")
    assert cache.bytes <= 3000 and cache.stats.evicted == 4


@pytest.mark.parametrize(
    ("scope", "change", "affected"),
    [
        (Scope(regions=frozenset({"kalsel"})), Change(frozenset({"kalsel"}), None, None), True),
        (Scope(regions=frozenset({"kalsel"})), Change(frozenset({"jatim"}), None, None), False),
        # A writer naming only the regency still changed the province's feed.
        (Scope(regions=frozenset({"kalsel"})), Change(frozenset({"kalsel/tapin"})), True),
        (Scope(regions=frozenset({"kalsel/tapin"})), Change(frozenset({"kalsel"})), False),
        # Region and topic: both must be among the changes (the payload is a union).
        (Scope(frozenset({"kalsel"}), frozenset({"ekonomi"})),
         Change(frozenset({"kalsel"}), frozenset({"politik"})), False),
        (Scope(frozenset({"kalsel"}), frozenset({"ekonomi"})),
         Change(frozenset({"kalsel", "jatim"}), frozenset({"politik", "ekonomi"})), True),
        (Scope(source="src-a"), Change(None, None, frozenset({"src-b"})), False),
        (Scope(), Change(frozenset(), frozenset(), frozenset()), True),  # the all feed
        (Scope(regions=frozenset({"kalsel"})), Change.from_payload("{}"), True),
        (Scope(regions=frozenset({"kalsel"})), Change.from_payload("not json"), True),
        (Scope(articles=False), Change.from_payload("{}"), False),  # OPML
    ],
)  # fmt: skip
def test_which_changes_touch_which_documents(scope: Scope, change: Change, affected: bool) -> None:
    assert scope.affected_by(change) is affected
