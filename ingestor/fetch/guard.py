"""Refuse connections to loopback, link-local, private, multicast and other non-public addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

__all__ = [
    "BlockedAddressError",
    "GuardScope",
    "HostCheck",
    "IPAddress",
    "IPNetwork",
    "enter_scope",
    "guard_scope",
    "guarded_socket_factory",
    "is_forbidden_address",
    "is_public_address",
    "leave_scope",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# NAT64 (RFC 6052) carries an IPv4 address in its low 32 bits; a translator would connect to it.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# So does SIIT's "IPv4-translated" form ::ffff:0:a.b.c.d (RFC 2765), which Python counts as global.
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
# RFC 8215's local-use translation prefix: inside a network by definition, never a public host.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
# Never reachable, even for a source allowed onto private networks: link-local ranges carry the
# cloud metadata services (169.254.169.254 and friends), which hand out credentials, and these
# are the metadata addresses outside them (Alibaba, AWS over IPv6, Azure's wire server).
_FORBIDDEN = (
    ipaddress.IPv4Network("169.254.0.0/16"),
    ipaddress.IPv6Network("fe80::/10"),
    ipaddress.IPv4Network("100.100.100.200/32"),
    ipaddress.IPv6Network("fd00:ec2::254/128"),
    ipaddress.IPv4Network("168.63.129.16/32"),
)
_AddrInfo = tuple[int, int, int, str, tuple[str, int] | tuple[str, int, int, int]]


class BlockedAddressError(OSError):
    """A connection was about to go to an address the fetch policy does not allow."""


@dataclass(slots=True)
class GuardScope:
    """What the current fetch may connect to; `blocked` records the address we refused."""

    allow_private: bool = False
    allowed: tuple[IPNetwork, ...] = ()
    proxied: bool = False
    blocked: str | None = None

    def permits(self, address: IPAddress) -> bool:
        if is_forbidden_address(address):
            return False
        if self.allow_private or is_public_address(address):
            return True
        return any(address in net for net in self.allowed if net.version == address.version)


# The socket factory runs inside aiohttp's connector, where only the task context reaches it;
# asyncio copies the context into the happy-eyeballs subtasks, so the scope follows the request.
_SCOPE: ContextVar[GuardScope | None] = ContextVar("warta_net_guard", default=None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form would really reach (mapped, 6to4, NAT64, compatible)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # "IPv4-compatible" ::a.b.c.d (RFC 4291 §2.5.5.1) is deprecated but some stacks still route it.
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def is_forbidden_address(address: IPAddress) -> bool:
    """True for link-local and cloud-metadata addresses, which no fetch policy may reach."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and is_forbidden_address(inner):
            return True
    return address.is_link_local or any(
        address in net for net in _FORBIDDEN if net.version == address.version
    )


def is_public_address(address: IPAddress) -> bool:
    """True for globally routable unicast addresses; False for anything an SSRF could abuse."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None:
            return is_public_address(inner)
        if address.is_site_local or address in _LOCAL_NAT64:
            return False
    # is_global already excludes loopback, link-local, RFC 1918, ULA, CGNAT, unspecified and
    # reserved ranges, but counts multicast as global, so that is refused separately.
    return address.is_global and not address.is_multicast


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


# The same few addresses are checked on every request; parsing one and walking the forbidden
# networks costs several microseconds, a quarter of the fetcher's own time per request.
@lru_cache(maxsize=4096)
def _permitted(text: str, allow_private: bool, allowed: tuple[IPNetwork, ...]) -> bool | None:
    """Whether the address written `text` is allowed under those rules; None: not an address."""
    address = _parse_ip(text)
    return None if address is None else GuardScope(allow_private, allowed).permits(address)


# enter_scope(scope) makes `scope` the rule for connections this task opens, and returns the
# token that leave_scope(token) takes to undo it. They are the ContextVar's own methods rather
# than wrappers: the fetcher calls both on every request.
enter_scope: Final[Callable[[GuardScope | None], Token[GuardScope | None]]] = _SCOPE.set
leave_scope: Final[Callable[[Token[GuardScope | None]], None]] = _SCOPE.reset


@contextmanager
def guard_scope(scope: GuardScope) -> Iterator[GuardScope]:
    """`with guard_scope(scope):` the same as enter_scope/leave_scope around a block."""
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def guarded_socket_factory(addr_info: _AddrInfo) -> socket.socket:
    """aiohttp `socket_factory`: check the address actually being connected to, after DNS.

    This closes the gap a name check before the request leaves open: a name that resolves to a
    public address when checked and to a private one when connecting (DNS rebinding).
    """
    family, type_, proto, _, sockaddr = addr_info
    scope = _SCOPE.get()
    # A proxied request connects to the proxy, which the operator chose; the target was checked
    # by name before the request. Without a scope (session used outside the Fetcher) be strict.
    if scope is None or not scope.proxied:
        address = _parse_ip(str(sockaddr[0]))
        rule = scope if scope is not None else GuardScope()
        if address is None or not rule.permits(address):
            if scope is not None:
                scope.blocked = str(sockaddr[0])
            raise BlockedAddressError(f"refusing to connect to non-public address {sockaddr[0]}")
    return socket.socket(family, type_, proto)


class HostCheck:
    """Refuse hosts that are, or resolve to, addresses a scope does not permit.

    Resolutions are cached for `ttl` seconds: the socket factory re-checks the address actually
    connected to, so a stale answer here cannot let a rebound name through on a direct
    connection, and a lookup per request would cost a thread hop each time.
    """

    def __init__(self, ttl: float = 30.0, max_entries: int = 4096) -> None:
        self._ttl = ttl
        self._max_entries = max_entries
        self._cache: dict[str, tuple[float, tuple[str, ...]]] = {}

    def cached_refusal(self, host: str, scope: GuardScope) -> str | Literal[False] | None:
        """`refusal` answered without a coroutine when it can be (an address literal, or a name
        resolved within the TTL); False when a lookup is needed (await `refusal` then)."""
        literal = _permitted(host.strip("[]"), scope.allow_private, scope.allowed)
        if literal is not None:
            return None if literal else f"{host} is a non-public address"
        cached = self._cache.get(host)
        if cached is None or cached[0] <= time.monotonic():
            return False
        return self._check(host, cached[1], scope)

    @staticmethod
    def _check(host: str, addresses: tuple[str, ...], scope: GuardScope) -> str | None:
        for text in addresses:
            if not _permitted(text, scope.allow_private, scope.allowed):  # also None: unparsable
                return f"{host} resolves to non-public address {text}"
        return None

    async def refusal(self, host: str, port: int, scope: GuardScope) -> str | None:
        """Why `host` is refused under `scope`, or None when every address is allowed.

        A name that does not resolve here is let through: aiohttp reports the DNS failure
        itself, and behind a proxy the local resolver may legitimately know nothing.
        """
        literal = _permitted(host.strip("[]"), scope.allow_private, scope.allowed)
        if literal is not None:
            return None if literal else f"{host} is a non-public address"
        now = time.monotonic()
        cached = self._cache.get(host)
        if cached is not None and cached[0] > now:
            addresses = cached[1]
        else:
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError):
                return None
            addresses = tuple(str(info[4][0]) for info in infos)
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
            self._cache[host] = (now + self._ttl, addresses)
        return self._check(host, addresses, scope)
