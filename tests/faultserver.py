"""A fault-injecting aiohttp server on 127.0.0.1 for the fetcher tests; it counts what it sees.

Every instance listens on its own random port (so each is its own origin, with its own
robots.txt) and records, per Host header, how many requests were in flight at once, plus the
arrival time and headers of every request, so tests can prove limits from the server's side.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import struct
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import brotli  # type: ignore[import-untyped]
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from config.settings import Settings
from ingestor.fetch.fetcher import Fetcher, make_session

__all__ = ["FaultServer", "Seen", "fast_settings", "fetcher_for", "max_overlap"]

BOMB_BYTES = 50 * 1024 * 1024
CHUNK = 64 * 1024
ETAG = '"v1-abc"'
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"
PAGE = (
    "<!doctype html><html><head><title>Berita</title></head><body><p>Halo dunia</p></body></html>"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def fast_settings(**overrides: Any) -> Settings:
    """Settings with timeouts and waits small enough for a sub-second test."""
    values: dict[str, Any] = {
        "per_host_concurrency": 2,
        "global_concurrency": 16,
        "min_host_spacing": 0.0,
        "host_spacing_jitter": 0.0,
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
        "total_timeout": 5.0,
        "max_body_bytes": 1024 * 1024,
        "max_redirects": 5,
        "max_retries": 2,
        "retry_base_delay": 0.01,
        "retry_max_delay": 0.05,
        "max_retry_after": 2.5,
        "robots_ttl": 60.0,
        "robots_error_ttl": 60.0,
    }
    values.update(overrides)
    return Settings(**values)


@asynccontextmanager
async def fetcher_for(settings: Settings) -> AsyncIterator[Fetcher]:
    """A Fetcher over its own make_session() session, closed afterwards."""
    session = make_session(settings)
    try:
        yield Fetcher(settings, session)
    finally:
        await session.close()


def max_overlap(seen: list[Seen]) -> int:
    """The most requests that were being handled at one moment, across any servers."""
    events = sorted(
        [(s.at, 1) for s in seen] + [(s.done if s.done is not None else s.at, -1) for s in seen],
        key=lambda e: (e[0], e[1]),  # at equal times, count the end before the next start
    )
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


@functools.cache
def _bomb(encoding: str) -> bytes:
    """50 MB of zeros, compressed (about 50 KB gzip/deflate, 100 bytes br); built once."""
    zeros = bytes(1024 * 1024)
    if encoding == "br":
        comp = brotli.Compressor(quality=5)
        return b"".join(comp.process(zeros) for _ in range(50)) + bytes(comp.finish())
    wbits = 31 if encoding == "gzip" else 15
    z = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(z.compress(zeros) for _ in range(50)) + z.flush()


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(data))
    if encoding == "deflate-raw":
        z = zlib.compressobj(6, zlib.DEFLATED, -15)
        return z.compress(data) + z.flush()
    z = zlib.compressobj(6, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    return z.compress(data) + z.flush()


def _reset(request: web.Request) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing proxy would."""
    transport = request.transport
    assert transport is not None
    sock: socket.socket | None = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


@dataclass
class Seen:
    """One request as the server saw it."""

    path: str
    host: str
    at: float
    headers: CIMultiDictProxy[str]
    done: float | None = None  # when the handler finished (None while in flight)
    peer: int = 0  # the client's port: one per connection, so it tells reuse from reconnects


