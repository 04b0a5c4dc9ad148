"""The page's own URL as it declares it (rel=canonical, og:url), trusted only on the same site."""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from publicsuffixlist import PublicSuffixList

__all__ = ["absolute_url", "page_canonical", "site_label", "strip_tracking"]

# Campaign and click identifiers: they never change which document a URL names.
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl"
    r"|ref_src|cmpid|s_cid)$",
    re.IGNORECASE,
)
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def strip_tracking(url: str) -> str:
    """`url` without its fragment and tracking parameters (full canonicalization is normalize's)."""
    parts = urlsplit(url.strip())
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    new_query = parts.query if len(kept) == len(query) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, ""))


def absolute_url(base: str, href: str) -> str | None:
    """`href` resolved against `base` when that is a well-formed http(s) URL, else None.

    Pages put anything in their links: javascript: and data: URLs, "http://[::1", ports past
    65535. None of those is a story, an image or a feed, and none may raise further down.
    """
    try:
        joined = urljoin(base, href.strip())
        parts = urlsplit(joined)
        _ = parts.port  # raises on a port that is no number or out of range
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return joined


def page_canonical(url: str, declared: list[str | None]) -> tuple[str, bool]:
    """The first declared URL on the same site as `url`, else `url`; and whether one was used.

    A canonical link to another site (a syndication partner, a CMS default) would make this
    page another site's article, so it is ignored.
    """
    for value in declared:
        if not value:
            continue
        absolute = absolute_url(url, value)
        if absolute is not None and _same_site(absolute, url):
            return strip_tracking(absolute), True
    return strip_tracking(url), False


def site_label(url: str) -> str | None:
    """The registrable name of a URL's host ("antaranews" for kalsel.antaranews.com)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        return None  # an address names no site
    except ValueError:
        pass
    registrable = _suffix_list().privatesuffix(host) if host else None
    return registrable.split(".")[0] if registrable else None


@functools.cache
def _suffix_list() -> PublicSuffixList:
    # The Public Suffix List ships inside the package (no download at run time); parsing it
    # takes ~0.1 s, so once per process and only when a title needs it.
    return PublicSuffixList()


def _same_site(a: str, b: str) -> bool:
    return _host(a) == _host(b)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host
