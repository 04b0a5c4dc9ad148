"""`warta sources add|check|snapshot|show`: onboard a newsroom, verify entries, save samples, show one.

`show` prints the entry, its health, the latest verification report and the learned template.

`add` needs no database: it probes the site and prints the proposed entry. `check` records its
verdict in the database (source_checks), where `warta sources`, the API and the index read it.
Every request goes through the one Fetcher of the process (robots.txt, User-Agent, limits).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from config.catalogue import load_catalogue
from config.lexicon import catalogue_lexicon
from config.settings import Settings
from ingestor import store
from ingestor.classify import Gazetteer
from ingestor.fetch import Fetcher, make_session
from ingestor.onboard import (
    SurveyOptions,
    entry_fields,
    entry_toml,
    fetch_sample,
    judge_sample,
    survey_site,
)
from ingestor.sources import Source, load_layouts
from warta.onboard_report import gate_lines, survey_report
from warta.output import print_json
from warta.runtime import database, prepare_database
from warta.sources_args import SAMPLE_SIZE, add_subcommands
from warta.template_report import template_lines, template_section

__all__ = ["SAMPLE_SIZE", "add_source", "add_subcommands", "check_sources", "show_source"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _now() -> datetime:
    return datetime.now(UTC)


@asynccontextmanager
async def _fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    """The command's one ClientSession, opened and closed here."""
    session = make_session(settings)
    try:
        yield Fetcher(settings, session)
    finally:
        await session.close()


def _usage(message: str) -> int:
    print(f"warta: {message}", file=sys.stderr)
    return EXIT_USAGE


