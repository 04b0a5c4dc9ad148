"""Index keys for the near-duplicate candidate search: SimHash blocks and MinHash bands (pure).

The store looks for candidates by key overlap (a GIN index over `articles.near_keys`) instead
of reading every fingerprint in the 72-hour window (about 290,000 rows per article at 2,000
stories an hour). Keys must not lose what the duplicate rule (`is_near_duplicate`) accepts:

- Exact copies: the content hash, indexed on its own.
- Copies a few words apart (SimHash within `_BLOCK_RADIUS` bits): the 64 bits in
  `_BLOCK_RADIUS + 1` blocks of 16; by pigeonhole two fingerprints that close agree on a
  whole block. Guaranteed. A wider guarantee does not index: pigeonhole blocks for the
  rule's 16 bits are 3-4 bits wide and three in four unrelated pairs share one.
- Everything else the rule accepts shares most of its content shingles (Jaccard >= 0.75, or
  >= 0.5 for a trimmed copy contained in the original). MinHash over those same shingles,
  `_BANDS` bands of two values: a pair with Jaccard J shares a band with probability
  1 - (1 - J^2)^16, i.e. 99.0 % at the rule's lowest J of 0.5, 99.9 % at 0.6 (a copy trimmed
  to three of five paragraphs), and 1 - 2e-6 at 0.75. Unrelated stories share almost no
  shingles and almost never a band.

One hash per shingle (`_digest`), split into `_BINS` bins by its top bits, the minimum kept
per bin (one-permutation MinHash): a pass over the shingles, not one per hash function.
"""

from __future__ import annotations

import hashlib

from ingestor.classify.fingerprint import content_shingles

__all__ = ["near_keys"]

_BLOCK_RADIUS = 3
_BLOCK_BITS = 16
_BINS = 32
_BANDS = _BINS // 2
_MASK = (1 << 64) - 1
_EMPTY = -1
# Keys are signed bigints; the top byte says what a key is, so kinds never collide.
_BLOCK_KIND, _BAND_KIND = 0x01, 0x02


def near_keys(simhash: int | None, text: str) -> list[int]:
    """The article's candidate-search keys: SimHash blocks, then MinHash bands of the body."""
    keys: list[int] = []
    if simhash is not None:
        unsigned = simhash & _MASK
        for block in range(_BLOCK_RADIUS + 1):
            value = unsigned >> (block * _BLOCK_BITS) & ((1 << _BLOCK_BITS) - 1)
            keys.append(_key(_BLOCK_KIND, block, value))
    minima = [_EMPTY] * _BINS
    for shingle in content_shingles(text):
        value = _digest(shingle)
        slot = value >> 59  # top 5 bits: the bin
        if minima[slot] == _EMPTY or value < minima[slot]:
            minima[slot] = value
    for band in range(_BANDS):
        first, second = minima[2 * band], minima[2 * band + 1]
        if first == _EMPTY and second == _EMPTY:
            continue  # two short texts must not meet on nothing
        keys.append(_key(_BAND_KIND, band, _digest(f"{first}:{second}") & ((1 << 48) - 1)))
    return keys


def _key(kind: int, part: int, value: int) -> int:
    unsigned = kind << 56 | part << 48 | value
    return unsigned - (1 << 64) if unsigned >> 63 else unsigned


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest())
