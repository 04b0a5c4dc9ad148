"""The `warta` command line: parse arguments, load settings once, dispatch; exit 0, 1 or 2."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from config import __version__
from config.catalogue import CatalogueError
from config.settings import Settings, SettingsError, load_settings
from warta.logs import configure_logging
from warta.output import EXIT_FAILURE, EXIT_USAGE, CommandFailed, UsageError
from warta.sources_args import add_subcommands

__all__ = ["COMMANDS", "build_parser", "main"]

log = logging.getLogger("warta")

# A command: its parsed arguments and the settings in, an exit code out. Heavy imports happen
# inside each one, so `warta extract` and `warta --help` do not pay for the server stack.
Command = Callable[[argparse.Namespace, Settings], int]


def _http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from warta import service
    from warta.runtime import catalogue_sources, run_command

    sources = catalogue_sources(settings)
    main = service.run(settings, sources, serve=True, ingest=args.command == "run")
    return run_command(main, service=True)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from warta import service
    from warta.runtime import catalogue_sources, run_command

    sources = catalogue_sources(settings)
    unknown = set(args.source) - {s.id for s in sources}
    if unknown:
        raise UsageError(f"ingest --source: unknown source id(s) {sorted(unknown)}")
    if args.once:
        return run_command(service.ingest_once(settings, sources, args.source), service=False)
    return run_command(service.run(settings, sources, serve=False, ingest=True), service=True)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from warta import service
    from warta.runtime import run_command

    return run_command(service.migrate_only(settings), service=False)


def _sources(args: argparse.Namespace, settings: Settings) -> int:
    from warta import service
    from warta.runtime import catalogue_sources, run_command
    from warta.sources_cmd import run_sources_action

    if args.action in ("enable", "disable"):
        enable = args.action == "enable"
        return run_command(service.set_enabled(settings, args.source_id, enable), service=False)
    if args.action:
        action = run_sources_action(settings, args, lambda: catalogue_sources(settings))
        return run_command(action, service=False)
    sources = catalogue_sources(settings)
    return run_command(service.show_sources(settings, sources, args.json), service=False)


def _extract(args: argparse.Namespace, settings: Settings) -> int:
    from warta.extract_cmd import extract_files

    return extract_files(settings, args.files, url=args.url, source_id=args.source)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from warta.demo import run_demo
    from warta.runtime import run_command

    return run_command(run_demo(settings), service=True)


COMMANDS: dict[str, Command] = {
    "run": _run,
    "serve": _run,
    "ingest": _ingest,
    "migrate": _migrate,
    "sources": _sources,
    "extract": _extract,
    "demo": _demo,
}


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and option, each with a help line (a test walks them all)."""
    parser = argparse.ArgumentParser(prog="warta", description="Regional news ingestion and feeds.")
    parser.add_argument("--version", action="version", version=f"warta {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="migrate, then scheduler + workers + feed server in one process")
    sub.add_parser("serve", help="feed server only (stateless; run several behind a balancer)")
    ingest = sub.add_parser("ingest", help="ingestion workers only")
    ingest.add_argument("--once", action="store_true", help="one pass, then exit with a summary")
    ingest.add_argument("--source", action="append", default=[], metavar="ID",
                        help="only this source (repeat for several); default: all enabled")  # fmt: skip
    sub.add_parser("migrate", help="apply database migrations and exit")
    sources = sub.add_parser("sources", help="the source catalogue with health")
    sources.add_argument("--json", action="store_true", help="JSON source records, not a table")
    add_subcommands(sources)  # enable, disable, show, add, check, snapshot
    extract = sub.add_parser(
        "extract", help="saved pages to article records, JSON Lines (no database)"
    )
    extract.add_argument("files", nargs="+", type=Path, metavar="FILE",
                         help="saved HTML page(s); one JSON line each, with a `file` field")  # fmt: skip
    extract.add_argument("--url", type=_http_url,
                         help="the page's URL (default: its canonical link or og:url)")  # fmt: skip
    extract.add_argument("--source", metavar="ID",
                         help="read the pages as this catalogue source (default: by URL host)")  # fmt: skip
    sub.add_parser("demo", help="run offline against the bundled simulated regional site")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `warta` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"warta: bad configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)
    try:
        return COMMANDS[args.command](args, settings)
    except UsageError as exc:
        print(f"warta: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogueError as exc:  # a region, topic or lexicon file (WARTA_CATALOGUE's or ours)
        print(f"warta: WARTA_CATALOGUE: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandFailed as exc:
        print(f"warta {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:  # only outside the event loop, where Ctrl-C is not handled
        print(f"warta {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader went away (`warta extract … | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception:
        log.exception("warta %s failed", args.command)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
