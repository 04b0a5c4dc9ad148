"""What commands report: JSON on stdout, and expected failures as one line on stderr with an exit code."""

from __future__ import annotations

import json
from datetime import datetime

from database.records import format_utc

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "CommandFailed", "UsageError", "print_json"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or configuration: exit code 2, the message names the culprit (option, setting, file)."""


class CommandFailed(Exception):
    """An expected runtime failure (database unreachable, server did not start): exit code 1,
    one line, no traceback."""


def _default(value: object) -> object:
    # Times in RFC 3339 UTC with a Z, the same as the article record and the API.
    if isinstance(value, datetime):
        return format_utc(value)
    return str(value)


def print_json(data: object) -> None:
    """`data` as indented JSON on stdout; times as RFC 3339 UTC ('…Z'), other objects through str()."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_default))
