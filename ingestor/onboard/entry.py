"""Write a catalogue entry as a `[[source]]` TOML table the catalogue loader reads unchanged.

The standard library reads TOML but does not write it; entries are flat tables of strings,
numbers, booleans, string lists and inline tables, so a small writer is enough.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ingestor.sources import Source

__all__ = ["entry_fields", "entry_toml", "toml_value"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_value(value: Any) -> str:
    """One TOML value: strings as literal strings when safe (regular expressions read better)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        if "'" not in value and "\n" not in value and value.isprintable():
            return f"'{value}'"
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + items + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def entry_toml(fields: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """A `[[source]]` table; None values are left out, comment lines go first."""
    lines = [f"# {line}" if line else "#" for line in comments]
    lines.append("[[source]]")
    for key, value in fields.items():
        if value is None:
            continue
        if key == "rules" and isinstance(value, Mapping):
            continue  # written as a sub-table below, where long selector lists stay readable
        lines.append(f"{_key(key)} = {toml_value(value)}")
    rules = fields.get("rules")
    if isinstance(rules, Mapping) and rules:
        lines.append("[source.rules]")
        lines.extend(f"{_key(k)} = {toml_value(v)}" for k, v in rules.items() if v)
    return "\n".join(lines) + "\n"


def entry_fields(source: Source) -> dict[str, Any]:
    """A loaded Source as entry fields again (the snapshot keeps the entry it was taken with)."""
    rules = None
    if source.rules is not None and source.layout is None:
        rules = {
            name: list(getattr(source.rules, name))
            for name in ("title", "body", "date", "author", "section", "image",
                         "image_caption", "tags", "remove")
        }  # fmt: skip
    return {
        "id": source.id,
        "name": source.name,
        "base_url": source.base_url,
        "province": source.province,
        "timezone": source.tz_name,
        "lang": source.lang,
        "layout": source.layout,
        "article_pattern": source.article_pattern.pattern,
        "rss": list(source.discovery.rss),
        "listings": [
            {
                "url": item.url,
                "page_url": item.page_url,
                "max_pages": item.max_pages,
                "link_selector": item.link_selector,
            }
            for item in source.discovery.listings
        ],
        "sitemaps": list(source.discovery.sitemaps),
        "poll_min": source.poll_min_seconds,
        "poll_max": source.poll_max_seconds,
        "republish": source.republish,
        "rights": source.rights,
        "enabled": source.enabled,
        "allow_private_network": source.allow_private_network or None,
        "proxy": source.proxy,
        "notes": source.notes,
        "extra_hosts": list(source.extra_hosts) or None,
        "rules": rules,
    }
