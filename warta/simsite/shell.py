"""The page chrome every HTML page shares: head, top menu with mega menu, sidebar, footer."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from warta.simsite.model import Bureau, SimArticle

__all__ = [
    "INFO_PAGES",
    "PageContext",
    "card",
    "e",
    "page",
    "popular",
    "sidebar",
    "tag_slug",
    "teaser",
]

INFO_PAGES: dict[str, str] = {
    "tentang-kami": "Tentang Kami",
    "redaksi": "Redaksi",
    "kode-etik": "Kode Etik Jurnalistik",
    "pedoman-media-siber": "Pedoman Media Siber",
    "kebijakan-privasi": "Kebijakan Privasi",
    "kontak-kami": "Kontak Kami",
    "karir": "Karir",
    "info-iklan": "Info Iklan",
    "rss": "RSS",
}

# The ANTARA network as the footer lists it (sub-domain, label).
_NETWORK: tuple[tuple[str, str], ...] = (
    ("www", "ANTARA News"),
    ("en", "ANTARA English"),
    ("aceh", "Aceh"),
    ("sumut", "Sumut"),
    ("sumbar", "Sumbar"),
    ("riau", "Riau"),
    ("kepri", "Kepri"),
    ("jambi", "Jambi"),
    ("sumsel", "Sumsel"),
    ("babel", "Babel"),
    ("bengkulu", "Bengkulu"),
    ("lampung", "Lampung"),
    ("banten", "Banten"),
    ("megapolitan", "Megapolitan"),
    ("jabar", "Jabar"),
    ("jateng", "Jateng"),
    ("jogja", "Jogja"),
    ("jatim", "Jatim"),
    ("bali", "Bali"),
    ("mataram", "NTB"),
    ("kupang", "NTT"),
    ("kalbar", "Kalbar"),
    ("kalsel", "Kalsel"),
    ("kalteng", "Kalteng"),
    ("kaltim", "Kaltim"),
    ("kaltara", "Kaltara"),
    ("manado", "Sulut"),
    ("gorontalo", "Gorontalo"),
    ("sulteng", "Sulteng"),
    ("makassar", "Sulsel"),
    ("sultra", "Sultra"),
    ("ambon", "Maluku"),
    ("papua", "Papua"),
    ("papuabarat", "Papua Barat"),
)

_ADS_CLIENT = "ca-pub-7615225431440626"


def tag_slug(tag: str) -> str:
    """The /tag/{slug} path segment of a tag or region name."""
    return tag.lower().replace(" ", "-")


def e(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return escape(text, quote=True)


@dataclass(frozen=True, slots=True)
class PageContext:
    """What the chrome needs to know about the bureau and its current stories."""

    bureau: Bureau
    sections: dict[str, str]
    regions: Sequence[str]
    latest: Sequence[SimArticle]
    network: dict[str, str] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        """An absolute URL on this bureau."""
        return path if path.startswith("http") else f"{self.bureau.base_url}{path}"


def teaser(article: SimArticle, limit: int = 180) -> str:
    """The lead without its dateline, cut at a word boundary."""
    lead = article.paragraphs[0] if article.paragraphs else ""
    if lead.startswith(article.dateline):
        lead = lead[len(article.dateline) :]
    if len(lead) <= limit:
        return lead
    return lead[:limit].rsplit(" ", 1)[0] + "..."


def popular(latest: Sequence[SimArticle], count: int = 10) -> list[SimArticle]:
    """A stable 'Terpopuler' list drawn from recent stories."""
    pool = list(latest[:40])
    pool.sort(key=lambda a: zlib.crc32(f"{a.bureau}:{a.id}".encode()))
    return pool[:count]


def _head(ctx: PageContext, title: str, extra_head: str) -> str:
    b = ctx.bureau
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>{e(title)}</title>
<link rel="icon" href="/assets/img/favicon.ico">
<link rel="stylesheet" href="/assets/css/bootstrap.min.css">
<link rel="stylesheet" href="/assets/css/styles.css?v=20240315">
<link rel="alternate" type="application/rss+xml" title="{e(b.name)} - Berita Terkini" \
href="{e(ctx.absolute("/rss/terkini.xml"))}">
{extra_head}
<script async src="https://www.googletagmanager.com/gtag/js?id=G-SIMSITE01"></script>
<script>
window.dataLayer = window.dataLayer || [];
function gtag(){{dataLayer.push(arguments);}}
gtag('js', new Date()); gtag('config', 'G-SIMSITE01');
</script>
<script async src="https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=\
{_ADS_CLIENT}" crossorigin="anonymous"></script>
</head>"""


