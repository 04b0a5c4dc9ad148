"""Proxies: the per-source proxy and the standard environment variables."""

from __future__ import annotations

import pytest

from ingestor.fetch.fetcher import FetchPolicy
from tests.faultserver import FaultServer, fast_settings, fetcher_for

# A name that cannot resolve locally: only the proxy can have answered.
TARGET = "http://warta-proxy-test.invalid/ok"


async def test_per_source_proxy_carries_the_request() -> None:
    async with FaultServer() as proxy:
        # Private network not allowed: the guard checks the target, not the operator's proxy.
        policy = FetchPolicy("proxied", proxy=proxy.url(""), respect_robots=False)
        async with fetcher_for(fast_settings()) as fetcher:
            out = await fetcher.get(TARGET, source=policy)
    assert out.ok and out.status == 200, out.error_message
    assert [s.host for s in proxy.seen] == ["warta-proxy-test.invalid"]


async def test_environment_proxy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FaultServer() as proxy:
        for name in ("NO_PROXY", "no_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        policy = FetchPolicy("env-proxied", respect_robots=False)
        async with fetcher_for(fast_settings()) as fetcher:
            out = await fetcher.get(TARGET, source=policy)
    assert out.ok, out.error_message
    assert [s.host for s in proxy.seen] == ["warta-proxy-test.invalid"]


async def test_proxy_does_not_bypass_the_guard_for_private_targets() -> None:
    async with FaultServer() as proxy:
        policy = FetchPolicy("proxied", proxy=proxy.url(""), respect_robots=False)
        async with fetcher_for(fast_settings()) as fetcher:
            out = await fetcher.get("http://169.254.169.254/latest/meta-data/", source=policy)
    assert out.error_kind == "blocked_address" and proxy.seen == []


async def test_unusable_proxy_is_reported() -> None:
    policy = FetchPolicy("proxied", proxy="socks5://127.0.0.1:1080", respect_robots=False)
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(TARGET, source=policy)
    assert out.error_kind == "proxy" and "socks5" in (out.error_message or "")
