"""Turn an extracted record into a storable one: canonical URL, identity, content hash (pure functions)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from database.records import ArticleRecord
from ingestor.sources import Source

__all__ = ["canonical_url", "content_hash", "identity", "normalize"]

# Query parameters that identify a campaign or a click, never the document.
_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|"
    r"_ga|_gl|ref_src|cmpid|s_cid|amp|outputType)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ANTARA_ID = re.compile(r"^/(?:amp/)?berita/(\d+)(?:/|$)")
_WORDS = re.compile(r"\w+")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking or AMP markers."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path or "/"
    # AMP variants are the same article: /amp/berita/1/x and /berita/1/x/amp map to /berita/1/x.
    if path.startswith("/amp/"):
        path = path[4:]
    if path.endswith("/amp"):
        path = path[:-4] or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])  # fmt: skip
    return urlunsplit((scheme, netloc, path, query, ""))


def identity(url: str) -> str:
    """The key an article is stored under: ANTARA ids are per host, so (host, id); else the URL."""
    canon = canonical_url(url)
    parts = urlsplit(canon)
    match = _ANTARA_ID.match(parts.path)
    # The slug is not reliable (ANTARA serves any slug for a right id), the id is.
    return f"{parts.netloc}/berita/{match[1]}" if match else canon


def content_hash(title: str, text: str) -> str:
    """SHA-256 over the lower-cased word sequence, so whitespace and markup changes do not count."""
    words = _WORDS.findall(unicodedata.normalize("NFKC", f"{title}\n{text}").casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def normalize(
    record: ArticleRecord, source: Source | None, *, first_seen: datetime
) -> ArticleRecord:
    """Fill canonical URL, source, region, language, date fallback and the content hash."""
    canon = canonical_url(record.canonical_url or record.url)
    if urlsplit(canon).netloc != urlsplit(canonical_url(record.url)).netloc:
        canon = canonical_url(record.url)  # a canonical link to another site is not trusted
    published_at, date_source = record.published_at, record.date_source
    if published_at is None:
        published_at, date_source = first_seen, "first_seen"
    return replace(
        record,
        canonical_url=canon,
        source=source.id if source else record.source,
        region=record.region or (source.province if source else None),
        lang=record.lang or (source.lang if source else None),
        published_at=published_at,
        date_source=date_source,
        content_hash=content_hash(record.title, record.text),
    )
