"""A bare newsroom on loopback for scheduling tests: feeds and article pages, some held or slowed.

`/feed/{name}.xml` is an RSS feed listing `articles` pages `/berita/{name}/{n}`; a feed or
page can be held until the test lets it go (`hold`/`let_go`), or delayed (`delay`). The server
records, per request, when it arrived and when it was answered (monotonic clock), so tests can
prove from the server's side how requests overlapped and were spaced.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

__all__ = ["Newsroom", "Request", "write_seeds"]

_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<title>{title}</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-12-04T08:00:00+07:00"></head>
<body><article><h1>{title}</h1>
<p>Banjarmasin (ANTARA) - {title} dilaporkan pada pagi ini oleh warga setempat.</p>
<p>Pemerintah daerah menyatakan bahwa persiapan telah dilakukan sejak pekan lalu dengan
melibatkan banyak pihak, termasuk relawan dan petugas dari dinas terkait.</p>
<p>Kegiatan ini diharapkan berlangsung lancar hingga akhir bulan, kata seorang pejabat.</p>
</article></body></html>"""


@dataclass
class Request:
    path: str
    at: float
    done: float | None = None


@dataclass
class Newsroom:
    """One origin serving any number of feeds; `articles` pages per feed."""

    articles: int = 0
    delay: float = 0.0  # seconds before answering an article page
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    _holds: dict[str, asyncio.Event] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    async def __aenter__(self) -> Newsroom:
        app = web.Application()
        app.router.add_get("/feed/{name}.xml", self._feed)
        app.router.add_get("/berita/{name}/{n}", self._page)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     handler_cancellation=True)  # fmt: skip
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.let_go()
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hold(self, path: str) -> None:
        """Answer `path` only after `let_go`."""
        self._holds[path] = asyncio.Event()

    def let_go(self) -> None:
        for event in self._holds.values():
            event.set()

    def seen(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    async def _answer(self, request: web.Request, body: str, ctype: str) -> web.Response:
        seen = Request(request.path, time.monotonic())
        self.requests.append(seen)
        try:
            if (held := self._holds.get(request.path)) is not None:
                await held.wait()
            if self.delay and request.path.startswith("/berita/"):
                await asyncio.sleep(self.delay)
            return web.Response(text=body, content_type=ctype, charset="utf-8")
        finally:
            seen.done = time.monotonic()

    async def _feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        items = "".join(
            f"<item><title>Berita {name} {n}</title><link>{self.base}/berita/{name}/{n}</link>"
            f"<pubDate>Fri, 04 Dec 2026 01:0{n % 10}:00 GMT</pubDate></item>"
            for n in range(1, self.articles + 1)
        )
        rss = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title><link>{self.base}/</link><description>{name}</description>"
            f"{items}</channel></rss>"
        )
        return await self._answer(request, rss, "application/rss+xml")

    async def _page(self, request: web.Request) -> web.Response:
        title = f"Berita {request.match_info['name']} nomor {request.match_info['n']}"
        return await self._answer(request, _PAGE.format(title=title), "text/html")


def write_seeds(folder: Path, entries: Iterable[tuple[str, str]]) -> Path:
    """A seeds folder with one source per (id, base URL), each reading `/feed/{id}.xml`."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "[defaults]",
        'lang = "id"',
        'timezone = "WIB"',
        "article_pattern = '^/berita/'",
        "poll_min = 3600",
        "poll_max = 7200",
        "allow_private_network = true",
        "",
    ]
    for source_id, base in entries:
        lines += [
            "[[source]]",
            f'id = "{source_id}"',
            f'name = "{source_id}"',
            f'base_url = "{base}"',
            f'rss = ["/feed/{source_id}.xml"]',
            "",
        ]
    (folder / "newsroom.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder
