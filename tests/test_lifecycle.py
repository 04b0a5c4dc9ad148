"""Start and stop as an operator does: a taken port, two signals at once, kill -9, a damaged state file.

Every process here is a real `warta` with its own embedded PostgreSQL in a fresh data directory.
Timeouts are hang guards only, never the thing measured.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import asyncpg
import psutil
import pytest

from config.settings import load_settings
from tests.conftest import free_port
from warta.output import UsageError
from warta.service import feed_server

pytestmark = pytest.mark.slow  # ~1 min: every case starts its own PostgreSQL

HANG_GUARD = 90.0  # seconds: far above a normal start or stop, only there to end a hang


def warta_env(data_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env.update(WARTA_DATA_DIR=str(data_dir), WARTA_PORT=str(port), **extra)
    return env


class Warta:
    """A `warta` process started from a directory outside the repository; stderr in a file."""

    def __init__(self, tmp: Path, command: str, data_dir: Path, *, via_make: bool = False) -> None:
        self.port = free_port()
        self.log = tmp / f"{command}-{self.port}.log"
        argv = [sys.executable, "-m", "warta.cli", command]
        cwd = tmp / "elsewhere"
        cwd.mkdir(exist_ok=True)
        if via_make:
            # GNU make forwards SIGTERM to its child: a signal to the group arrives twice.
            (cwd / "Makefile").write_text(f"{command}:\n\t{' '.join(argv)}\n", encoding="utf-8")
            argv = ["make", "--no-print-directory", command]
        with self.log.open("w") as err:
            self.proc = subprocess.Popen(
                argv, cwd=cwd, env=warta_env(data_dir, self.port), stdout=subprocess.DEVNULL,
                stderr=err, start_new_session=True,
            )  # fmt: skip

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + HANG_GUARD
        while text not in self.stderr():
            assert self.proc.poll() is None, f"exited {self.proc.returncode}:\n{self.stderr()}"
            assert time.monotonic() < deadline, f"no {text!r} in:\n{self.stderr()}"
            time.sleep(0.05)

    def signal_twice(self, sig: signal.Signals, *, group: bool = False) -> None:
        send = (lambda s: os.killpg(self.proc.pid, s)) if group else self.proc.send_signal
        send(sig)
        time.sleep(0.001)
        send(sig)

    def wait(self) -> int:
        try:
            return self.proc.wait(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise AssertionError(f"still running after {HANG_GUARD}s:\n{self.stderr()}") from None


def postmaster(data_dir: Path) -> psutil.Process | None:
    """The embedded server's process when one runs for this data directory."""
    pid_file = data_dir / "postgres" / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        process = psutil.Process(int(pid_file.read_text().split()[0]))
        return process if process.is_running() else None
    except (psutil.Error, ValueError, IndexError):
        return None


def state(data_dir: Path) -> str:
    return (data_dir / "postgres" / ".handle_pids.json").read_text(encoding="utf-8")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not under pytest's temporary tree: another pytest on the machine resets it to 0700, and
    # the server's own system user (we may be root) would lose its way to the data directory.
    root = Path(tempfile.mkdtemp(prefix="warta-test-life-"))
    root.chmod(0o755)
    data = root / "var"
    yield data
    server = postmaster(data)  # never leave a server behind, whatever the test found
    if server is not None:
        server.kill()
    shutil.rmtree(root, ignore_errors=True)


def assert_stopped_cleanly(data_dir: Path, proc: Warta, returncode: int) -> None:
    err = proc.stderr()
    assert returncode == 0, err
    assert "Traceback" not in err, err
    assert "embedded PostgreSQL stopped" in err, err
    assert postmaster(data_dir) is None, "the embedded PostgreSQL is still running"
    assert state(data_dir) == "[]", "the state file lists no process"


@pytest.mark.parametrize("command", ["run", "serve", "demo"])
def test_a_taken_port_is_one_line_and_exit_2(tmp_path: Path, data_dir: Path, command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "warta.cli", command], cwd=tmp_path,
            env=warta_env(data_dir, port), capture_output=True, text=True, timeout=HANG_GUARD,
        )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "WARTA_PORT" in lines[0] and str(port) in lines[0], proc.stderr
    assert postmaster(data_dir) is None


