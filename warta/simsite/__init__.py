"""A simulated ANTARA news network on loopback: regional bureaus plus the national desk.

Each bureau is served by its own aiohttp server on 127.0.0.1 in the 2022+ layout
(`wrap__article-detail` article pages, `card__post` listings, `/rss/terkini.xml`, sitemaps),
from a hand-written corpus of Indonesian regional news with labels for classifier tests.
"""

from warta.simsite.model import (
    FAULT_KINDS,
    Bureau,
    FaultKind,
    RequestRecord,
    SimArticle,
    SiteVariant,
)
from warta.simsite.site import SimSite

__all__ = [
    "FAULT_KINDS",
    "Bureau",
    "FaultKind",
    "RequestRecord",
    "SimArticle",
    "SimSite",
    "SiteVariant",
]
