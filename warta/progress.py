"""A one-line progress bar for `warta ingest --once` on a terminal (plain log lines otherwise)."""

from __future__ import annotations

import sys
from typing import TextIO

from ingestor.schedule import RunSummary

__all__ = ["ProgressBar"]

_WIDTH = 30


class ProgressBar:
    """Redraws `[#####.....] 5/33 sources · 120 new · 2 failed` on one terminal line."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.done, self.new, self.failed = total, 0, 0, 0
        self.stream = stream or sys.stderr

    @classmethod
    def for_terminal(cls, total: int) -> ProgressBar | None:
        """A bar when stderr is a terminal; None means "log lines are the progress"."""
        return cls(total) if sys.stderr.isatty() else None

    def update(self, summary: RunSummary) -> None:
        self.done += 1
        self.new += summary.new
        self.failed += not summary.ok
        filled = _WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self.stream.write(
            f"\r[{bar}] {self.done}/{self.total} sources · {self.new} new · {self.failed} failed"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()
