"""Fuzz discovery: any feed, listing or sitemap yields candidates (or, for a sitemap, ValueError).

Feeds and listings are what the sites send us, so they are as hostile as article pages: links
with javascript: or data: schemes, malformed URLs ("http://[::1", ports past 65535), broken
XML. Discovery must skip what it cannot use, never raise, since one bad link would otherwise
fail every run of the source.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.catalogue import load_catalogue
from ingestor import discover
from ingestor.sources.load import load_sources
from tests.reliability.budget import cases, record

ROOT = Path(__file__).resolve().parents[1]
SOURCE = next(
    s
    for s in load_sources(ROOT / "seeds", provinces={p.slug for p in load_catalogue().provinces})
    if s.id == "antara-kalsel"
)
BASE = SOURCE.base_url
HREFS = ["http://[::1", "https://kalsel.antaranews.com:99999/berita/1/x", "javascript:alert(1)",
         "data:text/html,x", "/berita/123/judul", f"{BASE}/berita/9/x#frag", "", " ", "//evil/x",
         "http://", "mailto:a@b", "/berita/1/" + "x" * 3000, "\x00", "é"]  # fmt: skip
hrefs = st.one_of(st.sampled_from(HREFS), st.text(max_size=40))
text = st.one_of(
    st.text(max_size=40), st.sampled_from(["<b>x</b>", "&amp;", "]]>", "Rabu, 1 Mei 2024"])
)


def _esc(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


feeds = st.builds(
    lambda items: (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        + "".join(
            f"<item><title>{_esc(t)}</title><link>{_esc(h)}</link><pubDate>{_esc(d)}</pubDate>"
            f'<description>&lt;img src="{_esc(i)}"&gt;{_esc(t)}</description>'
            f'<enclosure url="{_esc(i)}" type="image/jpeg"/></item>'
            for t, h, d, i in items
        )
        + "</channel></rss>"
    ),
    st.lists(st.tuples(text, hrefs, text, hrefs), max_size=8),
)
listings = st.builds(
    lambda links, nxt: (
        "<html><body><ul>"
        + "".join(
            f'<li class="c"><h2><a href="{_esc(h)}">{_esc(t)}</a></h2></li>' for h, t in links
        )
        + f'</ul><a rel="next" href="{_esc(nxt)}">next</a></body></html>'
    ),
    st.lists(st.tuples(hrefs, text), max_size=10),
    hrefs,
)
sitemaps = st.builds(
    lambda kind, locs: (
        f'<?xml version="1.0"?><{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{_esc(h)}</loc><lastmod>{_esc(d)}</lastmod></url>" for h, d in locs)
        + f"</{kind}>"
    ),
    st.sampled_from(["urlset", "sitemapindex"]),
    st.lists(st.tuples(hrefs, text), max_size=8),
)
N = cases()
TRIED = [0]


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    record("fuzz_discover", cases=TRIED[0])


@pytest.mark.timeout(1800)
@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["feed", "listing", "sitemap"]),
    feed=feeds, listing=listings, sitemap=sitemaps, noise=st.binary(max_size=200),
)  # fmt: skip
def test_discovery_never_raises_on_what_a_site_sends(
    kind: str, feed: str, listing: str, sitemap: str, noise: bytes
) -> None:
    TRIED[0] += 1
    if kind == "feed":
        for body in (feed.encode(), noise, feed.encode()[: len(noise)]):
            for cand in discover.from_feed(body, f"{BASE}/rss/terkini.xml", SOURCE):
                assert cand.url.startswith(BASE)
                assert cand.image is None or cand.image.startswith(("http://", "https://"))
    elif kind == "listing":
        page = discover.from_listing(listing, f"{BASE}/terkini", SOURCE, "li.c h2 a")
        assert all(c.url.startswith(BASE) for c in page.candidates)
        assert page.next_url is None or page.next_url.startswith(("http://", "https://"))
    else:
        try:
            found = discover.from_sitemap(sitemap.encode(), f"{BASE}/sitemap.xml", SOURCE)
        except ValueError:
            return  # the documented refusal: not a readable sitemap
        assert all(c.url.startswith(BASE) for c in found.candidates)
        assert all(u.startswith(("http://", "https://")) for u in found.sitemaps)


def test_a_malformed_link_in_a_feed_is_skipped_not_raised() -> None:
    body = (
        '<rss version="2.0"><channel><item><title>a</title><link>http://[::1</link></item>'
        f"<item><title>b</title><link>{BASE}/berita/5/b</link></item></channel></rss>"
    )
    assert [c.url for c in discover.from_feed(body, f"{BASE}/rss", SOURCE)] == [
        f"{BASE}/berita/5/b"
    ]


def test_an_unreadable_pub_date_raises_no_warning() -> None:
    """feedparser's fallback from `updated_parsed` to `published_parsed` warned (an error under
    the test suite's warning policy) whenever a pubDate did not parse."""
    body = (
        '<rss version="2.0"><channel><item><title>a</title>'
        f"<link>{BASE}/berita/5/b</link><pubDate>0</pubDate></item></channel></rss>"
    )
    (cand,) = discover.from_feed(body, f"{BASE}/rss", SOURCE)
    assert cand.published is None and cand.published_raw == "0"
