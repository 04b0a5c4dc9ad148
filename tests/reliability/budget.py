"""How hard the proofs push: the run mode from WARTA_RELIABILITY, and the figures they record.

Three modes. Unset (plain `make test`): the long proofs under tests/reliability are left out
and the fuzzers run a few hundred cases, so the suite stays fast. `quick` (what `.ci/run`
runs): every proof, each bounded to seconds. `1` or `full` (`make reliability`): the whole
budget the issue asks for, and the figures go into the README.

Figures are appended as JSON lines to the file named by WARTA_RELIABILITY_RESULTS (the
Makefile target points it at var/); `tests/reliability/report.py` turns them into README text.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Literal

__all__ = ["Mode", "cases", "mode", "pick", "record"]

Mode = Literal["off", "quick", "full"]


def mode() -> Mode:
    """The run mode; an unknown value is an error, never a silent "off"."""
    value = os.environ.get("WARTA_RELIABILITY", "").strip().lower()
    if value in ("", "0", "off"):
        return "off"
    if value == "quick":
        return "quick"
    if value in ("1", "full", "yes", "true"):
        return "full"
    raise RuntimeError(f"WARTA_RELIABILITY: expected 1, full or quick, got {value!r}")


def pick(*, full: Any, quick: Any, off: Any = None) -> Any:
    """The value for the current mode (`off` defaults to the quick one)."""
    current = mode()
    if current == "full":
        return full
    if current == "quick" or off is None:
        return quick
    return off


def cases(*, full: int = 10_000, quick: int = 1_000, off: int = 150) -> int:
    """Hypothesis examples per property: 10,000 in `make reliability`, fewer elsewhere."""
    return int(pick(full=full, quick=quick, off=off))


def record(name: str, **figures: Any) -> None:
    """Append one proof's figures (JSON-serialisable) to the results file, if one is set."""
    target = os.environ.get("WARTA_RELIABILITY_RESULTS")
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {"proof": name, "mode": mode(), "at": time.time(), **figures}
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, sort_keys=True, default=str) + "\n")
