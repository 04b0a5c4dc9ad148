"""Load the region and topic catalogues (config/*.toml, or WARTA_CATALOGUE's), validate them, mirror them into PostgreSQL."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import asyncpg

from config.zones import ZoneError, default_zones

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Region",
    "Topic",
    "load_catalogue",
    "sync_catalogue",
]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file, the entry and the field."""


@dataclass(frozen=True, slots=True)
class Region:
    """A province, or a regency/city inside one; `key` is 'kalsel' or 'kalsel/tapin'."""

    slug: str
    province: str
    kind: str  # province | regency | city
    name: str
    iso_code: str | None = None
    timezone: str | None = None
    capital: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.slug if self.kind == "province" else f"{self.province}/{self.slug}"


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of the taxonomy; `keywords` pairs a phrase (Indonesian or English) with its weight."""

    slug: str
    name_id: str
    name_en: str
    sections: tuple[str, ...] = ()
    keywords: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Catalogue:
    provinces: tuple[Region, ...]
    regencies: tuple[Region, ...]
    topics: tuple[Topic, ...]

    def province(self, slug: str) -> Region | None:
        return next((p for p in self.provinces if p.slug == slug), None)


def _read(name: str, folder: Path | None = None) -> tuple[str, dict[str, Any]]:
    """The file `name` of `folder`, or the shipped one; (label for errors, its data). A file
    that does not exist reads as empty."""
    entry: Traversable = resources.files("config") / name if folder is None else folder / name
    label = f"config/{name}" if folder is None else str(folder / name)
    try:
        return label, tomllib.loads(entry.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return label, {}
    except OSError as exc:
        raise CatalogueError(f"{label}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{label}: not valid TOML: {exc}") from None


def _own(folder: Path | None, name: str) -> Path | None:
    """`folder` when it holds `name` (so it replaces the shipped file), else None."""
    return folder if folder is not None and (folder / name).is_file() else None


def _field(
    label: str, index: int, entry: dict[str, Any], key: str, *, required: bool = True
) -> Any:
    value = entry.get(key)
    if value is None and not required:
        return None
    ident = entry.get("slug", f"#{index}")
    if value is None:
        raise CatalogueError(f"{label}: entry {ident}: field {key!r} is required")
    if key == "aliases" or key == "sections":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogueError(f"{label}: entry {ident}: field {key!r} must be a list of strings")
        return tuple(value)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{label}: entry {ident}: field {key!r} must be a non-empty string")
    if key == "slug" and not _SLUG.match(value):
        raise CatalogueError(f"{label}: entry {ident}: field 'slug' must be lower-case-with-dashes")
    if key == "tz":
        try:
            default_zones().resolve(value)  # a label of config/zones.toml, IANA, UTC or +07:00
        except ZoneError as exc:
            raise CatalogueError(f"{label}: entry {ident}: field 'tz': {exc}") from None
    return value


def _keywords(label: str, index: int, entry: dict[str, Any]) -> tuple[tuple[str, float], ...]:
    """The optional `keywords` table: phrase -> positive weight, in file order."""
    value = entry.get("keywords")
    if value is None:
        return ()
    ident = entry.get("slug", f"#{index}")
    if not isinstance(value, dict):
        raise CatalogueError(f"{label}: entry {ident}: field 'keywords' must be a table")
    pairs: list[tuple[str, float]] = []
    for phrase, weight in value.items():
        # bool is an int subclass; `true` is not a weight.
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight < 100:
            raise CatalogueError(
                f"{label}: entry {ident}: field 'keywords': weight of {phrase!r} must be a"
                " number above 0 and below 100"
            )
        if not phrase.strip():
            raise CatalogueError(f"{label}: entry {ident}: field 'keywords': empty phrase")
        pairs.append((phrase, float(weight)))
    return tuple(pairs)


def _unique(label: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise CatalogueError(f"{label}: entry {key}: duplicate")
        seen.add(key)


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Read provinces.toml, regencies.toml (when present) and topics.toml.

    `folder` (WARTA_CATALOGUE) replaces the shipped files it holds, so that a deployment
    elsewhere brings its own regions and topics without touching the package: its
    provinces.toml brings its regencies.toml with it (none when it has none: the shipped
    regencies name the shipped provinces), and its topics.toml the taxonomy; a file it lacks
    is the shipped one.
    """
    try:
        default_zones()  # zones.toml first: the regions' `tz` fields are checked against it
    except ZoneError as exc:
        raise CatalogueError(str(exc)) from None
    regions = _own(folder, "provinces.toml")
    label, data = _read("provinces.toml", regions)
    provinces = tuple(
        Region(
            slug=_field(label, i, e, "slug"),
            province=_field(label, i, e, "slug"),
            kind="province",
            name=_field(label, i, e, "name"),
            iso_code=_field(label, i, e, "iso"),
            timezone=_field(label, i, e, "tz"),
            aliases=_field(label, i, e, "aliases", required=False) or (),
        )
        for i, e in enumerate(data.get("province", []))
    )
    _unique(label, [p.slug for p in provinces])
    province_slugs = {p.slug for p in provinces}

    label, data = _read("regencies.toml", regions)
    regencies: list[Region] = []
    for i, e in enumerate(data.get("regency", [])):
        province = _field(label, i, e, "province")
        if province not in province_slugs:
            raise CatalogueError(
                f"{label}: entry {e.get('slug', i)}: unknown province {province!r}"
            )
        kind = _field(label, i, e, "type")
        if kind not in ("regency", "city"):
            raise CatalogueError(f"{label}: entry {e.get('slug', i)}: type must be regency or city")
        regencies.append(
            Region(
                slug=_field(label, i, e, "slug"),
                province=province,
                kind=kind,
                name=_field(label, i, e, "name"),
                capital=_field(label, i, e, "capital", required=False),
                aliases=_field(label, i, e, "aliases", required=False) or (),
            )
        )
    _unique(label, [r.key for r in regencies])

    label, data = _read("topics.toml", _own(folder, "topics.toml"))
    topics = tuple(
        Topic(
            slug=_field(label, i, e, "slug"),
            name_id=_field(label, i, e, "name_id"),
            name_en=_field(label, i, e, "name_en"),
            sections=_field(label, i, e, "sections", required=False) or (),
            keywords=_keywords(label, i, e),
        )
        for i, e in enumerate(data.get("topic", []))
    )
    _unique(label, [t.slug for t in topics])
    return Catalogue(provinces=provinces, regencies=tuple(regencies), topics=topics)


