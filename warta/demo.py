"""`warta demo`: the whole service offline, fed by the simulated regional site on loopback."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from config.catalogue import load_catalogue
from config.settings import Settings, shipped_seeds
from ingestor.sources import load_sources

if TYPE_CHECKING:
    from warta.simsite import SimSite

__all__ = ["run_demo", "simsite_seeds", "write_simsite_seeds"]

DEMO_BUREAUS = ("kalsel", "kaltim", "jatim", "www")


def simsite_seeds(site: SimSite, *, poll_min: int = 60, poll_max: int = 600) -> str:
    """A seeds file (TOML) for the running simulated site: one source per bureau."""
    lines = [
        "# Generated for the simulated regional site on loopback; not a real catalogue.",
        "[defaults]",
        'layout = "antara"',
        'lang = "id"',
        "article_pattern = '^/berita/\\d+/[^/?#]+'",
        'rss = ["/rss/terkini.xml"]',
        'listings = [{ url = "/terkini", page_url = "/terkini/{page}", max_pages = 5,'
        ' link_selector = ".card__post__content h2 a" }]',
        f"poll_min = {poll_min}",
        f"poll_max = {poll_max}",
        "allow_private_network = true",
        "verified = true",
        "",
    ]
    for slug in site.bureaus:
        bureau = site.bureau(slug)
        lines += [
            "[[source]]",
            f'id = "sim-{slug}"',
            f'name = "{bureau.name}"',
            f'base_url = "{site.base_url(slug)}"',
            f'timezone = "{bureau.tz_name}"',
        ]
        if bureau.province_slug:
            lines.append(f'province = "{bureau.province_slug}"')
        lines.append("")
    return "\n".join(lines)


def write_simsite_seeds(site: SimSite, folder: Path, **kwargs: int) -> Path:
    """Write the generated seeds plus the shipped layouts into `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(shipped_seeds() / "layouts.toml", folder / "layouts.toml")
    (folder / "simsite.toml").write_text(simsite_seeds(site, **kwargs), encoding="utf-8")
    return folder


async def run_demo(settings: Settings) -> int:
    """Start the simulated site, point a private catalogue at it and run the service."""
    from warta import service
    from warta.runtime import check_port
    from warta.simsite import SimSite

    check_port(settings)  # before anything starts or is printed
    site = SimSite(bureaus=DEMO_BUREAUS)
    await site.start()
    try:
        demo_dir = settings.data_dir / "demo"
        seeds = write_simsite_seeds(site, demo_dir / "seeds")
        # The simulated bureaus are Indonesian: the shipped catalogue, whatever WARTA_CATALOGUE says.
        demo = replace(
            settings,
            data_dir=demo_dir,
            seeds=seeds,
            catalogue=None,
            min_host_spacing=0.0,
            tick_seconds=10.0,
        )
        provinces = {p.slug for p in load_catalogue().provinces}
        sources = load_sources(seeds, provinces=provinces)
        base = demo.base_url
        print(
            "Warta demo: simulated bureaus at " + ", ".join(site.base_url(b) for b in site.bureaus)
        )
        print("Feeds (filled within a few seconds):")
        for path in ("all.atom", "kalsel.rss", "kaltim.atom", "jatim.json"):
            print(f"  {base}/feeds/{path}")
        print("Stop with Ctrl-C.", flush=True)
        return await service.run(demo, sources, serve=True, ingest=True)
    finally:
        await site.stop()
