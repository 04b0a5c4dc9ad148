"""`warta extract`: saved pages to article records as JSON Lines, without a database."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from lxml import html as lxml_html

from config.catalogue import load_catalogue
from config.lexicon import catalogue_lexicon
from config.settings import Settings
from database.records import ArticleRecord, article_json
from ingestor.classify import (
    Gazetteer,
    Taxonomy,
    build_taxonomy,
    canonical_url,
    classify_topics,
    normalize,
    tag_regions,
)
from ingestor.extract import ExtractError, extract_article
from ingestor.fetch import decode_text
from ingestor.sources import Source
from warta.output import UsageError
from warta.runtime import catalogue_sources

__all__ = ["extract_files"]


def _page_url(text: str) -> str | None:
    """The page's own idea of its URL: rel=canonical, else og:url."""
    try:
        doc = lxml_html.fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        found = doc.xpath(xpath)
        if found and str(found[0]).startswith(("http://", "https://")):
            return str(found[0]).strip()
    return None


def _find_source(sources: Sequence[Source], url: str) -> Source | None:
    host = urlsplit(url).netloc.lower()
    return next((s for s in sources if s.host == host or host in s.extra_hosts), None)


def _decode(data: bytes) -> str:
    # The fetcher's decoder: BOM, <meta> charset, detection; never raises on bad bytes.
    return decode_text(data, content_type=None).text


def classify(
    record: ArticleRecord, source: Source | None, now: datetime, catalogue: Path | None = None
) -> ArticleRecord:
    """What the pipeline adds before storing: canonical URL, hash, region, regency, topics
    (`catalogue`: WARTA_CATALOGUE's folder, None for the shipped catalogue)."""
    record = normalize(record, source, first_seen=now)
    places = tag_regions(record, source.province if source else None, _gazetteer(catalogue))
    topics = classify_topics(record, _taxonomy(catalogue))
    return replace(
        record,
        region=places.province,
        regency=places.regency,
        topics=tuple(t.topic for t in topics),
    )


@cache
def _gazetteer(catalogue: Path | None) -> Gazetteer:
    return Gazetteer.from_catalogue(load_catalogue(catalogue), catalogue_lexicon(catalogue))


@cache
def _taxonomy(catalogue: Path | None) -> Taxonomy:
    return build_taxonomy(load_catalogue(catalogue).topics)


def extract_files(
    settings: Settings, files: Sequence[Path], *, url: str | None, source_id: str | None
) -> int:
    """Print JSON Lines: one article record per file, with its `file`; 2 when any file failed."""
    sources = catalogue_sources(settings)
    forced = None
    if source_id is not None:
        forced = next((s for s in sources if s.id == source_id), None)
        if forced is None:
            raise UsageError(f"extract --source: unknown source id {source_id!r}")
    now = datetime.now(UTC)
    status = 0
    for path in files:
        try:
            text = _decode(path.read_bytes())
        except OSError as exc:
            print(f"warta extract: {path}: cannot read: {exc.strerror}", file=sys.stderr)
            status = 2
            continue
        page_url = url or _page_url(text)
        if page_url is None:
            print(f"warta extract: {path}: no --url given and the page names no canonical URL",
                  file=sys.stderr)  # fmt: skip
            status = 2
            continue
        source = forced or _find_source(sources, canonical_url(page_url))
        try:
            record = extract_article(text, page_url, source=source, fetched_at=now)
        except ExtractError as exc:
            print(f"warta extract: {path}: {exc}", file=sys.stderr)
            status = 2
            continue
        record = classify(record, source, now, settings.catalogue)
        # One line per file whatever their number, so `jq` and line-by-line readers always work.
        print(json.dumps({"file": str(path), **article_json(record)}, ensure_ascii=False))
    return status
