"""Read Warta's settings once from WARTA_* variables and an optional TOML file into a frozen object."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Settings", "SettingsError", "load_settings", "shipped_seeds"]

PROJECT_URL = "https://github.com/warta-news/warta"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def shipped_seeds() -> Path:
    """The catalogue shipped inside the package (`seeds/`), the default of WARTA_SEEDS."""
    # Wheels install unzipped, so the data package is a real folder wherever Warta runs.
    try:
        return Path(str(resources.files("seeds")))
    except ModuleNotFoundError:  # installed without it (the image copies seeds/ on its own)
        return Path("seeds")


class SettingsError(ValueError):
    """A setting has a bad value; the message names the variable and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the service, typed and validated; passed explicitly, never global."""

    database_url: str | None = None
    data_dir: Path = Path("var")
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    seeds: Path = dataclass_field(default_factory=shipped_seeds)
    # A folder whose provinces.toml / regencies.toml, topics.toml and lexicon.toml replace the
    # shipped ones (see config.catalogue.load_catalogue); None: the shipped catalogue.
    catalogue: Path | None = None
    user_agent_contact: str = PROJECT_URL
    log_level: str = "INFO"
    log_format: str = "text"
    # Database pool.
    db_pool_min: int = 1
    db_pool_max: int = 10
    # Fetching and politeness.
    per_host_concurrency: int = 2
    global_concurrency: int = 16
    min_host_spacing: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_retries: int = 2
    # Added for the fetcher (ingestor/fetch.py); seconds unless named otherwise.
    host_spacing_jitter: float = 0.25  # fraction of the spacing added at random
    max_crawl_delay: float = 60.0  # longest robots.txt Crawl-delay we honour
    robots_ttl: float = 3600.0
    robots_error_ttl: float = 60.0  # how long a 5xx/unreachable robots.txt defers its origin
    robots_max_bytes: int = 512 * 1024
    retry_base_delay: float = 0.5
    retry_max_delay: float = 8.0
    max_retry_after: float = 30.0  # longer Retry-After: give up now, let the scheduler defer
    circuit_base_delay: float = 60.0
    circuit_max_delay: float = 6 * 3600.0
    # Article pages that failed are retried with doubling waits, then given up (kept visible).
    pending_max_attempts: int = 5
    pending_retry_delay: float = 300.0
    # Updates: recent articles are re-read (conditional GET) when they reach each check age.
    recheck_window_hours: float = 48.0
    recheck_ages_hours: tuple[float, ...] = (3.0, 24.0)
    recheck_batch: int = 20
    # Learned site templates (issue 13): recent pages kept per source to learn from, how many
    # distinct pages a template needs, and the confidence below which it is not used.
    template_pages: int = 12
    template_min_pages: int = 4
    template_min_confidence: float = 0.6
    # Health: consecutive failed runs before a source counts as failing / is switched off.
    failing_after: int = 3
    disable_after: int = 10
    # Retention: articles older than this are deleted by a daily job, in small batches.
    retention_days: int = 90
    retention_batch: int = 500
    # Scheduling.
    tick_seconds: float = 30.0  # longest an idle worker sleeps before looking for due sources
    workers: int = 4
    lease_seconds: int = 300
    # Per-origin limits kept in PostgreSQL so that they hold across processes (two round
    # trips per request); off keeps them in each process's memory only.
    shared_politeness: bool = True
    # Feeds.
    feed_default_limit: int = 50
    feed_max_limit: int = 200
    feed_cache_entries: int = 4096  # cached documents (keys); 0 turns the cache off
    feed_cache_seconds: float = 600.0  # longest a cached document lives without a NOTIFY
    feed_max_age: int = 60  # Cache-Control max-age of feeds
    feed_stale_seconds: int = 600  # Cache-Control stale-while-revalidate of feeds
    feed_query_timeout: float = 5.0  # a feed query past this is cancelled (503 or 400)
    websub_hub: str = ""  # WebSub hub URL advertised in feeds and pinged on changes
    # Operator actions over HTTP (enable/disable sources) and /metrics need this bearer token;
    # empty turns the operator endpoints off and leaves /metrics open. Never shown in repr.
    operator_token: str = dataclass_field(default="", repr=False)

    @property
    def base_url(self) -> str:
        """Public base of self links: WARTA_PUBLIC_URL, else the bind address."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def user_agent(self) -> str:
        from config import __version__

        return f"Warta/{__version__} (+{self.user_agent_contact})"


def _str(value: str) -> str:
    return value


def _int_range(lo: int, hi: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"expected a whole number, got {value!r}") from None
        if not lo <= number <= hi:
            raise ValueError(f"must be between {lo} and {hi}, got {number}")
        return number

    return parse


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number > 0:
        raise ValueError(f"must be greater than 0, got {number}")
    return number


def _share(value: str) -> float:
    number = _non_negative_float(value)
    if number > 1:
        raise ValueError(f"must be between 0 and 1, got {number}")
    return number


def _non_negative_float(value: str) -> float:
    return _positive_float(value) if value.strip() not in ("0", "0.0") else 0.0


