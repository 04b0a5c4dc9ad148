"""Stream a response body, undoing gzip/deflate/br ourselves so the size limit holds after decoding."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import brotli  # type: ignore[import-untyped]

__all__ = [
    "ACCEPT_ENCODING",
    "BadContentEncodingError",
    "Body",
    "BodyTooLargeError",
    "read_body",
]

ACCEPT_ENCODING = "gzip, deflate, br"


class BodyTooLargeError(Exception):
    """The body passed the byte limit, on the wire or once decompressed."""

    def __init__(self, message: str, wire_bytes: int) -> None:
        super().__init__(message)
        self.wire_bytes = wire_bytes


class BadContentEncodingError(Exception):
    """The Content-Encoding is unknown or its data is corrupt."""


@dataclass(frozen=True, slots=True)
class Body:
    data: bytes
    wire_bytes: int
    truncated: bool = False


class _Decoder(Protocol):
    def feed(self, data: bytes, room: int) -> bytes: ...


class _Zlib:
    """gzip, or deflate in either its zlib-wrapped (RFC 9110) or raw (common in practice) form."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._d: zlib._Decompress | None = zlib.decompressobj(31) if gzip else None

    def feed(self, data: bytes, room: int) -> bytes:
        if self._d is None:
            # RFC 1950 header check: CM=8 and the 16-bit header divisible by 31.
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._d = zlib.decompressobj(15 if wrapped else -15)
        if self._d.eof:
            return b""  # trailing garbage after the stream end is ignored, as browsers do
        # max_length bounds the output of this call: a bomb cannot inflate past `room` + 1.
        return self._d.decompress(data, room + 1)


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        if self._d.is_finished():
            return b""
        out: bytes = self._d.process(data, output_buffer_limit=room + 1)
        return out


def _decoders(content_encoding: str) -> list[_Decoder]:
    """Decoders in the order to apply them: the reverse of the order they were applied."""
    chain: list[_Decoder] = []
    for coding in reversed([t.strip().lower() for t in content_encoding.split(",")]):
        if coding in ("", "identity"):
            continue
        if coding in ("gzip", "x-gzip"):
            chain.append(_Zlib(gzip=True))
        elif coding == "deflate":
            chain.append(_Zlib(gzip=False))
        elif coding == "br":
            chain.append(_Brotli())
        else:
            raise BadContentEncodingError(f"unsupported Content-Encoding {coding!r}")
    return chain


async def read_body(
    content: aiohttp.StreamReader,
    content_encoding: str,
    limit: int,
    *,
    truncate: bool = False,
) -> Body:
    """Read the whole body, decompressing as it streams, never holding more than `limit` bytes.

    Raises:
        BodyTooLargeError: wire or decoded bytes passed `limit` (unless `truncate`, which
            returns the first `limit` decoded bytes instead: robots.txt wants the prefix).
        BadContentEncodingError: unknown encoding or corrupt compressed data.
    """
    chain = _decoders(content_encoding) if content_encoding else []
    parts: list[bytes] = []
    size = 0
    wire = 0
    while True:
        chunk = await content.readany()
        if not chunk:
            break
        wire += len(chunk)
        data = chunk
        try:
            for decoder in chain:
                data = decoder.feed(data, limit - size)
        except (zlib.error, brotli.error) as exc:
            raise BadContentEncodingError(f"corrupt {content_encoding} data: {exc}") from None
        if size + len(data) > limit or wire > limit:
            if truncate:
                parts.append(data[: limit - size])
                return Body(b"".join(parts), wire, truncated=True)
            raise BodyTooLargeError(
                f"body exceeds {limit} bytes ({'decoded' if chain else 'on the wire'})", wire
            )
        if data:
            parts.append(data)
            size += len(data)
    return Body(b"".join(parts), wire)
