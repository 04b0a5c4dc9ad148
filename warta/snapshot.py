"""`warta sources snapshot`: save a live sample of a source as a self-describing regression fixture.

A snapshot folder holds what was fetched, byte for byte (robots.txt, feeds, the first listing
pages, sitemaps, article pages), `source.toml` (the entry it was taken with), `records.jsonl`
(the records extracted then) and `manifest.json` (which URL each file came from, its status
and content type, and when). `replay_records` extracts the saved pages again with today's
code, so a test can compare them with the records of the day the snapshot was taken.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from database.records import ArticleRecord
from ingestor.discover import Candidate
from ingestor.extract import ExtractError, FeedHints, extract_article
from ingestor.fetch import Fetcher, FetchPolicy, decode_text, policy_for
from ingestor.onboard import Document, Sample, entry_fields, entry_toml, fetch_sample
from ingestor.sources import Source

__all__ = ["MANIFEST", "SavedPage", "read_manifest", "replay_records", "take_snapshot"]

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
ENTRY = "source.toml"
_EXTENSIONS = {
    "robots": ".txt",
    "feed": ".xml",
    "sitemap": ".xml",
    "listing": ".html",
    "article": ".html",
}


@dataclass(frozen=True, slots=True)
class SavedPage:
    """An article page of a snapshot and the listing metadata it was fetched with."""

    path: Path
    url: str
    final_url: str
    content_type: str | None
    hints: dict[str, Any]


def _hints(cand: Candidate | None) -> dict[str, Any]:
    if cand is None:
        return {}
    return {
        "title": cand.title, "summary": cand.summary, "image": cand.image, "via": cand.via,
        "published_raw": cand.published_raw,
        "published": cand.published.isoformat() if cand.published else None,
    }  # fmt: skip


async def take_snapshot(
    fetcher: Fetcher, source: Source, folder: Path, *, size: int, clock: Callable[[], datetime]
) -> int:
    """Fetch and save the sample; exit code 0, or 1 when no article page could be saved."""
    taken = clock()
    sample = await fetch_sample(fetcher, source, size=size, clock=lambda: taken)
    robots_url = source.base_url + "/robots.txt"
    robots = await fetcher.get(robots_url, source=_no_robots(source))
    documents = [Document("robots", robots_url, robots), *sample.documents]
    try:
        files, records = _write(folder, source, sample, documents, taken)
    except OSError as exc:
        print(f"warta: sources snapshot: --to {folder}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"{source.id}: saved {len(files)} files and {records} records to {folder}")
    for problem in sample.problems:
        print(f"  {problem}", file=sys.stderr)
    return 0 if records else 1


def _write(
    folder: Path, source: Source, sample: Sample, documents: list[Document], taken: datetime
) -> tuple[list[dict[str, Any]], int]:
    """Write every fetched document, the records, the entry and the manifest."""
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    by_url = {c.url: c for c in sample.candidates}
    for doc in documents:
        outcome = doc.outcome
        if not outcome.ok:
            continue
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
        name = f"{doc.kind}-{counts[doc.kind]:03d}{_EXTENSIONS.get(doc.kind, '.bin')}"
        path = Path("pages", name) if doc.kind == "article" else Path(name)
        (folder / path).write_bytes(outcome.body)
        files.append({
            "path": str(path), "kind": doc.kind, "url": doc.url, "final_url": outcome.final_url,
            "status": outcome.status, "content_type": outcome.content_type,
            "hints": _hints(by_url.get(doc.url)) if doc.kind == "article" else None,
        })  # fmt: skip
    records = [r for r in sample.records if isinstance(r, ArticleRecord)]
    article_files = [f for f in files if f["kind"] == "article"]
    with (folder / RECORDS).open("w", encoding="utf-8") as out:
        for record in records:
            saved = next((f["path"] for f in article_files if f["final_url"] == record.url), None)
            out.write(json.dumps({**record.to_json(), "file": saved}, ensure_ascii=False) + "\n")
    (folder / ENTRY).write_text(
        entry_toml(entry_fields(source), [f"Entry as snapshotted on {taken:%Y-%m-%d %H:%M} UTC."]),
        encoding="utf-8",
    )
    manifest = {
        "source": source.id,
        "base_url": source.base_url,
        "taken_at": taken.isoformat(),
        "files": files,
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")
    return files, len(records)


def _no_robots(source: Source) -> FetchPolicy:
    # robots.txt itself is always fetchable: its rules are about the site's other paths.
    return replace(policy_for(source), respect_robots=False)


def read_manifest(folder: Path) -> tuple[datetime, list[SavedPage]]:
    """When the snapshot was taken and its article pages."""
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    pages = [
        SavedPage(
            folder / f["path"],
            f["url"],
            f["final_url"],
            f.get("content_type"),
            f.get("hints") or {},
        )
        for f in data["files"]
        if f["kind"] == "article"
    ]
    return datetime.fromisoformat(data["taken_at"]), pages


def _feed_hints(hints: dict[str, Any]) -> FeedHints:
    published = hints.get("published")
    return FeedHints(
        title=hints.get("title"), summary=hints.get("summary"), image=hints.get("image"),
        published=datetime.fromisoformat(published) if published else None,
        published_raw=hints.get("published_raw"),
        via="sitemap" if hints.get("via") == "sitemap" else "rss",
    )  # fmt: skip


def replay_records(folder: Path, source: Source) -> list[dict[str, Any]]:
    """Extract the snapshot's saved pages again with today's code, as JSON records."""
    taken, pages = read_manifest(folder)
    out: list[dict[str, Any]] = []
    for page in pages:
        text = decode_text(page.path.read_bytes(), page.content_type).text
        try:
            record = extract_article(
                text, page.final_url, source=source, fetched_at=taken, hints=_feed_hints(page.hints)
            )
        except ExtractError:
            continue
        out.append({**record.to_json(), "file": str(page.path.relative_to(folder))})
    return out
