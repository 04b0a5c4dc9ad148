"""SimSite: ANTARA-style bureaus served on loopback, one aiohttp server per bureau."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from random import Random
from typing import Any

from aiohttp import web

from warta.simsite.app import build_app
from warta.simsite.corpus import (
    generate,
    id_gap,
    image_path,
    load_corpus,
    slugify,
    variants,
)
from warta.simsite.faults import FaultTable
from warta.simsite.labels import BUREAUS, FAMILY_SITES, site_of
from warta.simsite.model import Bureau, RequestRecord, SimArticle, SiteVariant
from warta.simsite.shell import PageContext
from warta.simsite.xmlfeeds import default_robots

__all__ = ["SimSite"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _absolute(article: SimArticle, base: str) -> SimArticle:
    def fix(url: str) -> str:
        return f"{base}{url}" if url.startswith("/") else url

    return replace(
        article,
        url=fix(article.url),
        image_url=fix(article.image_url) if article.image_url else None,
        related=tuple((title, fix(url)) for title, url in article.related),
    )


def _newest_first(stories: Iterable[SimArticle]) -> list[SimArticle]:
    return sorted(stories, key=lambda a: (a.published_at, a.id), reverse=True)


class SimSite:
    """Simulated ANTARA regional bureaus (and the national desk) for tests and `warta demo`.

    Usage::

        site = SimSite(bureaus=("kalsel", "kaltim", "jatim", "www"), per_page=10)
        await site.start()
        url = site.base_url("kalsel") + "/rss/terkini.xml"
        ...
        await site.stop()

    `clock` returns the aware UTC "now" used for relative listing times and publish times; the
    corpus is laid out backwards from its value at construction.
    """

    def __init__(
        self,
        bureaus: Iterable[str] = ("kalsel", "kaltim", "jatim", "www"),
        per_page: int = 10,
        clock: Callable[[], datetime] | None = None,
        *,
        seed: int = 0,
    ) -> None:
        self._slugs = tuple(bureaus)
        unknown = [b for b in self._slugs if b not in BUREAUS and b not in FAMILY_SITES]
        if unknown or not self._slugs:
            known = sorted([*BUREAUS, *FAMILY_SITES])
            raise ValueError(f"unknown bureaus {unknown}; known: {known}")
        if per_page < 1:
            raise ValueError("per_page must be at least 1")
        self.per_page = per_page
        self.clock: Callable[[], datetime] = clock or _utcnow
        # Whole seconds: feeds and JSON-LD print seconds, so instants must round-trip.
        self.started_at = self.clock().replace(microsecond=0)
        corpus = load_corpus(self.started_at)
        self._corpus = corpus
        self._bureaus: dict[str, Bureau] = {b: replace(site_of(b), seed=seed) for b in self._slugs}
        # A family site tells its ANTARA bureau's stories in its own template.
        self._src = {b: self._bureaus[b].stories_from or b for b in self._slugs}
        self._stories = {
            b: _newest_first(replace(a, bureau=b) for a in corpus.published[self._src[b]])
            for b in self._slugs
        }
        self._reserve = {b: list(corpus.reserve[self._src[b]]) for b in self._slugs}
        self._generated = 0
        self._rng = Random(seed)
        self._runners: dict[str, web.AppRunner] = {}
        self.requests: list[RequestRecord] = []
        self.robots_txt: dict[str, str] = {}
        # Per bureau: which kind of newsroom it plays (no feed, no listing, noai, redesign...).
        self.variants: dict[str, SiteVariant] = {}
        self.faults = FaultTable()
        self.stopping = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind every bureau to 127.0.0.1 on a free port and start serving."""
        if self._runners:
            raise RuntimeError("SimSite is already started")
        self.stopping = asyncio.Event()
        for slug in self._slugs:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            self._bureaus[slug] = replace(self._bureaus[slug], base_url=f"http://127.0.0.1:{port}")
            runner = web.AppRunner(
                build_app(self, slug),
                handler_cancellation=True,
                access_log=None,
                shutdown_timeout=1.0,
            )
            await runner.setup()
            await web.SockSite(runner, sock).start()
            self._runners[slug] = runner
        for slug in self._slugs:
            base = self._bureaus[slug].base_url
            self._stories[slug] = [_absolute(a, base) for a in self._stories[slug]]
            self.robots_txt.setdefault(slug, default_robots(base))

    async def stop(self) -> None:
        """Stop serving (stalled and slow responses are released first)."""
        self.stopping.set()
        runners, self._runners = self._runners, {}
        for runner in runners.values():
            await runner.cleanup()

    async def __aenter__(self) -> SimSite:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what is served ----------------------------------------------------------------------

    @property
    def bureaus(self) -> tuple[str, ...]:
        """The bureaus this site plays, in the order given."""
        return self._slugs

    def _require(self, bureau: str) -> None:
        if bureau not in self._bureaus:
            raise KeyError(f"bureau {bureau!r} is not served (serving {self._slugs})")
        if not self._runners:
            raise RuntimeError("call `await site.start()` first")

    def base_url(self, bureau: str) -> str:
        """'http://127.0.0.1:PORT' of a started bureau."""
        self._require(bureau)
        return self._bureaus[bureau].base_url

    def bureau(self, bureau: str) -> Bureau:
        """The bureau's description, with its base URL once started."""
        if bureau not in self._bureaus:
            raise KeyError(f"bureau {bureau!r} is not served (serving {self._slugs})")
        return self._bureaus[bureau]

    def articles(self, bureau: str) -> list[SimArticle]:
        """Published stories, newest first, with absolute URLs."""
        self._require(bureau)
        return list(self._stories[bureau])

    def article(self, bureau: str, article_id: int) -> SimArticle | None:
        """One published story by id."""
        self._require(bureau)
        return next((a for a in self._stories[bureau] if a.id == article_id), None)

    def context(self, bureau: str) -> PageContext:
        """What page rendering needs for this bureau right now."""
        raw: dict[str, Any] = self._corpus.raw[self._src[bureau]]
        network = {b: self._bureaus[b].base_url for b in self._slugs}
        return PageContext(
            bureau=self._bureaus[bureau],
            sections=dict(raw["sections"]),
            regions=tuple(raw.get("menu", {}).get("regions", ())),
            latest=self._stories[bureau],
            network=network,
        )

    # -- changing the site -------------------------------------------------------------------

    def publish(self, bureau: str, article: SimArticle | None = None) -> SimArticle:
        """Publish a story now (None: the next plausible one); returns it with id/url set."""
        self._require(bureau)
        if article is None:
            if self._reserve[bureau]:
                article = self._reserve[bureau].pop(0)
            else:
                self._generated += 1
                generator = self._corpus.generator[self._src[bureau]]
                article = generate(bureau, generator, self._generated, self._rng)
        stories = self._stories[bureau]
        top = max((a.id for a in stories), default=self._corpus.first_id[self._src[bureau]])
        key = article.key or slugify(article.title) or f"story-{top}"
        new_id = top + id_gap(key)
        when = self.clock().replace(microsecond=0)
        slug = article.slug or slugify(article.title) or "berita"
        default_place = self._corpus.raw[self._src[bureau]].get("default_dateline", "Jakarta")
        draft = replace(
            article,
            bureau=bureau,
            key=key,
            id=new_id,
            slug=slug,
            url=f"/berita/{new_id}/{slug}",
            published_at=when,
            dateline_place=article.dateline_place or default_place,
            province=article.province
            or (None if article.key else self._bureaus[bureau].province_slug),
        )
        if draft.paragraphs and not draft.paragraphs[0].startswith(draft.dateline):
            draft = replace(
                draft, paragraphs=(draft.dateline + draft.paragraphs[0], *draft.paragraphs[1:])
            )
        if not draft.authors:
            draft = replace(draft, authors=("Redaksi",), editor=draft.editor or "Redaksi")
        draft = replace(
            draft, image_url=image_path(draft.image_url or "antara-ilustrasi", when, bureau)
        )
        draft = variants(draft, len(stories), {})
        published = _absolute(draft, self._bureaus[bureau].base_url)
        self._stories[bureau] = _newest_first([published, *stories])
        return published

    def revise(self, bureau: str, article_id: int, **changes: Any) -> SimArticle:
        """Correct a published story in place (new title/paragraphs...), stamped modified now."""
        self._require(bureau)
        stories = self._stories[bureau]
        index = next((i for i, a in enumerate(stories) if a.id == article_id), None)
        if index is None:
            raise KeyError(f"{bureau} has no story {article_id}")
        revised = replace(
            stories[index], **changes, modified_at=self.clock().replace(microsecond=0)
        )
        self._stories[bureau] = [*stories[:index], revised, *stories[index + 1 :]]
        return revised

    def redesign(self, bureau: str, seed: int) -> None:
        """Give a family site new random class names, as a site redesign does."""
        self._require(bureau)
        self._bureaus[bureau] = replace(self._bureaus[bureau], seed=seed)

    def set_fault(self, bureau: str, path: str, kind: str, times: int | None = None) -> None:
        """Make requests for `path` (exact, or a prefix ending in '*') fail with `kind`."""
        if bureau not in self._bureaus:
            raise KeyError(f"bureau {bureau!r} is not served")
        self.faults.set(bureau, path, kind, times)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self.faults.clear()