@dataclass
class FaultServer:
    """Configurable misbehaving origin; `robots` is the robots.txt body (None: 404)."""

    robots: str | None = None
    robots_status: int = 200
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    in_flight: Counter[str] = field(default_factory=Counter)
    max_in_flight: Counter[str] = field(default_factory=Counter)
    bytes_sent: Counter[str] = field(default_factory=Counter)
    _failures: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> FaultServer:
        app = web.Application(middlewares=[self._count])
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        # handler_cancellation: a slow handler whose client hung up stops at once, so that
        # teardown does not wait for it.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    def arrivals(self, path: str) -> list[float]:
        return [s.at for s in self.seen if s.path == path]

    def reset_counts(self) -> None:
        self.seen.clear()
        self.in_flight.clear()
        self.max_in_flight.clear()
        self.bytes_sent.clear()
        self._failures.clear()

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host", "")
        seen = Seen(request.path, host, time.monotonic(), request.headers)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen.peer = peer[1] if peer else 0
        self.seen.append(seen)
        self.in_flight[host] += 1
        self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
        try:
            return await handler(request)
        finally:
            self.in_flight[host] -= 1
            seen.done = time.monotonic()

    def _fail_first(self, request: web.Request) -> bool:
        """True for the first `fail` requests carrying the same `key` query value."""
        key = request.path + "?" + request.query.get("key", "")
        self._failures[key] += 1
        return self._failures[key] <= int(request.query.get("fail", "1000000"))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        name = request.path.strip("/").split("/", 1)[0].replace("-", "_").replace(".", "_")
        handler = getattr(self, f"ep_{name}", None)
        if handler is None:
            return web.Response(status=404, text="no such endpoint")
        response: web.StreamResponse = await handler(request)
        return response

    # --- endpoints -------------------------------------------------------------------------

    async def ep_robots_txt(self, request: web.Request) -> web.StreamResponse:
        if self.robots is None:
            return web.Response(status=404, text="not found")
        return web.Response(status=self.robots_status, text=self.robots)

    async def ep_ok(self, request: web.Request) -> web.StreamResponse:
        headers = {
            "ETag": ETAG,
            "Last-Modified": LAST_MODIFIED,
            "Cache-Control": "max-age=300",
            "Expires": "Thu, 22 Oct 2026 07:28:00 GMT",
        }
        return web.Response(text=PAGE, content_type="text/html", headers=headers)

    async def ep_hold(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(float(request.query.get("s", "0.2")))
        return web.Response(text="held", content_type="text/plain")

    async def ep_slow(self, request: web.Request) -> web.StreamResponse:
        """Slow first byte: nothing at all for `s` seconds."""
        await asyncio.sleep(float(request.query.get("s", "5")))
        return web.Response(text="too late")

    async def ep_stall(self, request: web.Request) -> web.StreamResponse:
        """Headers and half a body, then silence."""
        resp = web.StreamResponse(headers={"Content-Type": "text/plain", "Content-Length": "200"})
        await resp.prepare(request)
        await resp.write(b"x" * 100)
        await asyncio.sleep(float(request.query.get("s", "5")))
        return resp

    async def ep_reset(self, request: web.Request) -> web.StreamResponse:
        """RST before any response; with ?fail=N only the first N times (then 200)."""
        if self._fail_first(request):
            _reset(request)
            await asyncio.sleep(0.05)
            raise asyncio.CancelledError  # the connection is gone; nothing to send
        return web.Response(text="recovered")

    async def ep_reset_mid(self, request: web.Request) -> web.StreamResponse:
        """Headers and part of the body, then RST."""
        resp = web.StreamResponse(headers={"Content-Type": "text/plain", "Content-Length": "9000"})
        await resp.prepare(request)
        await resp.write(b"y" * 1000)
        await asyncio.sleep(0.02)
        _reset(request)
        await asyncio.sleep(0.05)
        raise asyncio.CancelledError

    async def ep_status(self, request: web.Request) -> web.StreamResponse:
        """/status/<code>; with ?fail=N returns <code> N times, then 200."""
        code = int(request.path.rsplit("/", 1)[1])
        if self._fail_first(request):
            headers = {}
            if "retry_after" in request.query:
                headers["Retry-After"] = request.query["retry_after"]
            if request.query.get("date"):
                when = time.time() + float(request.query["date"])
                headers["Retry-After"] = formatdate(when, usegmt=True)
            return web.Response(status=code, text=f"status {code}", headers=headers)
        return web.Response(text="finally", content_type="text/plain")

    async def ep_redirect(self, request: web.Request) -> web.StreamResponse:
        """/redirect/loop-a <-> loop-b; /redirect/chain/<n>; /redirect/to?location=<url>."""
        parts = request.path.strip("/").split("/")
        if parts[1] == "loop-a":
            raise web.HTTPFound("/redirect/loop-b")
        if parts[1] == "loop-b":
            raise web.HTTPFound("/redirect/loop-a")
        if parts[1] == "chain":
            n = int(parts[2])
            raise web.HTTPFound("/ok" if n <= 0 else f"/redirect/chain/{n - 1}")
        if parts[1] == "cookie-wall":
            if "wall" in request.cookies:
                return web.Response(text="past the wall", content_type="text/plain")
            resp = web.HTTPFound("/redirect/cookie-wall")
            resp.set_cookie("wall", "1")
            raise resp
        raise web.HTTPFound(request.query["location"])

    async def ep_big(self, request: web.Request) -> web.StreamResponse:
        """50 MB streamed in 64 KB chunks (never held in memory); ?cl=1 declares its length."""
        headers = {"Content-Type": "application/octet-stream"}
        if request.query.get("cl"):
            headers["Content-Length"] = str(BOMB_BYTES)
        resp = web.StreamResponse(headers=headers)
        await resp.prepare(request)
        chunk = b"z" * CHUNK
        try:
            for _ in range(BOMB_BYTES // CHUNK):
                await resp.write(chunk)
                self.bytes_sent[request.path] += CHUNK
        except (ConnectionError, RuntimeError):
            return resp  # the client hung up, which is the point
        return resp

    async def ep_bomb(self, request: web.Request) -> web.StreamResponse:
        """/bomb/<gzip|deflate|br>: a small body that decompresses to 50 MB of zeros."""
        encoding = request.path.rsplit("/", 1)[1]
        body = _bomb(encoding)
        headers = {"Content-Type": "text/html", "Content-Encoding": encoding}
        return web.Response(body=body, headers=headers)

    async def ep_compressed(self, request: web.Request) -> web.StreamResponse:
        """/compressed/<gzip|deflate|deflate-raw|br>: a normal page, compressed."""
        encoding = request.path.rsplit("/", 1)[1]
        header = "deflate" if encoding == "deflate-raw" else encoding
        body = _compress(PAGE.encode() * 50, encoding)
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": header}
        return web.Response(body=body, headers=headers)

    async def ep_charset(self, request: web.Request) -> web.StreamResponse:
        """/charset/<case>: pages whose declared and real charsets disagree, or are hidden."""
        case = request.path.rsplit("/", 1)[1]
        text = "Café “Kopi” – naïve Rp 10.000 €"
        body: bytes
        if case == "cp1252-as-utf8":
            body, ctype = f"<p>{text}</p>".encode("cp1252"), "text/html; charset=utf-8"
        elif case == "utf8-as-latin1":
            body, ctype = f"<p>{text}</p>".encode(), "text/html; charset=ISO-8859-1"
        elif case == "meta-late":
            padding = "<!-- " + "x" * 6000 + " -->"
            html = f'<html><head>{padding}<meta charset="windows-1251"></head><p>Привет мир</p>'
            body, ctype = html.encode("cp1251"), "text/html"
        elif case == "http-equiv":
            meta = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
            body, ctype = f"<html><head>{meta}</head><p>Łódź</p>".encode("iso-8859-2"), "text/html"
        elif case == "xml-prolog":
            xml = '<?xml version="1.0" encoding="windows-1251"?><rss><title>Новости</title></rss>'
            body, ctype = xml.encode("cp1251"), "application/rss+xml"
        elif case == "bom-utf16":
            body, ctype = "\ufeff<p>Halo “dunia”</p>".encode("utf-16-le"), "text/html"
        elif case == "undeclared":
            russian = "Это тестовая страница новостей на русском языке, она длинная. " * 4
            body, ctype = (
                f"<html><body><p>{russian}</p></body></html>".encode("cp1251"),
                "text/html",
            )
        elif case == "controls":
            raw = "<rss><title>Bad\x00\x01\x08\x0b\x0c\x1b\x1f chars\ufffe ok\ttab\nline</title></rss>"
            body, ctype = raw.encode(), "application/xml; charset=utf-8"
        else:
            return web.Response(status=404)
        return web.Response(body=body, headers={"Content-Type": ctype})

    async def ep_etag(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(text=PAGE, content_type="text/html", headers={"ETag": ETAG})

    async def ep_lastmod(self, request: web.Request) -> web.StreamResponse:
        # 304 without repeating validators: the fetcher must keep the ones it sent.
        if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304)
        headers = {"Last-Modified": LAST_MODIFIED}
        return web.Response(text=PAGE, content_type="text/html", headers=headers)

    async def ep_reuse(self, request: web.Request) -> web.StreamResponse:
        """A page whose publisher limits reuse in two X-Robots-Tag headers."""
        headers = CIMultiDict([("X-Robots-Tag", "noarchive"), ("X-Robots-Tag", "max-snippet:50")])
        return web.Response(text=PAGE, content_type="text/html", headers=headers)

    async def ep_page(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"page {request.path}", content_type="text/plain")

    async def ep_private(self, request: web.Request) -> web.StreamResponse:
        return web.Response(text="robots should have kept you out", content_type="text/plain")
