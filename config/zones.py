"""Resolve a time-zone spec (a label from config/zones.toml, an IANA name, UTC or +07:00) to a tzinfo."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ACCEPTS", "ZoneError", "Zones", "default_zones", "load_zones"]

_FILE = "config/zones.toml"
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
# An IANA name is words joined by '/'; ZoneInfo would also open paths, which a name never is.
_IANA = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")
_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
# What a spec may be, for messages that tell the operator how to fix the entry.
ACCEPTS = (
    "a label of config/zones.toml, an IANA name like Europe/Berlin, UTC or an offset like +07:00"
)


class ZoneError(ValueError):
    """A zone spec or zones file is wrong; the message says why (callers add file, entry, field)."""


def _fixed(spec: str) -> tzinfo | None:
    """'+07:00' as a fixed offset (kept from the first catalogues; no daylight saving)."""
    match = _OFFSET.match(spec)
    if not match:
        return None
    sign = 1 if match[1] == "+" else -1
    hours, minutes = int(match[2]), int(match[3])
    if minutes >= 60 or not -12 * 60 <= sign * (hours * 60 + minutes) <= 14 * 60:
        raise ZoneError(f"no zone has the offset {spec} (-12:00 to +14:00)")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _named(spec: str) -> tzinfo:
    """A zone without labels: UTC, an offset or an IANA name."""
    if spec == "UTC":
        return UTC
    fixed = _fixed(spec)
    if fixed is not None:
        return fixed
    if not _IANA.match(spec):
        raise ZoneError(f"unknown zone {spec!r}: must be {ACCEPTS}")
    try:
        return ZoneInfo(spec)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ZoneError(f"unknown zone {spec!r}: must be {ACCEPTS}") from None


@dataclass(frozen=True, slots=True)
class Zones:
    """The zone labels of the data and the default one; resolves any spec to a tzinfo."""

    labels: dict[str, tzinfo]
    default: str

    def resolve(self, spec: str) -> tzinfo:
        """The zone a spec names; raises ZoneError saying what is accepted."""
        if spec in self.labels:
            return self.labels[spec]
        return _named(spec)

    def known(self, spec: str | None) -> tzinfo | None:
        """The zone, or None for a missing or unknown spec (rows stored before it was checked)."""
        try:
            return self.resolve(spec) if spec else None
        except ZoneError:
            return None

    def abbreviation(self, spec: str, stamp: datetime) -> str:
        """How a time in this zone is labelled: the data's label, else the zone's own
        abbreviation at that instant ('CEST' in summer, 'CET' in winter), else the spec."""
        if spec in self.labels:
            return spec
        name = stamp.astimezone(self.resolve(spec)).tzname()
        # Fixed offsets call themselves 'UTC+07:00'; tzdata writes '+07' where no letters exist.
        return name if name and name.isalpha() else spec


def _entry(file: str, index: int, data: Any) -> tuple[str, tzinfo]:
    if not isinstance(data, dict):
        raise ZoneError(f"{file}: zone[{index}]: must be a table")
    label = data.get("label")
    where = f"{file}: zone[{index}]" + (f" ({label})" if isinstance(label, str) else "")
    unknown = set(data) - {"label", "name"}
    if unknown:
        raise ZoneError(f"{where}: field {sorted(unknown)[0]!r}: unknown field")
    if not isinstance(label, str) or not _LABEL.match(label) or label == "UTC":
        raise ZoneError(f"{where}: field 'label': must be a word like WIB (not UTC)")
    name = data.get("name")
    if not isinstance(name, str):
        raise ZoneError(f"{where}: field 'name': is required (an IANA name, UTC or +07:00)")
    try:
        return label, _named(name)
    except ZoneError as exc:
        raise ZoneError(f"{where}: field 'name': {exc}") from None


def load_zones(path: Path | None = None) -> Zones:
    """Read and check a zones file; by default the one shipped in the config package."""
    file = str(path) if path is not None else _FILE
    try:
        if path is not None:
            text = path.read_text(encoding="utf-8")
        else:
            text = (resources.files("config") / "zones.toml").read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ZoneError(f"{file}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ZoneError(f"{file}: not valid TOML: {exc}") from None
    unknown = set(data) - {"zone", "default"}
    if unknown:
        raise ZoneError(f"{file}: field {sorted(unknown)[0]!r}: unknown field")
    entries = data.get("zone", [])
    if not isinstance(entries, list):
        raise ZoneError(f"{file}: field 'zone': must be an array of tables ([[zone]])")
    labels: dict[str, tzinfo] = {}
    for index, entry in enumerate(entries):
        label, zone = _entry(file, index, entry)
        if label in labels:
            raise ZoneError(f"{file}: zone[{index}] ({label}): field 'label': duplicate")
        labels[label] = zone
    default = data.get("default", "UTC")
    if not isinstance(default, str):
        raise ZoneError(f"{file}: field 'default': must be a string")
    zones = Zones(labels, default)
    try:
        zones.resolve(default)
    except ZoneError as exc:
        raise ZoneError(f"{file}: field 'default': {exc}") from None
    return zones


@cache
def default_zones() -> Zones:
    """The shipped zones, read once per process."""
    return load_zones()
