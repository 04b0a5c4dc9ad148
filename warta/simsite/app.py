"""The aiohttp application of one bureau: every route the simulated site answers."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Middleware

from warta.simsite.article_page import amp_page, article_page
from warta.simsite.conditional import conditional_response
from warta.simsite.families import family_page
from warta.simsite.faults import FaultTable, logging_middleware
from warta.simsite.listings import home_page, info_page, listing_page, not_found_page, page_count
from warta.simsite.model import REDESIGN, RequestRecord, SimArticle, SiteVariant
from warta.simsite.shell import INFO_PAGES, PageContext, tag_slug
from warta.simsite.xmlfeeds import news_sitemap, rss, sitemap_articles_gz, sitemap_index

__all__ = ["SiteView", "build_app"]

_PLAIN = SiteVariant()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTML = "text/html; charset=UTF-8"
_XML = "application/xml; charset=UTF-8"
# A 1x1 grey JPEG: every picture on the site (the real ones are photos on a CDN).
_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////////////"
    "//////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/a"
    "AAgBAQABPxA="
)


class SiteView(Protocol):
    """What a bureau's routes read of the whole site (SimSite provides it)."""

    per_page: int
    clock: Callable[[], datetime]
    started_at: datetime
    robots_txt: dict[str, str]
    variants: dict[str, SiteVariant]
    faults: FaultTable
    requests: list[RequestRecord]
    stopping: asyncio.Event

    def context(self, bureau: str) -> PageContext: ...
    def articles(self, bureau: str) -> list[SimArticle]: ...
    def article(self, bureau: str, article_id: int) -> SimArticle | None: ...


class _Routes:
    def __init__(self, site: SiteView, bureau: str) -> None:
        self.site = site
        self.bureau = bureau

    # -- helpers -----------------------------------------------------------------------------

    def ctx(self) -> PageContext:
        return self.site.context(self.bureau)

    def stories(self) -> list[SimArticle]:
        return self.site.articles(self.bureau)

    def not_found(self) -> web.Response:
        return web.Response(
            status=404, text=not_found_page(self.ctx()), content_type="text/html", charset="UTF-8"
        )

    def html(self, text: str) -> web.Response:
        return web.Response(text=text, content_type="text/html", charset="UTF-8")

    def _page_number(self, request: web.Request) -> int | None:
        raw = request.match_info.get("page") or request.query.get("page") or "1"
        return int(raw) if raw.isdigit() and int(raw) >= 1 else None

    def listing(
        self, request: web.Request, heading: str, base_path: str, items: list[SimArticle]
    ) -> web.Response:
        number = self._page_number(request)
        if number is None or number > page_count(len(items), self.site.per_page):
            return self.not_found()
        text = listing_page(
            self.ctx(), heading, base_path, items, number, self.site.per_page, self.site.clock()
        )
        return self.html(text)

    # -- pages -------------------------------------------------------------------------------

    async def home(self, request: web.Request) -> web.Response:
        return self.html(home_page(self.ctx(), self.site.clock()))

    def variant(self) -> SiteVariant:
        return self.site.variants.get(self.bureau, _PLAIN)

    async def terkini(self, request: web.Request) -> web.Response:
        if not self.variant().listings:
            return self.not_found()
        return self.listing(request, "Berita Terkini", "/terkini", self.stories())

    async def named(self, request: web.Request) -> web.Response:
        """/{kanal}[/{page}] listings and the static /{info} pages."""
        name = request.match_info["name"]
        ctx = self.ctx()
        if name in ctx.sections:
            if not self.variant().listings:
                return self.not_found()
            items = [a for a in self.stories() if a.section[0] == name]
            return self.listing(request, ctx.sections[name], f"/{name}", items)
        if name in INFO_PAGES and "page" not in request.match_info:
            return self.html(info_page(ctx, name, INFO_PAGES[name]))
        return self.not_found()

    async def tag(self, request: web.Request) -> web.Response:
        tag = request.match_info["tag"]
        if not self.variant().listings:
            return self.not_found()
        items = [a for a in self.stories() if tag in {tag_slug(t) for t in a.tags}]
        if not items:
            return self.not_found()
        return self.listing(request, f"Tag: {tag.replace('-', ' ')}", f"/tag/{tag}", items)

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "").strip().lower()
        items = [a for a in self.stories() if query and query in a.title.lower()]
        number = self._page_number(request) or 1
        text = listing_page(
            self.ctx(),
            f"Hasil pencarian: {query}",
            "/search",
            items,
            number,
            self.site.per_page,
            self.site.clock(),
        )
        return self.html(text)

    def _find(self, request: web.Request) -> SimArticle | None:
        return self.site.article(self.bureau, int(request.match_info["id"]))

    async def article(self, request: web.Request) -> web.Response:
        # A wrong slug still serves the story (as ANTARA does); rel=canonical has the real one.
        story = self._find(request)
        if story is None:
            return self.not_found()
        others = [a for a in self.stories() if a.id != story.id]
        # "Berita Terkait": same kanal first, topped up with the latest stories.
        same = [a for a in others if a.section == story.section]
        related = (same + [a for a in others if a.section != story.section])[:5]
        ctx = self.ctx()
        render = article_page if ctx.bureau.family == "antara" else family_page
        text = render(story, ctx, related)
        if self.variant().redesign:
            for old, new in REDESIGN:
                text = text.replace(old, new)
        return conditional_response(request, text.encode(), _HTML, story.updated_at)

    async def article_short(self, request: web.Request) -> web.StreamResponse:
        story = self._find(request)
        if story is None:
            return self.not_found()
        raise web.HTTPMovedPermanently(story.url)

    async def amp(self, request: web.Request) -> web.Response:
        story = self._find(request)
        if story is None:
            return self.not_found()
        body = amp_page(story, self.ctx()).encode()
        return conditional_response(request, body, _HTML, story.updated_at)

    # -- machine-readable ----------------------------------------------------------------------

    async def feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        ctx = self.ctx()
        items = self.stories()
        if not self.variant().rss:
            return self.not_found()
        if name == "terkini":
            channel, link = "Berita Terkini", "/terkini"
        elif name in ctx.sections:
            channel, link = ctx.sections[name], f"/{name}"
            items = [a for a in items if a.section[0] == name]
        else:
            return self.not_found()
        body = rss(ctx, channel, link, items)
        newest = items[0].published_at if items else self.site.started_at
        return conditional_response(request, body, "application/rss+xml; charset=UTF-8", newest)

    async def sitemap(self, request: web.Request) -> web.Response:
        if not self.variant().sitemaps:
            return self.not_found()
        items = self.stories()
        body = sitemap_index(self.ctx(), items)
        return conditional_response(request, body, _XML, self._last_change(items))

    async def sitemap_news(self, request: web.Request) -> web.Response:
        if not self.variant().sitemaps:
            return self.not_found()
        items = self.stories()
        body = news_sitemap(self.ctx(), items, self.site.clock())
        return conditional_response(request, body, _XML, self._last_change(items))

    async def sitemap_gz(self, request: web.Request) -> web.Response:
        if not self.variant().sitemaps:
            return self.not_found()
        items = self.stories()
        body = sitemap_articles_gz(self.ctx(), items)
        return conditional_response(request, body, "application/x-gzip", self._last_change(items))

    def _last_change(self, items: list[SimArticle]) -> datetime:
        return max((a.updated_at for a in items), default=self.site.started_at)

    async def robots(self, request: web.Request) -> web.Response:
        return web.Response(text=self.site.robots_txt[self.bureau], content_type="text/plain")

    async def image(self, request: web.Request) -> web.Response:
        return web.Response(body=_JPEG, content_type="image/jpeg")

    async def asset(self, request: web.Request) -> web.Response:
        tail = request.match_info["tail"]
        kinds = {".css": "text/css", ".js": "application/javascript", ".png": "image/png"}
        kind = next((v for k, v in kinds.items() if tail.endswith(k)), "application/octet-stream")
        return web.Response(body=b"", content_type=kind)


