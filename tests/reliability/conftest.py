"""The long proofs run only when asked: `make reliability` (full) or WARTA_RELIABILITY=quick.

Under plain `make test` they are deselected (counted in pytest's summary line, with the
reason printed below it), never skipped one by one; with WARTA_RELIABILITY set nothing here is
left out.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.budget import mode
from tests.reliability.pgctl import ControlledPostgres, migrated_database

_HERE = Path(__file__).resolve().parent
_LEFT_OUT: list[pytest.Item] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if _HERE in Path(str(item.path)).resolve().parents]
    for item in ours:
        item.add_marker(pytest.mark.reliability)
    if mode() != "off" or not ours:
        return
    keep = [item for item in items if item not in ours]
    _LEFT_OUT[:] = ours
    config.hook.pytest_deselected(items=ours)
    items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _LEFT_OUT:
        terminalreporter.write_line(
            f"tests/reliability: {len(_LEFT_OUT)} long proofs left out;"
            " run them with `make reliability` (or WARTA_RELIABILITY=quick for the CI subset)"
        )


@pytest.fixture(scope="module")
def pg() -> Iterator[ControlledPostgres]:
    """A PostgreSQL of the module's own, which its tests may stop and start.

    Not under pytest's temporary tree: every pytest that starts on this machine (other
    sessions included) resets /tmp/pytest-of-<user> to mode 0700, and the server's own user
    could then no longer reach its data directory to start again.
    """
    root = Path(tempfile.mkdtemp(prefix="warta-pgctl-"))
    server = ControlledPostgres(root)
    server.open()
    try:
        yield server
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
async def dsn(pg: ControlledPostgres) -> str:
    """A migrated database on the stoppable server."""
    return await migrated_database(pg.dsn, "warta_faults")
