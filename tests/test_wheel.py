"""An installed wheel works anywhere: `warta extract` and `warta demo` from a directory that is not the checkout.

The wheel is built from this checkout and installed with its dependencies into a fresh venv
(pip fetches them, from its cache when it can); nothing of the repository is on the path.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.slow  # building and installing take ~30-90 s

PAGE = ROOT / "tests" / "fixtures" / "pages" / "antara" / "kalsel-tapin-pasar-jsonld.html"
HANG_GUARD = 120.0


@pytest.fixture(scope="module")
def installed() -> Iterator[tuple[Path, Path]]:
    """(the fresh venv's bin folder, an empty working directory outside the checkout)."""
    # Not under pytest's temporary tree: the embedded server's own user (we may be root) must
    # reach the venv's PostgreSQL binaries and the data directory, and another pytest on the
    # machine resets that tree to 0700.
    root = Path(tempfile.mkdtemp(prefix="warta-test-wheel-"))
    root.chmod(0o755)
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(root / "dist"),
             str(ROOT)], check=True, capture_output=True, timeout=600,
        )  # fmt: skip
        [wheel] = (root / "dist").glob("warta-*.whl")
        subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300)
        bin_dir = root / "venv" / "bin"
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
            check=True, capture_output=True, timeout=900,
        )  # fmt: skip
        work = root / "elsewhere"
        work.mkdir()
        yield bin_dir, work
    finally:
        shutil.rmtree(root, ignore_errors=True)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WARTA_", "PYTHON"))}
    env.update(extra)
    return env


def test_the_venv_runs_the_installed_copy(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import seeds, warta.simsite; print(seeds.__file__)"],
        cwd=work, env=clean_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "site-packages" in where and str(ROOT) not in where


def test_extract_finds_the_shipped_catalogue(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    proc = subprocess.run(
        [str(bin_dir / "warta"), "extract", str(PAGE)], cwd=work, env=clean_env(),
        capture_output=True, text=True, timeout=HANG_GUARD,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [record] = [json.loads(line) for line in proc.stdout.splitlines()]
    # The source is found by host in the shipped seeds, and its region in the shipped catalogue.
    assert (record["source"], record["region"]) == ("antara-kalsel", "kalsel")


def test_demo_serves_feeds_and_stops_cleanly(installed: tuple[Path, Path]) -> None:
    bin_dir, work = installed
    port = free_port()
    log = work / "demo.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [str(bin_dir / "warta"), "demo"], cwd=work, stdout=subprocess.DEVNULL, stderr=err,
            env=clean_env(WARTA_PORT=str(port), WARTA_DATA_DIR=str(work / "var")),
        )  # fmt: skip
    try:
        deadline = time.monotonic() + HANG_GUARD
        entries = 0
        while entries == 0:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no entries in the demo's feed:\n{log.read_text()}"
            time.sleep(0.5)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds/all.atom") as resp:
                    entries = len(feedparser.parse(resp.read()).entries)
            except OSError:
                continue  # not listening yet
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=HANG_GUARD) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    err_text = log.read_text()
    assert "Traceback" not in err_text and "embedded PostgreSQL stopped" in err_text, err_text
