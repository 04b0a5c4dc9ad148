"""ingestor and feeds never import each other; config imports neither; only warta joins them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("ingestor", {"feeds", "warta", "tests"}),
        ("feeds", {"ingestor", "warta", "tests"}),
        ("config", {"ingestor", "feeds", "warta", "tests"}),
    ],
)
def test_package_boundaries(package: str, forbidden: set[str]) -> None:
    imports = _imports(package)
    assert imports, f"no modules found in {package}"
    offenders = {path: names & forbidden for path, names in imports.items() if names & forbidden}
    assert not offenders, f"{package} must not import {sorted(forbidden)}: {offenders}"


def test_every_module_has_a_docstring() -> None:
    missing = []
    for package in ("config", "ingestor", "feeds", "warta"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if not ast.get_docstring(tree):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without a docstring saying their job: {missing}"
