"""Machine-readable routes: RSS 2.0, the sitemap index and its sitemaps, robots.txt."""

from __future__ import annotations

import gzip
import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from warta.simsite.dates import iso_local, rss_date
from warta.simsite.model import SimArticle
from warta.simsite.shell import PageContext

__all__ = ["default_robots", "news_sitemap", "rss", "sitemap_articles_gz", "sitemap_index"]

RSS_ITEMS = 20
NEWS_WINDOW = timedelta(days=2)
"""Google News sitemaps list only the last two days' stories."""


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rss(ctx: PageContext, channel: str, link: str, items: Sequence[SimArticle]) -> bytes:
    """An ANTARA-style RSS 2.0 feed; pubDate carries +0700 whatever the bureau's zone."""
    newest = items[:RSS_ITEMS]
    built = rss_date(newest[0].published_at) if newest else ""
    entries = []
    for a in newest:
        lead = a.paragraphs[0] if a.paragraphs else ""
        image = html.escape(a.image_url or "")
        description = (
            f'<img src="{image}" align="left" border="0" />{html.escape(lead, quote=False)}'
        )
        entries.append(
            "<item>\n"
            f"<title>{escape(a.title)}</title>\n"
            f"<link>{escape(a.url)}</link>\n"
            f'<guid isPermaLink="true">{escape(a.url)}</guid>\n'
            f"<pubDate>{rss_date(a.published_at)}</pubDate>\n"
            f"<description>{_cdata(description)}</description>\n"
            "</item>"
        )
    year = newest[0].published_at.year if newest else 2026
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>{escape(ctx.bureau.name)} - {escape(channel)}</title>
<link>{escape(ctx.absolute(link))}</link>
<description>{escape(ctx.bureau.name)} - {escape(channel)}</description>
<language>id</language>
<copyright>Copyright © ANTARA {year}</copyright>
<lastBuildDate>{built}</lastBuildDate>
<image>
<url>{escape(ctx.absolute("/assets/img/antaranews-logo.png"))}</url>
<title>{escape(ctx.bureau.name)}</title>
<link>{escape(ctx.absolute("/"))}</link>
</image>
{chr(10).join(entries)}
</channel>
</rss>
"""
    return body.encode("utf-8")


def sitemap_index(ctx: PageContext, items: Sequence[SimArticle]) -> bytes:
    """/sitemap.xml: points at the news sitemap and the gzip sitemap of all stories."""
    lastmod = iso_local(max(a.updated_at for a in items), ctx.bureau.tz) if items else ""
    maps = "".join(
        f"<sitemap><loc>{escape(ctx.absolute(path))}</loc><lastmod>{lastmod}</lastmod></sitemap>\n"
        for path in ("/sitemap-news.xml", "/sitemap-articles.xml.gz")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{maps}</sitemapindex>\n"
    ).encode()


def news_sitemap(ctx: PageContext, items: Sequence[SimArticle], now: datetime) -> bytes:
    """/sitemap-news.xml: a Google News sitemap of the last two days."""
    tz = ctx.bureau.tz
    urls = "".join(
        f"<url><loc>{escape(a.url)}</loc><news:news><news:publication>"
        f"<news:name>{escape(ctx.bureau.name)}</news:name><news:language>id</news:language>"
        f"</news:publication><news:publication_date>{iso_local(a.published_at, tz)}"
        f"</news:publication_date><news:title>{escape(a.title)}</news:title>"
        f"</news:news></url>\n"
        for a in items
        if now - a.published_at <= NEWS_WINDOW
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


def sitemap_articles_gz(ctx: PageContext, items: Sequence[SimArticle]) -> bytes:
    """/sitemap-articles.xml.gz: every story, gzip-compressed (served as a file, not encoded)."""
    tz = ctx.bureau.tz
    urls = "".join(
        f"<url><loc>{escape(a.url)}</loc><lastmod>{iso_local(a.updated_at, tz)}</lastmod>"
        f"<image:image><image:loc>{escape(a.image_url or '')}</image:loc></image:image></url>\n"
        for a in items
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
        f"{urls}</urlset>\n"
    )
    # mtime=0 keeps the bytes (and so the ETag) stable between requests.
    return gzip.compress(xml.encode(), mtime=0)


def default_robots(base_url: str) -> str:
    """robots.txt as the site serves it unless a test overrides it."""
    return (
        "User-agent: *\n"
        "Disallow: /search\n"
        "Disallow: /api/\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {base_url}/sitemap.xml\n"
    )
