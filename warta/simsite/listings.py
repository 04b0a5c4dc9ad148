"""Listing pages: home, /terkini (paged), kanal and tag listings, search, info and 404 pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warta.simsite.dates import relative_time
from warta.simsite.model import SimArticle
from warta.simsite.shell import PageContext, card, e, page

__all__ = ["home_page", "info_page", "listing_page", "not_found_page", "page_count"]


def page_count(total: int, per_page: int) -> int:
    """Number of listing pages (at least one, even when empty)."""
    return max(1, -(-total // per_page))


def _pagination(base_path: str, current: int, last: int) -> str:
    def href(n: int) -> str:
        return base_path if n == 1 else f"{base_path}/{n}"

    items: list[str] = []
    if current > 1:
        items.append(
            f'<li class="page-item"><a class="page-link" href="{e(href(current - 1))}" '
            'aria-label="Previous" rel="prev">&laquo;</a></li>'
        )
    window = [n for n in range(current - 2, current + 3) if 1 <= n <= last]
    if window[0] > 1:
        items.append(f'<li class="page-item"><a class="page-link" href="{e(href(1))}">1</a></li>')
        if window[0] > 2:
            items.append('<li class="page-item disabled"><span class="page-link">...</span></li>')
    for n in window:
        active = " active" if n == current else ""
        rel = ' rel="next"' if n == current + 1 else ""
        link = f'<a class="page-link" href="{e(href(n))}"{rel}>{n}</a>'
        items.append(f'<li class="page-item{active}">{link}</li>')
    if window[-1] < last:
        if window[-1] < last - 1:
            items.append('<li class="page-item disabled"><span class="page-link">...</span></li>')
        items.append(
            f'<li class="page-item"><a class="page-link" href="{e(href(last))}">{last}</a></li>'
        )
    return (
        '<div class="pagination-area"><nav aria-label="Page navigation">'
        f'<ul class="pagination">{"".join(items)}</ul></nav></div>'
    )


def _cards(ctx: PageContext, items: Sequence[SimArticle], now: datetime) -> str:
    tz = ctx.bureau.tz
    return "\n".join(card(a, relative_time(a.published_at, now, tz)) for a in items)


def listing_page(
    ctx: PageContext,
    heading: str,
    base_path: str,
    items: Sequence[SimArticle],
    current: int,
    per_page: int,
    now: datetime,
) -> str:
    """One page of a paged listing (cards + ul.pagination)."""
    last = page_count(len(items), per_page)
    chunk = items[(current - 1) * per_page : current * per_page]
    links = ""
    if current < last:
        links += f'<link rel="next" href="{e(ctx.absolute(f"{base_path}/{current + 1}"))}">\n'
    if current > 1:
        prev = base_path if current == 2 else f"{base_path}/{current - 1}"
        links += f'<link rel="prev" href="{e(ctx.absolute(prev))}">\n'
    canonical = base_path if current == 1 else f"{base_path}/{current}"
    head = f'<link rel="canonical" href="{e(ctx.absolute(canonical))}">\n{links}'
    body = "" if chunk else '<p class="text-muted">Tidak ada berita.</p>'
    main = f"""<div class="wrapper__list__article">
<h4 class="border_section">{e(heading)}</h4>
{_cards(ctx, chunk, now)}{body}
</div>
<div class="mt-4">{_pagination(base_path, current, last)}</div>"""
    suffix = f" - Halaman {current}" if current > 1 else ""
    return page(ctx, f"{heading}{suffix} - {ctx.bureau.name}", main, extra_head=head)


def home_page(ctx: PageContext, now: datetime) -> str:
    """The front page: headline, latest stories and one block per kanal."""
    latest = list(ctx.latest)
    blocks = []
    for slug, name in ctx.sections.items():
        picks = [a for a in latest if a.section[0] == slug][:3]
        if not picks:
            continue
        links = "".join(
            f'<li><a href="{e(ctx.absolute(a.url))}">{e(a.title)}</a></li>' for a in picks
        )
        blocks.append(
            f'<div class="kanal-block mt-4"><h4 class="border_section"><a href="/{slug}">'
            f'{e(name)}</a></h4><ul class="list-unstyled">{links}</ul></div>'
        )
    head = f'<link rel="canonical" href="{e(ctx.absolute("/"))}">'
    main = f"""<div class="wrapper__list__article">
<h4 class="border_section">Berita Terkini</h4>
{_cards(ctx, latest[:10], now)}
<div class="text-center mt-3"><a class="btn btn-outline-primary" href="/terkini">Indeks berita</a>\
</div>
</div>
{"".join(blocks)}"""
    return page(ctx, f"{ctx.bureau.name} - Berita Terkini Hari Ini", main, extra_head=head)


def not_found_page(ctx: PageContext) -> str:
    """The site's 404 page."""
    main = """<div class="wrap__404 text-center mt-5"><h1 class="display-1">404</h1>
<h2>Halaman tidak ditemukan</h2><p>Maaf, halaman yang Anda cari tidak tersedia.</p>
<a class="btn btn-primary" href="/">Kembali ke beranda</a></div>"""
    return page(ctx, f"Halaman tidak ditemukan - {ctx.bureau.name}", main)


def info_page(ctx: PageContext, slug: str, title: str) -> str:
    """A static corporate page (about, editorial board, RSS index...)."""
    if slug == "rss":
        feeds = "".join(
            f'<li><a href="{e(ctx.absolute(f"/rss/{s}.xml"))}">{e(n)}</a></li>'
            for s, n in {"terkini": "Terkini", **ctx.sections}.items()
        )
        body = f"<p>Ikuti berita {e(ctx.bureau.name)} melalui RSS:</p><ul>{feeds}</ul>"
    else:
        body = (
            f"<p>{e(ctx.bureau.name)} adalah bagian dari jaringan Perum LKBN ANTARA, kantor "
            "berita nasional Indonesia.</p>"
        )
    main = f'<div class="wrap__page"><h1 class="post-title">{e(title)}</h1>{body}</div>'
    return page(ctx, f"{title} - {ctx.bureau.name}", main)
