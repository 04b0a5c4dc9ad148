"""The catalogue as the read side needs it in memory: region, topic and source names by slug."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

import asyncpg

from config.zones import default_zones

__all__ = ["Names", "RegionName", "clock", "load_names", "source_zone"]

log = logging.getLogger(__name__)

# Source zones are stored as the catalogue wrote them (a label of config/zones.toml, an IANA
# name or an offset). Feeds show times with a numeric offset in the source's zone (readers
# mis-parse "WIB"), or UTC when unknown (rows written before the zone was checked).


def source_zone(name: str | None) -> tzinfo:
    return default_zones().known(name) or UTC


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def clock(stamp: datetime, zone: str | None, *, date: bool = False) -> str:
    """A time as Indonesian readers write it, in the zone named: '08.30 WITA' (a dot between
    hours and minutes, 24-hour, the zone's label rather than an offset; without a label in
    config/zones.toml, the zone's own abbreviation then: '08.30 CEST'), with the date in front
    ('4 Des 2026, 08.30 WITA') when asked. Unknown zones are shown in UTC."""
    zones = default_zones()
    tz = zones.known(zone)
    if zone is None or tz is None:
        zone, tz = "UTC", UTC
    local = stamp.astimezone(tz)
    text = f"{local.hour:02d}.{local.minute:02d} {zones.abbreviation(zone, stamp)}"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {text}" if date else text


@dataclass(frozen=True, slots=True)
class RegionName:
    key: str  # 'kalsel' or 'kalsel/tapin'
    name: str
    kind: str  # province | regency | city
    province: str


@dataclass(slots=True)
class Names:
    """Slug → display name for the feeds that exist; sources are re-read when one is missing.

    Regions and topics are mirrored from config/*.toml at every start (before the server
    starts), so they are fixed for the life of the process; sources can be added any time.
    """

    regions: dict[str, RegionName] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    sources_read_at: float = 0.0

    def provinces(self) -> list[RegionName]:
        return sorted(
            (r for r in self.regions.values() if r.kind == "province"), key=lambda r: r.name
        )

    def regencies(self, province: str) -> list[RegionName]:
        return sorted(
            (r for r in self.regions.values() if r.kind != "province" and r.province == province),
            key=lambda r: r.name,
        )

    async def has_source(self, pool: asyncpg.Pool, source_id: str) -> bool:
        # Re-read at most every few seconds: unknown ids must not cost a query each.
        if source_id not in self.sources and time.monotonic() - self.sources_read_at > 5.0:
            self.sources_read_at = time.monotonic()
            self.sources.update(await _sources(pool))
        return source_id in self.sources


async def _sources(pool: asyncpg.Pool) -> dict[str, str]:
    return {r["id"]: r["name"] for r in await pool.fetch("SELECT id, name FROM sources")}


async def load_names(pool: asyncpg.Pool) -> Names:
    """Read the region, topic and source catalogues once."""
    regions = {
        r["key"]: RegionName(r["key"], r["name"], r["kind"], r["province"])
        for r in await pool.fetch("SELECT key, name, kind, province FROM regions")
    }
    topics = {r["slug"]: r["name_id"] for r in await pool.fetch("SELECT slug, name_id FROM topics")}
    names = Names(regions, topics, await _sources(pool), time.monotonic())
    log.debug(
        "catalogue: %d regions, %d topics, %d sources",
        len(regions),
        len(topics),
        len(names.sources),
    )
    return names
