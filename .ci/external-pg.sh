#!/usr/bin/env bash
# The database tests again, against Debian's PostgreSQL started separately (not the embedded one).
# Installs postgresql with apt-get when missing, runs initdb + pg_ctl as the postgres user on a
# free port in a temporary directory, points WARTA_TEST_DATABASE_URL at it and runs the tests
# marked `database` (tests/conftest.py marks them), leaving out the fuzzers and the long
# reliability proofs. The server is stopped and its directory removed on exit.
# Usage: .ci/external-pg.sh [pytest args...]     env: PYTHON (default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d /tmp/warta-extpg-XXXXXX)
chmod 755 "$work"
# PostgreSQL refuses to run as root: as root, the server runs as the postgres user.
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$work"
  as_pg=(runuser -u postgres --)
fi
stop() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
"${as_pg[@]}" "$bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
echo "external PostgreSQL: $("$bin/postgres" --version) on 127.0.0.1:$port"

WARTA_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" \
  "$PYTHON" -m pytest -q -p no:cacheprovider -m database \
  --ignore=tests/reliability --ignore-glob='tests/test_fuzz_*.py' "$@"
