"""Near-duplicate fingerprints (64-bit SimHash), the pairwise duplicate rule and the canonical pick.

Why SimHash and not MinHash: one signed 64-bit value fits a PostgreSQL bigint column, and the
candidate query is one expression (`bit_count((a # b)::bit(64)) <= CANDIDATE_DISTANCE`) with no
band tables; MinHash needs k values per article and LSH buckets to search them. SimHash alone is
too lenient for regional news, where two different stories share a template, an opening formula
and the same quoted official, so `is_near_duplicate` confirms a candidate on the body itself:
dateline and boilerplate stripped, high Jaccard overlap of content-word shingles, the same names
in the lead (who and where) and the same figures (a different count of flooded houses is a
different story).
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from database.records import ArticleRecord
from ingestor.classify.normalize import content_hash

__all__ = [
    "CANDIDATE_DISTANCE",
    "DEFAULT_WINDOW",
    "ClusterMember",
    "content_shingles",
    "hamming",
    "is_near_duplicate",
    "pick_canonical",
    "simhash",
]

CANDIDATE_DISTANCE = 16
"""Store-side candidate search: fingerprints at most this many bits apart are compared.

Copies sit 0-3 bits apart, a copy trimmed to three of five paragraphs ~14; distinct stories of
the simulated corpus are 18 or more apart (median 32). The pairwise rule does the rest."""
DEFAULT_WINDOW = timedelta(hours=72)
"""Syndicated copies follow the original within hours; older look-alikes are new stories."""

_BITS = 64
_MASK = (1 << _BITS) - 1
_SHINGLE = 3
# Content-shingle Jaccard of syndicated copies is ~1.0 (only the title differs); two flood-aid
# handovers by one regent with the same opening and quote share 0.17, template price reports
# from different markets or days up to 0.71.
_MIN_JACCARD = 0.75
# A trimmed copy (a paragraph dropped) overlaps less but is contained in the original.
_MIN_TRIMMED = 0.5
_CONTAINED = 0.9
# Figures (counts, prices, dates) separate look-alike reports; copies carry the same ones.
_SAME_FIGURES = 0.75
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_SAME_LEAD_NAMES = 0.8
_NAME = re.compile(r"\b[A-Z]\w*")
_WORD = re.compile(r"\w+")
_DATELINE = re.compile(
    r"^[^\n]{0,120}?(?:\([^()]{2,40}\)\s*[-–—]+\s+|\b[A-Za-z]+\.(?:com|co\.id|id)\s*[-–—]+\s+)"
)
_BOILERPLATE = re.compile(
    r"^\s*(?:baca juga|pewarta|editor|penerjemah|copyright|©|dilarang keras|"
    r"simak berita|ikuti (?:berita|kami)|sumber\s*:)",
    re.IGNORECASE,
)
# fmt: off
_STOPWORDS = frozenset({
    "ada", "adalah", "agar", "akan", "antara", "atas", "atau", "bagi", "bahwa", "baru", "belum",
    "bisa", "dalam", "dan", "dari", "dengan", "di", "dia", "hingga", "ia", "ini", "itu", "juga",
    "kami", "karena", "kata", "ke", "kepada", "kita", "lalu", "masih", "mereka", "menurut",
    "namun", "oleh", "pada", "para", "saat", "sebagai", "sejak", "sekitar", "selama", "semua",
    "serta", "sudah", "telah", "tersebut", "tidak", "untuk", "yaitu", "yakni", "yang",
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "he", "in",
    "is", "it", "its", "of", "on", "or", "said", "she", "that", "the", "this", "to", "was",
    "were", "which", "with",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """What `pick_canonical` needs of one article in a cluster of syndicated copies."""

    id: str
    published_at: datetime
    source_province: str | None
    dateline_province: str | None


def simhash(title: str, text: str) -> int:
    """64-bit SimHash of word 3-shingles of title and body, as a signed int (PostgreSQL bigint).

    A bit is set when more than half of the shingles' hashes have it set.
    """
    tokens = [*_words(title), *_words(_body(text))]
    digests = [_digest(shingle) for shingle in _shingles(tokens)]
    ones = [0] * _BITS
    for start in range(0, len(digests), _LANE_MAX):
        chunk = _bit_counts(digests[start : start + _LANE_MAX])
        ones = [a + b for a, b in zip(ones, chunk, strict=True)]
    unsigned = sum(1 << bit for bit, count in enumerate(ones) if 2 * count > len(digests))
    return unsigned - (1 << _BITS) if unsigned >> (_BITS - 1) else unsigned


def hamming(a: int, b: int) -> int:
    """Bits that differ between two fingerprints (signed or unsigned alike)."""
    return ((a ^ b) & _MASK).bit_count()


def is_near_duplicate(
    a: ArticleRecord, b: ArticleRecord, *, window: timedelta = DEFAULT_WINDOW
) -> bool:
    """True when `b` is the same story as `a`: a copy, a re-edit, a re-titled syndication.

    Both need a publication time within `window` of each other (an unknown time is not
    evidence of closeness). Then the same normalized text is a duplicate outright; otherwise the
    fingerprints must be close and the bodies, stripped of dateline and boilerplate, must share
    most content shingles and the same figures.
    """
    if a.published_at is None or b.published_at is None:
        return False
    if abs(a.published_at - b.published_at) > window:
        return False
    if content_hash(a.title, a.text) == content_hash(b.title, b.text):
        return True
    if hamming(simhash(a.title, a.text), simhash(b.title, b.text)) > CANDIDATE_DISTANCE:
        return False
    body_a, body_b = _body(a.text), _body(b.text)
    shingles_a, shingles_b = _content_shingles(body_a), _content_shingles(body_b)
    shared = len(shingles_a & shingles_b)
    smaller = min(len(shingles_a), len(shingles_b)) or 1
    jaccard = shared / (len(shingles_a | shingles_b) or 1)
    # A copy trimmed by the republishing desk keeps nearly all of its shingles in the original.
    if jaccard < _MIN_JACCARD and not (jaccard >= _MIN_TRIMMED and shared / smaller >= _CONTAINED):
        return False
    # Who and where are in the lead: one regent's handovers in two kecamatan, one template's
    # prices at two markets differ in the names there and hardly anywhere else.
    names_a, names_b = _lead_names(body_a), _lead_names(body_b)
    if names_a and names_b and _jaccard(names_a, names_b) < _SAME_LEAD_NAMES:
        return False
    figures_a, figures_b = set(_FIGURE.findall(body_a)), set(_FIGURE.findall(body_b))
    if figures_a and figures_b:
        fewer = min(len(figures_a), len(figures_b))
        return len(figures_a & figures_b) / fewer >= _SAME_FIGURES
    return True


def pick_canonical(cluster: Sequence[ClusterMember]) -> ClusterMember:
    """The originating bureau (source province = dateline province), else the earliest.

    Ties go to the earlier publication, then the smaller id, so the choice is stable.
    """
    if not cluster:
        raise ValueError("pick_canonical: empty cluster")
    home = [
        m
        for m in cluster
        if m.source_province is not None and m.source_province == m.dateline_province
    ]
    return min(home or cluster, key=lambda m: (m.published_at, m.id))


def content_shingles(text: str) -> set[str]:
    """The shingles the duplicate rule compares: content words of the body, by threes."""
    return _content_shingles(_body(text))


def _content_shingles(body: str) -> set[str]:
    return set(_shingles(_content(body)))


def _body(text: str) -> str:
    """The article text without its dateline and the boilerplate paragraphs sites append."""
    paragraphs = [p for p in text.split("\n\n") if p.strip() and not _BOILERPLATE.match(p)]
    if paragraphs:
        paragraphs[0] = _DATELINE.sub("", paragraphs[0], count=1)
    return "\n\n".join(paragraphs)


def _lead_names(body: str) -> set[str]:
    """Capitalised words of the first paragraph, but its first word (capitalised anyway)."""
    lead = body.split("\n\n", 1)[0]
    return set(_NAME.findall(lead)[1:])


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _content(body: str) -> list[str]:
    return [w for w in _words(body) if w not in _STOPWORDS]


def _shingles(tokens: Sequence[str]) -> Iterable[str]:
    if len(tokens) < _SHINGLE:
        return [" ".join(tokens)] if tokens else []
    return (" ".join(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def _digest(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()


def _spread_tables() -> tuple[tuple[int, ...], ...]:
    """Per byte of a digest: byte value -> its 8 bits as 16-bit lanes of one wide integer."""
    tables = []
    for place in range(8):  # digests are big-endian: the last byte holds bits 0-7
        shift = 8 * (7 - place)
        tables.append(
            tuple(
                sum(1 << 16 * (shift + bit) for bit in range(8) if value >> bit & 1)
                for value in range(256)
            )
        )
    return tuple(tables)


# Counting set bits per position one bit at a time costs 64 steps a shingle (most of the
# CPU an article's fingerprint took). Adding each digest's bits spread into 64 lanes of one
# wide integer counts all positions at once, eight table look-ups a shingle; a lane holds
# up to _LANE_MAX before it would carry into the next.
_SPREAD = _spread_tables()
_LANE_MAX = 0xFFFF
_LANES = struct.Struct(f"<{_BITS}H")


def _bit_counts(digests: Sequence[bytes]) -> tuple[int, ...]:
    """How many of `digests` (at most _LANE_MAX) have each bit set, bit 0 first."""
    t0, t1, t2, t3, t4, t5, t6, t7 = _SPREAD
    total = 0
    for d in digests:
        total += (
            t0[d[0]] + t1[d[1]] + t2[d[2]] + t3[d[3]] + t4[d[4]] + t5[d[5]] + t6[d[6]] + t7[d[7]]
        )
    return _LANES.unpack(total.to_bytes(_LANES.size, "little"))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
