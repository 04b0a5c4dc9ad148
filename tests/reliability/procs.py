"""`warta` subprocesses for the proofs: start with a clean WARTA_* environment, wait, stop, measure."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp

from tests.conftest import ROOT

__all__ = ["Warta", "resident_kib", "unexpected_errors", "wait_until"]


def resident_kib(pid: int) -> int:
    """Resident set size of a process, from /proc (VmRSS, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def wait_until(check: object, seconds: float, what: str, every: float = 0.2) -> float:
    """Poll an async predicate until it holds; returns the seconds it took, fails naming `what`."""
    started = time.monotonic()
    while True:
        if await check():  # type: ignore[operator]
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds:.0f}s")
        await asyncio.sleep(every)


def unexpected_errors(log: str) -> list[str]:
    """Tracebacks in a server log, except aiohttp refusing a malformed request (400) before
    the application saw it: a request line over 8190 bytes is answered, and logged, that way."""
    blocks = log.split("Traceback (most recent call last):")[1:]
    return [b[-600:] for b in blocks if "aiohttp.http_exceptions." not in b]


class Warta:
    """One `python -m warta.cli ...` process; its stderr is kept in a file for the failure message."""

    def __init__(self, workdir: Path, env: Mapping[str, str], *args: str) -> None:
        self.args = args
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
        self.env.update(env)
        self.log_path = workdir / f"warta-{'-'.join(args)}-{time.monotonic_ns()}.log"
        self.proc: asyncio.subprocess.Process | None = None
        self.base = ""  # http://host:port when it serves HTTP (set by whoever starts it)

    async def start(self) -> Warta:
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "warta.cli", *self.args, env=self.env, cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def wait_http(self, url: str, seconds: float = 60.0) -> None:
        """Until `url` answers 200; fails with the process's log if it dies or never does."""

        async def up() -> bool:
            if not self.alive():
                raise AssertionError(f"warta {self.args} died:\n{self.log()[-4000:]}")
            try:
                async with aiohttp.ClientSession() as http, http.get(url) as resp:
                    return resp.status == 200
            except aiohttp.ClientError:
                return False

        await wait_until(up, seconds, f"{url} answering 200")

    def kill(self) -> None:
        """kill -9: no handler runs, nothing is cleaned up."""
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self, seconds: float = 30.0) -> int:
        """SIGTERM, then the exit code (SIGKILL and -9 if it does not stop in time)."""
        proc = self.proc
        if proc is None:
            return 0
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=seconds)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                return -9
        return proc.returncode if proc.returncode is not None else -1