def _menu(ctx: PageContext) -> str:
    nav = "".join(
        f'<li class="nav-item"><a class="nav-link" href="/{slug}">{e(name)}</a></li>'
        for slug, name in ctx.sections.items()
    )
    regions = "".join(
        f'<li><a href="/tag/{e(tag_slug(name))}">{e(name)}</a></li>' for name in ctx.regions
    )
    network = "".join(
        f'<li><a href="{e(ctx.network.get(sub, f"https://{sub}.antaranews.com"))}/">'
        f"{e(label)}</a></li>"
        for sub, label in _NETWORK
    )
    kanal = "".join(
        f'<li><a href="/{slug}">{e(name)}</a></li>' for slug, name in ctx.sections.items()
    )
    return f"""<header class="header-news">
<div class="topbar d-none d-sm-block"><div class="container"><div class="row">
<div class="col-sm-12 col-md-9"><div class="topbar-left"><ul class="topbar-link">
<li><a href="/tentang-kami">Tentang Kami</a></li><li><a href="/redaksi">Redaksi</a></li>
<li><a href="/kontak-kami">Kontak</a></li><li><a href="/info-iklan">Iklan</a></li></ul></div></div>
<div class="col-sm-12 col-md-3"><div class="list-unstyled topbar-right"><ul class="topbar-sosmed">
<li><a href="https://www.facebook.com/antaranewsdotcom">Facebook</a></li>
<li><a href="https://twitter.com/antaranews">Twitter</a></li>
<li><a href="https://www.instagram.com/antaranewscom">Instagram</a></li>
<li><a href="https://www.youtube.com/user/antaranewsdotcom">YouTube</a></li></ul></div></div>
</div></div></div>
<div class="navigation-wrap navigation-shadow bg-white">
<nav class="navbar navbar-hover navbar-expand-lg navbar-soft">
<div class="container">
<figure class="mb-0 mx-auto"><a href="/"><img src="/assets/img/antaranews-logo.png" \
alt="{e(ctx.bureau.name)}" class="img-fluid logo"></a></figure>
<div class="collapse navbar-collapse justify-content-between" id="main_nav99">
<ul class="navbar-nav ml-auto">
<li class="nav-item"><a class="nav-link active" href="/">Beranda</a></li>
<li class="nav-item"><a class="nav-link" href="/terkini">Terkini</a></li>
{nav}
<li class="nav-item dropdown has-megamenu"><a class="nav-link dropdown-toggle" href="#" \
data-toggle="dropdown">Lainnya</a>
<div class="dropdown-menu animate fade-down megamenu mt-0" role="menu"><div class="row">
<div class="col-md-3"><h5>Kanal</h5><ul class="list-unstyled">{kanal}</ul></div>
<div class="col-md-3"><h5>Daerah</h5><ul class="list-unstyled">{regions}</ul></div>
<div class="col-md-6"><h5>Jaringan ANTARA</h5><ul class="list-unstyled columns-3">{network}</ul>
</div></div></div></li>
</ul>
<ul class="navbar-nav"><li class="nav-item search hidden-xs hidden-sm">
<form class="form-inline" action="/search" method="get"><input class="form-control" \
type="search" name="q" placeholder="Cari berita..."></form></li></ul>
</div></div></nav></div>
</header>"""


