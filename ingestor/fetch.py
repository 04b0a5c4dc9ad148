"""Fetch one URL politely and safely; every HTTP request Warta makes goes through `Fetcher.get`.

One `Fetcher` per process, over one `aiohttp.ClientSession` the caller creates (ideally with
`make_session`) and closes. `get` never raises for network, HTTP or decoding trouble: it returns
a `FetchOutcome` whose `error_kind` is one of `ERROR_KINDS`. Per hop (first URL and each
redirect) it checks the scheme, refuses non-public addresses unless the policy allows them,
consults robots.txt, waits for the origin's politeness slot, and retries transient failures.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime
from typing import Final
from urllib.request import proxy_bypass

import aiohttp
from aiohttp.helpers import proxies_from_env
from yarl import URL

from config.settings import Settings
from ingestor.decode import decode_text, is_textual
from ingestor.fetch_backoff import is_retryable_status, next_attempt_after, retry_delay
from ingestor.fetch_body import ACCEPT_ENCODING
from ingestor.fetch_exchange import REDIRECTS, Exchange, exchange
from ingestor.fetch_outcome import (
    ERROR_KINDS,
    FetchOutcome,
    FetchPolicy,
    Validators,
    policy_for,
)
from ingestor.net_guard import GuardScope, check_host, guard_scope, guarded_socket_factory
from ingestor.politeness import Politeness
from ingestor.robots import RobotsAnswer, RobotsCache

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
_ROBOTS_REDIRECTS = 5  # RFC 9309 §2.3.1.2: follow at least five redirects for robots.txt


def make_session(settings: Settings) -> aiohttp.ClientSession:
    """The one ClientSession per process, configured for `Fetcher` (call inside the event loop).

    Decompression is left to the fetcher (auto_decompress=False) so that size limits apply to
    decoded bytes while streaming; the connector checks every address it connects to.
    """
    connector = aiohttp.TCPConnector(
        limit=settings.global_concurrency,
        limit_per_host=settings.per_host_concurrency,
        socket_factory=guarded_socket_factory,
    )
    timeout = aiohttp.ClientTimeout(
        total=settings.total_timeout,
        sock_connect=settings.connect_timeout,
        sock_read=settings.read_timeout,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,
        trust_env=True,  # HTTP_PROXY / HTTPS_PROXY / NO_PROXY (and ~/.netrc for proxy auth)
        # unsafe=True keeps cookies from hosts given as IP addresses too: cookie walls on such
        # sources would otherwise redirect forever.
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        headers={"User-Agent": settings.user_agent},
    )


def _origin(url: URL) -> str:
    return f"{url.scheme}://{url.raw_host}:{url.port}"


def _bad_target(url: URL) -> Exchange | None:
    if url.scheme not in ("http", "https"):
        return Exchange(url, kind="bad_scheme", message=f"scheme {url.scheme!r} not allowed")
    if not url.raw_host:
        return Exchange(url, kind="bad_url", message="URL has no host")
    return None


class Fetcher:
    """Polite, guarded HTTP GETs over one shared session; holds only in-memory state."""

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        *,
        rng: random.Random | None = None,
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
        )
        self._robots = RobotsCache(
            agent=ROBOTS_AGENT, ttl=settings.robots_ttl, error_ttl=settings.robots_error_ttl
        )
        self._headers = {"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        # With a caller's session that decompresses itself, bodies arrive already decoded.
        self._decompress = not session.auto_decompress
        # Proxy variables are read once; we pass the proxy explicitly so that the SSRF guard
        # knows a request is proxied (it then checks the target by name, not the socket).
        self._env_proxies = proxies_from_env() if session.trust_env else {}

    async def get(
        self, url: str, *, source: FetchPolicy, validators: Validators | None = None
    ) -> FetchOutcome:
        """GET `url` for `source`; returns the outcome, never raises for fetch failures."""
        started = time.monotonic()
        ex, attempts, redirects = await self._get(url, source, validators)
        outcome = self._outcome(url, source, validators, ex, started, attempts, redirects)
        logger.log(
            logging.DEBUG if outcome.ok else logging.INFO,
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

    async def _get(
        self, url: str, policy: FetchPolicy, validators: Validators | None
    ) -> tuple[Exchange, int, int]:
        if policy.circuit_open_until is not None:
            remaining = (policy.circuit_open_until - datetime.now(UTC)).total_seconds()
            if remaining > 0:
                message = f"circuit open until {policy.circuit_open_until.isoformat()}"
                ex = Exchange(URL(), kind="circuit_open", message=message, retry_after=remaining)
                return ex, 0, 0
        try:
            target = URL(url).with_fragment(None)
        except (ValueError, TypeError) as exc:
            return Exchange(URL(), kind="bad_url", message=str(exc)), 0, 0
        bad = _bad_target(target)
        if bad is not None:
            return bad, 0, 0
        headers = dict(self._headers)
        if validators is not None:
            # RFC 9110 §13.1.3: a server that knows ETags ignores If-Modified-Since; send both.
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        return await self._follow(
            target,
            policy,
            headers,
            robots=policy.respect_robots,
            retries=self._settings.max_retries,
            limit=self._settings.max_body_bytes,
            max_redirects=self._settings.max_redirects,
        )

    async def _follow(
        self,
        url: URL,
        policy: FetchPolicy,
        headers: dict[str, str],
        *,
        robots: bool,
        retries: int,
        limit: int,
        max_redirects: int,
        truncate: bool = False,
    ) -> tuple[Exchange, int, int]:
        """Fetch `url`, following redirects ourselves so that every hop is checked."""
        attempts = 0
        redirects = 0
        visited = {str(url)}
        current = url
        while True:
            ex, tries = await self._hop(current, policy, headers, robots, retries, limit, truncate)
            attempts += tries
            if ex.kind is not None or ex.status not in REDIRECTS:
                return ex, attempts, redirects
            failure, nxt = self._next_hop(current, ex, redirects, max_redirects, visited)
            if nxt is not None:
                redirects += 1
            if failure is not None:
                return failure, attempts, redirects
            assert nxt is not None
            visited.add(str(nxt))
            current = nxt

    @staticmethod
    def _next_hop(
        current: URL, ex: Exchange, redirects: int, max_redirects: int, visited: set[str]
    ) -> tuple[Exchange | None, URL | None]:
        """Where a redirect leads, or why it is not followed."""
        if redirects >= max_redirects:
            message = f"more than {max_redirects} redirects"
            return Exchange(current, ex.status, kind="too_many_redirects", message=message), None
        location = ex.headers.get("Location") if ex.headers is not None else None
        if not location:
            message = f"{ex.status} without Location"
            return Exchange(current, ex.status, kind="protocol", message=message), None
        try:
            nxt = current.join(URL(location)).with_fragment(None)
        except (ValueError, TypeError) as exc:
            return Exchange(current, ex.status, kind="bad_url", message=str(exc)), None
        bad = _bad_target(nxt)
        if bad is not None:
            return bad, nxt
        # Cookie walls redirect back to the same URL once their cookie is set; after a
        # Set-Cookie the revisit is a different request, so it is not counted as a loop.
        if str(nxt) in visited and not ex.sets_cookie:
            message = f"redirect from {current} back to {nxt}"
            return Exchange(nxt, ex.status, kind="redirect_loop", message=message), nxt
        return None, nxt

    async def _hop(
        self,
        url: URL,
        policy: FetchPolicy,
        headers: dict[str, str],
        robots: bool,
        retries: int,
        limit: int,
        truncate: bool,
    ) -> tuple[Exchange, int]:
        """One URL: address guard, robots.txt, then attempts with backoff. Returns (result, tries)."""
        origin = _origin(url)
        proxy = self._proxy_for(url, policy)
        if isinstance(proxy, Exchange):
            return proxy, 0
        scope = GuardScope(policy.allow_private_network, policy.allowed_networks, proxy is not None)
        assert url.raw_host is not None and url.port is not None
        refused = await check_host(url.raw_host, url.port, scope)
        if refused is not None:
            return Exchange(url, kind="blocked_address", message=refused), 0
        if robots:
            verdict = await self._robots.verdict(
                origin, str(url), lambda robots_url: self._fetch_robots(robots_url, policy)
            )
            self._politeness.set_crawl_delay(origin, verdict.crawl_delay)
            if verdict.deferred:
                return Exchange(url, kind="robots_deferred", message=verdict.reason), 0
            if not verdict.allowed:
                return Exchange(url, kind="robots_disallowed", message=verdict.reason), 0
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
            tries += 1
            last = await self._exchange(url, policy, headers, proxy, limit, truncate)
            if last.retry_after is not None and last.status in (429, 503):
                self._politeness.defer(origin, policy.source_id, last.retry_after)
            retryable = last.kind in _RETRY_KINDS or (
                last.kind in ("http_5xx", "http_4xx", "rate_limited")
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

    def _proxy_for(self, url: URL, policy: FetchPolicy) -> URL | Exchange | None:
        if policy.proxy:
            try:
                proxy = URL(policy.proxy)
            except (ValueError, TypeError):
                proxy = URL()
            if proxy.scheme not in ("http", "https") or not proxy.host:
                return Exchange(url, kind="proxy", message=f"unusable proxy {policy.proxy!r}")
            return proxy
        info = self._env_proxies.get(url.scheme)
        if info is None or (url.host is not None and proxy_bypass(url.host)):
            return None
        return info.proxy

    async def _exchange(
        self, url: URL, policy: FetchPolicy, headers: dict[str, str], proxy: URL | None,
        limit: int, truncate: bool,
    ) -> Exchange:  # fmt: skip
        """One request, under the origin's politeness slot and the connection-time guard."""
        auth = None
        if proxy is not None and policy.proxy is None:
            auth = self._env_proxies[url.scheme].proxy_auth
        scope = GuardScope(policy.allow_private_network, policy.allowed_networks, proxy is not None)
        with guard_scope(scope):
            async with self._politeness.slot(_origin(url)):
                ex = await exchange(
                    self._session, url, headers, proxy=proxy, proxy_auth=auth, limit=limit,
                    truncate=truncate, decompress=self._decompress,
                )  # fmt: skip
        if scope.blocked is not None:
            ex.kind = "blocked_address"
            ex.message = f"refused to connect to non-public address {scope.blocked}"
        return ex

    async def _fetch_robots(self, robots_url: str, policy: FetchPolicy) -> RobotsAnswer:
        ex, _, _ = await self._follow(
            URL(robots_url),
            policy,
            dict(self._headers),
            robots=False,
            retries=0,
            limit=self._settings.robots_max_bytes,
            max_redirects=_ROBOTS_REDIRECTS,
            truncate=True,  # RFC 9309 §2.5: parse at least the first 500 KiB, ignore the rest
        )
        kind = None if ex.kind in ("http_4xx", "http_5xx") else ex.kind
        return RobotsAnswer(status=ex.status, body=ex.body, error_kind=kind)

    def _outcome(
        self,
        url: str,
        policy: FetchPolicy,
        validators: Validators | None,
        ex: Exchange,
        started: float,
        attempts: int,
        redirects: int,
    ) -> FetchOutcome:
        h = ex.headers
        status = ex.status
        success = ex.kind is None and status is not None and 200 <= status < 300
        not_modified = ex.kind is None and status == 304
        content_type = h.get("Content-Type") if h is not None else None
        etag = h.get("ETag") if h is not None else None
        last_modified = h.get("Last-Modified") if h is not None else None
        if not_modified and validators is not None:
            # A 304 need not repeat the validators (RFC 9110 §15.4.5); keep the ones we sent.
            etag = etag or validators.etag
            last_modified = last_modified or validators.last_modified
        text = encoding = None
        if success and is_textual(content_type, ex.body):
            decoded = decode_text(ex.body, content_type)
            text, encoding = decoded.text, decoded.encoding
        return FetchOutcome(
            url=url,
            final_url=str(ex.url) if ex.url.raw_host else url,
            source_id=policy.source_id,
            status=status,
            etag=etag,
            last_modified=last_modified,
            content_type=content_type,
            cache_control=h.get("Cache-Control") if h is not None else None,
            expires=h.get("Expires") if h is not None else None,
            retry_after=ex.retry_after,
            body=ex.body if success else b"",
            text=text,
            encoding=encoding,
            bytes_read=ex.wire_bytes,
            elapsed_ms=round((time.monotonic() - started) * 1000.0, 1),
            not_modified=not_modified,
            error_kind=ex.kind,
            error_message=ex.message,
            attempts=attempts,
            redirects=redirects,
        )
