"""The article record of CONTRACT.md: the one shape extraction produces, the store keeps and the API serves."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = ["DATE_SOURCES", "ArticleRecord", "DateSource", "Related", "article_json", "format_utc"]

DateSource = Literal["jsonld", "meta", "page", "rss", "sitemap", "url", "first_seen"]
DATE_SOURCES: tuple[str, ...] = ("jsonld", "meta", "page", "rss", "sitemap", "url", "first_seen")


@dataclass(frozen=True, slots=True)
class Related:
    """A "Baca juga" link: a related story the page pointed to."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One normalized news article. Unknown fields are None or empty, never invented.

    `provenance` maps a field name to where its value came from (e.g. "title": "rules",
    "published_at": "jsonld", "authors": "footer"); it is kept for debugging extraction.
    """

    url: str
    title: str
    canonical_url: str | None = None
    source: str | None = None
    summary: str | None = None
    text: str = ""
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    published_raw: str | None = None
    date_source: DateSource | None = None
    updated_at: datetime | None = None
    lang: str | None = None
    image: str | None = None
    image_caption: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    place: str | None = None
    region: str | None = None
    regency: str | None = None
    topics: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    content_hash: str | None = None
    duplicate_of: str | None = None
    provenance: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("published_at", "updated_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"ArticleRecord.{name} must be timezone-aware, got {value!r}")

    def to_json(self) -> dict[str, Any]:
        """The record as CONTRACT.md's JSON object (times RFC 3339 in UTC)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "provenance":
                continue
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = format_utc(value)
            elif f.name == "related":
                value = [{"title": r.title, "url": r.url} for r in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def article_json(
    record: ArticleRecord, *, article_id: int | None = None, duplicate_of_id: int | None = None
) -> dict[str, Any]:
    """The record as `warta extract` prints it and the API serves it: the same keys everywhere.

    `id` and `duplicate_of_id` are the stored article's and its cluster's canonical article's
    ids; null for a record that was never stored.
    """
    return {"id": article_id, **record.to_json(), "duplicate_of_id": duplicate_of_id}


def format_utc(value: datetime) -> str:
    """RFC 3339 in UTC with a 'Z' suffix, to the second."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
