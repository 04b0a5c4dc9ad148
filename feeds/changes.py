"""What changed among the articles (a NOTIFY payload) and which cached documents that can affect."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

__all__ = ["CHANNEL", "EVERYTHING", "Change", "Scope"]

log = logging.getLogger(__name__)

# The write side runs NOTIFY on this channel in the transaction that stores articles, with
# {"regions": [keys], "topics": [slugs], "sources": [ids]}; "{}" means everything changed.
CHANNEL = "warta_articles"


@dataclass(frozen=True, slots=True)
class Change:
    """Region keys, topic slugs and source ids of changed articles; None: unknown, so any."""

    regions: frozenset[str] | None = None
    topics: frozenset[str] | None = None
    sources: frozenset[str] | None = None

    @property
    def everything(self) -> bool:
        return self.regions is None and self.topics is None and self.sources is None

    @classmethod
    def from_payload(cls, payload: str) -> Change:
        """Parse a NOTIFY payload; anything unreadable counts as "everything changed"."""
        try:
            data = json.loads(payload) if payload else {}
        except ValueError:
            log.warning("unreadable %s payload %.80r: treating as a full change", CHANNEL, payload)
            return EVERYTHING
        if not isinstance(data, dict):
            return EVERYTHING

        def field(name: str) -> frozenset[str] | None:
            values = data.get(name)
            if not isinstance(values, list):
                return None
            return frozenset(str(v) for v in values)

        return cls(field("regions"), field("topics"), field("sources"))

    def merge(self, other: Change) -> Change:
        def union(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
            return None if a is None or b is None else a | b

        return Change(
            union(self.regions, other.regions),
            union(self.topics, other.topics),
            union(self.sources, other.sources),
        )


EVERYTHING = Change()


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles a cached document shows: linked to all these regions and topics, from
    this source; None places no constraint. `articles=False`: no article change touches it."""

    regions: frozenset[str] | None = None
    topics: frozenset[str] | None = None
    source: str | None = None
    articles: bool = True

    def affected_by(self, change: Change) -> bool:
        """Whether `change` may alter the document. The payload lists the union over the
        changed articles, so a document whose every constraint is met may have changed;
        erring towards True costs one render, erring towards False serves stale news."""
        if not self.articles:
            return False
        if self.regions is not None and change.regions is not None:
            # A writer that listed only 'kalsel/tapin' still changed the 'kalsel' feed.
            changed = change.regions | {key.split("/", 1)[0] for key in change.regions}
            if not self.regions <= changed:
                return False
        if (
            self.topics is not None
            and change.topics is not None
            and not self.topics <= change.topics
        ):
            return False
        return not (
            self.source is not None
            and change.sources is not None
            and self.source not in change.sources
        )
