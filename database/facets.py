"""The facet tokens of an article: its regions, topics and source as one array feeds index.

The store writes them beside the link tables; the read side asks for them. Both sides use these
functions, so the spelling cannot drift between writer and reader.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["facets", "region_facet", "source_facet", "topic_facet"]


def region_facet(key: str) -> str:
    """The token of a region key ('kalsel', 'kalsel/tapin')."""
    return f"r:{key}"


def topic_facet(slug: str) -> str:
    """The token of a topic slug ('ekonomi')."""
    return f"t:{slug}"


def source_facet(source_id: str) -> str:
    """The token of a source id."""
    return f"s:{source_id}"


def facets(regions: Iterable[str], topics: Iterable[str], source_id: str) -> list[str]:
    """Sorted, distinct tokens of these region keys, topic slugs and the source."""
    return sorted({*map(region_facet, regions), *map(topic_facet, topics), source_facet(source_id)})