async def test_a_port_taken_after_the_check_still_stops_cleanly(
    database_url: str, pool: asyncpg.Pool
) -> None:
    """The bind itself fails (someone took the port meanwhile): the error is the same one
    line, and the feed app's listener gives its pooled connection back, so the pool closes."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = replace(load_settings({"WARTA_DATABASE_URL": database_url}), port=port)
        with pytest.raises(UsageError, match=f"WARTA_PORT: port {port} is already in use"):
            async with feed_server(settings, pool):
                pass
    assert pool.get_idle_size() == pool.get_size(), "a connection is still held"


@pytest.mark.parametrize(
    ("sig", "via_make"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGTERM, True)],
    ids=["sigterm", "sigint", "make-group-sigterm"],
)
def test_two_signals_1ms_apart_stop_cleanly(
    tmp_path: Path, data_dir: Path, sig: signal.Signals, via_make: bool
) -> None:
    proc = Warta(tmp_path, "serve", data_dir, via_make=via_make)
    proc.wait_for("feeds at")
    proc.signal_twice(sig, group=via_make)
    returncode = proc.wait()
    if via_make:
        # make itself dies of the signal; what matters is what Warta left behind.
        deadline = time.monotonic() + HANG_GUARD
        while "embedded PostgreSQL stopped" not in proc.stderr() and time.monotonic() < deadline:
            time.sleep(0.05)
        returncode = 0
    assert_stopped_cleanly(data_dir, proc, returncode)


def test_two_signals_while_the_server_starts_stop_cleanly(tmp_path: Path, data_dir: Path) -> None:
    proc = Warta(tmp_path, "serve", data_dir)
    proc.wait_for("creating the embedded database")  # initdb and pg_ctl start still to come
    proc.signal_twice(signal.SIGTERM)
    assert_stopped_cleanly(data_dir, proc, proc.wait())


def test_kill_9_leaves_a_server_that_the_next_start_reuses_and_stops(
    tmp_path: Path, data_dir: Path
) -> None:
    first = Warta(tmp_path, "serve", data_dir)
    first.wait_for("feeds at")
    first.proc.kill()
    first.proc.wait(timeout=HANG_GUARD)
    leftover = postmaster(data_dir)
    assert leftover is not None, "kill -9 gives the server no chance to stop"
    assert state(data_dir) == f"[{first.proc.pid}]"

    second = Warta(tmp_path, "serve", data_dir)
    second.wait_for("feeds at")
    assert "left by an ended run: reused" in second.stderr()
    assert postmaster(data_dir) is not None and postmaster(data_dir).pid == leftover.pid  # type: ignore[union-attr]
    second.proc.send_signal(signal.SIGTERM)
    assert_stopped_cleanly(data_dir, second, second.wait())


@pytest.mark.parametrize("damage", ["", "[12", '{"pids": 1}', "[1, 2"])
def test_a_damaged_state_file_is_rebuilt(tmp_path: Path, data_dir: Path, damage: str) -> None:
    env = warta_env(data_dir, free_port())
    command = [sys.executable, "-m", "warta.cli", "migrate"]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=HANG_GUARD)  # fmt: skip
    assert first.returncode == 0, first.stderr
    state_file = data_dir / "postgres" / ".handle_pids.json"
    state_file.write_text(damage, encoding="utf-8")
    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=HANG_GUARD)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert f"{state_file} was damaged" in again.stderr and "rebuilt" in again.stderr
    assert state(data_dir) == "[]" and postmaster(data_dir) is None


def test_a_server_still_in_use_is_left_running_and_says_so(tmp_path: Path, data_dir: Path) -> None:
    server = Warta(tmp_path, "serve", data_dir)
    server.wait_for("feeds at")
    migrate = subprocess.run(
        [sys.executable, "-m", "warta.cli", "migrate"], cwd=tmp_path,
        env=warta_env(data_dir, free_port()), capture_output=True, text=True, timeout=HANG_GUARD,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stderr
    assert f"still used by process(es) [{server.proc.pid}]" in migrate.stderr
    assert "embedded PostgreSQL stopped" not in migrate.stderr
    assert postmaster(data_dir) is not None
    server.proc.send_signal(signal.SIGTERM)
    assert_stopped_cleanly(data_dir, server, server.wait())
