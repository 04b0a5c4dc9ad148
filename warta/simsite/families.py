"""Article pages of three non-ANTARA template families whose class names are random per site and seed.

Warta has no hand rules for them: they exist to prove that a site's template can be learned
from its own pages. Each family hides the story among furniture a single-page reader can
mistake for it (related boxes, notices, comments, menus), and none prints JSON-LD.

- `portal`: a modern news portal; body `<p>`s with an inline related box, a share bar and a
  copyright notice inside the body block; sidebar of popular stories.
- `blog`: a blog theme; the site name is the `<h1>`, the headline an `<h2>`; a quote and a
  subheading inside the story; readers' comments under it.
- `tabloid`: an old table-layout CMS; the headline in `<font><b>`, the body as text split by
  `<br><br>`, a "Reporter:" line after it, menus and ads in side cells.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from html import escape
from random import Random

from warta.simsite.dates import iso_local, page_date
from warta.simsite.model import Bureau, SimArticle
from warta.simsite.shell import PageContext, e, popular, tag_slug

__all__ = ["FAMILIES", "class_names", "family_page", "hand_selectors"]

FAMILIES = ("portal", "blog", "tabloid")
# No vowels: a random name never spells a word the cleaner or the generic finder reacts to.
_ALPHABET = "bcdfghjklmnpqrstvwxz0123456789"
_ROLES = (
    "header", "menu", "today", "wrap", "main", "crumbs", "title", "meta", "author", "date",
    "body", "inline", "share", "notice", "tags", "related", "side", "foot", "comments",
    "comment", "layout", "nav", "ads", "credit",
)  # fmt: skip
_COMMENTS = (
    ("Rina", "Semoga programnya berjalan lancar dan warga benar-benar merasakan manfaatnya."),
    ("Dodi", "Sudah lama ditunggu, terima kasih atas informasinya."),
    ("Hasan", "Kapan mulai berlaku untuk kecamatan kami? Mohon dijelaskan lebih lanjut."),
    ("Wati", "Bagus sekali, semoga pengawasannya juga diperketat."),
)


def class_names(bureau: Bureau) -> dict[str, str]:
    """The random class name of every page role on this site (stable for its slug and seed)."""
    rng = Random(zlib.crc32(f"{bureau.slug}:{bureau.family}:{bureau.seed}".encode()))
    names: dict[str, str] = {}
    for role in _ROLES:
        name = "".join(rng.choice(_ALPHABET) for _ in range(6))
        names[role] = rng.choice("bcdfghjklmnpqrstvwxz") + name  # CSS names start with a letter
    return names


def family_page(article: SimArticle, ctx: PageContext, related: Sequence[SimArticle]) -> str:
    """The article page in its site's family."""
    c = class_names(ctx.bureau)
    render = {"portal": _portal, "blog": _blog, "tabloid": _tabloid}[ctx.bureau.family]
    main = render(article, ctx, related, c)
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>{e(article.title)} | {e(ctx.bureau.name)}</title>
<meta property="og:title" content="{e(article.title)}">
<meta property="og:site_name" content="{e(ctx.bureau.name)}">
<link rel="canonical" href="{e(article.url)}">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "artikel"}});</script>
</head>
<body>
{main}
</body>
</html>
"""


def _paragraphs(article: SimArticle) -> list[str]:
    return [escape(p, quote=False) for p in article.paragraphs]


def _links(stories: Sequence[SimArticle]) -> str:
    return "".join(f'<li><a href="{e(a.url)}">{e(a.title)}</a></li>' for a in stories)


def _menu(ctx: PageContext, c: dict[str, str]) -> str:
    items = "".join(
        f'<li><a href="{e(ctx.absolute("/" + slug))}">{e(label)}</a></li>'
        for slug, label in ctx.sections.items()
    )
    return f'<ul class="{c["menu"]}"><li><a href="/">Beranda</a></li>{items}</ul>'


def _portal(
    article: SimArticle, ctx: PageContext, related: Sequence[SimArticle], c: dict[str, str]
) -> str:
    tz, b = ctx.bureau.tz, ctx.bureau
    paras = _paragraphs(article)
    inline = f'<div class="{c["inline"]}"><b>Baca Lainnya</b><ul>{_links(related[:2])}</ul></div>'
    body = [f"<p>{p}</p>" for p in paras]
    body.insert(min(2, len(body)), inline)
    share = f'<div class="{c["share"]}"><a href="#fb">Facebook</a> <a href="#x">X</a></div>'
    notice = (
        f'<p class="{c["notice"]}">Hak cipta {e(b.name)}. Setiap pengutipan wajib menyebutkan '
        "sumber dan tautan ke artikel asli.</p>"
    )
    tags = "".join(f'<a href="/tag/{e(tag_slug(t))}">{e(t)}</a> ' for t in article.tags)
    crumbs = (
        f'<a href="/">Beranda</a> › <a href="/{e(article.section[0])}">{e(article.section[1])}</a>'
    )
    return f"""<header class="{c["header"]}"><div>{e(b.name)}</div>{_menu(ctx, c)}
