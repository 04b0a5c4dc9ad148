"""Turn the proofs' figures into the README's reliability section: `python -m tests.reliability.report`.

Reads the JSON lines the proofs appended (tests/reliability/budget.py `record`) and pytest's
JUnit XML, prints the section, and in full mode (WARTA_RELIABILITY=1, what `make reliability`
runs) writes it into README.md between `<!-- reliability:begin -->` and `<!-- reliability:end -->`.
Nothing else in the README is touched; a quick run only prints.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from tests.reliability.budget import mode

BEGIN, END = "<!-- reliability:begin -->", "<!-- reliability:end -->"
ROOT = Path(__file__).resolve().parents[2]


def load(results: Path) -> dict[str, dict[str, Any]]:
    """The last record of each proof."""
    found: dict[str, dict[str, Any]] = {}
    if results.exists():
        for line in results.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                found[item["proof"]] = item
    return found


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _tests(junit: Path) -> str:
    if not junit.exists():
        return "test counts unavailable"
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite") or suite
    total, failures = int(suite.get("tests", 0)), int(suite.get("failures", 0))
    errors, skipped = int(suite.get("errors", 0)), int(suite.get("skipped", 0))
    passed = total - failures - errors - skipped
    held = f", {skipped} known bugs held as strict xfail" if skipped else ""
    return f"{passed} checks passed, {failures + errors} failed{held}"


def _random_kills(r: dict[str, Any]) -> str:
    """The random-kill row: where the workers were when they died, and the spread."""
    stored = r["stored_when_killed"]
    moments = [m.replace("lease-renewal", "during a lease renewal") for m in r.get("moments", [])]
    where = ", ".join(f"{moments.count(m)} {m}" for m in dict.fromkeys(moments))
    return (
        f"{r['rounds']} rounds"
        + (f" ({where})" if where else "")
        + f", {r['workers_killed']} workers killed; articles stored at the kill"
        f" {min(stored)}–{max(stored)} ({', '.join(map(str, stored))}); after restart"
        f" {r['articles']} articles each round, **0 lost, 0 duplicated**"
    )


def rows(p: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if load := p.get("load"):
        out.append(("Load", (
            f"{load['clients']} clients × {load['seconds']:.0f} s on loopback against `warta run`"
            f" while it ingested ({load['articles_ingested_during_load']} new articles): "
            f"{_n(load['requests'])} requests ({load['rps']:,.0f}/s), **{load['server_errors']} 5xx**,"
            f" {sum(load['client_errors'].values())} client errors; latency p50"
            f" {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms, **p99 {load['p99_ms']:.0f} ms**;"
            f" resident memory {load['rss_before_mib']} → {load['rss_after_mib']} MiB"
            f" (**{load['rss_growth_pct']:+.1f} %**, limit 10 %)"
        )))  # fmt: skip
    if db := p.get("db_outage"):
        out.append(("PostgreSQL crash mid-run", (
            f"down {db['outage_s']} s under `warta run`: {_n(db['cached_responses_during_outage'])}"
            f" cached feed responses (200/304) served meanwhile, /readyz 503 until back, ready"
            f" {db['ready_after_s']} s after restart, caught up in {db['caught_up_s']} s;"
            f" {_n(db['articles'])} articles, **{db['lost']} lost, {db['duplicated']} duplicated**"
        )))  # fmt: skip
    if st := p.get("statement_timeout"):
        out.append(("Statement timeout on insert", (
            f"batch rolled back after {st['first_run_s']} s, lease given back, source health"
            " untouched; the next run stored every article once"
        )))  # fmt: skip
    if k := p.get("kill9_mid_batch"):
        out.append(("`kill -9` mid-batch", (
            f"worker killed inside a batch insert ({k['rows_written_then_rolled_back']} row ids"
            f" taken): **0 partial rows**; a restarted worker stored the batch in"
            f" {k['restart_s']} s, each article once"
        )))  # fmt: skip
    if r := p.get("kill9_random"):
        out.append(("`kill -9` at random", _random_kills(r)))
    if s := p.get("source_faults"):
        kinds = ", ".join(f"{k}: {'/'.join(v)}" for k, v in s["error_kinds"].items())
        out.append(("Site faults", (
            f"{s['pages']} article pages, {s['truncated']} truncated, {s['garbage']} garbage,"
            f" {s['stalled']} stalled: the rest ingested in the same run, each fault in the"
            f" ingestion log and pending retries ({kinds}),"
            f" all {s['recovered']} stored on retry, **{s['lost']} lost**"
        )))  # fmt: skip
    fuzz = []
    if f := p.get("fuzz_extract"):
        fuzz.append(f"extractor {_n(f['cases'])}")
    if f := p.get("fuzz_dates"):
        fuzz.append(f"date parser {_n(f['cases'])}")
    if f := p.get("fuzz_seeds"):
        fuzz.append(f"seed loader {_n(f['entries'])} entries + {_n(f['files'])} files")
    if f := p.get("fuzz_discover"):
        fuzz.append(f"discovery {_n(f['cases'])}")
    if f := p.get("fuzz_params"):
        statuses = ", ".join(f"{_n(v)}× {k}" for k, v in sorted(f["statuses"].items()))
        fuzz.append(
            f"feed parameters {f['parameters']} × {_n(f['cases_per_parameter'])}"
            f" ({_n(f['requests'])} HTTP requests: {statuses})"
        )
    if fuzz:
        out.append(
            ("Fuzzing (hypothesis)", "; ".join(fuzz) + "; **0 unhandled exceptions, 0 5xx**")
        )
    if q := p.get("sql_injection"):
        out.append(("SQL injection", (
            f"{q['payloads']} payloads in every parameter, parameter name and path segment"
            f" ({_n(q['requests'])} requests): 0 5xx, no database error shown, no payload ran"
            " (canary table, articles, sources, roles unchanged)"
        )))  # fmt: skip
    if x := p.get("xss"):
        out.append(("XSS", (
            f"{x['payloads']} payloads in every article field (through the pipeline and the write"
            f" side): none reaches {x['documents_checked']} documents (RSS, Atom, JSON Feed, OPML,"
            " index) as markup"
            + (f"; known gap, reported: RSS {', '.join(x['reported'])}" if x.get("reported") else "")
        )))  # fmt: skip
    if s := p.get("ssrf"):
        out.append(("SSRF", (
            f"{s['attempts_refused']} spellings, names, rebinding and redirects to loopback,"
            " link-local, private, IPv6 and IPv4-in-IPv6 addresses refused, 0 connections made"
        )))  # fmt: skip
    return out


def section(p: dict[str, dict[str, Any]], junit: Path) -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    ran = max((float(item.get("at", 0)) for item in p.values()), default=time.time())
    faults = sum(
        [1 if "db_outage" in p else 0, 1 if "statement_timeout" in p else 0,
         1 if "kill9_mid_batch" in p else 0, p.get("kill9_random", {}).get("workers_killed", 0),
         sum(p.get("source_faults", {}).get(k, 0) for k in ("truncated", "garbage", "stalled"))]
    )  # fmt: skip
    lines = [
        BEGIN,
        f"Written by `make reliability` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(ran))}"
        f" at commit `{commit}` (2 cores): {_tests(junit)}. {faults} faults survived, nothing"
        " lost, nothing duplicated.",
        "",
        "| proof | result |",
        "|---|---|",
        *(f"| {name} | {text} |" for name, text in rows(p)),
        "",
        "Also proven, pass or fail: operator actions (the source switch; /metrics too once a token"
        " is set) refuse anything but"
        " `Authorization: Bearer $WARTA_OPERATOR_TOKEN`; hostile seed files are refused naming"
        " file, entry and field; the container runs as a non-root user on a read-only root"
        " filesystem with only its data volume writable (`.ci/verify-readonly.sh`).",
        END,
    ]
    return "\n".join(lines)


_INTRO = (
    "`make reliability` runs the fault, load, fuzzing and security proofs in `tests/reliability/`,"
    " `tests/test_fuzz_*.py` and `tests/test_security_*.py` at full budget (about 15 minutes) and"
    " rewrites the figures below; `WARTA_RELIABILITY=quick make reliability` is the bounded subset"
    " `.ci/run` uses (about 2.5 minutes, README untouched), and `.ci/verify-readonly.sh` checks the"
    " image on a read-only root filesystem.\n\n"
)


def write(readme: Path, text: str) -> None:
    content = readme.read_text(encoding="utf-8")
    if BEGIN in content and END in content:
        head, rest = content.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        content = head + text + tail
    else:
        content = content.rstrip("\n") + "\n\n## Reliability\n\n" + _INTRO + text + "\n"
    readme.write_text(content, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--junit", type=Path, default=None)
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args()
    proofs = load(args.results)
    text = section(proofs, args.junit or args.results.with_name("junit.xml"))
    print(text)
    if mode() == "full":
        write(args.readme, text)
        print(f"reliability: figures written to {args.readme}")
    else:
        print("reliability: quick run, README left as it is")
    return 0


if __name__ == "__main__":
    sys.exit(main())