def _signals(routes: _Routes) -> Middleware:
    """Reuse directives on every response of a `noai` bureau, as publishers send them."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if routes.variant().noai:
            response.headers["X-Robots-Tag"] = "noai, noimageai"
        return response

    return middleware


def build_app(site: SiteView, bureau: str) -> web.Application:
    """The application serving one bureau of `site`."""
    routes = _Routes(site, bureau)
    app = web.Application(
        middlewares=[
            logging_middleware(
                bureau,
                site.faults,
                site.requests,
                site.clock,
                site.stopping,
                lambda: not_found_page(routes.ctx()),
            ),
            _signals(routes),
        ]
    )
    r = app.router
    r.add_get("/", routes.home)
    r.add_get("/robots.txt", routes.robots)
    r.add_get("/sitemap.xml", routes.sitemap)
    r.add_get("/sitemap-news.xml", routes.sitemap_news)
    r.add_get("/sitemap-articles.xml.gz", routes.sitemap_gz)
    r.add_get("/rss/{name}.xml", routes.feed)
    r.add_get("/terkini", routes.terkini)
    r.add_get(r"/terkini/{page:\d+}", routes.terkini)
    r.add_get(r"/berita/{id:\d+}", routes.article_short)
    r.add_get(r"/berita/{id:\d+}/{slug}", routes.article)
    r.add_get(r"/amp/berita/{id:\d+}/{slug}", routes.amp)
    r.add_get("/search", routes.search)
    r.add_get(r"/tag/{tag}", routes.tag)
    r.add_get(r"/tag/{tag}/{page:\d+}", routes.tag)
    r.add_get(r"/cache/{size}/{y}/{m}/{d}/{file}", routes.image)
    r.add_get(r"/assets/{tail:.+}", routes.asset)
    r.add_get(r"/{name:[a-z0-9-]+}", routes.named)
    r.add_get(r"/{name:[a-z0-9-]+}/{page:\d+}", routes.named)
    return app
