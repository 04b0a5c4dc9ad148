"""Extract: one saved article page to an ArticleRecord (site rules, JSON-LD, meta, generic body).

Offers `extract_article` (with `ExtractError`, `FeedHints`), `parse_date` and `parse_dateline`.
Pure functions on strings: never imports fetch, store or schedule.
"""

from ingestor.extract.article import ExtractError, FeedHints, extract_article
from ingestor.extract.dateline import parse_dateline

__all__ = ["ExtractError", "FeedHints", "extract_article", "parse_dateline"]
