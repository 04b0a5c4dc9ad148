"""The fetcher's watchdog on a real event loop: a stalled request is cancelled as a timeout."""

from __future__ import annotations

import asyncio

from ingestor.fetch.watch import Watchdog


async def _stall(dog: Watchdog) -> str:
    """A request that never makes progress; returns the reason the watchdog gave."""
    w = dog.watch()
    try:
        await asyncio.sleep(5.0)
    except asyncio.CancelledError:
        assert w.expired_here() and w.task is asyncio.current_task()
        return w.reason
    finally:
        dog.done(w)
    return "not cancelled"


def test_watchdog_follows_the_process_onto_a_new_event_loop() -> None:
    # watch() finds its task on the loop it saw last; on a later loop it must ask again, and
    # tick there, rather than watch a task (or start a timer) on the closed one.
    dog = Watchdog(read=0.05, total=5.0)
    assert asyncio.run(_stall(dog)).startswith("read timeout (no response")
    assert asyncio.run(_stall(dog)).startswith("read timeout (no response")