def _bool(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _hours_list(value: str) -> tuple[float, ...]:
    try:
        hours = tuple(float(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"expected comma-separated hours like '3,24', got {value!r}") from None
    if any(h <= 0 for h in hours):
        raise ValueError("every age must be greater than 0")
    return hours


def _dsn(value: str) -> str | None:
    if not value:
        return None
    if urlsplit(value).scheme not in ("postgresql", "postgres"):
        raise ValueError("must be a postgresql:// URL")
    return value


def _url(value: str) -> str:
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
    return value.rstrip("/")


def _folder(value: str) -> Path | None:
    if not value:
        return None
    path = Path(value)
    if not path.is_dir():
        raise ValueError(f"not a folder: {value!r}")
    return path


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in _LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}, got {value!r}")
    return level


def _log_format(value: str) -> str:
    if value not in ("text", "json"):
        raise ValueError(f"must be 'text' or 'json', got {value!r}")
    return value


def _host(value: str) -> str:
    if not value or any(c.isspace() for c in value):
        raise ValueError(f"must be a host name or address, got {value!r}")
    return value


def _token(value: str) -> str:
    if value and (len(value) < 16 or any(c.isspace() for c in value)):
        raise ValueError("must be at least 16 characters with no spaces (or empty: off)")
    return value


_PARSERS: dict[str, Callable[[str], Any]] = {
    "database_url": _dsn,
    "data_dir": Path,
    "host": _host,
    "port": _int_range(0, 65535),
    "public_url": _url,
    "seeds": Path,
    "catalogue": _folder,
    "user_agent_contact": _str,
    "log_level": _log_level,
    "log_format": _log_format,
    "db_pool_min": _int_range(1, 100),
    "db_pool_max": _int_range(1, 500),
    "per_host_concurrency": _int_range(1, 64),
    "global_concurrency": _int_range(1, 1024),
    "min_host_spacing": _non_negative_float,
    "connect_timeout": _positive_float,
    "read_timeout": _positive_float,
    "total_timeout": _positive_float,
    "max_body_bytes": _int_range(1024, 1024**3),
    "max_redirects": _int_range(0, 20),
    "max_retries": _int_range(0, 10),
    "host_spacing_jitter": _non_negative_float,
    "max_crawl_delay": _non_negative_float,
    "robots_ttl": _positive_float,
    "robots_error_ttl": _positive_float,
    "robots_max_bytes": _int_range(1024, 64 * 1024 * 1024),
    "retry_base_delay": _non_negative_float,
    "retry_max_delay": _non_negative_float,
    "max_retry_after": _non_negative_float,
    "circuit_base_delay": _positive_float,
    "circuit_max_delay": _positive_float,
    "pending_max_attempts": _int_range(1, 100),
    "pending_retry_delay": _non_negative_float,
    "recheck_window_hours": _positive_float,
    "recheck_ages_hours": _hours_list,
    "recheck_batch": _int_range(0, 1000),
    "template_pages": _int_range(0, 100),
    "template_min_pages": _int_range(2, 100),
    "template_min_confidence": _share,
    "failing_after": _int_range(1, 1000),
    "disable_after": _int_range(1, 10000),
    "retention_days": _int_range(1, 36500),
    "retention_batch": _int_range(1, 100_000),
    "tick_seconds": _positive_float,
    "workers": _int_range(1, 256),
    "lease_seconds": _int_range(10, 86400),
    "shared_politeness": _bool,
    "feed_default_limit": _int_range(1, 1000),
    "feed_max_limit": _int_range(1, 1000),
    "feed_cache_entries": _int_range(0, 1_000_000),
    "feed_cache_seconds": _positive_float,
    "feed_max_age": _int_range(0, 86400),
    "feed_stale_seconds": _int_range(0, 7 * 86400),
    "feed_query_timeout": _positive_float,
    "websub_hub": _url,
    "operator_token": _token,
}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from WARTA_* variables over the TOML file named by WARTA_CONFIG.

    Raises:
        SettingsError: naming the variable (or file key) and why its value is bad.
    """
    env = os.environ if environ is None else environ
    raw: dict[str, tuple[str, str]] = {}  # field -> (where it came from, text value)
    config_file = env.get("WARTA_CONFIG")
    if config_file:
        raw.update(_read_toml(Path(config_file)))
    for field in fields(Settings):
        name = f"WARTA_{field.name.upper()}"
        if name in env:
            raw[field.name] = (name, env[name])

    values: dict[str, Any] = {}
    for key, (origin, text) in raw.items():
        try:
            values[key] = _PARSERS[key](text.strip())
        except ValueError as exc:
            raise SettingsError(f"{origin}: {exc}") from None
    settings = Settings(**values)
    if settings.db_pool_min > settings.db_pool_max:
        raise SettingsError("WARTA_DB_POOL_MIN: must not exceed WARTA_DB_POOL_MAX")
    if settings.feed_default_limit > settings.feed_max_limit:
        raise SettingsError("WARTA_FEED_DEFAULT_LIMIT: must not exceed WARTA_FEED_MAX_LIMIT")
    return settings


def _read_toml(path: Path) -> dict[str, tuple[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"WARTA_CONFIG: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"WARTA_CONFIG: {path} is not valid TOML: {exc}") from None
    out: dict[str, tuple[str, str]] = {}
    for key, value in data.items():
        field = key.lower().removeprefix("warta_")
        if field not in _PARSERS:
            raise SettingsError(f"WARTA_CONFIG: {path}: unknown setting {key!r}")
        if isinstance(value, bool) and _PARSERS[field] is _bool:
            value = "true" if value else "false"
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            raise SettingsError(f"WARTA_CONFIG: {path}: {key} must be a string or number")
        out[field] = (f"{path}: {key}", str(value))
    return out
