"""A served Warta with content for the HTTP proofs: the simulated site ingested, hostile articles
stored through the write side, and a real `warta serve` process in front of the database."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from config.settings import Settings
from database.records import ArticleRecord, Related
from ingestor import store
from tests.conftest import free_port
from tests.reliability.procs import Warta

__all__ = ["XSS", "hostile_record", "serve_process", "store_hostile"]

# Script in every form a renderer might let through: elements, handlers, URL schemes, markup
# that closes what it sits in (attribute, CDATA, comment), and entities that decode to markup.
XSS = (
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=\"alert('xss-2')\">",
    '"><svg onload=alert("xss-3")>',
    "javascript:alert('xss-4')",
    "<a href=\"javascript:alert('xss-5')\">klik</a>",
    "]]><script>alert('xss-6')</script><![CDATA[",
    "--><script>alert('xss-7')</script><!--",
    "&lt;script&gt;alert('xss-8')&lt;/script&gt;",
    '<iframe src="//evil.example/xss-9"></iframe>',
    "' onmouseover='alert(\"xss-10\")' x='",
    "<style>body{background:url(javascript:alert('xss-11'))}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-12')>",
)


def hostile_record(n: int, source_id: str, now: datetime) -> ArticleRecord:
    """An article with a script payload in every field the record has."""
    payload = XSS[n % len(XSS)]
    url = f"https://evil.example/berita/{n}/{payload}"
    text = f"Paragraf {payload} pertama.\n\n{payload}\n\nParagraf ketiga {XSS[(n + 1) % len(XSS)]}."
    return ArticleRecord(
        url=url, canonical_url=url, source=source_id, title=f"Judul {payload}",
        summary=f"Ringkasan {payload}", text=text, authors=(payload, f"Ani {payload}"),
        published_at=now - timedelta(minutes=n), published_raw=payload, date_source="meta",
        updated_at=now, lang="id", image=f"javascript:alert('img-{n}')",
        image_caption=payload, section=payload, tags=(payload, "politik"), place=payload,
        region="kalsel", regency=None, topics=("politik",),
        related=(Related(title=payload, url="javascript:alert('rel')"),
                 Related(title=f"Lain {payload}", url=f"https://evil.example/{payload}")),
        content_hash=hashlib.sha256(text.encode()).hexdigest(), provenance={"title": payload},
    )  # fmt: skip


async def store_hostile(pool: asyncpg.Pool, source_id: str, count: int) -> list[int]:
    """Store `count` hostile articles through the write side, republished in full."""
    now = datetime.now(UTC).replace(microsecond=0)
    items = [
        store.StoredArticle(
            record=hostile_record(n, source_id, now),
            identity=f"xss-{n}",
            source_id=source_id,
            first_seen_at=now,
            regions=(("kalsel", "source"),),
            topics=(("politik", 1.0, "keywords"),),
        )
        for n in range(count)
    ]
    ids = await store.save_articles(pool, items)
    # `full` puts the text into feeds as HTML content: the field most worth attacking.
    await pool.execute("UPDATE sources SET republish = 'full' WHERE id = $1", source_id)
    return ids


@asynccontextmanager
async def serve_process(settings: Settings, workdir: Path, **env: str) -> AsyncIterator[Warta]:
    """`warta serve` over the settings' database on a free loopback port; `.base` is its URL."""
    port = free_port()
    server = Warta(
        workdir,
        {
            "WARTA_DATABASE_URL": settings.database_url or "", "WARTA_SEEDS": str(settings.seeds),
            "WARTA_HOST": "127.0.0.1", "WARTA_PORT": str(port), "WARTA_LOG_LEVEL": "WARNING",
            **env,
        },
        "serve",
    )  # fmt: skip
    server.base = f"http://127.0.0.1:{port}"
    await server.start()
    try:
        await server.wait_http(f"http://127.0.0.1:{port}/readyz")
        yield server
    finally:
        code = await server.stop()
        assert code == 0, server.log()[-3000:]
