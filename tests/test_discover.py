"""Discovery: article URLs from RSS/Atom, listing pages and sitemaps (pure functions on documents)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from ingestor.discover.links import from_feed, from_listing, from_sitemap, is_article_url
from ingestor.sources.load import parse_source

SOURCE = parse_source(
    "test.toml", 0,
    {"id": "antara-kalsel", "name": "K", "base_url": "https://kalsel.antaranews.com",
     "province": "kalsel", "timezone": "WITA", "article_pattern": r"^/berita/\d+/[^/?#]+",
     "rss": ["/rss/terkini.xml"]},
    {},
)  # fmt: skip
BASE = "https://kalsel.antaranews.com"

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>ANTARA News Kalimantan Selatan - Berita Terkini</title>
<link>{BASE}</link><description>x</description>
<item><title>Pemkab Tapin revitalisasi Pasar Rantau</title>
<link>{BASE}/berita/412345/pemkab-tapin-revitalisasi-pasar-rantau?utm_source=rss</link>
<guid>{BASE}/berita/412345/pemkab-tapin-revitalisasi-pasar-rantau</guid>
<pubDate>Wed, 01 May 2024 08:15:00 +0700</pubDate>
<description><![CDATA[<img src="https://img.antaranews.com/cache/800x533/2024/05/01/pasar.jpg" align="left" />Pemerintah Kabupaten Tapin mulai merevitalisasi pasar.]]></description>
</item>
<item><title>Video: banjir</title><link>{BASE}/video/99/banjir</link>
<pubDate>Wed, 01 May 2024 07:00:00 +0700</pubDate></item>
<item><title>Relative link</title><link>/berita/412300/relatif-tetap-absolut</link></item>
</channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id>
<updated>2024-05-01T01:00:00Z</updated>
<entry><title>Atom story</title><id>urn:1</id>
<link rel="alternate" href="{BASE}/berita/500/atom-story"/>
<updated>2024-05-01T01:00:00Z</updated><published>2024-05-01T09:00:00+08:00</published>
<summary>Ringkas.</summary></entry></feed>"""


def test_rss_items_become_candidates_with_dates_and_thumbnails() -> None:
    items = from_feed(RSS.encode(), f"{BASE}/rss/terkini.xml", SOURCE)
    assert [c.url for c in items] == [
        f"{BASE}/berita/412345/pemkab-tapin-revitalisasi-pasar-rantau?utm_source=rss",
        f"{BASE}/berita/412300/relatif-tetap-absolut",
    ], "video links fail the article pattern; relative links are made absolute"
    first = items[0]
    assert first.published == datetime(2024, 5, 1, 1, 15, tzinfo=UTC)
    assert first.published_raw == "Wed, 01 May 2024 08:15:00 +0700"
    assert first.image == "https://img.antaranews.com/cache/800x533/2024/05/01/pasar.jpg"
    assert first.summary == "Pemerintah Kabupaten Tapin mulai merevitalisasi pasar."
    assert first.title == "Pemkab Tapin revitalisasi Pasar Rantau" and first.via == "rss"


def test_atom_entries_and_broken_feeds() -> None:
    [entry] = from_feed(ATOM.encode(), f"{BASE}/atom.xml", SOURCE)
    assert entry.url == f"{BASE}/berita/500/atom-story"
    assert entry.published == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    # A truncated feed yields what could be read and never raises.
    partial = from_feed(RSS.encode()[: RSS.index("Video")], f"{BASE}/rss/terkini.xml", SOURCE)
    assert [c.url.split("?")[0] for c in partial] == [
        f"{BASE}/berita/412345/pemkab-tapin-revitalisasi-pasar-rantau"
    ]
    assert from_feed(b"\x00\xff not a feed", f"{BASE}/rss.xml", SOURCE) == []


