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


def test_compose_scales_out_on_one_database() -> None:
    """N ingest workers and M feed servers on one PostgreSQL, the servers behind the proxy."""
    proc = subprocess.run(
        [str(BIN / "docker-compose"), "-f", "compose.yaml", "config", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    import json

    services = json.loads(proc.stdout)["services"]
    assert set(services) == {"db", "ingest", "serve", "proxy"}
    assert "healthcheck" in services["db"]
    for name, command in (("ingest", ["warta", "ingest"]), ("serve", ["warta", "serve"])):
        service = services[name]
        assert service["command"] == command
        assert service["deploy"]["replicas"] >= 2, f"{name} shows more than one replica"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["environment"]["WARTA_DATABASE_URL"].startswith("postgresql://")
        assert "ports" not in service, f"{name} is reached through the proxy only"
    assert "healthcheck" in services["serve"]
    assert services["proxy"]["depends_on"]["serve"]["condition"] == "service_healthy"
    assert [p["target"] for p in services["proxy"]["ports"]] == [8080]


def test_proxy_keeps_wartas_caching_rules() -> None:
    """nginx caches by Warta's Cache-Control, revalidates with its ETag, never caches operators."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    live = "\n".join(line.split("#", 1)[0] for line in conf.splitlines())
    assert re.search(r"^\s*proxy_cache warta;", live, re.MULTILINE)
    assert re.search(r"^\s*proxy_cache_revalidate on;", live, re.MULTILINE)
    assert re.search(r"proxy_cache_bypass \$http_authorization;", live)
    assert re.search(r"proxy_no_cache \$http_authorization;", live)
    # Overrides would replace Warta's own freshness rules with the proxy's.
    assert "proxy_cache_valid" not in live and "proxy_ignore_headers" not in live
    assert "server serve:8080" in live
