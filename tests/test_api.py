"""The JSON API: article records in the CONTRACT shape, keyset pages, one article, the sources."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg
import pytest
from multidict import CIMultiDict

from tests.test_feeds_support import T0, Art, add_source, feed_settings, insert, reset, serve

CONTRACT_FIELDS = {
    "url", "canonical_url", "source", "title", "summary", "text", "authors", "published_at",
    "published_raw", "date_source", "updated_at", "lang", "image", "image_caption", "section",
    "tags", "place", "region", "regency", "topics", "related", "content_hash", "duplicate_of",
}  # fmt: skip


@pytest.fixture(scope="module")
async def api(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[tuple[str, list[int]]]:
    await reset(pool)
    await add_source(pool, "src-full", republish="full")
    await add_source(pool, "src-summary", republish="summary")
    ids = [
        await insert(
            pool,
            Art("Sungai meluap", source="src-full", text="Satu.\n\nDua.", authors=("Ani",),
                regions=("kalsel", "kalsel/tapin"), topics=("lingkungan",), image="/f.jpg",
                related=(("Baca juga", "https://src-full.example/berita/2/x"),),
                updated_at=datetime(2025, 12, 18, 9, 30, tzinfo=UTC)),
        ),
        await insert(pool, Art("Harga cabai", source="src-summary", text="Rahasia.",
                               topics=("ekonomi",))),
    ]  # fmt: skip
    ids.append(
        await insert(
            pool, Art("Sungai meluap (salinan)", source="src-summary", duplicate_of=ids[0])
        )
    )
    await pool.execute(
        "UPDATE articles SET tags = '{banjir}', section = 'Daerah', place = 'Rantau',"
        " published_raw = 'Kamis, 18 Desember 2025 16:00 WITA' WHERE id = $1",
        ids[0],
    )
    async with serve(feed_settings(database_url), pool) as (url, _app):
        yield url, ids


async def get(url: str, **kwargs: Any) -> tuple[int, Any, CIMultiDict[str]]:
    async with aiohttp.ClientSession() as http, http.get(url, **kwargs) as resp:
        body = await resp.read()
        data = json.loads(body) if body and resp.content_type == "application/json" else body
        return resp.status, data, CIMultiDict(resp.headers)


async def test_records_have_the_contract_shape(api: tuple[str, list[int]]) -> None:
    base, ids = api
    status, doc, headers = await get(f"{base}/api/v1/articles?duplicates=1")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    records = doc["articles"]
    assert [r["id"] for r in records] == ids, "ingestion order, oldest first"
    for record in records:
        assert set(record) == CONTRACT_FIELDS | {"id", "duplicate_of_id"}
    first, second, copy = records
    assert first["source"] == "src-full" and first["text"] == "Satu.\n\nDua."
    assert first["published_at"] == T0.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first["updated_at"] == "2025-12-18T09:30:00Z"
    assert first["region"] == "kalsel" and first["regency"] == "tapin"
    assert first["topics"] == ["lingkungan"] and first["tags"] == ["banjir"]
    assert first["related"] == [
        {"title": "Baca juga", "url": "https://src-full.example/berita/2/x"}
    ]
    assert first["published_raw"] == "Kamis, 18 Desember 2025 16:00 WITA"
    assert first["date_source"] == "meta" and first["duplicate_of"] is None
    # The republish policy holds in the API too: no full text from a summary-only source.
    assert second["text"] == "" and second["summary"] == "Ringkasan berita."
    assert copy["duplicate_of"] == first["canonical_url"] and copy["duplicate_of_id"] == ids[0]
    status, doc, _ = await get(f"{base}/api/v1/articles")
    assert [r["id"] for r in doc["articles"]] == ids[:2], "copies collapsed by default"


async def test_cursor_pages_until_exhausted(api: tuple[str, list[int]]) -> None:
    base, ids = api
    status, doc, headers = await get(f"{base}/api/v1/articles?duplicates=1&limit=2")
    assert status == 200
    assert [r["id"] for r in doc["articles"]] == ids[:2]
    assert doc["next"].startswith(f"{base}/api/v1/articles?duplicates=1&limit=2&cursor=")
    assert headers["Link"] == f'<{doc["next"]}>; rel="next"'
    _, doc2, _ = await get(doc["next"])
    assert [r["id"] for r in doc2["articles"]] == ids[2:]
    assert doc2["next"] is None and doc2["cursor"]
    _, doc3, _ = await get(f"{base}/api/v1/articles?duplicates=1&cursor={doc2['cursor']}")
    assert doc3["articles"] == [] and doc3["cursor"] == doc2["cursor"], "resume point kept"
    _status, doc, _ = await get(f"{base}/api/v1/articles?topic=ekonomi")
    assert [r["title"] for r in doc["articles"]] == ["Harga cabai"]


async def test_one_article_and_its_errors(api: tuple[str, list[int]]) -> None:
    base, ids = api
    status, record, headers = await get(f"{base}/api/v1/articles/{ids[2]}")
    assert status == 200 and record["title"] == "Sungai meluap (salinan)"
    status, _, _again = await get(
        f"{base}/api/v1/articles/{ids[2]}", headers={"If-None-Match": headers["ETag"]}
    )
    assert status == 304
    assert (await get(f"{base}/api/v1/articles/99999999"))[0] == 404
    status, body, _ = await get(f"{base}/api/v1/articles/satu")
    assert status == 400 and body.startswith(b"id:")
    status, body, _ = await get(f"{base}/api/v1/articles?cursor=zz")
    assert status == 400 and body.startswith(b"cursor:")
    status, body, _ = await get(f"{base}/api/v1/articles?topic=astrologi")
    assert status == 404


async def test_sources_with_health(api: tuple[str, list[int]], pool: asyncpg.Pool) -> None:
    base, _ = api
    await pool.execute(
        "UPDATE sources SET health = 'failing', consecutive_failures = 3,"
        " last_error_kind = 'timeout', last_error_at = $1 WHERE id = 'src-summary'",
        T0,
    )
    status, doc, headers = await get(f"{base}/api/v1/sources")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    by_id = {s["id"]: s for s in doc["sources"]}
    assert by_id["src-full"]["health"] == "ok" and by_id["src-full"]["articles"] == 1
    failing = by_id["src-summary"]
    assert failing["health"] == "failing" and failing["consecutive_failures"] == 3
    assert failing["last_error_kind"] == "timeout"
    assert failing["last_error_at"] == "2025-12-18T08:00:00Z"
    assert failing["articles"] == 2 and failing["republish"] == "summary"
