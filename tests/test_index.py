"""The HTML index and the OPML list: every feed linked, autodiscovery, headlines; the page
rendered by headless Chromium without console errors, and every link on it resolving."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import asyncpg
import pytest
from lxml import etree

from tests.test_feeds_support import Art, add_source, feed_settings, insert, reset, serve

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0",
)  # fmt: skip


@pytest.fixture(scope="module")
async def base(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[str]:
    await reset(pool)
    await add_source(pool)
    await insert(
        pool, Art("Banjir <besar> di Tapin & sekitarnya", regions=("kalsel", "kalsel/tapin"))
    )
    await insert(pool, Art("Harga karet naik", regions=("kalsel",), topics=("ekonomi",)))
    async with serve(feed_settings(database_url), pool) as (url, _app):
        yield url


async def test_index_lists_every_feed_with_autodiscovery(base: str, pool: asyncpg.Pool) -> None:
    async with aiohttp.ClientSession() as http, http.get(base + "/") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        assert resp.headers["ETag"]
        page = await resp.text()
    regions = await pool.fetch("SELECT key FROM regions")
    topics = await pool.fetch("SELECT slug FROM topics")
    for key in [r["key"] for r in regions] + [f"topics/{t['slug']}" for t in topics] + ["all"]:
        for fmt in ("rss", "atom", "json"):
            # Relative links: the index also works behind a path prefix.
            assert f'href="feeds/{key}.{fmt}"' in page, f"feeds/{key}.{fmt} not linked"
    for kind, fmt in (("rss+xml", "rss"), ("atom+xml", "atom"), ("feed+json", "json")):
        assert re.search(
            rf'<link rel="alternate" type="application/{re.escape(kind)}"[^>]*href="feeds/all.{fmt}"',
            page,
        )
    assert "Banjir &lt;besar&gt; di Tapin &amp; sekitarnya" in page, "headlines, escaped"
    assert "Harga karet naik" in page


async def test_opml_lists_every_feed(base: str, pool: asyncpg.Pool) -> None:
    async with aiohttp.ClientSession() as http, http.get(base + "/opml") as resp:
        assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/x-opml")
        root = etree.fromstring(await resp.read())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title")
    feeds = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    total = await pool.fetchval(
        "SELECT (SELECT count(*) FROM regions) + (SELECT count(*) FROM topics)"
    )
    assert len(feeds) == len(set(feeds)) == total + 1
    assert all(
        o.get("type") == "rss" and o.get("text") for o in root.iter("outline") if o.get("xmlUrl")
    )
    assert f"{base}/feeds/kalsel/tapin.rss" in feeds and f"{base}/feeds/topics/ekonomi.rss" in feeds


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class DevTools:
    """A minimal Chrome DevTools Protocol client over aiohttp's WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._next = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            future = self._waiting.pop(data.get("id", -1), None)
            if future is not None:
                future.set_result(data)
            else:
                self.events.append(data)

    async def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = future
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(future, 20)
        assert "error" not in reply, reply
        result: dict[str, Any] = reply.get("result", {})
        return result

    async def wait_event(self, method: str, within: float = 20) -> None:
        for _ in range(int(within / 0.05)):
            if any(e.get("method") == method for e in self.events):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {method} within {within}s")

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def chromium(binary: str, profile: Path) -> AsyncIterator[DevTools]:
    proc = await asyncio.create_subprocess_exec(
        binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank",
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    try:
        endpoint = None
        while endpoint is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode()
            assert line, "chromium exited before opening DevTools"
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            endpoint = match[1] if match else None
        async with aiohttp.ClientSession() as http, http.ws_connect(endpoint, max_msg_size=0) as ws:
            tools = DevTools(ws)
            try:
                yield tools
            finally:
                await tools.close()
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def test_headless_chromium_renders_the_index_cleanly(base: str, tmp_path: Path) -> None:
    binary = find_chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install -y chromium)")
    async with chromium(binary, tmp_path / "profile") as tools:
        target = await tools.send("Target.createTarget", url="about:blank")
        attached = await tools.send(
            "Target.attachToTarget", targetId=target["targetId"], flatten=True
        )
        session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            await tools.send(f"{domain}.enable", session)
        await tools.send("Page.navigate", session, url=base + "/")
        await tools.wait_event("Page.loadEventFired")
        await asyncio.sleep(0.2)  # late console messages
        result = await tools.send(
            "Runtime.evaluate", session, returnByValue=True,
            expression="JSON.stringify({title: document.title,"
            " links: [...document.querySelectorAll('a[href], link[href]')].map(e => e.href),"
            " feeds: [...document.querySelectorAll('link[rel=alternate]')].map(e => e.type),"
            " provinces: document.querySelectorAll('details').length,"
            " headlines: document.querySelectorAll('ol li a').length})",
        )  # fmt: skip
    page = json.loads(result["result"]["value"])
    problems = [
        e for e in tools.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] in ("error", "warning"))
        or (e.get("method") == "Network.responseReceived" and e["params"]["response"]["status"] >= 400)
        or e.get("method") == "Network.loadingFailed"
    ]  # fmt: skip
    assert not problems, problems
    assert page["title"].startswith("Warta")
    assert page["provinces"] == 38 and page["headlines"] == 2
    assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= set(
        page["feeds"]
    )
    ours = sorted({u for u in page["links"] if u.startswith(base)})
    others = {u for u in page["links"] if not u.startswith(base)}
    assert all(urlsplit(u).scheme in ("https", "http", "data") for u in others)
    assert len(ours) > 1600
    limit = asyncio.Semaphore(16)

    async def status(http: aiohttp.ClientSession, url: str) -> tuple[str, int]:
        async with limit, http.head(url) as resp:
            return url, resp.status

    async with aiohttp.ClientSession() as http:
        statuses = await asyncio.gather(*(status(http, u) for u in ours))
    broken = [(u, s) for u, s in statuses if s != 200]
    assert not broken, broken[:10]


