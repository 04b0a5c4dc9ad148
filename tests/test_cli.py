"""The command line: --version, a help line for every option, expected failures as one line, no traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import __version__
from tests.conftest import ROOT, free_port
from warta.cli import COMMANDS, build_parser

PAGE = ROOT / "tests" / "fixtures" / "pages" / "antara" / "kalsel-tapin-pasar-jsonld.html"
UNREACHABLE = "postgresql://warta:secret@127.0.0.1:1/warta"  # nothing listens on port 1


def warta(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "warta.cli", *args], cwd=cwd, env=clean,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(found) == 1
    return found[0]


def test_every_command_and_option_has_a_help_line() -> None:
    parser = build_parser()
    commands = _subparsers(parser)
    assert set(commands.choices) == set(COMMANDS), "every command is dispatched"
    listed = {a.dest: a.help for a in commands._choices_actions}
    missing = [name for name in commands.choices if not listed.get(name)]
    for name, sub in [("warta", parser), *commands.choices.items()]:
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, f"no help line: {missing}"


def test_version(tmp_path: Path) -> None:
    proc = warta("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"warta {__version__}"


def _bad_seeds(tmp_path: Path) -> str:
    seeds = tmp_path / "bad-seeds.toml"
    seeds.write_text('[[source]]\nid = "x"\nbase_url = "not a url"\n', encoding="utf-8")
    return str(seeds)


# (arguments, environment, exit code, text the one line must hold); the environment's
# "{tmp}" is the test's directory, "{bad_seeds}" a catalogue with a broken entry.
CASES = [
    (["extract", "{tmp}/missing.html"], {}, 2, "cannot read"),
    (["extract", "{tmp}"], {}, 2, "cannot read"),
    (["extract", str(PAGE), "--url", "kalsel.antaranews.com/x"], {}, 2, "--url"),
    (["extract", str(PAGE), "--url", "ftp://example.org/x"], {}, 2, "--url"),
    (["extract", str(PAGE), "--source", "no-such-source"], {}, 2, "no-such-source"),
    (["extract", str(PAGE)], {"WARTA_SEEDS": "{bad_seeds}"}, 2, "WARTA_SEEDS"),
    (["extract", str(PAGE)], {"WARTA_SEEDS": "{tmp}/nowhere"}, 2, "WARTA_SEEDS"),
    (["sources"], {"WARTA_SEEDS": "{bad_seeds}"}, 2, "WARTA_SEEDS"),
    (["run"], {"WARTA_SEEDS": "{bad_seeds}"}, 2, "WARTA_SEEDS"),
    (["ingest", "--once", "--source", "nope"], {}, 2, "nope"),
    (["sources", "enable"], {}, 2, "arguments are required: ID"),
    (["migrate"], {"WARTA_PORT": "eighty"}, 2, "WARTA_PORT"),
    (["migrate"], {"WARTA_DATABASE_URL": UNREACHABLE}, 1, "database unreachable"),
    (["ingest", "--once"], {"WARTA_DATABASE_URL": UNREACHABLE}, 1, "database unreachable"),
    (["sources", "disable", "x"], {"WARTA_DATABASE_URL": UNREACHABLE}, 1, "database unreachable"),
    (["serve"], {"WARTA_DATABASE_URL": UNREACHABLE}, 1, "database unreachable"),
    (["migrate"], {"WARTA_DATA_DIR": "/dev/null/var"}, 2, "WARTA_DATA_DIR"),
    (["nonsense"], {}, 2, "invalid choice"),
]


@pytest.mark.parametrize(
    ("args", "env", "code", "says"), CASES, ids=[" ".join(c[0][:3]) for c in CASES]
)
def test_expected_failures_are_one_line_without_traceback(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int, says: str
) -> None:
    fill = {"tmp": str(tmp_path), "bad_seeds": _bad_seeds(tmp_path)}
    env = {k: v.format(**fill) for k, v in env.items()}
    proc = warta(*(a.format(**fill) for a in args), cwd=tmp_path,
                 WARTA_PORT=env.pop("WARTA_PORT", str(free_port())), **env)  # fmt: skip
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if says in line]
    assert lines, proc.stderr
    assert "secret" not in proc.stderr, "the database password is not printed"
    if not proc.stderr.startswith("usage:"):  # argparse prints its usage line first
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_sources_without_a_database_lists_the_catalogue(tmp_path: Path) -> None:
    proc = warta("sources", cwd=tmp_path, WARTA_DATABASE_URL=UNREACHABLE)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "without health" in proc.stderr
    assert "antara-kalsel" in proc.stdout


async def test_switching_an_unknown_source_is_a_usage_error(
    tmp_path: Path, database_url: str
) -> None:
    proc = warta("sources", "enable", "no-such-source", cwd=tmp_path,
                 WARTA_DATABASE_URL=database_url, WARTA_LOG_LEVEL="WARNING")  # fmt: skip
    assert proc.returncode == 2 and "no-such-source" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
