"""Fetch, parse and cache robots.txt per origin (RFC 9309) and say whether a URL may be fetched."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from protego import Protego
from yarl import URL

__all__ = ["RobotsAnswer", "RobotsCache", "RobotsVerdict"]

logger = logging.getLogger(__name__)

# Redirect trouble means "unavailable", which RFC 9309 §2.3.1.2 lets us treat like a 4xx.
_UNAVAILABLE_KINDS = frozenset({"too_many_redirects", "redirect_loop"})
# The network itself failed: the page fetch would fail the same way, so the verdict says so
# (an operator reads "dns" or "connect", not a robots.txt problem).
_NETWORK_KINDS = frozenset(
    {"dns", "connect", "timeout", "tls", "reset", "proxy", "blocked_address"}
)


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What fetching /robots.txt produced; `error_kind` is a FetchOutcome error kind."""

    status: int | None
    body: bytes = b""
    error_kind: str | None = None


@dataclass(frozen=True, slots=True)
class RobotsVerdict:
    allowed: bool
    deferred: bool = False
    crawl_delay: float | None = None
    reason: str = ""
    cause: str | None = None  # a network error kind when robots.txt could not be reached


_ALLOW_ALL = RobotsVerdict(True)


@dataclass(slots=True)
class _Entry:
    """One origin's cached answer, with its two possible verdicts built once."""

    rules: Any  # a Protego parser; None when robots.txt is missing (everything allowed)
    deferred: str | None
    crawl_delay: float | None
    expires: float
    allowed: RobotsVerdict = _ALLOW_ALL
    disallowed: RobotsVerdict = _ALLOW_ALL
    cause: str | None = None

    def __post_init__(self) -> None:
        if self.deferred is not None:
            verdict = RobotsVerdict(False, True, None, self.deferred, self.cause)
            self.allowed = self.disallowed = verdict
            self.rules = None
            return
        self.allowed = RobotsVerdict(True, False, self.crawl_delay)
        self.disallowed = RobotsVerdict(False, False, self.crawl_delay, "disallowed by robots.txt")


RobotsFetch = Callable[[str], Awaitable[RobotsAnswer]]


class RobotsCache:
    """robots.txt rules per origin, fetched once per `ttl` and shared by every source.

    A 4xx robots.txt allows everything; a 5xx, a 429 or an unreachable one defers the whole
    origin for `error_ttl` (RFC 9309 §2.3.1.3-4 says assume complete disallow; we report it as
    "deferred" so that the scheduler retries instead of recording a disallow).
    """

    def __init__(self, *, agent: str, ttl: float, error_ttl: float, max_entries: int = 4096):
        self._agent = agent
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def cached(self, origin: str, url: str | URL) -> RobotsVerdict | None:
        """The verdict from a fresh cached copy, or None when robots.txt must be fetched."""
        entry = self._entries.get(origin)
        if entry is None or entry.expires <= time.monotonic():
            return None
        # The URL is spelled out only when there are rules to match it against.
        if entry.rules is None or entry.rules.can_fetch(str(url), self._agent):
            return entry.allowed
        return entry.disallowed

    async def verdict(self, origin: str, url: str, fetch: RobotsFetch) -> RobotsVerdict:
        """Whether `url` (on `origin`, "scheme://host:port") may be fetched.

        `fetch` is called with the robots.txt URL when the cached copy is missing or stale;
        concurrent callers for one origin share a single fetch.
        """
        entry = self._entries.get(origin)
        if entry is None or entry.expires <= time.monotonic():
            entry = await self._refresh(origin, fetch)
        if entry.rules is None or entry.rules.can_fetch(url, self._agent):
            return entry.allowed
        return entry.disallowed

    async def _refresh(self, origin: str, fetch: RobotsFetch) -> _Entry:
        lock = self._locks.get(origin)
        if lock is None:
            lock = self._locks[origin] = asyncio.Lock()
        async with lock:
            entry = self._entries.get(origin)
            if entry is not None and entry.expires > time.monotonic():
                return entry  # another caller refreshed it while we waited
            answer = await fetch(f"{origin}/robots.txt")
            entry = self._entry(answer)
            if len(self._entries) >= self._max_entries:
                self._evict()
            self._entries[origin] = entry
            logger.debug(
                "robots.txt for %s: status=%s deferred=%s crawl_delay=%s",
                origin,
                answer.status,
                entry.deferred,
                entry.crawl_delay,
            )
            return entry

    def _entry(self, answer: RobotsAnswer) -> _Entry:
        now = time.monotonic()
        status = answer.status
        if answer.error_kind in _UNAVAILABLE_KINDS:
            return _Entry(None, None, None, now + self._ttl)
        if answer.error_kind is not None:
            reason = f"robots.txt unreachable ({answer.error_kind})"
            cause = answer.error_kind if answer.error_kind in _NETWORK_KINDS else None
            return _Entry(None, reason, None, now + self._error_ttl, cause=cause)
        if status is None or status == 429 or status >= 500:
            # Google also treats 429 on robots.txt as a server error, not as "no rules".
            return _Entry(None, f"robots.txt answered {status}", None, now + self._error_ttl)
        if status >= 400:
            return _Entry(None, None, None, now + self._ttl)
        try:
            rules = Protego.parse(answer.body.decode("utf-8", "replace"))
            delay = rules.crawl_delay(self._agent)
        except Exception as exc:  # a third-party parser on hostile input: any failure
            # Unparseable rules are no rules, like a missing robots.txt; never fail the fetch.
            logger.warning("robots.txt unparseable (%s): treated as allowing all", exc)
            return _Entry(None, None, None, now + self._ttl)
        return _Entry(rules, None, float(delay) if delay is not None else None, now + self._ttl)

    def _evict(self) -> None:
        now = time.monotonic()
        stale = [k for k, e in self._entries.items() if e.expires <= now]
        for key in stale or list(self._entries)[: self._max_entries // 4]:
            self._entries.pop(key, None)
            lock = self._locks.get(key)
            if lock is not None and not lock.locked():
                del self._locks[key]
