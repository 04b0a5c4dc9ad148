"""What describes one feed document, whatever its format: ids, titles, links, paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["FeedMeta"]


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What describes one feed document. Nothing here may depend on the time of rendering:
    replicas render the same bytes for the same rows, so their ETags agree."""

    feed_id: str  # the feed's URL without page/cursor: the same for every page (RFC 5005)
    title: str
    description: str
    self_url: str
    home_url: str
    updated: datetime  # latest change among the rows
    language: str = "id"
    hub: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (rel, href): first, next, prev-archive, current
    archive: bool = False  # an RFC 5005 archive document: stable, fh:archive
