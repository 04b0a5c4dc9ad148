"""Start, share and stop a private PostgreSQL (pgserver's binaries) in the data directory.

pgserver's own `get_server` keeps the processes using a server in `.handle_pids.json`, but it
rewrites that file in place (an interrupted write leaves it empty, and then every start dies with
a JSONDecodeError), never forgets a process that was killed, and runs `pg_ctl` in our process
group, so a Ctrl-C or make's SIGTERM kills `pg_ctl stop` halfway. This module drives the same
binaries itself: the state file (same name and format) is written atomically, pruned of dead
processes and rebuilt when damaged; `pg_ctl` runs in its own session; one lock file serializes
the processes sharing a data directory; the server stops when its last user leaves.

pgserver listens on a Unix socket only, and as root runs the server as its own system user, so
this works in containers and CI alike.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

__all__ = ["EmbeddedError", "EmbeddedPostgres"]

log = logging.getLogger(__name__)

STATE_FILE = ".handle_pids.json"  # pgserver's name and format: a JSON list of process ids
_SYSTEM_USER = "pgserver"  # the server's own user when we run as root (postgres refuses root)
_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 30.0


class EmbeddedError(Exception):
    """The private server cannot be started; the message names the file or step and the fix."""


def _pgserver() -> tuple[Any, Any, Any]:
    """pgserver's command wrappers and helpers, imported lazily (they are only needed here)."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
        warnings.simplefilter("ignore")
        from pgserver import _commands, utils
        from pgserver.postgres_server import PostgresServer

    return _commands, utils, PostgresServer.runtime_path


