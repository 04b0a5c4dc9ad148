"""The process's one aiohttp session for the fetcher, and which proxy a request goes through."""

from __future__ import annotations

from urllib.request import proxy_bypass

import aiohttp
from aiohttp.helpers import proxies_from_env
from yarl import URL

from config.settings import Settings
from ingestor.fetch.body import ACCEPT_ENCODING
from ingestor.fetch.guard import guarded_socket_factory

__all__ = ["Proxies", "make_session"]

_BYPASS_CACHE = 4096


def make_session(settings: Settings) -> aiohttp.ClientSession:
    """The one ClientSession per process, configured for `Fetcher` (call inside the event loop).

    Decompression is left to the fetcher (auto_decompress=False) so that size limits apply to
    decoded bytes while streaming; the connector checks every address it connects to. The
    caller closes the session.
    """
    # No limit_per_host: the Fetcher's politeness already holds every origin to
    # per_host_concurrency (and across processes, with the shared ledger), and aiohttp's own
    # per-host count hashes the connection key several times per request.
    connector = aiohttp.TCPConnector(
        limit=settings.global_concurrency, socket_factory=guarded_socket_factory
    )
    # Only the connect timeout here: the Fetcher enforces read_timeout and total_timeout with
    # one periodic timer (fetch_watch.Watchdog), where aiohttp would arm one per request for
    # the total and re-arm another on every chunk received.
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=settings.connect_timeout)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,
        # The proxy variables are honoured through `Proxies`, read once and passed explicitly.
        # With trust_env=True aiohttp would make two thread hops per request (a proxy lookup
        # and a ~/.netrc read), which cost more client CPU than the request itself.
        trust_env=False,
        # unsafe=True keeps cookies from hosts given as IP addresses too: cookie walls on such
        # sources would otherwise redirect forever.
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )


class Proxies:
    """HTTP_PROXY / HTTPS_PROXY (credentials also from ~/.netrc), read once; NO_PROXY per host.

    Proxies are passed to aiohttp explicitly, never left to it, because the SSRF guard must
    know that a request is proxied: the socket then goes to the proxy, and the target can only
    be checked by name.
    """

    def __init__(self) -> None:
        self._env = proxies_from_env()
        self._bypass: dict[str, bool] = {}
        self.none = not self._env  # no proxy variables: only a source's own proxy applies

    def for_url(
        self, url: URL, source_proxy: str | None
    ) -> tuple[URL | None, aiohttp.BasicAuth | None] | str:
        """(proxy, auth) for `url`; a source's own proxy wins. A str is why it is unusable."""
        if source_proxy:
            try:
                proxy = URL(source_proxy)
            except (ValueError, TypeError):
                proxy = URL()
            if proxy.scheme not in ("http", "https") or not proxy.host:
                return f"unusable proxy {source_proxy!r} (http or https only)"
            return proxy, None
        if not self._env:
            return None, None
        info = self._env.get(url.scheme)
        if info is None or url.host is None:
            return None, None
        bypass = self._bypass.get(url.host)
        if bypass is None:
            if len(self._bypass) >= _BYPASS_CACHE:
                self._bypass.clear()
            bypass = self._bypass[url.host] = bool(proxy_bypass(url.host))
        return (None, None) if bypass else (info.proxy, info.proxy_auth)
