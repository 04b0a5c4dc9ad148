"""The Dockerfile and compose.yaml pass their linters (the image itself is built by .ci/run)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.container


def test_dockerfile_passes_hadolint() -> None:
    proc = subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "warning", "Dockerfile"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_dockerfile_follows_house_rules() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm$", text, re.MULTILINE)
    assert re.search(r"^USER \d+", text, re.MULTILINE), "runs as a numeric non-root user"
    assert re.search(r'^CMD \["warta", "run"\]$', text, re.MULTILINE), "exec-form CMD"
    assert re.search(r'HEALTHCHECK[^\n]*\n\s+CMD \["python", "-c", "[^"]*urllib', text)
    assert "<<" not in text and "--link" not in text, "buildah 1.28 supports neither"


def test_compose_file_is_valid() -> None:
    proc = subprocess.run(
        [str(BIN / "docker-compose"), "-f", "compose.yaml", "config", "-q"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_wires_health_and_contract_settings() -> None:
    proc = subprocess.run(
        [str(BIN / "docker-compose"), "-f", "compose.yaml", "config", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    import json

    config = json.loads(proc.stdout)
    warta, db = config["services"]["warta"], config["services"]["db"]
    assert warta["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in warta and "healthcheck" in db
    assert warta["environment"]["WARTA_DATABASE_URL"].startswith("postgresql://")
    assert any(v["target"] == "/data" for v in warta["volumes"])
