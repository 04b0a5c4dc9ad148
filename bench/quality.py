"""Extraction quality on real pages: Warta's generic path beside trafilatura and htmldate, per corpus.

Run: .venv/bin/python bench/quality.py [CORPUS_DIR] [--limit N] [--jobs N] [--worst N]

CORPUS_DIR holds the benchmark corpora (trafilatura-eval, newspaper4k, htmldate-eval; see the
README's "Extraction quality" section). Without it, the first `shared/corpora` folder found beside
the repository or one of its parents is used; when there is none the benchmark says so and exits 0.

Warta runs its whole extract path (decode the bytes, parse, metadata, body, date) with no site
rules, as for a source it has never seen. Each corpus is scored by its own upstream metric:
  trafilatura-eval  snippet precision / recall / F1, counts summed over pages (upstream's
                    eval_common.py); trafilatura.extract(bytes, include_comments=False,
                    include_tables=True), its default (standard, fast=False) mode
  newspaper4k       F1 of word 4-gram shingles against the expected text, mean over pages; a
                    head-* page with the same HTML as a legacy-* page is counted once
  htmldate-eval     day accuracy; htmldate.find_date(bytes, url=..., original_date=True) with its
                    default extensive_search=True (the stronger of its two published modes)
Speed: pages per second of Warta's whole extract path and of trafilatura.extract, timed page by
page in the same process on the same bytes; a ratio is what to quote on a shared machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import htmldate  # noqa: E402
import trafilatura  # noqa: E402

from ingestor.extract import ExtractError, extract_article  # noqa: E402
from ingestor.extract.article import DEFAULT_TZ  # noqa: E402
from ingestor.extract.dates import parse_date  # noqa: E402
from ingestor.fetch import decode_text  # noqa: E402

CORPORA = ("trafilatura-eval", "newspaper4k", "htmldate-eval")
# A fixed fetch time after every page in the corpora: "3 days ago" on an old page is then wrong,
# as it would be for a crawler meeting the page today.
FETCHED_AT = datetime(2026, 12, 1, tzinfo=UTC)
NO_URL = "https://example.invalid/page"
_WORD = re.compile(r"\w+")
_SHINGLE = 4


@dataclass(slots=True)
class PageResult:
    """What each tool produced on one page, and how long Warta and the text anchor took."""

    corpus: str
    name: str
    warta_text: str = ""
    warta_method: str = ""
    warta_day: date | None = None
    warta_date_source: str = ""
    anchor_text: str = ""  # trafilatura's text
    anchor_day: date | None = None  # htmldate's day
    warta_seconds: float = 0.0
    anchor_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def find_corpora(given: str | None) -> Path | None:
    """The corpus folder: the argument, else shared/corpora beside the repository or above it."""
    if given:
        return Path(given)
    for parent in ROOT.parents:
        candidate = parent / "shared" / "corpora"
        if candidate.is_dir():
            return candidate
    return None


def load(
    corpus_dir: Path, corpus: str, limit: int | None
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(corpus, name, gold) of each page, in name order; head-* duplicates of legacy pages skipped."""
    gold = json.loads((corpus_dir / corpus / "gold.json").read_text(encoding="utf-8"))
    names = sorted(n for n in gold if not gold[n].get("same_html_as"))
    for name in names[:limit]:
        yield corpus, name, gold[name]


def measure(job: tuple[Path, str, str, dict[str, Any]]) -> PageResult:
    """Run Warta and the corpus's anchor tool on one page's bytes."""
    corpus_dir, corpus, name, gold = job
    raw = gzip.decompress((corpus_dir / corpus / "pages" / f"{name}.html.gz").read_bytes())
    url = gold.get("url") or NO_URL
    result = PageResult(corpus, name)
    start = time.perf_counter()
    try:
        record = extract_article(decode_text(raw).text, url, fetched_at=FETCHED_AT)
    except ExtractError:
        record = None
    result.warta_seconds = time.perf_counter() - start
    if record is not None:
        result.warta_text = record.text
        result.warta_method = record.provenance.get("text", "")
        result.warta_date_source = record.date_source
        if record.date_source != "first_seen":
            result.warta_day = _local_day(record.published_raw, record.published_at)
    if corpus == "htmldate-eval":
        start = time.perf_counter()
        found = htmldate.find_date(raw, url=gold.get("url"), original_date=True)
        result.anchor_seconds = time.perf_counter() - start
        result.anchor_day = date.fromisoformat(found) if found else None
    else:
        start = time.perf_counter()
        text = trafilatura.extract(raw, include_comments=False, include_tables=True)
        result.anchor_seconds = time.perf_counter() - start
        result.anchor_text = text or ""
    return result


