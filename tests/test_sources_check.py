"""`warta sources check`: verification is a fact with a date, shown everywhere, and names the failing gate.

A source onboarded from the simulated site is checked (verified), then its site is redesigned
under it: the next check fails on the `layout` gate, the database keeps both reports, and
`warta sources`, `sources show`, the API and the index say so. Editing the entry makes the
old verdict stale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from ingestor import store
from ingestor.onboard import entry_toml
from tests.conftest import truncate
from tests.test_feeds_support import serve
from tests.test_onboard_sites import _seeds, _settings, _survey
from warta.service import show_sources
from warta.simsite import SimSite, SiteVariant
from warta.sources_cmd import run_sources_action


async def test_check_verifies_then_names_the_gate_a_redesign_breaks(
    site: SimSite,
    database_url: str,
    pool: asyncpg.Pool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await truncate(pool)
    settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
    result = await _survey(settings, site.base_url("kalsel") + "/")
    assert result.fields is not None
    toml = entry_toml({**result.fields, "id": "kalsel-sim"})
    sources = _seeds(tmp_path / "seeds", toml)

    def check() -> argparse.Namespace:
        return argparse.Namespace(action="check", source_ids=["kalsel-sim"], all=False)

    assert await run_sources_action(settings, check(), lambda: sources) == 0
    assert "kalsel-sim: verified: passed 5/5 pages" in capsys.readouterr().out
    state = (await store.verifications(pool))["kalsel-sim"]
    assert state.state == "verified" and state.checked_at is not None and not state.failed_gates

    every = argparse.Namespace(action="check", source_ids=[], all=True)
    assert await run_sources_action(settings, every, lambda: sources) == 0
    assert "kalsel-sim: verified" in capsys.readouterr().out

    assert await show_sources(settings, sources, as_json=True) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["verified"] is True and row["verification"] == "verified" and row["checked_at"]

    site.variants["kalsel"] = SiteVariant(redesign=True)
    try:
        assert await run_sources_action(settings, check(), lambda: sources) == 1
    finally:
        site.variants.pop("kalsel")
    out = capsys.readouterr().out
    assert "kalsel-sim: FAILED: failed: layout (5 of 5 pages)" in out
    assert "gate layout failed: the layout's selectors no longer match" in out
    state = (await store.verifications(pool))["kalsel-sim"]
    assert state.state == "failing" and state.failed_gates == ("layout",)
    assert await pool.fetchval("SELECT count(*) FROM source_checks") == 3

    show = argparse.Namespace(action="show", source_id="kalsel-sim", json=False)
    assert await run_sources_action(settings, show, lambda: sources) == 0
    shown = capsys.readouterr().out
    assert "id = 'kalsel-sim'" in shown and "Verification: failing on " in shown
    assert "gate layout failed" in shown

    async with serve(settings, pool) as (base, _app), aiohttp.ClientSession() as http:
        async with http.get(base + "/api/v1/sources") as resp:
            (api,) = (await resp.json())["sources"]
        async with http.get(base + "/") as resp:
            index = await resp.text()
    assert api["verification"] == "failing" and api["failed_gates"] == ["layout"]
    assert "Sumber aktif: 1 (1 gagal cek kualitas)." in index

    # A changed entry is no longer vouched for by the old check, passed or failed.
    edited = _seeds(tmp_path / "seeds", toml.replace("[^/]+/?$'", "[^/]+$'"))
    assert edited[0].article_pattern.pattern != sources[0].article_pattern.pattern
    await store.sync_sources(pool, edited)
    assert (await store.verifications(pool))["kalsel-sim"].state == "stale"


async def test_check_needs_ids_or_all(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
    both = argparse.Namespace(action="check", source_ids=["x"], all=True)
    assert await run_sources_action(settings, both, list) == 2
    unknown = argparse.Namespace(action="check", source_ids=["nope"], all=False)
    assert await run_sources_action(settings, unknown, list) == 2
    assert "unknown source id(s) ['nope']" in capsys.readouterr().err