class EmbeddedPostgres:
    """A PostgreSQL server in `<data_dir>/postgres`, shared by the Warta processes using it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.pgdata = self.data_dir / "postgres"
        self.state_file = self.pgdata / STATE_FILE
        self._user = _SYSTEM_USER if os.geteuid() == 0 else None
        self._attached = False

    # --- the state file -----------------------------------------------------------------------

    def _users(self) -> list[int]:
        """Live processes recorded as using the server; a damaged file is rebuilt (warned)."""
        try:
            raw = self.state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            pids = json.loads(raw)
            if not isinstance(pids, list) or not all(type(p) is int for p in pids):
                raise ValueError("not a list of process ids")
        except ValueError as exc:
            log.warning("%s was damaged (%s: %.40r); rebuilt", self.state_file, exc, raw)
            self._write_users([])
            return []
        live = [p for p in pids if _alive(p)]
        if live != pids:
            log.info(
                "%s: forgot ended process(es) %s", self.state_file, sorted(set(pids) - set(live))
            )
            self._write_users(live)
        return live

    def _write_users(self, pids: list[int]) -> None:
        # Write aside, then rename: a signal or a kill -9 mid-write leaves the old file whole.
        tmp = self.state_file.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(pids), encoding="utf-8")
        os.replace(tmp, self.state_file)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One process at a time starts, joins, leaves or stops the server of this data dir."""
        with (self.data_dir / ".postgres.lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- the server -----------------------------------------------------------------------------

    def _postmaster(self, wait: float = 10.0) -> Any:
        """The running server's postmaster.pid, once it is ready; None when none runs."""
        _, utils, _ = _pgserver()
        deadline = time.monotonic() + wait
        while True:
            try:
                info = utils.PostmasterInfo.read_from_pgdata(self.pgdata)
            except (AssertionError, ValueError, OSError):
                info = None  # half-written or stale file: pg_ctl sorts it out at start
            if info is None or not info.is_running() or not _is_postgres(info.process):
                return None
            if info.status == "ready":
                return info
            if time.monotonic() > deadline:  # still "starting" or "stopping"
                return None
            time.sleep(0.2)

    def _initdb(self) -> None:
        commands, utils, _ = _pgserver()
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            import pwd
            import stat

            utils.ensure_user_exists(self._user)
            utils.ensure_prefix_permissions(self.pgdata)
            utils.ensure_prefix_permissions(commands.POSTGRES_BIN_PATH)
            read = stat.S_IRGRP | stat.S_IROTH
            utils.ensure_folder_permissions(
                commands.POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH
            )
            utils.ensure_folder_permissions(commands.POSTGRES_BIN_PATH.parent / "lib", read)
            entry = pwd.getpwnam(self._user)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        if not (self.pgdata / "PG_VERSION").exists():
            log.info("creating the embedded database in %s", self.pgdata)
            try:
                commands.initdb(
                    ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", "postgres"],
                    pgdata=self.pgdata, user=self._user, start_new_session=True,
                )  # fmt: skip
            except subprocess.CalledProcessError as exc:
                raise EmbeddedError(
                    f"initdb failed in {self.pgdata} (exit {exc.returncode}); remove that folder"
                    " and try again, with WARTA_LOG_LEVEL=DEBUG to see its output"
                ) from None

    def _pg_ctl_start(self) -> Any:
        commands, utils, runtime_path = _pgserver()
        socket_dir = utils.find_suitable_socket_dir(self.pgdata, runtime_path)
        if self._user is not None and socket_dir != self.pgdata:
            utils.ensure_prefix_permissions(socket_dir)
            socket_dir.chmod(0o777)
        args = ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(self.pgdata / "log")]
        try:
            # Its own session: a Ctrl-C or a signal to our process group must not kill pg_ctl.
            commands.pg_ctl([*args, "start"], pgdata=self.pgdata, user=self._user,
                            timeout=_START_TIMEOUT, start_new_session=True)  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise EmbeddedError(
                f"embedded PostgreSQL in {self.pgdata} did not start ({exc});"
                f" its log is {self.pgdata / 'log'}"
            ) from None
        info = self._postmaster(wait=_START_TIMEOUT)
        if info is None:
            raise EmbeddedError(f"embedded PostgreSQL in {self.pgdata} did not become ready")
        return info

    def _pg_ctl_stop(self, info: Any) -> None:
        commands, _, _ = _pgserver()
        try:
            commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._user,
                            timeout=_STOP_TIMEOUT, start_new_session=True)  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            log.warning("pg_ctl stop failed for %s; terminating the server", self.pgdata)
            with contextlib.suppress(psutil.Error):
                info.process.terminate()
                info.process.wait(5)
            with contextlib.suppress(psutil.Error):
                info.process.kill()

    # --- the API ------------------------------------------------------------------------------

    def start(self) -> str:
        """Start the server, or join the one running here; return its DSN. Blocking, ~0.2–5 s."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._locked():
            self._initdb()
            users = self._users()
            info = self._postmaster()
            if info is None:
                info = self._pg_ctl_start()
                log.info("embedded PostgreSQL started in %s", self.pgdata)
            elif users:
                log.info("embedded PostgreSQL in %s shared with process(es) %s", self.pgdata, users)
            else:
                log.info("embedded PostgreSQL in %s left by an ended run: reused", self.pgdata)
            self._write_users([*users, os.getpid()])
            self._attached = True
        atexit.register(self.stop)  # a second call is a no-op; covers exits that skip `stop`
        dsn: str = info.get_uri()
        return dsn

    def stop(self) -> None:
        """Leave the server; stop it when no other live process uses it. Safe to call twice."""
        if not self._attached:
            return
        with self._locked():
            others = [p for p in self._users() if p != os.getpid()]
            self._write_users(others)
            self._attached = False
            atexit.unregister(self.stop)
            if others:
                log.info("embedded PostgreSQL left running: still used by process(es) %s", others)
                return
            info = self._postmaster()
            if info is None:
                log.info("embedded PostgreSQL in %s had already stopped", self.pgdata)
                return
            self._pg_ctl_stop(info)
            if _alive(info.pid):
                log.warning(
                    "embedded PostgreSQL in %s did not stop (pid %d)", self.pgdata, info.pid
                )
                return
        log.info("embedded PostgreSQL stopped")


def _alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _is_postgres(process: psutil.Process) -> bool:
    # postmaster.pid may name a process id the system has since given to another program.
    try:
        return bool(process.name() in ("postgres", "postmaster"))
    except psutil.Error:
        return False
