"""What the feed server's handlers share: settings, pool, catalogue names, cache and counters."""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg
from aiohttp import web

from config.settings import Settings
from feeds.cache import FeedCache
from feeds.listen import ChangeListener
from feeds.metrics import Metrics
from feeds.names import Names
from feeds.websub import HubPublisher

__all__ = ["STATE", "FeedState"]


@dataclass(slots=True)
class FeedState:
    """One per application; the lifecycle in feeds.app fills names, listener and publisher."""

    settings: Settings
    pool: asyncpg.Pool
    cache: FeedCache
    metrics: Metrics = field(default_factory=Metrics)
    names: Names = field(default_factory=Names)
    listener: ChangeListener | None = None
    publisher: HubPublisher | None = None

    @property
    def hub(self) -> str | None:
        return self.settings.websub_hub or None


STATE = web.AppKey("feed_state", FeedState)