async def sync_catalogue(pool: asyncpg.Pool, catalogue: Catalogue) -> None:
    """Mirror the catalogue into the regions and topics tables the read side lists."""
    regions = [*catalogue.provinces, *catalogue.regencies]
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(
            "INSERT INTO regions (key, slug, province, kind, name, iso_code, timezone, aliases)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            " ON CONFLICT (key) DO UPDATE SET slug = EXCLUDED.slug, province = EXCLUDED.province,"
            " kind = EXCLUDED.kind, name = EXCLUDED.name, iso_code = EXCLUDED.iso_code,"
            " timezone = EXCLUDED.timezone, aliases = EXCLUDED.aliases",
            [
                (r.key, r.slug, r.province, r.kind, r.name, r.iso_code, r.timezone, list(r.aliases))
                for r in regions
            ],
        )
        await conn.execute(
            "DELETE FROM regions WHERE NOT (key = ANY($1::text[]))", [r.key for r in regions]
        )
        await conn.executemany(
            "INSERT INTO topics (slug, name_id, name_en) VALUES ($1, $2, $3)"
            " ON CONFLICT (slug) DO UPDATE SET name_id = EXCLUDED.name_id, name_en = EXCLUDED.name_en",
            [(t.slug, t.name_id, t.name_en) for t in catalogue.topics],
        )
        await conn.execute(
            "DELETE FROM topics WHERE NOT (slug = ANY($1::text[]))",
            [t.slug for t in catalogue.topics],
        )
