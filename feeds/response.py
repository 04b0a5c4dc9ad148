"""One rendered document as HTTP: strong ETags, Last-Modified, compression, 304s, CORS."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from aiohttp import web
from multidict import CIMultiDict

try:  # Brotli is a declared dependency, but a build without it should still serve gzip.
    import brotli  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

__all__ = ["CORS", "Representation", "choose_encoding", "make_representation", "respond"]

CORS = {
    "Access-Control-Allow-Origin": "*",
    # Without these a browser script could not read the validators it needs to poll politely.
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link",
}
_SUFFIX = {"identity": "", "gzip": "-gz", "br": "-br"}
_NOT_MODIFIED = frozenset({"ETag", "Cache-Control", "Vary", "Last-Modified"})
_ENCODINGS: dict[str, str] = {}  # Accept-Encoding header → choice; clients send few variants


@dataclass(frozen=True, slots=True)
class Representation:
    """A document's bytes plus everything needed to answer GET, HEAD and conditional requests.

    ETags are strong and differ per content coding (RFC 9110 §8.8.3: a gzip body is another
    representation); a 304 is answered for any coding of the same content.
    """

    body: bytes
    digest: str
    modified_at: datetime | None
    headers: Mapping[str, str]  # shared by every coding: type, caching, links, CORS
    tags: frozenset[str]
    cacheable: bool = True  # False: may change without a NOTIFY, so never kept
    # Coding → (body, headers, headers of a 304), filled on first use of each coding.
    variants: dict[str, tuple[bytes, CIMultiDict[str], CIMultiDict[str]]] = field(
        default_factory=dict
    )

    def variant(self, coding: str) -> tuple[bytes, CIMultiDict[str], CIMultiDict[str]]:
        found = self.variants.get(coding)
        if found is not None:
            return found
        if coding == "gzip":
            # mtime=0: every replica compresses to the same bytes.
            body = gzip.compress(self.body, compresslevel=6, mtime=0)
        elif coding == "br" and brotli is not None:
            body = brotli.compress(self.body, quality=5)
        else:
            coding, body = "identity", self.body
        headers = CIMultiDict(self.headers)
        headers["ETag"] = f'"{self.digest}{_SUFFIX[coding]}"'
        if coding != "identity":
            headers["Content-Encoding"] = coding
        # RFC 9110 §15.4.5: a 304 repeats the validators and caching headers, not the rest.
        not_modified = CIMultiDict(
            (k, v) for k, v in headers.items() if k in _NOT_MODIFIED or k.startswith("Access")
        )
        self.variants[coding] = (body, headers, not_modified)
        return body, headers, not_modified


def make_representation(
    body: bytes,
    content_type: str,
    *,
    modified_at: datetime | None,
    cache_control: str,
    links: str | None = None,
    cors: bool = False,
    cacheable: bool = True,
) -> Representation:
    digest = hashlib.blake2b(body, digest_size=16).hexdigest()
    headers = {"Content-Type": content_type, "Cache-Control": cache_control}
    headers["Vary"] = "Accept-Encoding"
    if modified_at is not None:
        headers["Last-Modified"] = format_datetime(modified_at, usegmt=True)
    if links:
        headers["Link"] = links
    if cors:
        headers.update(CORS)
    tags = frozenset(f'"{digest}{suffix}"' for suffix in _SUFFIX.values())
    return Representation(body, digest, modified_at, headers, tags, cacheable)


def _parse_encoding(header: str) -> str:
    weights: dict[str, float] = {}
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        weights[name.strip()] = q
    star = weights.get("*", 0.0)
    if brotli is not None and weights.get("br", star) > 0:
        return "br"
    if weights.get("gzip", star) > 0:
        return "gzip"
    return "identity"


def choose_encoding(header: str | None) -> str:
    """The coding to send: br, then gzip, then identity, as Accept-Encoding allows."""
    if not header:
        return "identity"
    choice = _ENCODINGS.get(header)
    if choice is None:
        choice = _parse_encoding(header)
        if len(_ENCODINGS) < 256:
            _ENCODINGS[header] = choice
    return choice


def _not_modified(request: web.Request, rep: Representation) -> bool:
    headers = request.headers
    inm = headers.get("If-None-Match")
    if inm is not None:
        # RFC 9110 §13.1.2: weak comparison; If-Modified-Since is then ignored.
        if inm in rep.tags or inm.strip() == "*":
            return True
        return any(t.strip().removeprefix("W/") in rep.tags for t in inm.split(","))
    ims = headers.get("If-Modified-Since")
    if ims is None or rep.modified_at is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return rep.modified_at.replace(microsecond=0) <= since


def respond(request: web.Request, rep: Representation) -> web.Response:
    """200 with the best coding the client accepts, or 304 when its validators still hold."""
    body, headers, not_modified = rep.variant(
        choose_encoding(request.headers.get("Accept-Encoding"))
    )
    if _not_modified(request, rep):
        return web.Response(status=304, headers=not_modified)
    return web.Response(body=body, headers=headers)
