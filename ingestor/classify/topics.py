"""Tag an article with topics and scores: the site's section first, weighted keywords second."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from config.catalogue import Topic
from database.records import ArticleRecord

__all__ = ["Taxonomy", "TopicReason", "TopicScore", "build_taxonomy", "classify_topics"]

TopicReason = Literal["section", "keywords"]

# Where a phrase occurs changes what it says: a headline word names the story, a word deep in
# the body may be an aside. Tags are the newsroom's own keywords.
_TITLE, _TAGS, _LEAD, _BODY = 3.0, 2.0, 1.5, 1.0
_LEAD_PARAGRAPHS = 2
# One phrase repeated ten times is still one cue: only its three best occurrences count.
_MAX_HITS = 3
# Keyword evidence is summed into `raw`; score = 1 - exp(-raw / _SCALE) keeps it in 0..1.
_SCALE = 12.0
# A topic from keywords alone needs this much evidence, and a fair share of the leader's.
_MIN_RAW = 9.0
_RELATIVE = 0.3
# A section topic scores at least this: the newsroom filed the story there. Catch-all kanal
# ("Peristiwa", "Nusantara", "Metro") map to no topic in topics.toml, so keywords decide them.
_SECTION_FLOOR = 0.6
# With no section and nothing above the bar, the single best topic is kept when it has this.
_FALLBACK_RAW = 4.5
_SECTION_SPLIT = re.compile(r"\s*[>/|»›]\s*")
_WORD_RUN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class TopicScore:
    """One topic of an article: score in 0..1 and what gave it (the section or keywords)."""

    topic: str
    score: float
    reason: TopicReason


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """The topic catalogue compiled for classification; build it once with `build_taxonomy`."""

    slugs: tuple[str, ...]
    sections: dict[str, str]
    phrases: dict[str, tuple[tuple[str, float], ...]]
    matcher: re.Pattern[str]
    first_words: frozenset[str]  # lower-cased first word of every phrase: where a match may start


def build_taxonomy(topics: Iterable[Topic]) -> Taxonomy:
    """Compile section names and keyword phrases of the catalogue's topics into one matcher."""
    slugs: list[str] = []
    sections: dict[str, str] = {}
    phrases: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for topic in topics:
        slugs.append(topic.slug)
        for section in (topic.slug, *topic.sections):
            for key in _section_keys(section):
                sections.setdefault(key, topic.slug)
        for phrase, weight in topic.keywords:
            phrases[_phrase_key(phrase)].append((topic.slug, weight))
    # Longest first: Python's alternation takes the first branch that matches at a position,
    # so "tanah longsor" must be tried before "longsor" and "calon gubernur" before "gubernur".
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split(" ")) for p in ordered)
    matcher = re.compile(rf"(?<!\w)(?:{body})(?!\w)" if body else r"(?!x)x", re.IGNORECASE)
    return Taxonomy(
        slugs=tuple(slugs),
        sections=sections,
        phrases={p: tuple(v) for p, v in phrases.items()},
        matcher=matcher,
        first_words=frozenset(_first_word(p) for p in phrases),
    )


def classify_topics(record: ArticleRecord, taxonomy: Taxonomy) -> tuple[TopicScore, ...]:
    """The article's topics, best first; empty when neither section nor text says anything."""
    from_section = _section_topics(record, taxonomy)
    raw = _keyword_evidence(record, taxonomy)
    best = max(raw.values(), default=0.0)
    scores: list[TopicScore] = []
    for slug in from_section:
        own = _SECTION_FLOOR + (1 - _SECTION_FLOOR) * _sat(raw.get(slug, 0.0))
        scores.append(TopicScore(slug, _round(own), "section"))
    for slug, value in raw.items():
        if slug not in from_section and value >= _MIN_RAW and value >= _RELATIVE * best:
            scores.append(TopicScore(slug, _round(_sat(value)), "keywords"))
    if not scores and best >= _FALLBACK_RAW:
        slug = max(raw, key=lambda s: (raw[s], s))
        scores.append(TopicScore(slug, _round(_sat(best)), "keywords"))
    order = {slug: i for i, slug in enumerate(taxonomy.slugs)}
    return tuple(sorted(scores, key=lambda s: (-s.score, order.get(s.topic, 0))))


def _section_topics(record: ArticleRecord, taxonomy: Taxonomy) -> tuple[str, ...]:
    """Topics named by the section label or breadcrumb, else by the URL's kanal segments."""
    found: list[str] = []
    labels = _SECTION_SPLIT.split(record.section) if record.section else []
    # The most specific crumb is the last one ("Berita > Ekonomi > UMKM").
    for label in reversed(labels):
        for key in _section_keys(label):
            slug = taxonomy.sections.get(key)
            if slug is not None and slug not in found:
                found.append(slug)
                break
    if found:
        return tuple(found)
    for url in (record.canonical_url, record.url):
        if not url:
            continue
        # The last segment is the article's own slug; the ones before it are the kanal.
        for segment in urlsplit(url).path.strip("/").split("/")[:-1]:
            slug = taxonomy.sections.get(_slug(segment))
            if slug is not None and slug not in found:
                found.append(slug)
    return tuple(found)


def _keyword_evidence(record: ArticleRecord, taxonomy: Taxonomy) -> dict[str, float]:
    """Weighted keyword hits per topic over title, tags, lead and the rest of the text."""
    paragraphs = [p for p in record.text.split("\n\n") if p.strip()]
    parts = (
        (record.title, _TITLE),
        (" ; ".join(record.tags), _TAGS),
        ("\n\n".join(paragraphs[:_LEAD_PARAGRAPHS]), _LEAD),
        ("\n\n".join(paragraphs[_LEAD_PARAGRAPHS:]), _BODY),
    )
    hits: dict[tuple[str, str], list[float]] = defaultdict(list)
    for text, where in parts:
        for match in _phrase_matches(unicodedata.normalize("NFKC", text), taxonomy):
            key = _phrase_key(match.group())
            for slug, weight in taxonomy.phrases.get(key, ()):
                hits[(slug, key)].append(weight * where)
    raw: dict[str, float] = defaultdict(float)
    for (slug, _), values in hits.items():
        raw[slug] += sum(sorted(values, reverse=True)[:_MAX_HITS])
    return dict(raw)


def _phrase_matches(text: str, taxonomy: Taxonomy) -> Iterable[re.Match[str]]:
    """What `taxonomy.matcher.finditer(text)` finds, tried only where a phrase may start.

    The matcher is one alternation of a few hundred phrases; scanning with it tries every
    branch at every character (a tenth of an article's CPU). A match starts a run of word
    characters (its look-behind) equal to its phrase's first word, so only those runs are
    tried, with the same pattern, left to right and without overlaps as `finditer` does.
    """
    end = 0
    for word in _WORD_RUN.finditer(text):
        if word.start() < end or word.group().lower() not in taxonomy.first_words:
            continue
        match = taxonomy.matcher.match(text, word.start())
        if match is not None:
            end = match.end()
            yield match


def _first_word(phrase: str) -> str:
    first = _WORD_RUN.match(phrase)
    return first.group().lower() if first else phrase


def _sat(raw: float) -> float:
    return 1.0 - math.exp(-raw / _SCALE)


def _round(score: float) -> float:
    return round(min(max(score, 0.0), 1.0), 3)


def _phrase_key(phrase: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", phrase).casefold().split())


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _section_keys(label: str) -> tuple[str, ...]:
    """'Seni Budaya' and 'seni-budaya' both become 'seni-budaya' and 'senibudaya'."""
    slug = _slug(label)
    return (slug, slug.replace("-", "")) if slug else ()
