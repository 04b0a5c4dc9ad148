"""Read and total timeouts for every request in flight, checked by one periodic timer."""

from __future__ import annotations

import asyncio
import time

import aiohttp

__all__ = ["Watch", "Watchdog"]


class Watch:
    """One request under watch; `response` is set by the caller once headers are in."""

    __slots__ = ("_cancelling", "expired", "last_progress", "reason", "response", "seen", "started",
                 "task")  # fmt: skip

    def __init__(self, task: asyncio.Task[object], now: float) -> None:
        self.task = task
        self._cancelling = task.cancelling()
        self.started = self.last_progress = now
        self.seen = -1
        self.response: aiohttp.ClientResponse | None = None
        self.expired = False
        self.reason = ""

    def expired_here(self) -> bool:
        """After a CancelledError: True if the watchdog caused it and nothing else cancelled."""
        if not self.expired:
            return False
        # Like asyncio.timeout(): undo our cancel; if someone else's cancel remains, it wins.
        return self.task.uncancel() <= self._cancelling


class Watchdog:
    """Ends requests that get no bytes for `read` seconds or run longer than `total`.

    aiohttp's `sock_read` re-arms a timer on every chunk received and its `total` arms another
    per request; against a bare aiohttp loop that cost about a tenth of the client CPU. Here
    one timer ticks every quarter of the read timeout while anything is in flight, looks at
    each request's received-byte count, and cancels the task of one that made no progress.
    So a stall is caught between `read` and `read` plus a tick after the last byte, the total
    within a tick; response headers must arrive within `read` of the start, connection set-up
    included (which the connect timeout bounds on its own).

    Use: `w = watchdog.watch()`, set `w.response` when headers are in, `watchdog.done(w)` in
    a finally block, and on CancelledError ask `w.expired_here()`.
    """

    def __init__(self, read: float, total: float) -> None:
        self._read = read
        self._total = total
        self._tick = max(min(read, total) / 4.0, 0.005)
        self._active: set[Watch] = set()
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def watch(self) -> Watch:
        # Python 3.11's get_running_loop() makes a getpid() system call each time (it checks
        # for a fork). A loop has a current task only while it runs one, in its own thread, so
        # a task found on the loop we last saw is ours; else (first call, new loop) ask. This
        # holds because a Watchdog, like the Fetcher and the session it serves, is used from
        # one thread and one process.
        loop = self._loop
        task = asyncio.current_task(loop) if loop is not None else None
        if task is None:
            loop = asyncio.get_running_loop()
            task = asyncio.current_task(loop)
            assert task is not None, "watch() needs a running task"
        assert loop is not None
        # time.monotonic() is the clock of asyncio's loops, without loop.time()'s Python frame;
        # _check reads the same clock, which is all the watch needs.
        w = Watch(task, time.monotonic())
        self._active.add(w)
        # A timer left on a loop that has since closed would never tick: start one on ours.
        if self._handle is None or self._loop is not loop:
            self._loop = loop
            self._active = {w}
            self._handle = loop.call_later(self._tick, self._check, loop)
        return w

    def done(self, w: Watch) -> None:
        self._active.discard(w)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self._loop:
            return  # a tick left over from an earlier loop
        now = time.monotonic()
        for w in list(self._active):
            response = w.response
            if response is not None and response.content.total_bytes != w.seen:
                w.seen = response.content.total_bytes
                w.last_progress = now
            if now - w.started >= self._total:
                w.reason = f"total timeout ({self._total:g}s)"
            elif now - w.last_progress >= self._read:
                what = "no data" if response is not None else "no response"
                w.reason = f"read timeout ({what} for {self._read:g}s)"
            else:
                continue
            self._active.discard(w)
            w.expired = True
            w.task.cancel()
        # Stop ticking when idle, so that an idle process has no timer waking it up.
        self._handle = loop.call_later(self._tick, self._check, loop) if self._active else None
