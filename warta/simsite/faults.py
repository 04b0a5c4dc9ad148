"""Injected failures and the request log, as one aiohttp middleware per bureau.

Fault kinds: "500", "503", "404" (error pages), "429" (with Retry-After: 1), "stall" (no
response for 30 s), "slow" (2 s before the first byte), "truncate" (half the declared body,
then the connection is closed) and "garbage" (random bytes served as text/html).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from random import Random
from typing import cast

from aiohttp import web
from aiohttp.typedefs import Middleware

from warta.simsite.model import FAULT_KINDS, FaultKind, RequestRecord

__all__ = ["SLOW_SECONDS", "STALL_SECONDS", "FaultTable", "logging_middleware"]

STALL_SECONDS = 30.0
SLOW_SECONDS = 2.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class _Fault:
    kind: FaultKind
    remaining: int | None


class FaultTable:
    """Faults by (bureau, path); a path ending in '*' matches every path with that prefix."""

    def __init__(self) -> None:
        self._faults: dict[tuple[str, str], _Fault] = {}

    def set(self, bureau: str, path: str, kind: str, times: int | None = None) -> None:
        """Make `path` on `bureau` fail with `kind` (`times` requests, or until cleared)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1")
        self._faults[(bureau, path)] = _Fault(cast(FaultKind, kind), times)

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    def take(self, bureau: str, path: str, path_qs: str) -> FaultKind | None:
        """The fault for this request, if any (consuming one use of a counted fault)."""
        key = next(
            (k for k in ((bureau, path_qs), (bureau, path)) if k in self._faults),
            None,
        )
        if key is None:
            prefixes = [
                k
                for k in self._faults
                if k[0] == bureau and k[1].endswith("*") and path_qs.startswith(k[1][:-1])
            ]
            key = max(prefixes, key=lambda k: len(k[1]), default=None)
        if key is None:
            return None
        fault = self._faults[key]
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining == 0:
                del self._faults[key]
        return fault.kind


async def _sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def _truncate(request: web.Request, full: web.StreamResponse) -> web.StreamResponse:
    body = full.body if isinstance(full, web.Response) else None
    data = body if isinstance(body, bytes) else b""
    resp = web.StreamResponse(status=full.status, headers=full.headers)
    resp.content_length = len(data)
    await resp.prepare(request)
    await resp.write(data[: len(data) // 2])
    if request.transport is not None:
        request.transport.close()
    return resp


def _error(status: int, reason: str) -> web.Response:
    text = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return web.Response(status=status, text=text, content_type="text/html", charset="UTF-8")


def logging_middleware(
    bureau: str,
    faults: FaultTable,
    log: list[RequestRecord],
    clock: Callable[[], datetime],
    stopping: asyncio.Event,
    not_found: Callable[[], str],
) -> Middleware:
    """Record each request (in arrival order), apply faults, and render 404s as the site does."""
    rng = Random(f"garbage:{bureau}")

    async def serve(request: web.Request, handler: Handler) -> web.StreamResponse:
        kind = faults.take(bureau, request.path, request.path_qs)
        if kind in ("500", "503"):
            return _error(
                int(kind),
                "Internal Server Error" if kind == "500" else "Service Temporarily Unavailable",
            )
        if kind == "404":
            return web.Response(
                status=404, text=not_found(), content_type="text/html", charset="UTF-8"
            )
        if kind == "429":
            limited = _error(429, "Too Many Requests")
            limited.headers["Retry-After"] = "1"
            return limited
        if kind == "garbage":
            return web.Response(body=rng.randbytes(8192), content_type="text/html", charset="UTF-8")
        if kind == "stall":
            await _sleep_unless(stopping, STALL_SECONDS)
        elif kind == "slow":
            await _sleep_unless(stopping, SLOW_SECONDS)
        resp: web.StreamResponse
        try:
            resp = await handler(request)
        except web.HTTPNotFound:
            resp = web.Response(
                status=404, text=not_found(), content_type="text/html", charset="UTF-8"
            )
        if kind == "truncate":
            return await _truncate(request, resp)
        return resp

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        record = RequestRecord(
            bureau=bureau,
            method=request.method,
            path_qs=request.path_qs,
            headers=dict(request.headers),
            status=0,
            at=clock(),
        )
        index = len(log)
        log.append(record)
        status = 0
        try:
            resp = await serve(request, handler)
            status = resp.status
            if not resp.prepared:
                resp.headers.setdefault("Server", "nginx")
            return resp
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            done = RequestRecord(
                record.bureau, record.method, record.path_qs, record.headers, status, record.at
            )
            # A test may have cleared the log meanwhile: find the record again by identity.
            if index < len(log) and log[index] is record:
                log[index] = done
            else:
                for i in range(len(log) - 1, -1, -1):
                    if log[i] is record:
                        log[i] = done
                        break

    return middleware