def card(article: SimArticle, when: str) -> str:
    """One listing card in the current layout (div.card__post > div.card__post__content)."""
    path = urlsplit(article.url).path
    return f"""<div class="card__post card__post-list card__post__transition mt-30">
<div class="row ">
<div class="col-md-5"><div class="card__post__transition"><a href="{e(path)}">
<picture><img src="{e(article.image_url or "")}" class="img-fluid w-100" loading="lazy" \
alt="{e(article.title)}"></picture></a></div></div>
<div class="col-md-7 my-auto pl-0"><div class="card__post__body ">
<div class="card__post__content">
<div class="card__post__category">{e(article.section[1])}</div>
<div class="card__post__title"><h2 class="post_title h5"><a href="{e(path)}" \
title="{e(article.title)}">{e(article.title)}</a></h2></div>
<div class="card__post__author-info mb-2"><ul class="list-inline"><li class="list-inline-item">\
<span class="text-secondary">{e(when)}</span></li></ul></div>
<p class="d-none d-lg-block d-xl-block mb-0">{e(teaser(article, 140))}</p>
</div></div></div>
</div></div>"""


def sidebar(ctx: PageContext) -> str:
    """Right column: 'Terpopuler' (numbered links, not cards) and an ad slot."""
    items = "".join(
        f'<li class="popular-item"><span class="number">{i}</span>'
        f'<a href="{e(ctx.absolute(a.url))}">{e(a.title)}</a></li>'
        for i, a in enumerate(popular(ctx.latest), start=1)
    )
    return f"""<aside class="col-md-4">
<div class="sticky-top"><div class="popular-news mt-4"><h4 class="border_section">Terpopuler</h4>
<ol class="list-unstyled popular-list">{items}</ol></div>
<div class="ads-container mt-4"><ins class="adsbygoogle" style="display:block" \
data-ad-client="{_ADS_CLIENT}" data-ad-slot="4406851392" data-ad-format="auto"></ins>
<script>(adsbygoogle = window.adsbygoogle || []).push({{}});</script></div>
</div></aside>"""


def _footer(ctx: PageContext) -> str:
    info = "".join(f'<li><a href="/{slug}">{e(name)}</a></li>' for slug, name in INFO_PAGES.items())
    kanal = "".join(
        f'<li><a href="/{slug}">{e(name)}</a></li>' for slug, name in ctx.sections.items()
    )
    rss = "".join(
        f'<li><a href="/rss/{slug}.xml">RSS {e(name)}</a></li>'
        for slug, name in ctx.sections.items()
    )
    return f"""<footer class="footer-news"><section class="wrapper__footer bg__footer">
<div class="container"><div class="row">
<div class="col-md-3"><div class="widget__footer"><h4 class="footer-title">{e(ctx.bureau.name)}</h4>
<ul class="list-unstyled">{info}</ul></div></div>
<div class="col-md-3"><div class="widget__footer"><h4 class="footer-title">Kanal</h4>
<ul class="list-unstyled">{kanal}</ul></div></div>
<div class="col-md-3"><div class="widget__footer"><h4 class="footer-title">RSS</h4>
<ul class="list-unstyled"><li><a href="/rss/terkini.xml">RSS Terkini</a></li>{rss}</ul></div></div>
<div class="col-md-3"><div class="widget__footer"><h4 class="footer-title">Aplikasi</h4>
<ul class="list-unstyled"><li><a href="https://play.google.com/store/apps/details?id=com.antaranews">\
Google Play</a></li>
<li><a href="https://apps.apple.com/id/app/antara-news/id1456345011">App Store</a></li>
</ul></div></div>
</div></div></section>
<section class="bg__footer-bottom"><div class="container"><div class="row"><div class="col-md-12">
<span>COPYRIGHT &copy; 2026 ANTARA. All rights reserved.</span></div></div></div></section>
</footer>
<script src="/assets/js/index.bundle.js?v=20240315"></script>"""


def page(
    ctx: PageContext, title: str, main: str, *, extra_head: str = "", aside: bool = True
) -> str:
    """A complete HTML document: chrome around the main column."""
    right = sidebar(ctx) if aside else ""
    return f"""{_head(ctx, title, extra_head)}
<body>
{_menu(ctx)}
<section class="pb-80"><div class="container"><div class="row">
<div class="col-md-8">
{main}
</div>
{right}
</div></div></section>
{_footer(ctx)}
</body>
</html>
"""
