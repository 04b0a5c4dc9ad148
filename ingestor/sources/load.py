"""Load and validate the source catalogue (seeds/*.toml) into Source records.

A seeds folder holds `layouts.toml` (named site-rule sets) and any number of source files. A
source file has an optional `[defaults]` table applied to each `[[source]]` entry. Every error
names the file, the entry and the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from config.zones import Zones
from ingestor.sources.fields import (
    Entry,
    SeedError,
    css_selector,
    host_names,
    http_url,
    proxy_url,
    read_toml,
    rules_table,
    zone,
)
from ingestor.sources.model import Discovery, Listing, Republish, SiteRules, Source

__all__ = ["SeedError", "load_layouts", "load_sources", "parse_source"]

LAYOUTS_FILE = "layouts.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KNOWN = {
    "id", "name", "base_url", "province", "timezone", "lang", "layout", "rules", "rss",
    "listings", "sitemaps", "article_pattern", "poll_min", "poll_max", "republish", "rights",
    "enabled", "verified", "allow_private_network", "proxy", "notes", "extra_hosts",
}  # fmt: skip


def load_layouts(path: Path) -> dict[str, SiteRules]:
    """Named rule sets: one top-level table per layout, keys are SiteRules fields."""
    if not path.exists():
        return {}
    data = read_toml(path)
    return {
        name: rules_table(Entry(str(path), f"layout {name!r}", {}), name, table)
        for name, table in data.items()
    }


def _listings(entry: Entry, base: str) -> tuple[Listing, ...]:
    raw = entry.get("listings", list, [])
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise entry.fail(
                f"listings[{i}]", "must be a URL or a table with url, page_url, max_pages"
            )
        sub = Entry(entry.file, f"{entry.label} listings[{i}]", item)
        page_url = sub.get("page_url", str)
        if page_url is not None:
            if "{page}" not in page_url:
                raise sub.fail("page_url", "must contain {page}")
            try:  # the harvester fills it with str.format: no other placeholder may be there
                page_url.format(page=2)
            except (KeyError, IndexError, ValueError, AttributeError):
                raise sub.fail(
                    "page_url", "must hold {page} and no other {...}; write braces as {{ }}"
                ) from None
        link_selector = sub.get("link_selector", str)
        if link_selector is not None:
            css_selector(sub, "link_selector", link_selector)
        max_pages = sub.get("max_pages", int, 5)
        if not 1 <= max_pages <= 100:
            raise sub.fail("max_pages", "must be between 1 and 100")
        out.append(
            Listing(
                url=http_url(sub, "url", sub.get("url", str, required=True), base),
                page_url=http_url(sub, "page_url", page_url, base) if page_url else None,
                max_pages=max_pages,
                link_selector=link_selector,
            )
        )
    return tuple(out)


def parse_source(
    file: str,
    index: int,
    data: dict[str, Any],
    layouts: dict[str, SiteRules],
    zones: Zones | None = None,
) -> Source:
    """Validate one `[[source]]` entry (defaults already merged) into a Source."""
    entry = Entry(file, f"source[{index}]", data)
    source_id = entry.get("id", str, required=True)
    if not _ID.match(source_id):
        raise entry.fail("id", "must be lower-case letters, digits, '-' or '_' (max 64)")
    entry.label = f"source[{index}] ({source_id})"
    unknown = set(data) - _KNOWN
    if unknown:
        raise entry.fail(sorted(unknown)[0], f"unknown field; known fields: {sorted(_KNOWN)}")

    base_url = http_url(entry, "base_url", entry.get("base_url", str, required=True)).rstrip("/")
    tz_name, tz = zone(entry, zones)
    layout = entry.get("layout", str)
    if layout is not None and layout not in layouts:
        raise entry.fail("layout", f"unknown layout {layout!r}; known: {sorted(layouts)}")
    rules = layouts.get(layout) if layout else None
    if "rules" in data:
        rules = rules_table(entry, "rules", data["rules"])
    pattern_text = entry.get("article_pattern", str, required=True)
    try:
        pattern = re.compile(pattern_text)
    except (re.error, OverflowError, RecursionError) as exc:
        raise entry.fail("article_pattern", f"not a valid regular expression: {exc}") from None
    poll_min = entry.get("poll_min", int, 300)
    poll_max = entry.get("poll_max", int, 3600)
    if not 30 <= poll_min <= poll_max <= 7 * 86400:
        raise entry.fail("poll_min", "must satisfy 30 <= poll_min <= poll_max <= 604800 seconds")
    republish = entry.get("republish", str, "summary")
    if republish not in ("title", "summary", "full"):
        raise entry.fail("republish", "must be title, summary or full")
    discovery = Discovery(
        rss=tuple(http_url(entry, "rss", u, base_url) for u in entry.strings("rss")),
        listings=_listings(entry, base_url),
        sitemaps=tuple(http_url(entry, "sitemaps", u, base_url) for u in entry.strings("sitemaps")),
    )
    if not (discovery.rss or discovery.listings or discovery.sitemaps):
        raise entry.fail("rss", "a source needs at least one of rss, listings or sitemaps")
    return Source(
        id=source_id,
        name=entry.get("name", str, required=True),
        base_url=base_url,
        province=entry.get("province", str),
        tz_name=tz_name,
        tz=tz,
        lang=entry.get("lang", str, "id"),
        discovery=discovery,
        article_pattern=pattern,
        rules=rules,
        layout=layout,
        poll_min_seconds=poll_min,
        poll_max_seconds=poll_max,
        republish=cast(Republish, republish),
        rights=entry.get("rights", str),
        enabled=entry.get("enabled", bool, True),
        verified=entry.get("verified", bool, False),
        allow_private_network=entry.get("allow_private_network", bool, False),
        proxy=proxy_url(entry),
        notes=entry.get("notes", str),
        extra_hosts=host_names(entry),
    )


def load_sources(
    path: Path,
    *,
    provinces: set[str] | None = None,
    layouts_path: Path | None = None,
    zones: Zones | None = None,
) -> list[Source]:
    """Every source in a seeds file or folder; `provinces` checks the province slugs, `zones`
    gives the zone labels (default: config/zones.toml).

    Raises:
        SeedError: on the first malformed file, entry or field.
    """
    files = (
        sorted(p for p in path.glob("*.toml") if p.name != LAYOUTS_FILE)
        if path.is_dir()
        else [path]
    )
    if path.is_dir():
        layouts_path = layouts_path or path / LAYOUTS_FILE
    if not files or not all(p.exists() for p in files):
        raise SeedError(f"{path}: no seed files found")
    layouts = load_layouts(layouts_path) if layouts_path else {}
    sources: list[Source] = []
    seen: dict[str, str] = {}
    check: Callable[[Source, str], None] = _province_checker(provinces)
    for file in files:
        data = read_toml(file)
        unknown = set(data) - {"defaults", "source"}
        if unknown:
            raise SeedError(f"{file}: unknown top-level table(s) {sorted(unknown)}")
        defaults = data.get("defaults", {})
        entries = data.get("source", [])
        if not isinstance(defaults, dict) or not isinstance(entries, list):
            raise SeedError(f"{file}: [defaults] must be a table and [[source]] an array of tables")
        for index, raw in enumerate(entries):
            if not isinstance(raw, dict):
                raise SeedError(f"{file}: source[{index}]: must be a table")
            source = parse_source(str(file), index, {**defaults, **raw}, layouts, zones)
            if source.id in seen:
                raise SeedError(
                    f"{file}: source[{index}] ({source.id}): field 'id': duplicate of {seen[source.id]}"
                )
            seen[source.id] = str(file)
            check(source, f"{file}: source[{index}] ({source.id})")
            sources.append(source)
    return sources


def _province_checker(provinces: set[str] | None) -> Callable[[Source, str], None]:
    def check(source: Source, where: str) -> None:
        if (
            provinces is not None
            and source.province is not None
            and source.province not in provinces
        ):
            raise SeedError(f"{where}: field 'province': unknown province {source.province!r}")

    return check