def _local_day(raw: str | None, published: datetime) -> date:
    """The day the page printed: the raw date read in its own zone, not converted to UTC."""
    parsed = parse_date(raw, tz=DEFAULT_TZ, now=FETCHED_AT) if raw else None
    return parsed.value.date() if parsed is not None else published.astimezone(DEFAULT_TZ).date()


def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(text: str, gold: dict[str, Any]) -> tuple[int, int, int, int]:
    """tp, fn, fp, tn of one page, as trafilatura's eval_common.py counts them."""
    out = _norm(text)
    found = [bool(out) and _norm(s) in out for s in gold.get("with") or []]
    leaked = [bool(out) and _norm(s) in out for s in gold.get("without") or []]
    return sum(found), len(found) - sum(found), sum(leaked), len(leaked) - sum(leaked)


def shingle_f1(text: str, expected: str) -> float:
    """F1 of word 4-gram shingles (multisets); two empty texts agree."""
    a, b = _shingles(text), _shingles(expected)
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    size = min(_SHINGLE, len(words))
    return (
        Counter(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
        if words
        else Counter()
    )


def report_snippets(results: list[PageResult], gold: dict[str, Any], worst: int) -> None:
    totals = {"Warta": [0, 0, 0, 0], "trafilatura": [0, 0, 0, 0]}
    losses = []
    for r in results:
        w = snippet_counts(r.warta_text, gold[r.name])
        t = snippet_counts(r.anchor_text, gold[r.name])
        for key, counts in (("Warta", w), ("trafilatura", t)):
            totals[key] = [a + b for a, b in zip(totals[key], counts, strict=True)]
        losses.append(((w[0] - w[2]) - (t[0] - t[2]), r, w, t))
    print(f"{'tool':<12} {'precision':>9} {'recall':>7} {'F1':>7} {'accuracy':>8}  tp/fn/fp/tn")
    for key, (tp, fn, fp, tn) in totals.items():
        p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
        f1, acc = 2 * tp / max(1, 2 * tp + fp + fn), (tp + tn) / max(1, tp + fn + fp + tn)
        print(f"{key:<12} {p:>9.4f} {rc:>7.4f} {f1:>7.4f} {acc:>8.4f}  {tp}/{fn}/{fp}/{tn}")
    print("pages where Warta loses most (snippets found minus boilerplate leaked, vs trafilatura):")
    for delta, r, w, t in sorted(losses, key=lambda x: x[0])[:worst]:
        if delta >= 0:
            break
        missed = [s for s in gold[r.name].get("with") or [] if _norm(s) not in _norm(r.warta_text)]
        leaked = [s for s in gold[r.name].get("without") or [] if _norm(s) in _norm(r.warta_text)]
        print(
            f"  {delta:+d} {r.name} [{r.warta_method}] tp/fp Warta {w[0]}/{w[2]}, trafilatura"
            f" {t[0]}/{t[2]}; missed {_short(missed)} leaked {_short(leaked)}"
        )


def report_shingles(results: list[PageResult], gold: dict[str, Any], worst: int) -> None:
    rows = [
        (
            shingle_f1(r.warta_text, gold[r.name]["text"]),
            shingle_f1(r.anchor_text, gold[r.name]["text"]),
            r,
        )
        for r in results
    ]
    n = max(1, len(rows))
    print(f"{'tool':<12} {'4-gram F1 (mean over ' + str(len(rows)) + ' pages)':>38}")
    print(f"{'Warta':<12} {sum(w for w, _, _ in rows) / n:>38.4f}")
    print(f"{'trafilatura':<12} {sum(t for _, t, _ in rows) / n:>38.4f}")
    print("pages where Warta loses most (F1 Warta vs trafilatura):")
    for w, t, r in sorted(rows, key=lambda x: x[0] - x[1])[:worst]:
        if w >= t:
            break
        print(f"  {w - t:+.3f} {r.name} [{r.warta_method}] {w:.3f} vs {t:.3f}")


def report_dates(results: list[PageResult], gold: dict[str, Any], worst: int) -> None:
    n = max(1, len(results))
    print(
        f"{'tool':<12} {'precision':>9} {'recall':>7} {'accuracy':>8} {'F-score':>7}  right/wrong/none"
    )
    for key in ("Warta", "htmldate"):
        tp = fp = fn = 0
        for r in results:
            day = r.warta_day if key == "Warta" else r.anchor_day
            if day is None:
                fn += 1
            elif day.isoformat() == gold[r.name]["date"]:
                tp += 1
            else:
                fp += 1
        p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
        f = 2 * tp / max(1, 2 * tp + fp + fn)
        print(f"{key:<12} {p:>9.4f} {rc:>7.4f} {tp / n:>8.4f} {f:>7.4f}  {tp}/{fp}/{fn}")
    print("pages Warta dates wrongly and htmldate rightly:")
    shown = 0
    for r in results:
        want = gold[r.name]["date"]
        if (
            shown < worst
            and r.anchor_day
            and r.anchor_day.isoformat() == want
            and (r.warta_day is None or r.warta_day.isoformat() != want)
        ):
            print(f"  {r.name}: want {want}, Warta {r.warta_day} ({r.warta_date_source})")
            shown += 1


def _short(snippets: list[str]) -> str:
    return (
        "["
        + "; ".join(repr(s[:40]) for s in snippets[:2])
        + ("; ..." if len(snippets) > 2 else "")
        + "]"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus_dir", nargs="?", help="folder holding the corpora")
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each corpus")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--worst", type=int, default=10, help="losing pages listed per corpus")
    parser.add_argument(
        "--only", choices=CORPORA, action="append", help="corpus to run (repeatable)"
    )
    args = parser.parse_args()
    corpus_dir = find_corpora(args.corpus_dir)
    if corpus_dir is None:
        print("quality: no corpus folder (pass CORPUS_DIR; none at ../shared/corpora): skipped")
        return 0
    if not corpus_dir.is_dir():
        print(f"quality: {corpus_dir} is not a folder", file=sys.stderr)
        return 2
    corpora = [c for c in (args.only or CORPORA) if (corpus_dir / c / "gold.json").is_file()]
    golds = {
        c: json.loads((corpus_dir / c / "gold.json").read_text(encoding="utf-8")) for c in corpora
    }
    jobs = [(corpus_dir, c, n, g) for c in corpora for c, n, g in load(corpus_dir, c, args.limit)]
    started = time.perf_counter()
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            results = list(pool.imap(measure, jobs, chunksize=8))
    else:
        results = [measure(job) for job in jobs]
    wall = time.perf_counter() - started
    print(
        f"corpora: {corpus_dir}  (fetched_at {FETCHED_AT:%Y-%m-%d}, {args.jobs} job(s), {wall:.0f} s)"
    )
    for corpus in corpora:
        mine = [r for r in results if r.corpus == corpus]
        methods = Counter(r.warta_method or "error" for r in mine)
        print(f"\n== {corpus}: {len(mine)} pages; Warta body by {dict(methods)}")
        if corpus == "trafilatura-eval":
            report_snippets(mine, golds[corpus], args.worst)
        elif corpus == "newspaper4k":
            report_shingles(mine, golds[corpus], args.worst)
        else:
            report_dates(mine, golds[corpus], args.worst)
        _speed(mine, "htmldate" if corpus == "htmldate-eval" else "trafilatura")
    text_pages = [r for r in results if r.corpus != "htmldate-eval"]
    if text_pages:
        print("\n== speed on all text-corpus pages")
        _speed(text_pages, "trafilatura")
    return 0


def _speed(results: list[PageResult], anchor: str) -> None:
    warta = sum(r.warta_seconds for r in results)
    other = sum(r.anchor_seconds for r in results)
    n = len(results)
    print(
        f"speed: Warta {n / max(warta, 1e-9):.1f} pages/s, {anchor} {n / max(other, 1e-9):.1f}"
        f" pages/s; Warta is {other / max(warta, 1e-9):.2f}x {anchor}"
    )


if __name__ == "__main__":
    sys.exit(main())
