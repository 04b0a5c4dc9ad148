"""Tell the WebSub hub which feed URLs changed, once per change across all replicas."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable

import aiohttp

from feeds.changes import Change
from feeds.names import Names

__all__ = ["FORMATS", "HubPublisher", "changed_feed_paths"]

log = logging.getLogger(__name__)

FORMATS = ("rss", "atom", "json")


def changed_feed_paths(change: Change, names: Names) -> list[str]:
    """Paths of the plain feeds (no query) whose content `change` may alter."""
    if change.regions is None:
        regions: Iterable[str] = names.regions
    else:
        regions = change.regions | {key.split("/", 1)[0] for key in change.regions}
    topics: Iterable[str] = names.topics if change.topics is None else change.topics
    stems = ["all"]
    stems += sorted(k for k in regions if k in names.regions)
    stems += [f"topics/{t}" for t in sorted(topics) if t in names.topics]
    return [f"/feeds/{stem}.{fmt}" for stem in stems for fmt in FORMATS]


class HubPublisher:
    """Collects changes for `delay` seconds, then, if this replica holds the ping lock, POSTs
    `hub.mode=publish` for each changed feed URL (the de facto publish request of WebSub hubs;
    the W3C recommendation leaves publishing to the hub)."""

    def __init__(
        self,
        hub: str,
        base_url: str,
        names: Names,
        session: aiohttp.ClientSession,
        is_leader: Callable[[], bool],
        *,
        delay: float = 0.2,
        concurrency: int = 8,
    ) -> None:
        self.hub = hub
        self._base = base_url
        self._names = names
        self._session = session
        self._is_leader = is_leader
        self._delay = delay
        self._limit = asyncio.Semaphore(concurrency)
        self._pending: Change | None = None
        self._task: asyncio.Task[None] | None = None
        self.sent = 0
        self.failed = 0

    def changed(self, change: Change) -> None:
        """Note a change; the ping goes out after the collection delay."""
        self._pending = change if self._pending is None else self._pending.merge(change)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush(), name="warta-websub")

    async def _flush(self) -> None:
        # Changes noted while pinging are picked up by the next round of this same task.
        while self._pending is not None:
            await asyncio.sleep(self._delay)
            change, self._pending = self._pending, None
            if change is None or not self._is_leader():
                continue
            paths = changed_feed_paths(change, self._names)
            await asyncio.gather(*(self._ping(self._base + path) for path in paths))

    async def _ping(self, url: str) -> None:
        async with self._limit:
            try:
                async with self._session.post(
                    self.hub, data={"hub.mode": "publish", "hub.url": url}
                ) as resp:
                    ok = 200 <= resp.status < 300
                    if not ok:
                        log.warning("hub %s answered %d for %s", self.hub, resp.status, url)
            except (aiohttp.ClientError, TimeoutError) as exc:
                ok = False
                log.warning("hub %s unreachable for %s: %s", self.hub, url, exc)
        if ok:
            self.sent += 1
        else:
            self.failed += 1

    async def close(self) -> None:
        """Send what is pending (a change must not vanish on a clean shutdown), then stop."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
