"""Print what commands report as JSON, in one place, so every command has the same shape."""

from __future__ import annotations

import json

__all__ = ["print_json"]


def print_json(data: object) -> None:
    """`data` as indented JSON on stdout (dates and other objects through str())."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
