"""Fetch one URL politely and safely; every HTTP request Warta makes goes through `Fetcher.get`.

One `Fetcher` per process, over one `aiohttp.ClientSession` the caller creates (ideally with
`make_session`) and closes. `get` never raises for network, HTTP or decoding trouble: it returns
a `FetchOutcome` whose `error_kind` is one of `ERROR_KINDS`. Per hop (first URL and each
redirect) it checks the scheme, refuses non-public addresses unless the policy allows them,
consults robots.txt, waits for the origin's politeness turn, and retries transient failures.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime
from typing import Final, cast

import aiohttp
from yarl import URL

from config.settings import Settings
from ingestor.fetch.backoff import is_retryable_status, next_attempt_after, retry_delay
from ingestor.fetch.body import ACCEPT_ENCODING
from ingestor.fetch.exchange import REDIRECTS, Exchange, exchange
from ingestor.fetch.guard import GuardScope, HostCheck, enter_scope, leave_scope
from ingestor.fetch.ledger import OriginLedger
from ingestor.fetch.outcome import (
    ERROR_KINDS,
    ErrorKind,
    FetchOutcome,
    FetchPolicy,
    Validators,
    policy_for,
)
from ingestor.fetch.politeness import Politeness
from ingestor.fetch.redirect import bad_target, next_hop
from ingestor.fetch.result import to_outcome
from ingestor.fetch.robots import RobotsAnswer, RobotsCache
from ingestor.fetch.session import Proxies, make_session
from ingestor.fetch.watch import Watchdog

__all__ = [
    "ERROR_KINDS",
    "FetchOutcome",
    "FetchPolicy",
    "Fetcher",
    "Validators",
    "make_session",
    "next_attempt_after",
    "policy_for",
]

logger = logging.getLogger(__name__)

ROBOTS_AGENT: Final = "Warta"  # the product token matched against robots.txt User-agent lines
_RETRY_KINDS = frozenset({"timeout", "connect", "reset", "proxy"})
_STATUS_KINDS = frozenset({"http_4xx", "http_5xx", "rate_limited"})
_ORIGINS_KEPT = 4096  # origins whose names are remembered (see _origin)
_ROBOTS_REDIRECTS = 5  # RFC 9309 §2.3.1.2: follow at least five redirects for robots.txt


class Fetcher:
    """Polite, guarded HTTP GETs over one shared session; holds only in-memory state."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        *,
        rng: random.Random | None = None,
        ledger: OriginLedger | None = None,
    ) -> None:
        self._settings = settings
        self._session = session
        self._rng = rng or random.Random()
        self._politeness = Politeness(
            per_origin=settings.per_host_concurrency,
            global_limit=settings.global_concurrency,
            spacing=settings.min_host_spacing,
            jitter=settings.host_spacing_jitter,
            max_crawl_delay=settings.max_crawl_delay,
            rng=self._rng,
            ledger=ledger,
        )
        self._robots = RobotsCache(
            agent=ROBOTS_AGENT, ttl=settings.robots_ttl, error_ttl=settings.robots_error_ttl
        )
        self._headers = {"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        # A make_session() session already sends these; then a request without validators
        # passes none, which spares aiohttp merging two header sets on every request.
        on_session = all(session.headers.get(k) == v for k, v in self._headers.items())
        self._plain: dict[str, str] | None = None if on_session else self._headers
        # With a caller's session that decompresses itself, bodies arrive already decoded.
        self._decompress = not session.auto_decompress
        self._page_limits = (settings.max_retries, settings.max_body_bytes, settings.max_redirects)
        self._watchdog = Watchdog(settings.read_timeout, settings.total_timeout)
        self._proxies = Proxies()
        self._hosts = HostCheck()
        self._origins: dict[tuple[str, str], tuple[str, str, int]] = {}

    async def get(
        self, url: str, *, source: FetchPolicy, validators: Validators | None = None
    ) -> FetchOutcome:
        """GET `url` for `source`; returns the outcome, never raises for fetch failures."""
        started = time.monotonic()
        start = self._start(url, source, validators)
        if isinstance(start, Exchange):
            ex, attempts, redirects = start, 0, 0
        else:
            target, headers = start
            retries, limit, max_redirects = self._page_limits
            ex, attempts = await self._hop(
                target, source, headers, source.respect_robots, retries, limit, False
            )
            redirects = 0
            if ex.kind is None and ex.status in REDIRECTS:
                ex, attempts, redirects = await self._follow(
                    target, ex, attempts, source, headers, source.respect_robots, retries, limit,
                    max_redirects,
                )  # fmt: skip
        outcome = to_outcome(
            ex, url, source.source_id, validators, (time.monotonic() - started) * 1000.0,
            attempts, redirects,
        )  # fmt: skip
        level = logging.DEBUG if outcome.error_kind is None else logging.INFO  # outcome.ok
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "fetch %s source_id=%s status=%s elapsed_ms=%.1f kind=%s %s",
                url,
                source.source_id,
                outcome.status,
                outcome.elapsed_ms,
                outcome.error_kind,
                outcome.error_message or "",
                extra={"fetch": outcome.to_log()},
            )
        return outcome

    def _start(
        self, url: str, policy: FetchPolicy, validators: Validators | None
    ) -> Exchange | tuple[URL, dict[str, str] | None]:
        """The target and request headers, or the reason not to fetch at all."""
        if policy.circuit_open_until is not None:
            remaining = (policy.circuit_open_until - datetime.now(UTC)).total_seconds()
            if remaining > 0:
                message = f"circuit open until {policy.circuit_open_until.isoformat()}"
                return Exchange(URL(), kind="circuit_open", message=message, retry_after=remaining)
        try:
            target = URL(url)
            if "#" in url:  # without one there is no fragment to drop
                target = target.with_fragment(None)
        except (ValueError, TypeError) as exc:
            return Exchange(URL(), kind="bad_url", message=str(exc))
        if target.scheme not in ("http", "https") or not target.raw_host:
            bad = bad_target(target)
            assert bad is not None  # one of the two reasons above
            return bad
        if validators is None:
            return target, self._plain  # aiohttp merges, never mutates, the dict it is given
        headers = dict(self._headers)
        # RFC 9110 §13.1.3: a server that knows ETags ignores If-Modified-Since; send both.
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        return target, headers

    async def _follow(
        self,
        url: URL,
        ex: Exchange,
        attempts: int,
        policy: FetchPolicy,
        headers: dict[str, str] | None,
        robots: bool,
        retries: int,
        limit: int,
        max_redirects: int,
        truncate: bool = False,
    ) -> tuple[Exchange, int, int]:
        """Follow the redirect `ex` that `url` answered, checking every hop as the first one.

        Returns the last exchange, the attempts of all hops and the redirects followed. Most
        fetches have no redirect: `get` calls `_hop` itself and comes here only on one, which
        spares the common case a coroutine layer.
        """
        redirects = 0
        visited = {str(url)}
        current = url
        while True:
            failure, target = next_hop(current, ex, redirects, max_redirects, visited)
            if target is not None:
                redirects += 1
            if failure is not None or target is None:
                return failure or ex, attempts, redirects
            visited.add(str(target))
            current = target
            ex, tries = await self._hop(current, policy, headers, robots, retries, limit, truncate)
            attempts += tries
            if ex.kind is not None or ex.status not in REDIRECTS:
                return ex, attempts, redirects

    async def _hop(
        self,
        url: URL,
        policy: FetchPolicy,
        headers: dict[str, str] | None,
        robots: bool,
        retries: int,
        limit: int,
        truncate: bool,
    ) -> tuple[Exchange, int]:
        """One URL: address guard, robots.txt, then attempts with backoff. Returns (result, tries)."""
        known = self._origins.get((url.scheme, url.raw_authority))
        origin, host, port = known if known is not None else self._origin(url)
        if policy.proxy is None and self._proxies.none:
            proxy, auth = None, None  # the usual case, without the lookup
        else:
            proxied = self._proxies.for_url(url, policy.proxy)
            if isinstance(proxied, str):
                return Exchange(url, kind="proxy", message=proxied), 0
            proxy, auth = proxied
        # Even a source allowed onto private networks is checked: link-local and cloud-metadata
        # addresses stay out of reach for every policy.
        scope = GuardScope(policy.allow_private_network, policy.allowed_networks, proxy is not None)
        # Known hosts are answered here; only a lookup costs a coroutine.
        refused = self._hosts.cached_refusal(host, scope)
        if refused is False:
            refused = await self._hosts.refusal(host, port, scope)
        if refused is not None:
            return Exchange(url, kind="blocked_address", message=refused), 0
        if robots:
            verdict = self._robots.cached(origin, url) or await self._robots.verdict(
                origin, str(url), lambda robots_url: self._fetch_robots(robots_url, policy)
            )
            self._politeness.set_crawl_delay(origin, verdict.crawl_delay)
            if not verdict.allowed:
                kind: ErrorKind = "robots_deferred" if verdict.deferred else "robots_disallowed"
                if verdict.cause is not None:
                    # The origin is unreachable (DNS, connect...): say that, not "robots".
                    kind = cast(ErrorKind, verdict.cause)
                return Exchange(url, kind=kind, message=verdict.reason), 0
        tries = 0
        last: Exchange | None = None
        while True:
            wait = self._politeness.deferred_for(origin, policy.source_id)
            if wait > self._settings.max_retry_after:
                # Not slept on: the scheduler defers the source using retry_after instead.
                message = f"Retry-After of {wait:.0f}s for this origin and source"
                ex = Exchange(url, kind="rate_limited", message=message, retry_after=wait)
                if last is not None:
                    ex.status, ex.headers = last.status, last.headers
                return ex, tries
            if wait > 0.0:
                await asyncio.sleep(wait)
            turn = self._politeness.try_acquire(origin) or await self._politeness.acquire(
                origin, policy.source_id
            )
            if turn is None:
                continue  # another process recorded a Retry-After for this origin and source
            tries += 1
            # The guard scope tells the socket factory what this request may connect to.
            token = enter_scope(scope)
            try:
                # Positional: matching keyword arguments costs on every request.
                last = await exchange(
                    self._session, url, headers, proxy, auth, limit, truncate, self._decompress,
                    self._watchdog,
                )  # fmt: skip
            finally:
                leave_scope(token)
                if turn.slot is None:
                    self._politeness.release(turn)
                else:
                    await self._politeness.release_shared(turn)
            if scope.blocked is not None:
                last.kind = "blocked_address"
                last.message = f"refused to connect to non-public address {scope.blocked}"
            if last.retry_after is not None and last.status in (429, 503):
                await self._politeness.defer(origin, policy.source_id, last.retry_after)
            if last.kind is None:
                return last, tries  # a response to use: nothing to retry
            retryable = last.kind in _RETRY_KINDS or (
                last.kind in _STATUS_KINDS
                and last.status is not None
                and is_retryable_status(last.status)
            )
            if not retryable or tries > retries:
                return last, tries
            if last.retry_after is None or last.status not in (429, 503):
                s = self._settings
                await asyncio.sleep(
                    retry_delay(tries, s.retry_base_delay, s.retry_max_delay, self._rng)
                )

    def _origin(self, url: URL) -> tuple[str, str, int]:
        """`url`'s origin ("scheme://host:port", the key of robots.txt and politeness), host
        and port, remembered per scheme and authority: every fetch needs them, and building
        (and hashing) the string anew was a few per cent of the fetcher's own cost."""
        host, port = url.raw_host or "", url.port
        assert port is not None  # _start lets only http and https through: both have defaults
        # An IPv6 literal keeps its brackets: the origin is also the base of robots.txt's URL.
        origin = f"{url.scheme}://{f'[{host}]' if ':' in host else host}:{port}"
        if len(self._origins) >= _ORIGINS_KEPT:
            self._origins.clear()
        entry = self._origins[(url.scheme, url.raw_authority)] = (origin, host, port)
        return entry

    async def _fetch_robots(self, robots_url: str, policy: FetchPolicy) -> RobotsAnswer:
        url, limit = URL(robots_url), self._settings.robots_max_bytes
        # RFC 9309 §2.5: parse at least the first 500 KiB (truncate), ignore the rest.
        ex, _ = await self._hop(url, policy, self._plain, False, 0, limit, True)
        if ex.kind is None and ex.status in REDIRECTS:
            ex, _, _ = await self._follow(
                url, ex, 0, policy, self._plain, False, 0, limit, _ROBOTS_REDIRECTS, True
            )
        kind = None if ex.kind in ("http_4xx", "http_5xx") else ex.kind
        return RobotsAnswer(status=ex.status, body=ex.body, error_kind=kind)
