"""Fetch: every HTTP request, polite and guarded (robots.txt, per-origin limits, SSRF, sizes, charsets).

Offers `Fetcher` (one `get` for everything), `make_session`, the `FetchOutcome` record and
`decode_text`. The only stage besides `store` that does I/O.
"""

from ingestor.fetch.backoff import next_attempt_after
from ingestor.fetch.decode import decode_text
from ingestor.fetch.fetcher import (
    Fetcher,
    FetchOutcome,
    FetchPolicy,
    Validators,
    make_session,
    policy_for,
)
from ingestor.fetch.ledger import Grant, OriginLedger

__all__ = [
    "FetchOutcome",
    "FetchPolicy",
    "Fetcher",
    "Grant",
    "OriginLedger",
    "Validators",
    "decode_text",
    "make_session",
    "next_attempt_after",
    "policy_for",
]
