"""Operator actions over HTTP are behind WARTA_OPERATOR_TOKEN: the source switch, and /metrics.

Without a token the switch is off (403) and /metrics stays open; with one, both demand
`Authorization: Bearer <token>` and refuse anything else with 401 before looking at the source.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import asyncpg
import pytest

from config.settings import Settings, SettingsError, load_settings
from tests.conftest import truncate
from tests.test_feeds_support import add_source, feed_settings, serve

TOKEN = "s3cret-operator-token-for-tests"


@pytest.fixture
async def source(pool: asyncpg.Pool) -> str:
    await truncate(pool)
    return await add_source(pool, "src-op")


@pytest.fixture
async def guarded(database_url: str, pool: asyncpg.Pool, source: str) -> AsyncIterator[str]:
    async with serve(feed_settings(database_url, operator_token=TOKEN), pool) as (url, _):
        yield url


@pytest.fixture
async def open_server(database_url: str, pool: asyncpg.Pool, source: str) -> AsyncIterator[str]:
    async with serve(feed_settings(database_url), pool) as (url, _):
        yield url


async def _post(url: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.post(url, headers=headers) as resp:
        return resp.status, await resp.text(), dict(resp.headers)


async def _get(url: str, **headers: str) -> int:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as resp:
        return resp.status


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong-token-of-the-same-sort",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        f"Token {TOKEN}",
        TOKEN,
    ],
)
async def test_the_switch_refuses_anything_but_the_bearer_token(
    guarded: str, pool: asyncpg.Pool, source: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    status, _, response_headers = await _post(
        f"{guarded}/api/v1/sources/{source}/disable", **headers
    )
    assert status == 401
    assert response_headers["WWW-Authenticate"].startswith("Bearer")
    assert (await pool.fetchval("SELECT enabled FROM sources WHERE id = $1", source)) is True
    # Refused before the lookup: an unknown source is not told apart from a known one.
    status, _, _ = await _post(f"{guarded}/api/v1/sources/no-such-source/disable", **headers)
    assert status == 401
    assert await _get(f"{guarded}/metrics", **headers) == 401


async def test_a_token_in_the_query_string_is_not_a_token(guarded: str, source: str) -> None:
    status, _, _ = await _post(f"{guarded}/api/v1/sources/{source}/disable?token={TOKEN}")
    assert status == 401
    assert await _get(f"{guarded}/metrics?token={TOKEN}") == 401


async def test_the_operator_switches_a_source_off_and_on(
    guarded: str, pool: asyncpg.Pool, source: str
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, body, headers = await _post(f"{guarded}/api/v1/sources/{source}/disable", **auth)
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    row = await pool.fetchrow("SELECT * FROM sources WHERE id = $1", source)
    assert not row["enabled"] and row["health"] == "disabled"
    assert row["disabled_reason"] == "operator"
    status, body, _ = await _post(f"{guarded}/api/v1/sources/{source}/enable", **auth)
    assert status == 200 and '"enabled": true' in body
    row = await pool.fetchrow("SELECT * FROM sources WHERE id = $1", source)
    assert row["enabled"] and row["health"] == "ok" and row["disabled_reason"] is None
    status, _, _ = await _post(f"{guarded}/api/v1/sources/no-such-source/enable", **auth)
    assert status == 404
    assert await _get(f"{guarded}/metrics", **auth) == 200
    # Only POST switches: a GET (a crawler, a prefetching browser) changes nothing.
    assert await _get(f"{guarded}/api/v1/sources/{source}/disable", **auth) == 405


async def test_without_a_token_the_switch_is_off_and_metrics_stay_open(
    open_server: str, pool: asyncpg.Pool, source: str
) -> None:
    status, body, _ = await _post(
        f"{open_server}/api/v1/sources/{source}/disable", Authorization="Bearer anything-at-all"
    )
    assert status == 403 and "WARTA_OPERATOR_TOKEN" in body
    assert (await pool.fetchval("SELECT enabled FROM sources WHERE id = $1", source)) is True
    assert await _get(f"{open_server}/metrics") == 200


@pytest.mark.parametrize(
    "value", ["short", "has a space in it somewhere!!", "tab\tinside-the-token-x"]
)
def test_a_weak_token_stops_start_up_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^WARTA_OPERATOR_TOKEN: ") as caught:
        load_settings({"WARTA_OPERATOR_TOKEN": value})
    assert value not in str(caught.value), "the message does not echo the secret"


def test_the_token_never_shows_in_the_settings_repr() -> None:
    settings = replace(Settings(), operator_token=TOKEN)
    assert TOKEN not in repr(settings)
    assert load_settings({"WARTA_OPERATOR_TOKEN": TOKEN}).operator_token == TOKEN