LISTING = f"""<html><body><nav>{"".join(f'<a href="/kanal/{i}">Kanal {i}</a>' for i in range(40))}</nav>
<div class="wrapper__list__article">
 <div class="card__post"><div class="card__post__content">
  <h2 class="post_title"><a href="/berita/3/tiga">Berita tiga</a></h2><span class="text-secondary">2 jam lalu</span>
 </div></div>
 <div class="card__post"><div class="card__post__content">
  <h2 class="post_title"><a href="https://kalsel.antaranews.com/berita/2/dua#x">Berita dua</a></h2>
 </div></div>
</div>
<aside><a href="/berita/1/satu">Terpopuler: satu</a><a href="https://evil.example/berita/9/x">luar</a></aside>
<ul class="pagination"><li><a href="/terkini/2" rel="next">2</a></li></ul></body></html>"""


def test_listing_autodetects_the_main_list_in_page_order() -> None:
    page = from_listing(LISTING, f"{BASE}/terkini", SOURCE, None)
    # The sidebar's "Terpopuler" link is an older story, not part of the listing.
    assert [c.url for c in page.candidates] == [f"{BASE}/berita/3/tiga", f"{BASE}/berita/2/dua"]
    assert page.next_url == f"{BASE}/terkini/2"
    assert page.candidates[0].title == "Berita tiga"


def test_listing_with_a_site_selector_and_a_stale_one() -> None:
    page = from_listing(LISTING, f"{BASE}/terkini", SOURCE, "aside a")
    assert [c.url for c in page.candidates] == [f"{BASE}/berita/1/satu"]
    # A selector that no longer matches the layout falls back to detection.
    page = from_listing(LISTING, f"{BASE}/terkini", SOURCE, "div.gone a")
    assert [c.url for c in page.candidates] == [f"{BASE}/berita/3/tiga", f"{BASE}/berita/2/dua"]


INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{BASE}/sitemap-news.xml</loc></sitemap>
<sitemap><loc>{BASE}/sitemap-articles.xml.gz</loc></sitemap></sitemapindex>"""

NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{BASE}/berita/7/tujuh</loc><news:news><news:publication><news:name>ANTARA</news:name>
<news:language>id</news:language></news:publication>
<news:publication_date>2024-05-01T09:00:00+08:00</news:publication_date>
<news:title>Tujuh</news:title></news:news></url>
<url><loc>{BASE}/tag/banjir</loc></url></urlset>"""


def test_sitemap_index_gzip_and_google_news() -> None:
    index = from_sitemap(INDEX.encode(), f"{BASE}/sitemap.xml", SOURCE)
    assert index.sitemaps == (f"{BASE}/sitemap-news.xml", f"{BASE}/sitemap-articles.xml.gz")
    assert index.candidates == ()
    news = from_sitemap(gzip.compress(NEWS.encode()), f"{BASE}/sitemap-articles.xml.gz", SOURCE)
    [item] = news.candidates
    assert item.url == f"{BASE}/berita/7/tujuh" and item.title == "Tujuh"
    assert item.published_raw == "2024-05-01T09:00:00+08:00" and item.via == "sitemap"
    assert item.published == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)


def test_sitemap_errors_are_values_not_crashes() -> None:
    with pytest.raises(ValueError, match="gzip"):
        from_sitemap(b"\x1f\x8b\x08garbage", f"{BASE}/s.xml.gz", SOURCE)
    with pytest.raises(ValueError, match="not XML"):
        from_sitemap(b"", f"{BASE}/s.xml", SOURCE)
    # A gzip bomb stops at the 50 MB sitemap limit instead of filling memory.
    bomb = gzip.compress(b"<urlset>" + b" " * (60 * 1024 * 1024))
    with pytest.raises(ValueError, match="50 MB"):
        from_sitemap(bomb, f"{BASE}/s.xml.gz", SOURCE)


def test_article_url_filter() -> None:
    assert is_article_url(SOURCE, f"{BASE}/berita/1/x")
    assert not is_article_url(SOURCE, f"{BASE}/berita/1")  # no slug: a redirect stub
    assert not is_article_url(SOURCE, "https://evil.example/berita/1/x")
    assert not is_article_url(SOURCE, "javascript:alert(1)")
