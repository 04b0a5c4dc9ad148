"""New sources are not all due at once: their first polls come as a ramp within one interval."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import asyncpg

from ingestor import store
from ingestor.sources.load import load_sources
from tests.conftest import truncate
from tests.newsroom import write_seeds


async def _due_in(pool: asyncpg.Pool) -> dict[str, float]:
    rows = await pool.fetch(
        "SELECT id, extract(epoch FROM next_run_at - now())::float8 AS due_in FROM sources"
    )
    return {r["id"]: float(r["due_in"]) for r in rows}


def _seeds(folder: Path, ids: list[str], poll: tuple[int, int] | None = None) -> Path:
    seeds = write_seeds(folder, [(i, f"http://127.0.0.1:9/{i}") for i in ids])
    if poll is not None:  # tests/newsroom.py polls every 3600-7200 s
        text = (seeds / "newsroom.toml").read_text(encoding="utf-8")
        text = text.replace("poll_min = 3600", f"poll_min = {poll[0]}")
        (seeds / "newsroom.toml").write_text(
            text.replace("poll_max = 7200", f"poll_max = {poll[1]}")
        )
    return seeds


async def test_a_new_catalogue_comes_due_one_source_a_second(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await truncate(pool)
    ids = [f"src-{i:02d}" for i in range(20)]
    sources = load_sources(_seeds(tmp_path, ids))
    await store.sync_sources(pool, sources)

    due_in = await _due_in(pool)
    ordered = sorted(due_in.values())
    assert ordered[0] <= 0.5, "the first is due at once"
    assert all(0.5 < b - a < 1.5 for a, b in pairwise(ordered)), ordered
    # The order is a stable hash of the id, not catalogue order (sources of one site interleave),
    # and every process syncing the same catalogue computes the same slots.
    assert sorted(due_in, key=due_in.__getitem__) != ids
    expected = store.first_poll_offsets(sources)
    assert all(abs(due_in[k] - v) < 0.5 for k, v in expected.items())

    # A second sync (a restart, another process) leaves the schedule as it is.
    await store.sync_sources(pool, sources)
    again = await _due_in(pool)
    assert all(abs(again[k] - due_in[k]) < 0.5 for k in ids)


async def test_a_large_catalogue_is_spread_over_one_poll_interval(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await truncate(pool)
    ids = [f"src-{i:03d}" for i in range(120)]
    await store.sync_sources(pool, load_sources(_seeds(tmp_path, ids, poll=(30, 60))))

    ordered = sorted((await _due_in(pool)).values())
    # 120 sources polled every 60 s: one every half second, every first poll within 60 s.
    assert all(0.3 < b - a < 0.7 for a, b in pairwise(ordered)), ordered
    assert ordered[0] <= 0.5 and 55 < ordered[-1] < 60


async def test_one_source_added_later_is_due_at_once(pool: asyncpg.Pool, tmp_path: Path) -> None:
    await truncate(pool)
    first = [f"old-{i}" for i in range(5)]
    await store.sync_sources(pool, load_sources(_seeds(tmp_path / "a", first)))
    before = await _due_in(pool)

    await store.sync_sources(pool, load_sources(_seeds(tmp_path / "b", [*first, "newcomer"])))
    after = await _due_in(pool)
    assert after["newcomer"] <= 0.5
    assert all(abs(after[k] - before[k]) < 0.5 for k in first), "known sources keep their slot"
