"""Typed, validated fields of one catalogue entry; every error names file, entry and field.

What `ingestor.seeds` builds Source records from: TOML reading, URLs, zones, selectors and
host names, each checked at load so that a bad catalogue stops start-up with a clear message
instead of failing every run of the source later.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from datetime import tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from config.zones import ZoneError, Zones, default_zones
from ingestor.sources.css import compile_selector
from ingestor.sources.model import SiteRules

__all__ = [
    "RULE_FIELDS",
    "Entry",
    "SeedError",
    "css_selector",
    "host_names",
    "http_url",
    "proxy_url",
    "read_toml",
    "rules_table",
    "zone",
]

RULE_FIELDS = tuple(f.name for f in fields(SiteRules))


class SeedError(ValueError):
    """The catalogue is malformed; the message names file, entry and field."""


class Entry:
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


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SeedError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise SeedError(f"{path}: not valid TOML: arrays or tables nested too deep") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise SeedError(f"{path}: not valid TOML: {exc}") from None


def rules_table(entry: Entry, key: str, table: Any) -> SiteRules:
    if not isinstance(table, dict):
        raise entry.fail(key, "must be a table of selector lists")
    unknown = set(table) - set(RULE_FIELDS)
    if unknown:
        raise entry.fail(key, f"unknown rule(s) {sorted(unknown)}; known: {list(RULE_FIELDS)}")
    sub = Entry(entry.file, entry.label, table)
    rules = SiteRules(**{name: sub.strings(name) for name in RULE_FIELDS})
    for name in RULE_FIELDS:
        for selector in getattr(rules, name):
            css_selector(entry, f"{key}.{name}", selector)
    return rules


def css_selector(entry: Entry, key: str, selector: str) -> str:
    """A CSS selector that compiles; a bad one would otherwise fail every page at run time."""
    try:
        compile_selector(selector)
    except Exception as exc:  # cssselect's and lxml's errors alike
        raise entry.fail(key, f"not a valid CSS selector {selector!r}: {exc}") from None
    return selector


def zone(entry: Entry, zones: Zones | None = None) -> tuple[str, tzinfo]:
    """The entry's `timezone` as written and resolved (a label of config/zones.toml, IANA, UTC
    or +07:00); `zones` defaults to the shipped labels."""
    name = entry.get("timezone", str, required=True)
    try:
        return name, (zones or default_zones()).resolve(name)
    except ZoneError as exc:
        raise entry.fail("timezone", str(exc)) from None


def http_url(entry: Entry, key: str, value: str, base: str | None = None) -> str:
    why = f"must be an absolute http(s) URL (or a path under base_url): {value!r}"
    try:
        url = urljoin(base, value) if base else value
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number or out of range
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise entry.fail(key, f"{why}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise entry.fail(key, why)
    return url


def proxy_url(entry: Entry) -> str | None:
    proxy: str | None = entry.get("proxy", str)
    if proxy is not None:
        http_url(entry, "proxy", proxy)  # the fetcher speaks to http(s) proxies only
    return proxy


def host_names(entry: Entry) -> tuple[str, ...]:
    hosts = entry.strings("extra_hosts")
    for host in hosts:
        # Compared with a URL's lower-cased netloc: a scheme, path or capital never matches.
        if host != host.lower() or any(c in host for c in "/\\ @?#") or host.strip(".:") != host:
            raise entry.fail("extra_hosts", f"must be host names like m.example.id, got {host!r}")
    return hosts