async def test_times_read_as_indonesian_readers_read_them(base: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(base + "/") as resp:
        page = await resp.text()
    # T0 is 08:00 UTC; the source is in Kalimantan Selatan, on WITA (UTC+8).
    assert ">18 Des 2025, 16.00 WITA</time>" in page
    assert 'datetime="2025-12-18T16:00:00+08:00"' in page


async def test_failing_sources_are_noticed_on_the_index(base: str, pool: asyncpg.Pool) -> None:
    await add_source(pool, "src-jatim", name="Jatim", timezone="WIB")
    await add_source(pool, "src-kaltim", name="Kaltim", timezone="WITA")
    await pool.execute(
        "UPDATE sources SET health = 'failing', last_error_kind = 'dns',"
        " last_success_at = '2025-12-18 06:00+00', last_error_at = '2025-12-18 09:00+00'"
        " WHERE id = 'src-jatim'"
    )
    # The streak began with the first error after the last success: 07:05 UTC, 14.05 WIB.
    await pool.execute(
        "INSERT INTO ingestion_log (at, source_id, event, error_kind) VALUES"
        " ('2025-12-18 05:00+00', 'src-jatim', 'fetch', 'timeout'),"
        " ('2025-12-18 07:05+00', 'src-jatim', 'fetch', 'connect'),"
        " ('2025-12-18 09:00+00', 'src-jatim', 'fetch', 'dns')"
    )
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/") as resp:
                page = await resp.text()
            assert (
                '<p class="warn" role="status">1 dari 3 sumber gagal sejak 14.05 WIB:'
                " jaringan tidak terjangkau</p>"
            ) in page
            # Health changes without a NOTIFY: the next request already knows.
            await pool.execute("UPDATE sources SET health = 'ok' WHERE id = 'src-jatim'")
            async with http.get(base + "/") as resp:
                assert "sumber gagal" not in await resp.text()
    finally:
        await pool.execute("DELETE FROM sources WHERE id IN ('src-jatim', 'src-kaltim')")
