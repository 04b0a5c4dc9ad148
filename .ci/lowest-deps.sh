#!/usr/bin/env bash
# Install the lowest version every direct dependency allows (pyproject.toml's floors, resolved by
# uv's lowest-direct strategy), then run the tests against them, so the declared floors stay true.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
venv=${LOWEST_VENV:-var/lowest-venv}
mkdir -p var
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip uv
export VIRTUAL_ENV=$PWD/$venv
# The product at its floors; then the test tools (not product dependencies) without moving them.
"$venv/bin/uv" pip install --quiet --resolution lowest-direct -e .
"$venv/bin/python" -m pip freeze --exclude-editable > var/lowest-freeze.txt
"$venv/bin/uv" pip install --quiet -c var/lowest-freeze.txt \
  pytest pytest-asyncio pytest-timeout hypothesis
"$venv/bin/python" - <<'PY'
import re, tomllib
from importlib.metadata import version
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
names = [re.match(r"[A-Za-z0-9_.\-]+", d).group(0) for d in deps]
print("lowest-deps:", ", ".join(f"{n} {version(n)}" for n in names))
PY
# The product's tests, not the long reliability proofs or the lint of container files.
"$venv/bin/python" -m pytest -q -p no:cacheprovider --ignore=tests/reliability \
  -m "not container" -x "$@"
