"""The interface to per-origin limits shared by every process: what politeness asks of a ledger.

The fetcher holds no database code. Whoever runs several processes against one database
(the schedule stage, with the pool) hands the fetcher an `OriginLedger`; without one, the
limits are kept in this process's memory only, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Grant", "OriginLedger"]


@dataclass(frozen=True, slots=True)
class Grant:
    """The ledger's answer to a request for a place on an origin.

    `slot` is the place held (give it back with `OriginLedger.give`), None when every place
    is taken or a Retry-After holds; `wait` is how long to sleep before the reserved start;
    `deferred` the seconds a Retry-After for (origin, source) still runs, 0.0 when none.
    """

    slot: int | None
    wait: float = 0.0
    deferred: float = 0.0


class OriginLedger(Protocol):
    """Per-origin concurrency, spacing and Retry-After kept where every process sees them."""

    async def take(
        self, origin: str, source_id: str, *, cap: int, gap: float, next_gap: float
    ) -> Grant:
        """Take one of `cap` places on `origin` and reserve a start at least `gap` seconds
        after the previous one; the start after ours then waits `next_gap` (the gap plus
        jitter). Takes nothing while a Retry-After holds for (origin, source_id)."""
        ...

    async def give(self, origin: str, slot: int) -> None:
        """Give back a place obtained from `take`."""
        ...

    async def defer(self, origin: str, source_id: str, seconds: float) -> None:
        """Record a Retry-After for (origin, source_id) for every process."""
        ...
