"""Serve the simulated site until interrupted: `python -m warta.simsite [bureau ...]`."""

from __future__ import annotations

import asyncio
import contextlib
import sys

from warta.simsite.site import SimSite


async def _serve(bureaus: tuple[str, ...]) -> None:
    site = SimSite(bureaus=bureaus)
    await site.start()
    try:
        for slug in site.bureaus:
            base = site.base_url(slug)
            print(f"{slug:7} {base}/  {base}/terkini  {base}/rss/terkini.xml", flush=True)
        await asyncio.Event().wait()
    finally:
        await site.stop()


def main() -> None:
    """Entry point."""
    bureaus = tuple(sys.argv[1:]) or ("kalsel", "kaltim", "jatim", "www")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(bureaus))


if __name__ == "__main__":
    main()
