"""Extract: one saved article page to an ArticleRecord (site rules, JSON-LD, meta, generic body).

Offers `extract_article` (with `ExtractError`, `FeedHints`), `parse_date` and `parse_dateline`,
and `learn_template` (a `LearnedTemplate` from several pages of one site).
Pure functions on strings: never imports fetch, store or schedule.
"""

from ingestor.extract.article import ExtractError, FeedHints, extract_article
from ingestor.extract.dateline import parse_dateline
from ingestor.extract.learn import learn_template
from ingestor.extract.template import LearnedTemplate

__all__ = [
    "ExtractError",
    "FeedHints",
    "LearnedTemplate",
    "extract_article",
    "learn_template",
    "parse_dateline",
]
