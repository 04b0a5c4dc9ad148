"""The terminal progress bar of `warta ingest --once`."""

from __future__ import annotations

import io

from ingestor.schedule.runstate import RunSummary
from warta.progress import ProgressBar


def test_progress_bar_counts_sources_new_articles_and_failures() -> None:
    out = io.StringIO()
    bar = ProgressBar(3, out)
    bar.update(RunSummary(source_id="a", run_id="1", new=4))
    assert out.getvalue().endswith(
        "[##########....................] 1/3 sources · 4 new · 0 failed"
    )
    bar.update(RunSummary(source_id="b", run_id="2", ok=False))
    bar.update(RunSummary(source_id="c", run_id="3", new=1))
    assert out.getvalue().endswith("3/3 sources · 5 new · 1 failed\n")
    assert out.getvalue().count("\r") == 3, "one line, redrawn"


def test_no_bar_without_a_terminal() -> None:
    # Under pytest stderr is captured, not a terminal: plain log lines are the progress.
    assert ProgressBar.for_terminal(5) is None
