"""One HTTP request and its response turned into a record: status, headers, body or failure kind."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

import aiohttp
from aiohttp import hdrs
from multidict import CIMultiDictProxy
from yarl import URL

from ingestor.fetch.backoff import parse_retry_after
from ingestor.fetch.body import BadContentEncodingError, BodyTooLargeError, read_body
from ingestor.fetch.outcome import ErrorKind
from ingestor.fetch.watch import Watchdog

__all__ = ["REDIRECTS", "Exchange", "classify_error", "exchange", "status_kind"]

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_RESETS = (
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientOSError,
    ConnectionError,
)
_DRAIN_BYTES = 64 * 1024  # bodies we do not need are read (to keep the connection) up to this


@dataclass(slots=True)
class Exchange:
    """One request/response (or its failure); mutable only while it is being filled in."""

    url: URL
    status: int | None = None
    headers: CIMultiDictProxy[str] | None = None
    body: bytes = b""
    wire_bytes: int = 0
    kind: ErrorKind | None = None
    message: str | None = None
    retry_after: float | None = None
    sets_cookie: bool = False


def status_kind(status: int) -> ErrorKind | None:
    """The error kind a status means by itself; None for 2xx, 304 and redirects."""
    if status < 300 or status == 304 or status in REDIRECTS:
        return None
    if status == 429:
        return "rate_limited"
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return "protocol"  # 1xx leaking through, 300, 305, 306: nothing we can use


def classify_error(exc: BaseException) -> tuple[ErrorKind, str]:
    """Map an aiohttp/OS exception to an error kind and message."""
    message = str(exc) or type(exc).__name__
    kind: ErrorKind
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        kind = "dns"
    elif isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        kind = "proxy"
    elif isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        kind = "tls"
    elif isinstance(exc, TimeoutError):  # aiohttp's timeout errors subclass TimeoutError
        kind = "timeout"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = "connect"
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = "bad_url"
    elif isinstance(exc, _RESETS):
        kind = "reset"
    elif isinstance(exc, aiohttp.ClientResponseError):
        kind = "protocol"  # unparsable status line or headers
    elif isinstance(exc, OSError):
        kind = "connect"
    else:
        kind = "protocol"
    return kind, message


async def _skip_body(resp: aiohttp.ClientResponse, ex: Exchange) -> None:
    """A body we do not keep (error, redirect, 304): drain it if small, else drop the line."""
    if ex.kind is not None:
        ex.message = f"HTTP {ex.status} {resp.reason or ''}".rstrip()
    ex.sets_cookie = "Set-Cookie" in resp.headers
    length = resp.content_length
    if length is not None and length <= _DRAIN_BYTES:
        await resp.read()  # small: read it so that the connection goes back to the pool
    else:
        resp.close()


async def _read_body(
    resp: aiohttp.ClientResponse, ex: Exchange, limit: int, truncate: bool, decompress: bool
) -> None:
    length = resp.content_length
    if length is not None and length > limit and not truncate:
        resp.close()
        raise BodyTooLargeError(f"Content-Length {length} exceeds {limit} bytes", 0)
    encoding = resp.headers.get("Content-Encoding", "") if decompress else ""
    try:
        body = await read_body(resp.content, encoding, limit, truncate=truncate)
    except (BodyTooLargeError, BadContentEncodingError):
        resp.close()  # stop the transfer now rather than drain the rest
        raise
    ex.body, ex.wire_bytes = body.data, body.wire_bytes
    if body.truncated:
        resp.close()


async def exchange(
    session: aiohttp.ClientSession,
    url: URL,
    headers: dict[str, str] | None,
    proxy: URL | None,
    proxy_auth: aiohttp.BasicAuth | None,
    limit: int,
    truncate: bool,
    decompress: bool,
    watchdog: Watchdog,
) -> Exchange:
    """GET `url` once, without following redirects; never raises for network failures.

    The body is read only for 2xx responses, streaming and within `limit` (see read_body).
    Read and total timeouts are the `watchdog`'s (see there). Connection-guard refusals come back
    as kind "connect"; the caller, which owns the guard scope, knows better and relabels them.
    """
    ex = Exchange(url)
    watch = watchdog.watch()
    try:
        # ClientSession._request, not get(): get() only wraps it in a context manager after
        # forwarding its keywords, which together cost as much as this module's own work.
        # Only what differs from aiohttp's defaults is passed: every keyword is matched
        # against the 36 parameters of _request, on every request.
        if headers is None and proxy is None and proxy_auth is None:
            resp = await session._request(hdrs.METH_GET, url, allow_redirects=False)
        else:
            resp = await session._request(
                hdrs.METH_GET, url, headers=headers, allow_redirects=False, proxy=proxy,
                proxy_auth=proxy_auth,
            )  # fmt: skip
        # Released by hand rather than by `async with`, whose context managers add four
        # coroutines per request; a GET has no request body whose upload to wait for.
        try:
            watch.response = resp
            ex.status = status = resp.status
            ex.headers = headers_in = resp.headers
            length = resp.content_length
            if status >= 300:
                ex.kind = status_kind(status)
                ex.retry_after = parse_retry_after(headers_in.get("Retry-After"))
                await _skip_body(resp, ex)
            elif (
                decompress
                and length is not None
                and length <= limit
                and hdrs.CONTENT_ENCODING not in headers_in
            ):
                # The common case, read in one call: uncompressed, and HTTP framing stops the
                # read at a Content-Length that is within the limit.
                ex.body = await resp.read()
                ex.wire_bytes = len(ex.body)
            else:
                await _read_body(resp, ex, limit, truncate, decompress)
        finally:
            resp.release()  # back to the pool when the body was read whole, else closed
    except BodyTooLargeError as exc:
        ex.kind, ex.message, ex.wire_bytes = "too_large", str(exc), exc.wire_bytes
    except BadContentEncodingError as exc:
        ex.kind, ex.message = "protocol", str(exc)
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        ex.kind, ex.message = classify_error(exc)
    except asyncio.CancelledError:
        if not watch.expired_here():
            raise
        ex.kind, ex.message = "timeout", watch.reason
    finally:
        watchdog.done(watch)
    return ex
