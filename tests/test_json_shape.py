"""One JSON shape: `warta extract`, `warta sources --json` and the API agree on field names and times."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from config.settings import Settings
from ingestor.sources import Source
from tests.conftest import ingest
from tests.test_feeds_support import feed_settings, serve

UTC_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")  # RFC 3339, UTC, to the second


def warta(*args: str, cwd: Path, **env: str) -> Any:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    clean.update(env, WARTA_LOG_LEVEL="WARNING")
    proc = subprocess.run(
        [sys.executable, "-m", "warta.cli", *args], cwd=cwd, env=clean,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def times(record: dict[str, Any]) -> dict[str, Any]:
    """The fields that hold times, by name."""
    return {k: v for k, v in record.items() if k.endswith(("_at", "_until"))}


def assert_utc_z(record: dict[str, Any]) -> None:
    for name, value in times(record).items():
        assert value is None or UTC_Z.match(value), f"{name}: {value!r}"


@pytest.fixture(scope="module")
async def outputs(
    tmp_path_factory: pytest.TempPathFactory,
    settings: Settings,
    database_url: str,
    pool: asyncpg.Pool,
    sources: list[Source],
) -> dict[str, Any]:
    """The same article and source as the three outputs print them."""
    await ingest(settings, pool, sources)
    row = await pool.fetchrow("SELECT id, url FROM articles ORDER BY id LIMIT 1")
    assert row is not None
    tmp = tmp_path_factory.mktemp("shape")
    page = tmp / "page.html"
    async with aiohttp.ClientSession() as http, http.get(row["url"]) as resp:
        page.write_bytes(await resp.read())
    env = {"WARTA_SEEDS": str(settings.seeds), "WARTA_DATABASE_URL": database_url}
    extracted = [json.loads(line) for line in warta("extract", str(page), "--url", row["url"],
                                                    cwd=tmp, **env).splitlines()]  # fmt: skip
    listed = json.loads(warta("sources", "--json", cwd=tmp, **env))
    async with (
        serve(feed_settings(database_url), pool) as (base, _app),
        aiohttp.ClientSession() as http,
    ):
        async with http.get(f"{base}/api/v1/articles/{row['id']}") as resp:
            api_article = await resp.json()
        async with http.get(f"{base}/api/v1/articles") as resp:
            api_page = (await resp.json())["articles"]
        async with http.get(f"{base}/api/v1/sources") as resp:
            api_sources = (await resp.json())["sources"]
    return {
        "extracted": extracted, "api_article": api_article, "api_page": api_page,
        "listed": listed, "api_sources": api_sources,
    }  # fmt: skip


def test_extract_prints_the_api_article_record_plus_its_file(outputs: dict[str, Any]) -> None:
    [line] = outputs["extracted"]
    api = outputs["api_article"]
    assert set(line) - {"file"} == set(api) == set(outputs["api_page"][0])
    assert line["file"].endswith("page.html")
    assert line["id"] is None and isinstance(api["id"], int), "not stored: no id yet"
    for field in ("url", "title", "published_at", "region", "content_hash"):
        assert line[field] == api[field], field
    for record in (line, api):
        assert_utc_z(record)
        assert record["published_at"] and UTC_Z.match(record["published_at"])


def test_sources_json_is_the_api_source_record(outputs: dict[str, Any]) -> None:
    listed = {s["id"]: s for s in outputs["listed"]}
    served = {s["id"]: s for s in outputs["api_sources"]}
    assert set(listed) == set(served)
    for source_id, record in listed.items():
        assert list(record) == list(served[source_id]), "same fields in the same order"
        assert_utc_z(record)
        assert_utc_z(served[source_id])
        assert record["last_success_at"], "times are there to compare after a pass"
        for field in ("name", "health", "enabled", "last_success_at", "next_run_at", "verified"):
            assert record[field] == served[source_id][field], (source_id, field)
