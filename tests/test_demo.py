"""`warta demo`: offline, embedded database, simulated site; the printed feeds fill and parse cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import feedparser

from tests.conftest import ROOT, free_port


def feed_entries(body: bytes, content_type: str) -> int:
    """Entries in a well-formed feed; feedparser 6 reads RSS/Atom only, JSON Feed is checked here."""
    if content_type.startswith("application/feed+json"):
        doc = json.loads(body)
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert all(item["id"] and item["url"] for item in doc["items"])
        return len(doc["items"])
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return len(parsed.entries)


async def test_demo_prints_feed_urls_that_fill(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(
        WARTA_DATA_DIR=str(tmp_path / "var"), WARTA_PORT=str(free_port()), WARTA_LOG_LEVEL="WARNING"
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "warta.cli", "demo", env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    started = time.monotonic()
    urls: list[str] = []
    try:
        while time.monotonic() - started < 30:
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
            if not line or line.startswith("Stop with"):
                break
            urls += re.findall(r"https?://\S+/feeds/\S+", line)
        assert urls, "demo printed no feed URLs"
        pending = set(urls)
        async with aiohttp.ClientSession() as http:
            while pending and time.monotonic() - started < 60:
                for url in sorted(pending):
                    try:
                        async with http.get(url) as resp:
                            status, body = resp.status, await resp.read()
                            ctype = resp.headers.get("Content-Type", "")
                    except aiohttp.ClientConnectionError:
                        continue  # the server starts after the URLs are printed
                    if status == 200 and feed_entries(body, ctype) > 0:
                        pending.discard(url)
                await asyncio.sleep(0.5)
        assert not pending, f"feeds still empty after 60 s: {sorted(pending)}"
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), timeout=30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0
