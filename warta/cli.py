"""The `warta` command line: parse arguments, load settings once, dispatch; exit 0, 1 or 2."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from config.catalogue import CatalogueError, load_catalogue
from config.settings import Settings, SettingsError, load_settings
from ingestor.sources import SeedError, Source, load_sources
from warta.logs import configure_logging
from warta.sources_cmd import add_subcommands

__all__ = ["main"]

log = logging.getLogger("warta")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or configuration: exit code 2 with a message naming the culprit."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warta", description="Regional news ingestion and feeds.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate, then scheduler + workers + feed server in one process")
    sub.add_parser("serve", help="feed server only")
    ingest = sub.add_parser("ingest", help="ingestion workers only")
    ingest.add_argument("--once", action="store_true", help="one pass, then exit with a summary")
    ingest.add_argument("--source", action="append", default=[], metavar="ID")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sources = sub.add_parser("sources", help="the source catalogue with health")
    sources.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_subcommands(sources)  # enable, disable, show, add, check, snapshot
    extract = sub.add_parser("extract", help="extract saved pages to article records (no database)")
    extract.add_argument("files", nargs="+", type=Path, metavar="FILE")
    extract.add_argument("--url")
    extract.add_argument("--source", metavar="ID")
    sub.add_parser("demo", help="run offline against the bundled simulated regional site")
    return parser


def load_catalogue_sources(settings: Settings) -> list[Source]:
    """The validated source catalogue; raises UsageError naming the file, entry and field."""
    try:
        provinces = {p.slug for p in load_catalogue().provinces}
        return load_sources(settings.seeds, provinces=provinces)
    except (SeedError, CatalogueError) as exc:
        raise UsageError(f"WARTA_SEEDS: {exc}") from None


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here so `warta extract` and `warta --help` do not pay for the server stack.
    from warta import service

    command = args.command
    if command == "extract":
        from warta.extract_cmd import extract_files

        return extract_files(settings, args.files, url=args.url, source_id=args.source)
    if command == "migrate":
        return asyncio.run(service.migrate_only(settings))
    if command == "sources":
        if args.action in ("enable", "disable"):
            return asyncio.run(
                service.set_enabled(settings, args.source_id, args.action == "enable")
            )
        if args.action:
            from warta.sources_cmd import run_sources_action

            return asyncio.run(
                run_sources_action(settings, args, lambda: load_catalogue_sources(settings))
            )
        return asyncio.run(
            service.show_sources(settings, load_catalogue_sources(settings), args.json)
        )
    if command == "demo":
        from warta.demo import run_demo

        return asyncio.run(run_demo(settings))
    sources = load_catalogue_sources(settings)
    if command == "ingest":
        unknown = set(args.source) - {s.id for s in sources}
        if unknown:
            raise UsageError(f"--source: unknown source id(s) {sorted(unknown)}")
        if args.once:
            return asyncio.run(service.ingest_once(settings, sources, args.source))
        return asyncio.run(service.run(settings, sources, serve=False, ingest=True))
    if command == "serve":
        return asyncio.run(service.run(settings, sources, serve=True, ingest=False))
    return asyncio.run(service.run(settings, sources, serve=True, ingest=True))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `warta` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"warta: bad configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)
    try:
        return _dispatch(args, settings)
    except UsageError as exc:
        print(f"warta: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception:
        log.exception("warta %s failed", args.command)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
