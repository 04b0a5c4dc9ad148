"""The fetcher's records: a source's fetch policy, the caller's validators, one fetch's outcome."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, cast

from aiohttp import hdrs
from multidict import CIMultiDictProxy, istr

from ingestor.fetch.decode import Decoded, decode_text
from ingestor.fetch.guard import IPNetwork
from ingestor.sources import Source

__all__ = [
    "CIRCUIT_FAILURE_KINDS",
    "ERROR_KINDS",
    "ErrorKind",
    "FetchOutcome",
    "FetchPolicy",
    "OutcomeDraft",
    "Validators",
    "policy_for",
    "sealed",
]

ErrorKind = Literal[
    "bad_url",
    "bad_scheme",
    "blocked_address",
    "robots_disallowed",
    "robots_deferred",
    "circuit_open",
    "rate_limited",
    "timeout",
    "dns",
    "connect",
    "tls",
    "proxy",
    "reset",
    "protocol",
    "too_large",
    "too_many_redirects",
    "redirect_loop",
    "http_4xx",
    "http_5xx",
]

# The documented vocabulary of FetchOutcome.error_kind; the ingestion log stores these strings.
ERROR_KINDS: Final[dict[str, str]] = {
    "bad_url": "the URL (or a redirect's Location) cannot be parsed or has no host",
    "bad_scheme": "not http or https, for the URL or a redirect target",
    "blocked_address": "the host is or resolves to a loopback/private/link-local/multicast address",
    "robots_disallowed": "robots.txt disallows this URL for our user agent; nothing was fetched",
    "robots_deferred": "robots.txt answered 5xx/429 or was unreachable; try the origin later",
    "circuit_open": "the source's circuit breaker is open (policy.circuit_open_until)",
    "rate_limited": "429 after retries, or a Retry-After longer than we wait (see retry_after)",
    "timeout": "connect, read or total timeout",
    "dns": "the host name did not resolve",
    "connect": "the TCP connection could not be made",
    "tls": "TLS handshake or certificate verification failed",
    "proxy": "the proxy refused or failed the request, or the proxy URL is unusable",
    "reset": "the connection was closed or reset before the response was complete",
    "protocol": "malformed HTTP, bad compressed data, or a redirect without Location",
    "too_large": "the body (on the wire or decompressed) exceeds max_body_bytes",
    "too_many_redirects": "more than max_redirects redirects",
    "redirect_loop": "a redirect led back to a URL already visited in this fetch",
    "http_4xx": "a 4xx status other than 429 (not retried)",
    "http_5xx": "a 5xx status, after retries",
}

# Kinds that say the source (not us, not its robots policy) is failing: the scheduler counts
# these as consecutive failures for next_attempt_after; the others do not open the circuit.
CIRCUIT_FAILURE_KINDS: Final[frozenset[str]] = frozenset(
    {"timeout", "dns", "connect", "tls", "reset", "protocol", "http_4xx", "http_5xx"}
)
_X_ROBOTS_TAG = istr("X-Robots-Tag")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How the fetcher may treat one source's requests; built by the caller from a Source.

    `allowed_networks` lets specific non-public networks through without opening all of them
    (for example one intranet host). `circuit_open_until` (aware datetime) is the source row's
    breaker state: before it, `get` returns `circuit_open` without touching the network.
    """

    source_id: str
    allow_private_network: bool = False
    proxy: str | None = None
    respect_robots: bool = True
    allowed_networks: tuple[IPNetwork, ...] = ()
    circuit_open_until: datetime | None = None

    @classmethod
    def for_source(
        cls, source: Source, *, circuit_open_until: datetime | None = None
    ) -> FetchPolicy:
        """The policy a catalogue Source asks for."""
        return cls(
            source_id=source.id,
            allow_private_network=source.allow_private_network,
            proxy=source.proxy,
            circuit_open_until=circuit_open_until,
        )

    @staticmethod
    def networks(*cidrs: str) -> tuple[IPNetwork, ...]:
        """Parse CIDR strings for `allowed_networks`; raises ValueError on a bad one."""
        return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def policy_for(source: Source, *, circuit_open_until: datetime | None = None) -> FetchPolicy:
    """The policy a catalogue Source asks for (same as FetchPolicy.for_source)."""
    return FetchPolicy.for_source(source, circuit_open_until=circuit_open_until)


