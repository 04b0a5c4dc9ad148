"""Discover: article URLs from a source's feeds, listing pages and sitemaps (pure functions).

Offers `Candidate` and `from_feed`, `from_listing`, `from_sitemap`; the fetching is schedule's.
"""

from ingestor.discover.links import (
    Candidate,
    ListingPage,
    SitemapPage,
    from_feed,
    from_listing,
    from_sitemap,
    is_article_url,
)

__all__ = [
    "Candidate",
    "ListingPage",
    "SitemapPage",
    "from_feed",
    "from_listing",
    "from_sitemap",
    "is_article_url",
]