async def add_source(settings: Settings, args: argparse.Namespace) -> int:
    """`warta sources add URL`: report on stderr, the proposed entry on stdout or --out."""
    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _usage(f"sources add: not an http(s) URL: {args.url!r}")
    if not 1 <= args.sample <= 20:
        return _usage("sources add: --sample must be between 1 and 20")
    catalogue = load_catalogue(settings.catalogue)
    zones = {p.slug: p.timezone for p in catalogue.provinces}
    if args.province is not None and args.province not in zones:
        return _usage(f"sources add: --province: unknown province {args.province!r}")
    layouts = load_layouts(_layouts_path(settings))
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        # Probing asks for paths that may not exist (/feed, /sitemap_index.xml): their 404s
        # are findings for the report, not log lines.
        logging.getLogger("ingestor.fetch.fetcher").setLevel(logging.WARNING)
    options = SurveyOptions(
        allow_private_network=args.allow_private_network, sample_size=args.sample,
        source_id=args.new_id, name=args.name, province=args.province, timezone=args.timezone,
    )  # fmt: skip
    async with _fetcher(settings) as fetcher:
        result = await survey_site(
            fetcher, args.url, options, layouts=layouts,
            gazetteer=Gazetteer.from_catalogue(catalogue, catalogue_lexicon(settings.catalogue)), zones=zones, clock=_now,
        )  # fmt: skip
    print(survey_report(result), file=sys.stderr)
    if result.fields is None:
        return EXIT_FAILURE
    comments = [
        f"Proposed by `warta sources add {args.url}` on {_now():%Y-%m-%d}.",
        f"Quality gates on {len(result.records)} sampled articles: "
        + (result.report.summary() if result.report else "none"),
    ]
    text = entry_toml(result.fields, comments)
    if args.out is not None:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            return _usage(f"sources add: --out {args.out}: {exc.strerror}")
        print(f"entry written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK if result.report is not None and result.report.passed else EXIT_FAILURE


def _layouts_path(settings: Settings) -> Path:
    seeds = settings.seeds
    folder = seeds if seeds.is_dir() else seeds.parent
    return folder / "layouts.toml"


async def check_sources(settings: Settings, sources: Sequence[Source], ids: Sequence[str]) -> int:
    """`warta sources check`: sample each source, gate it, store and print the verdict."""
    chosen = [s for s in sources if s.id in ids] if ids else [s for s in sources if s.enabled]
    failed = 0
    async with database(settings) as pool:
        await prepare_database(pool)
        await store.sync_sources(pool, sources)
        async with _fetcher(settings) as fetcher:
            for source in chosen:
                sample = await fetch_sample(fetcher, source, size=SAMPLE_SIZE, clock=_now)
                report = judge_sample(
                    sample.records, has_rules=source.rules is not None, now=_now()
                )
                data = report.to_json()
                data["problems"] = sample.problems
                data["candidates"] = len(sample.candidates)
                summary = report.summary() if sample.records else "failed: no article found"
                failed_gates = list(report.failed_gates) or ([] if report.passed else ["discovery"])
                await store.record_check(
                    pool, source.id, passed=report.passed, failed_gates=failed_gates,
                    summary=summary, report=data,
                )  # fmt: skip
                failed += not report.passed
                print(f"{source.id}: {'verified' if report.passed else 'FAILED'}: {summary}")
                if not report.passed:
                    for line in sample.problems[:5]:
                        print(f"  {line}")
                    for line in gate_lines(report, sample.records):
                        print(line)
    return EXIT_FAILURE if failed else EXIT_OK


async def show_source(
    settings: Settings, sources: Sequence[Source], source: Source, as_json: bool
) -> int:
    """`warta sources show ID`: the entry, health and the latest verification report."""
    async with database(settings) as pool:
        await prepare_database(pool)
        await store.sync_sources(pool, sources)
        row = await pool.fetchrow(
            "SELECT enabled, health, disabled_reason, last_run_at, last_success_at,"
            " last_error_kind, last_error_message, consecutive_failures, articles_last_run,"
            " next_run_at, (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS articles"
            " FROM sources s WHERE id = $1",
            source.id,
        )
        verification = (await store.verifications(pool)).get(source.id)
        template = await template_section(pool, source.id)
    health = dict(row) if row is not None else {}
    check = {
        "state": verification.state if verification else "unverified",
        "checked_at": verification.checked_at if verification else None,
        "failed_gates": list(verification.failed_gates) if verification else [],
        "summary": verification.summary if verification else None,
        "report": verification.report if verification else None,
    }
    if as_json:
        print_json(
            {
                "id": source.id,
                "entry": entry_fields(source),
                "health": health,
                "verification": check,
                "template": template,
            }
        )
        return EXIT_OK
    out = sys.stdout
    out.write(entry_toml(entry_fields(source)))
    out.write("\nHealth:\n")
    for key, value in health.items():
        out.write(f"  {key}: {value if value is not None else '-'}\n")
    when = f" on {check['checked_at']:%Y-%m-%d %H:%M} UTC" if check["checked_at"] else ""
    out.write(f"\nVerification: {check['state']}{when}\n")
    if check["summary"]:
        out.write(f"  {check['summary']}\n")
    report = verification.report if verification and verification.report else {}
    for page in report.get("pages", []):
        mark = "ok  " if not page.get("failures") and not page.get("error") else "FAIL"
        out.write(f"  {mark} {page['url']}\n")
        for gate, detail in (page.get("failures") or {}).items():
            out.write(f"       gate {gate} failed: {detail}\n")
        if page.get("error"):
            out.write(f"       error: {page['error']}\n")
    out.write("\n" + "\n".join(template_lines(template)) + "\n")
    return EXIT_OK


def find_source(sources: Sequence[Source], source_id: str) -> Source | None:
    return next((s for s in sources if s.id == source_id), None)


async def run_sources_action(
    settings: Settings, args: argparse.Namespace, load: Callable[[], list[Source]]
) -> int:
    """Dispatch add, check, snapshot and show (enable/disable stay with the service)."""
    if args.action == "add":
        return await add_source(settings, args)
    sources = load()
    if args.action == "check":
        if bool(args.all) == bool(args.source_ids):
            return _usage("sources check: give source IDs or --all (not both)")
        unknown = sorted(set(args.source_ids) - {s.id for s in sources})
        if unknown:
            return _usage(f"sources check: unknown source id(s) {unknown}")
        return await check_sources(settings, sources, args.source_ids)
    source = find_source(sources, args.source_id)
    if source is None:
        return _usage(f"sources {args.action}: unknown source {args.source_id!r}")
    if args.action == "snapshot":
        from warta.snapshot import take_snapshot

        if not 1 <= args.sample <= 50:
            return _usage("sources snapshot: --sample must be between 1 and 50")
        async with _fetcher(settings) as fetcher:
            return await take_snapshot(fetcher, source, args.to, size=args.sample, clock=_now)
    return await show_source(settings, sources, source, args.json)
