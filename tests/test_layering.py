"""The import rules of the layout: sides apart, stages downward only, nothing imports tests."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("config", "database", "ingestor", "feeds", "warta", "seeds")
# The write side's stages, lowest first: each may import only the stages before it.
STAGES = ("sources", "fetch", "extract", "discover", "classify", "onboard", "store", "schedule")
# Stages that may use another stage only through its package's public names, never its modules.
PUBLIC_ONLY = {("classify", "extract")}


def _modules(package: str) -> dict[str, set[str]]:
    """Every module of `package` with the full dotted names it imports."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _top(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("ingestor", {"feeds", "warta", "tests"}),
        ("feeds", {"ingestor", "warta", "tests"}),
        ("config", {"database", "ingestor", "feeds", "warta", "tests"}),
        ("database", {"ingestor", "feeds", "warta", "tests"}),
        ("warta", {"tests"}),
    ],
)
def test_package_boundaries(package: str, forbidden: set[str]) -> None:
    imports = _modules(package)
    assert imports, f"no modules found in {package}"
    offenders = {p: _top(n) & forbidden for p, n in imports.items() if _top(n) & forbidden}
    assert not offenders, f"{package} must not import {sorted(forbidden)}: {offenders}"


def test_ingestor_is_one_package_per_stage() -> None:
    loose = sorted(p.name for p in (ROOT / "ingestor").glob("*.py") if p.name != "__init__.py")
    assert not loose, f"ingestor/ holds only stage packages, found modules {loose}"
    for stage in STAGES:
        init = ROOT / "ingestor" / stage / "__init__.py"
        assert init.is_file(), f"stage {stage} has no package"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), init


def test_stages_import_only_downward() -> None:
    offenders: list[str] = []
    for path, names in _modules("ingestor").items():
        stage = Path(path).parts[1]
        if stage == "__init__.py":
            continue
        rank = STAGES.index(stage)
        for name in names:
            parts = name.split(".")
            if parts[0] != "ingestor" or len(parts) < 2 or parts[1] == stage:
                continue
            target = parts[1]
            if target not in STAGES or STAGES.index(target) > rank:
                offenders.append(f"{path} imports {name} (a stage above {stage})")
            elif (stage, target) in PUBLIC_ONLY and len(parts) > 2:
                offenders.append(f"{path} imports {name}: use ingestor.{target}'s public names")
    assert not offenders, "\n".join(offenders)


def test_extract_never_reaches_io_stages() -> None:
    # The issue's own examples, spelled out so a change to STAGES cannot quietly allow them.
    for path, names in _modules("ingestor").items():
        if Path(path).parts[1] == "extract":
            bad = {
                n
                for n in names
                if n.split(".")[:2] in (["ingestor", s] for s in ("fetch", "store", "schedule"))
            }
            assert not bad, f"{path} imports {bad}"


def _cycles() -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for package in PRODUCT:
        if not (ROOT / package).is_dir():
            continue
        for path, names in _modules(package).items():
            module = path[:-3].replace("/", ".").removesuffix(".__init__")
            graph[module] = set(names)
    edges = {m: {n for n in names if n in graph and n != m} for m, names in graph.items()}
    found: list[list[str]] = []
    for start in edges:
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in edges[node]:
                if nxt == start and len(trail) > 1:
                    found.append(trail)
                elif nxt not in trail and len(trail) < 6:
                    stack.append((nxt, [*trail, nxt]))
    return found


def test_no_import_circles_between_modules() -> None:
    # Package __init__ files re-export their modules; a cycle through them is a real one too,
    # except the trivial package -> own module -> package step, which Python resolves.
    real = [
        c
        for c in _cycles()
        if not any(a.startswith(b + ".") or b.startswith(a + ".") for a, b in itertools.pairwise(c))
    ]
    assert not real, f"import circles: {real[:5]}"


def test_nothing_in_the_product_imports_tests() -> None:
    for package in PRODUCT:
        if not (ROOT / package).is_dir():
            continue
        for path, names in _modules(package).items():
            assert "tests" not in _top(names), f"{path} imports tests"


def test_every_module_has_a_docstring() -> None:
    missing = []
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if not ast.get_docstring(tree):
                missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"modules without a docstring saying their job: {missing}"
