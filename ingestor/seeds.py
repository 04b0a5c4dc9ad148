"""Load and validate the source catalogue (seeds/*.toml) into Source records.

A seeds folder holds `layouts.toml` (named site-rule sets) and any number of source files. A
source file has an optional `[defaults]` table applied to each `[[source]]` entry. Every error
names the file, the entry and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import fields
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from ingestor.sources import TIMEZONES, Discovery, Listing, Republish, SiteRules, Source

__all__ = ["SeedError", "load_layouts", "load_sources", "parse_source"]

LAYOUTS_FILE = "layouts.toml"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_RULE_FIELDS = tuple(f.name for f in fields(SiteRules))
_KNOWN = {
    "id", "name", "base_url", "province", "timezone", "lang", "layout", "rules", "rss",
    "listings", "sitemaps", "article_pattern", "poll_min", "poll_max", "republish", "rights",
    "enabled", "verified", "allow_private_network", "proxy", "notes", "extra_hosts",
}  # fmt: skip


class SeedError(ValueError):
    """The catalogue is malformed; the message names file, entry and field."""


class _Entry:
    """Typed access to one entry's fields, raising SeedError that names where it came from."""

    def __init__(self, file: str, label: str, data: dict[str, Any]) -> None:
        self.file, self.label, self.data = file, label, data

    def fail(self, key: str, why: str) -> SeedError:
        return SeedError(f"{self.file}: {self.label}: field {key!r}: {why}")

    def get(self, key: str, kind: type, default: Any = None, *, required: bool = False) -> Any:
        if key not in self.data:
            if required:
                raise self.fail(key, "is required")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {kind.__name__}, got {type(value).__name__}")
        if isinstance(value, str) and not value.strip() and required:
            raise self.fail(key, "must not be empty")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, [])
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(value)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SeedError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML: {exc}") from None


def _rules(entry: _Entry, key: str, table: Any) -> SiteRules:
    if not isinstance(table, dict):
        raise entry.fail(key, "must be a table of selector lists")
    unknown = set(table) - set(_RULE_FIELDS)
    if unknown:
        raise entry.fail(key, f"unknown rule(s) {sorted(unknown)}; known: {list(_RULE_FIELDS)}")
    sub = _Entry(entry.file, entry.label, table)
    return SiteRules(**{name: sub.strings(name) for name in _RULE_FIELDS})


def load_layouts(path: Path) -> dict[str, SiteRules]:
    """Named rule sets: one top-level table per layout, keys are SiteRules fields."""
    if not path.exists():
        return {}
    data = _read_toml(path)
    return {
        name: _rules(_Entry(str(path), f"layout {name!r}", {}), name, table)
        for name, table in data.items()
    }


def _zone(entry: _Entry) -> tuple[str, timezone]:
    name = entry.get("timezone", str, required=True)
    if name in TIMEZONES:
        return name, TIMEZONES[name]
    match = _OFFSET.match(name)
    if not match:
        raise entry.fail("timezone", "must be WIB, WITA, WIT, UTC or an offset like +07:00")
    sign = 1 if match[1] == "+" else -1
    return name, timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))


def _http_url(entry: _Entry, key: str, value: str, base: str | None = None) -> str:
    url = urljoin(base, value) if base else value
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise entry.fail(
            key, f"must be an absolute http(s) URL (or a path under base_url): {value!r}"
        )
    return url


def _listings(entry: _Entry, base: str) -> tuple[Listing, ...]:
    raw = entry.get("listings", list, [])
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict):
            raise entry.fail(
                f"listings[{i}]", "must be a URL or a table with url, page_url, max_pages"
            )
        sub = _Entry(entry.file, f"{entry.label} listings[{i}]", item)
        page_url = sub.get("page_url", str)
        if page_url is not None and "{page}" not in page_url:
            raise sub.fail("page_url", "must contain {page}")
        max_pages = sub.get("max_pages", int, 5)
        if not 1 <= max_pages <= 100:
            raise sub.fail("max_pages", "must be between 1 and 100")
        out.append(
            Listing(
                url=_http_url(sub, "url", sub.get("url", str, required=True), base),
                page_url=_http_url(sub, "page_url", page_url, base) if page_url else None,
                max_pages=max_pages,
                link_selector=sub.get("link_selector", str),
            )
        )
    return tuple(out)


def parse_source(
    file: str, index: int, data: dict[str, Any], layouts: dict[str, SiteRules]
) -> Source:
    """Validate one `[[source]]` entry (defaults already merged) into a Source."""
    entry = _Entry(file, f"source[{index}]", data)
    source_id = entry.get("id", str, required=True)
    if not _ID.match(source_id):
        raise entry.fail("id", "must be lower-case letters, digits, '-' or '_' (max 64)")
    entry.label = f"source[{index}] ({source_id})"
    unknown = set(data) - _KNOWN
    if unknown:
        raise entry.fail(sorted(unknown)[0], f"unknown field; known fields: {sorted(_KNOWN)}")

    base_url = _http_url(entry, "base_url", entry.get("base_url", str, required=True)).rstrip("/")
    tz_name, tz = _zone(entry)
    layout = entry.get("layout", str)
    if layout is not None and layout not in layouts:
        raise entry.fail("layout", f"unknown layout {layout!r}; known: {sorted(layouts)}")
    rules = layouts.get(layout) if layout else None
    if "rules" in data:
        rules = _rules(entry, "rules", data["rules"])
    pattern_text = entry.get("article_pattern", str, required=True)
    try:
        pattern = re.compile(pattern_text)
    except re.error as exc:
        raise entry.fail("article_pattern", f"not a valid regular expression: {exc}") from None
    poll_min = entry.get("poll_min", int, 300)
    poll_max = entry.get("poll_max", int, 3600)
    if not 30 <= poll_min <= poll_max <= 7 * 86400:
        raise entry.fail("poll_min", "must satisfy 30 <= poll_min <= poll_max <= 604800 seconds")
    republish = entry.get("republish", str, "summary")
    if republish not in ("title", "summary", "full"):
        raise entry.fail("republish", "must be title, summary or full")
    discovery = Discovery(
        rss=tuple(_http_url(entry, "rss", u, base_url) for u in entry.strings("rss")),
        listings=_listings(entry, base_url),
        sitemaps=tuple(
            _http_url(entry, "sitemaps", u, base_url) for u in entry.strings("sitemaps")
        ),
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
        proxy=entry.get("proxy", str),
        notes=entry.get("notes", str),
        extra_hosts=entry.strings("extra_hosts"),
    )


def load_sources(
    path: Path, *, provinces: set[str] | None = None, layouts_path: Path | None = None
) -> list[Source]:
    """Every source in a seeds file or folder; `provinces` checks the province slugs.

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
        data = _read_toml(file)
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
            source = parse_source(str(file), index, {**defaults, **raw}, layouts)
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