@dataclass(frozen=True, slots=True)
class Validators:
    """The conditional-GET validators stored from the previous fetch of a URL."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """Everything one `Fetcher.get` learned; never raised, always returned.

    `bytes_read` counts body bytes as received on the wire (before decompression); `body` is
    the decoded-from-transfer bytes. On a 304, `etag`/`last_modified` fall back to the
    validators sent, so the caller can always persist them as they are.

    `text` and `encoding` are worked out from `body` on first use (when `textual`: a 2xx of a
    textual media type) and kept: charset detection and the scan for characters XML forbids
    cost as much client CPU as the request itself on a 60 KB page, and a caller that only
    stores, compares or skips the bytes never pays for them. The validators and caching headers
    are read from the response headers on use, for the same reason: most fetches are article
    pages, whose callers never ask for them.
    """

    url: str
    final_url: str
    source_id: str
    status: int | None = None
    content_type: str | None = None
    retry_after: float | None = None
    body: bytes = b""
    textual: bool = False
    bytes_read: int = 0
    elapsed_ms: float = 0.0
    not_modified: bool = False
    error_kind: ErrorKind | None = None
    error_message: str | None = None
    attempts: int = 0
    redirects: int = 0
    _headers: CIMultiDictProxy[str] | None = field(default=None, repr=False, compare=False)
    _sent: Validators | None = field(default=None, repr=False, compare=False)
    _decoded: Decoded | None = field(default=None, init=False, repr=False, compare=False)

    def _header(self, name: istr) -> str | None:
        return None if self._headers is None else self._headers.get(name)

    def _validator(self, name: istr, sent: str | None) -> str | None:
        # A 304 need not repeat the validators (RFC 9110 §15.4.5): the ones sent stand in.
        value = self._header(name)
        return sent if value is None and self.not_modified else value

    @property
    def etag(self) -> str | None:
        """The response's ETag; on a 304 without one, the ETag sent."""
        return self._validator(hdrs.ETAG, self._sent.etag if self._sent else None)

    @property
    def last_modified(self) -> str | None:
        """The response's Last-Modified; on a 304 without one, the date sent."""
        return self._validator(hdrs.LAST_MODIFIED, self._sent.last_modified if self._sent else None)

    @property
    def cache_control(self) -> str | None:
        return self._header(hdrs.CACHE_CONTROL)

    @property
    def expires(self) -> str | None:
        return self._header(hdrs.EXPIRES)

    @property
    def x_robots_tag(self) -> str | None:
        """The publisher's reuse directives (onboarding reads them), several headers joined
        into one list (RFC 9110 §5.3)."""
        values = None if self._headers is None else self._headers.getall(_X_ROBOTS_TAG, None)
        return ", ".join(values) if values else None

    def _decode(self) -> Decoded | None:
        if not self.textual:
            return None
        decoded = self._decoded
        if decoded is None:
            decoded = decode_text(self.body, self.content_type)
            object.__setattr__(self, "_decoded", decoded)  # a cache, not a change of value
        return decoded

    @property
    def text(self) -> str | None:
        """The body as clean text (see decode_text); None unless `textual`."""
        decoded = self._decode()
        return None if decoded is None else decoded.text

    @property
    def encoding(self) -> str | None:
        """The charset the text was decoded from; None unless `textual`."""
        decoded = self._decode()
        return None if decoded is None else decoded.encoding

    @property
    def ok(self) -> bool:
        """True for a 2xx with a body or a 304."""
        return self.error_kind is None

    @property
    def counts_as_failure(self) -> bool:
        """Whether this outcome should count toward the source's circuit breaker."""
        return self.error_kind in CIRCUIT_FAILURE_KINDS

    def to_log(self) -> dict[str, object]:
        """The ingestion-log row: every field except the body and text."""
        return {
            "source_id": self.source_id,
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "elapsed_ms": self.elapsed_ms,
            "bytes_read": self.bytes_read,
            "body_bytes": len(self.body),
            "not_modified": self.not_modified,
            "error_kind": self.error_kind,
            "error_message": self.error_message,
            "attempts": self.attempts,
            "redirects": self.redirects,
            "content_type": self.content_type,
            "encoding": self.encoding,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "cache_control": self.cache_control,
            "expires": self.expires,
            "retry_after": self.retry_after,
        }


# A frozen dataclass sets every field through object.__setattr__ (21 calls here), and a call
# with 20 keyword arguments is slow in itself: building the record cost more than the rest of
# a fetch's bookkeeping together. The fetcher fills this mutable twin instead, attribute by
# attribute (it has the same slots, so a misspelt or forgotten field fails loudly), and
# `sealed` turns it into a FetchOutcome by class assignment, which Python allows between
# classes of identical layout: from then on it is an ordinary, immutable FetchOutcome.
class OutcomeDraft:
    """A FetchOutcome being filled in: the same slots, but mutable; see `sealed`."""

    __slots__ = FetchOutcome.__slots__


def sealed(draft: Any) -> FetchOutcome:
    """The FetchOutcome a fully set `OutcomeDraft` becomes (the same object, now immutable)."""
    draft.__class__ = FetchOutcome
    return cast(FetchOutcome, draft)
