"""The arguments of `warta sources` and its sub-commands, apart from their heavy implementation.

`warta --help` and `warta extract` build the whole parser; the probing stack behind these
sub-commands (fetcher, onboarding, extraction) loads only when one of them runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from config.zones import ZoneError, default_zones

__all__ = ["SAMPLE_SIZE", "add_subcommands"]

SAMPLE_SIZE = 5  # articles `add` samples and `snapshot` saves unless told otherwise


def _zone(spec: str) -> str:
    """A zone spec the catalogue will accept, kept as written (bad usage otherwise: exit 2)."""
    try:
        default_zones().resolve(spec)
    except ZoneError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return spec


def add_subcommands(sources: argparse.ArgumentParser) -> None:
    """The `warta sources` sub-commands beside the plain listing and enable/disable."""
    sub = sources.add_subparsers(dest="action", metavar="ACTION")
    for name, text in (("enable", "switch a source on"), ("disable", "switch a source off")):
        p = sub.add_parser(name, help=text)
        p.add_argument("source_id", metavar="ID", help="the source's id in the catalogue")
    show = sub.add_parser("show", help="one source: its entry, health and verification report")
    show.add_argument("source_id", metavar="ID", help="the source's id in the catalogue")
    show.add_argument("--json", action="store_true", help="JSON instead of text")
    add = sub.add_parser("add", help="probe a newsroom from its home page and propose an entry")
    add.add_argument("url", metavar="URL", help="the newsroom's home page")
    add.add_argument("--out", type=Path, metavar="FILE", help="write the entry here, not stdout")
    add.add_argument(
        "--allow-private-network",
        action="store_true",
        help="allow probing loopback and private addresses (tests, intranets); the entry says so",
    )
    add.add_argument(
        "--id", dest="new_id", metavar="ID", help="the entry's id (default: from host)"
    )
    add.add_argument("--name", help="the entry's name (default: the site's own)")
    add.add_argument("--province", metavar="SLUG", help="override the proposed province")
    add.add_argument(
        "--timezone",
        type=_zone,
        metavar="ZONE",
        help="override the proposed time zone: a label of config/zones.toml (WIB), an IANA"
        " name (Europe/Berlin), UTC or +07:00",
    )
    add.add_argument(
        "--sample", type=int, default=SAMPLE_SIZE, metavar="N", help="articles to sample (1-20)"
    )
    check = sub.add_parser("check", help="verify sources against their live sites")
    check.add_argument("source_ids", nargs="*", metavar="ID", help="sources to check")
    check.add_argument("--all", action="store_true", help="check every enabled source")
    snap = sub.add_parser("snapshot", help="save a live sample as regression fixtures")
    snap.add_argument("source_id", metavar="ID", help="the source's id in the catalogue")
    snap.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder to write")
    snap.add_argument(
        "--sample", type=int, default=SAMPLE_SIZE, metavar="N", help="article pages to save"
    )