<div class="{c["today"]}">Portal berita {e(b.province_name or "nasional")}</div></header>
<div class="{c["wrap"]}"><main class="{c["main"]}">
<div class="{c["crumbs"]}">{crumbs}</div>
<h1 class="{c["title"]}">{e(article.title)}</h1>
<div class="{c["meta"]}"><span class="{c["author"]}">Oleh {e(", ".join(article.authors))}</span>
<span class="{c["date"]}">{e(page_date(article.published_at, tz, b.tz_name))}</span></div>
<div class="{c["body"]}">
{"".join(body)}
{share}
{notice}
</div>
<div class="{c["tags"]}">{tags}</div>
<div class="{c["related"]}"><h3>Berita Lainnya</h3><ul>{_links(related)}</ul></div>
</main>
<aside class="{c["side"]}"><h3>Terpopuler</h3><ol>{_links(popular(ctx.latest, 6))}</ol></aside>
</div>
<footer class="{c["foot"]}">&copy; {e(b.name)}. Jalan Merdeka 1. Semua hak dilindungi.</footer>"""


def _blog(
    article: SimArticle, ctx: PageContext, related: Sequence[SimArticle], c: dict[str, str]
) -> str:
    tz, b = ctx.bureau.tz, ctx.bureau
    paras = _paragraphs(article)
    body = [f"<p>{p}</p>" for p in paras]
    if len(body) > 2:
        body.insert(2, f"<h3>{e(article.section[1])}</h3>")
    comments = [_COMMENTS[(article.id + i) % len(_COMMENTS)] for i in range(2)]
    comment_html = "".join(
        f'<div class="{c["comment"]}"><b>{e(name)}</b> <span>{e(text)}</span></div>'
        for name, text in comments
    )
    when = article.published_at.astimezone(tz)
    return f"""<div class="{c["header"]}"><h1><a href="/">{e(b.name)}</a></h1>{_menu(ctx, c)}</div>
<div class="{c["wrap"]}">
<article class="{c["main"]}">
<h2 class="{c["title"]}">{e(article.title)}</h2>
<div class="{c["meta"]}"><span class="{c["author"]}">Penulis: {e(", ".join(article.authors))}</span>
| <time class="{c["date"]}" datetime="{iso_local(article.published_at, tz)}">{when.day}/{when.month:02d}/{when.year}</time></div>
<div class="{c["body"]}">{"".join(body)}</div>
<div class="{c["tags"]}">Kategori: <a href="/{e(article.section[0])}">{e(article.section[1])}</a></div>
</article>
<section class="{c["comments"]}"><h4>2 Komentar</h4>{comment_html}</section>
<div class="{c["related"]}"><h4>Tulisan Lain</h4><ul>{_links(related[:4])}</ul></div>
</div>
<div class="{c["foot"]}">Dibuat dengan sepenuh hati oleh tim {e(b.name)}.</div>"""


def _tabloid(
    article: SimArticle, ctx: PageContext, related: Sequence[SimArticle], c: dict[str, str]
) -> str:
    tz, b = ctx.bureau.tz, ctx.bureau
    text = "<br><br>".join(_paragraphs(article))
    ads = "".join(f'<a href="/iklan/{i}">Pasang iklan baris murah {i}</a><br>' for i in range(4))
    return f"""<table class="{c["layout"]}" width="100%"><tr>
<td class="{c["nav"]}" width="20%">{_menu(ctx, c)}</td>
<td class="{c["main"]}">
<font class="{c["title"]}" size="5"><b>{e(article.title)}</b></font><br>
<span class="{c["date"]}">{e(page_date(article.published_at, tz, b.tz_name))}</span><br>
<div class="{c["body"]}">{text}</div>
<div class="{c["credit"]}">Reporter: {e(", ".join(article.authors))}</div>
<div class="{c["related"]}"><b>Berita sebelumnya:</b><br>{_links(related[:3])}</div>
</td>
<td class="{c["ads"]}" width="20%">{ads}</td>
</tr></table>
<div class="{c["foot"]}">Redaksi {e(b.name)} menerima tulisan warga. Kirim ke surel redaksi.</div>"""


def hand_selectors(bureau: Bureau) -> dict[str, tuple[str, ...]]:
    """What a person would write as site rules for this site (the benchmark's yardstick)."""
    c = class_names(bureau)
    out: dict[str, tuple[str, ...]] = {
        "title": (f".{c['title']}",),
        "body": (f"div.{c['body']}",),
        "date": (f".{c['date']}",),
        "author": (f".{c['credit'] if bureau.family == 'tabloid' else c['author']}",),
        "remove": (),
    }
    if bureau.family == "portal":
        out["remove"] = (f".{c['inline']}", f".{c['share']}", f".{c['notice']}")
    return out
