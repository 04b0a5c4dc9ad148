"""The source catalogue: what a news site is, how its entries are loaded and validated, CSS and URLs."""

from ingestor.sources.css import select, select_all
from ingestor.sources.load import SeedError, load_layouts, load_sources
from ingestor.sources.model import Discovery, Listing, Republish, SiteRules, Source
from ingestor.sources.urls import absolute_url, page_canonical, site_label

__all__ = [
    "Discovery",
    "Listing",
    "Republish",
    "SeedError",
    "SiteRules",
    "Source",
    "absolute_url",
    "load_layouts",
    "load_sources",
    "page_canonical",
    "select",
    "select_all",
    "site_label",
]
