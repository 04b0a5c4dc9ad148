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
    """The ledger's answer to a request for a turn on an origin.

    `wait` is how long to sleep before the reserved start; `slot` the place already held
    when the start is now (give it back with `OriginLedger.give`), else None: after the wait,
    ask `OriginLedger.place` for one. `deferred` is the seconds a Retry-After for (origin,
    source) still runs, 0.0 when none; then nothing is reserved or held.
    """

    slot: int | None
    wait: float = 0.0
    deferred: float = 0.0


class OriginLedger(Protocol):
    """Per-origin concurrency, spacing and Retry-After kept where every process sees them."""

    async def take(
        self, origin: str, source_id: str, *, cap: int, gap: float, next_gap: float
    ) -> Grant:
        """Reserve a start on `origin` at least `gap` seconds after the previous one (the start
        after ours then waits `next_gap`: the gap plus jitter) and, if it is now, one of `cap`
        places. Reserves nothing while a Retry-After holds for (origin, source_id)."""
        ...

    async def place(self, origin: str, *, cap: int) -> int | None:
        """One of `cap` places on `origin` once the reserved start has come; None if all are
        held."""
        ...

    async def give(self, origin: str, slot: int) -> None:
        """Give back a place obtained from `take` or `place`."""
        ...

    async def defer(self, origin: str, source_id: str, seconds: float) -> None:
        """Record a Retry-After for (origin, source_id) for every process."""
        ...
