"""Article pages in today's layout (div.wrap__article-detail) and their AMP variant."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from warta.simsite.dates import iso_local, page_date
from warta.simsite.model import SimArticle
from warta.simsite.shell import PageContext, e, page, tag_slug, teaser

__all__ = ["NOTICE", "amp_page", "article_page", "byline_text", "jsonld"]

NOTICE = (
    "Dilarang keras mengambil konten, melakukan crawling atau pengindeksan otomatis untuk AI di "
    "situs web ini tanpa izin tertulis dari Kantor Berita ANTARA."
)
_ADS_CLIENT = "ca-pub-7615225431440626"


def _script_json(data: Any) -> str:
    # "</" would end the <script> element early; JSON allows the escaped form.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def jsonld(article: SimArticle, ctx: PageContext) -> dict[str, Any] | None:
    """The page's JSON-LD object as designed for this story (None: the page has none)."""
    if article.jsonld == "none":
        return None
    tz = ctx.bureau.tz
    authors = [{"@type": "Person", "name": name} for name in article.authors]
    news: dict[str, Any] = {
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "headline": article.title,
        "description": teaser(article),
        "image": {"@type": "ImageObject", "url": article.image_url, "width": 1200, "height": 800},
        "datePublished": iso_local(article.published_at, tz),
        "dateModified": iso_local(article.updated_at, tz),
        "author": authors[0] if len(authors) == 1 else authors,
        "publisher": {
            "@type": "Organization",
            "name": "ANTARA",
            "logo": {
                "@type": "ImageObject",
                "url": ctx.absolute("/assets/img/antaranews-logo.png"),
            },
        },
        "articleSection": article.section[1],
        "keywords": ", ".join(article.tags),
        "inLanguage": "id",
    }
    if article.jsonld == "article":
        return {"@context": "https://schema.org", **news}
    crumbs = [
        ("Beranda", ctx.absolute("/")),
        (article.section[1], ctx.absolute(f"/{article.section[0]}")),
    ]
    crumbs.append((article.title, article.url))
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": article.url,
                "url": article.url,
                "name": article.title,
                "breadcrumb": {"@id": f"{article.url}#breadcrumb"},
            },
            {
                "@type": "BreadcrumbList",
                "@id": f"{article.url}#breadcrumb",
                "itemListElement": [
                    {"@type": "ListItem", "position": i, "name": name, "item": url}
                    for i, (name, url) in enumerate(crumbs, start=1)
                ],
            },
            {**news, "isPartOf": {"@id": article.url}},
        ],
    }


def byline_text(article: SimArticle, year: int) -> str:
    """The footer line as HTML, in the story's footer variant."""
    author = ", ".join(article.authors)
    copyright_ = f"COPYRIGHT &copy; ANTARA {year}"
    translator = article.translator
    if article.footer_style == "glued":
        extra = f"Penerjemah: {e(translator)}" if translator else ""
        return f"Pewarta: {e(author)}{extra}Editor: {e(article.editor)} {copyright_}"
    if article.footer_style == "spaced":
        extra = f" Penerjemah: {e(translator)}" if translator else ""
        return f"Pewarta : {e(author)}{extra} Editor: {e(article.editor)} {copyright_}"
    extra = f"<br>Penerjemah: {e(translator)}" if translator else ""
    return f"Pewarta : {e(author)}{extra}<br>Editor: {e(article.editor)}<br>{copyright_}"


def _baca_juga(article: SimArticle, index: int) -> str:
    title, url = article.related[index]
    return (
        f'<p><span class="baca-juga">{e(article.baca_juga_label)} '
        f'<a href="{e(url)}">{e(title)}</a></span></p>'
    )


def _body(article: SimArticle, ctx: PageContext) -> str:
    chunks: list[str] = []
    n = len(article.paragraphs)
    for i, para in enumerate(article.paragraphs):
        last = i == n - 1
        text = escape(para, quote=False)  # quotes stay literal in text, as on the real pages
        if article.body_style == "p":
            chunks.append(f"<p>{text}</p>")
        else:
            chunks.append(text if last else f"{text}<br><br>")
        if i == 0 and article.related:
            chunks.append(_baca_juga(article, 0))
        if i == 1 and not last:
            chunks.append(
                f'<div class="ads-container text-center"><ins class="adsbygoogle" '
                f'style="display:block; text-align:center;" data-ad-layout="in-article" '
                f'data-ad-format="fluid" data-ad-client="{_ADS_CLIENT}" data-ad-slot="8236054914">'
                "</ins><script>(adsbygoogle = window.adsbygoogle || []).push({});</script>"
                '<div id="aswift_2_host" style="border:none;height:280px;width:100%;">'
                '<iframe id="aswift_2" name="aswift_2" width="100%" height="280" frameborder="0" '
                'title="Advertisement"></iframe></div></div>'
            )
        if i == 2 and not last:
            chunks.append(
                "<p><script>googletag.cmd.push(function() { "
                "googletag.display('div-gpt-ad-1611036163441-0'); });</script></p>"
            )
        if i == 3 and not last and len(article.related) > 1:
            chunks.append(_baca_juga(article, 1))
    year = article.published_at.astimezone(ctx.bureau.tz).year
    chunks.append(f'<p class="text-muted mt-2 small">{byline_text(article, year)}</p>')
    chunks.append(f"<p>{e(NOTICE)}</p>")
    return "\n".join(chunks)


def _head_meta(article: SimArticle, ctx: PageContext) -> str:
    tz = ctx.bureau.tz
    desc = teaser(article)
    path = article.url.removeprefix(ctx.bureau.base_url)
    tags = "".join(f'<meta property="article:tag" content="{e(t)}">\n' for t in article.tags)
    data = jsonld(article, ctx)
    ld = (
        f'<script type="application/ld+json">{_script_json(data)}</script>'
        if data is not None
        else ""
    )
    return f"""<meta name="description" content="{e(desc)}">
<meta name="keywords" content="{e(", ".join(article.tags))}">
<link rel="canonical" href="{e(article.url)}">
<link rel="amphtml" href="{e(ctx.absolute("/amp" + path))}">
<meta property="og:site_name" content="{e(ctx.bureau.name)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(article.title)}">
<meta property="og:description" content="{e(desc)}">
<meta property="og:url" content="{e(article.url)}">
<meta property="og:image" content="{e(article.image_url or "")}">
<meta property="og:image:width" content="1200"><meta property="og:image:height" content="800">
<meta property="article:published_time" content="{iso_local(article.published_at, tz)}">
<meta property="article:modified_time" content="{iso_local(article.updated_at, tz)}">
<meta property="article:section" content="{e(article.section[1])}">
{tags}<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@antaranews">
<meta name="twitter:title" content="{e(article.title)}">
<meta name="twitter:image" content="{e(article.image_url or "")}">
{ld}"""


def article_page(article: SimArticle, ctx: PageContext, related_news: list[SimArticle]) -> str:
    """The full article page with all the real site's noise around the story."""
    tz = ctx.bureau.tz
    share_url = e(article.url)
    share = f"""<div class="social-share mt-3"><ul class="list-inline">
<li class="list-inline-item"><a class="btn-facebook" \
href="https://www.facebook.com/sharer/sharer.php?u={share_url}" target="_blank">Facebook</a></li>
<li class="list-inline-item"><a class="btn-twitter" \
href="https://twitter.com/intent/tweet?url={share_url}" target="_blank">Twitter</a></li>
<li class="list-inline-item"><a class="btn-whatsapp" \
href="https://api.whatsapp.com/send?text={share_url}" target="_blank">WhatsApp</a></li>
<li class="list-inline-item"><button class="btn-copy" data-url="{share_url}">Salin tautan</button>\
</li></ul></div>"""
    tags = "".join(
        f'<li class="list-inline-item"><a href="/tag/{e(tag_slug(t))}">{e(t)}</a></li>'
        for t in article.tags
    )
    related = "".join(f'<li><a href="{e(a.url)}">{e(a.title)}</a></li>' for a in related_news)
    caption = (
        f'<figcaption class="text-muted">{e(article.image_caption)}</figcaption>'
        if article.image_caption
        else ""
    )
    words = sum(len(p.split()) for p in article.paragraphs)
    main = f"""<div class="wrap__article-detail">
<ul class="breadcrumbs bg-light mb-4">
<li class="breadcrumbs__item"><a href="/" class="breadcrumbs__url">Beranda</a></li>
<li class="breadcrumbs__item"><a href="/{e(article.section[0])}" class="breadcrumbs__url">\
{e(article.section[1])}</a></li>
</ul>
<div class="wrap__article-detail-title"><h1 class="post-title">{e(article.title)}</h1></div>
<hr>
<div class="wrap__article-detail-info">
<span class="text-dark text-uppercase">{e(article.section[1])}</span>
<span class="text-secondary font-weight-normal">\
{e(page_date(article.published_at, tz, ctx.bureau.tz_name))}</span>
<span class="text-secondary">Waktu baca {max(1, words // 200)} menit</span>
</div>
{share}
<div class="wrap__article-detail-image mt-4"><figure>
<img src="{e(article.image_url or "")}" alt="{e(article.title)}" class="img-fluid" \
width="1200" height="800">{caption}</figure></div>
<div class="wrap__article-detail-content post-content">
{_body(article, ctx)}
</div>
<div class="blog-tags"><ul class="blog-tags list-inline">\
<li class="list-inline-item"><i class="fa fa-tags"></i></li>{tags}</ul></div>
{share}
<div class="related-news mt-4"><h4 class="border_section">Berita Terkait</h4>
<ul class="list-unstyled">{related}</ul></div>
</div>"""
    title = f"{article.title} - {ctx.bureau.name}"
    return page(ctx, title, main, extra_head=_head_meta(article, ctx))


def amp_page(article: SimArticle, ctx: PageContext) -> str:
    """The AMP variant: same story, rel=canonical back to the article page."""
    tz = ctx.bureau.tz
    data = jsonld(article, ctx)
    ld = (
        f'<script type="application/ld+json">{_script_json(data)}</script>'
        if data is not None
        else ""
    )
    paras = "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in article.paragraphs)
    year = article.published_at.astimezone(tz).year
    return f"""<!doctype html>
<html amp lang="id">
<head>
<meta charset="utf-8">
<title>{e(article.title)} - {e(ctx.bureau.name)}</title>
<link rel="canonical" href="{e(article.url)}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
<meta property="article:published_time" content="{iso_local(article.published_at, tz)}">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{visibility:hidden}}</style>
<noscript><style amp-boilerplate>body{{visibility:visible}}</style></noscript>
<style amp-custom>body{{font-family:sans-serif}}.post-title{{font-size:1.5rem}}</style>
{ld}
</head>
<body>
<header class="amp-header"><a href="{e(ctx.absolute("/"))}">{e(ctx.bureau.name)}</a></header>
<article class="amp-article">
<h1 class="post-title">{e(article.title)}</h1>
<div class="amp-date">{e(page_date(article.published_at, tz, ctx.bureau.tz_name))}</div>
<amp-img src="{e(article.image_url or "")}" width="1200" height="800" layout="responsive" \
alt="{e(article.title)}"></amp-img>
<div class="post-content">
{paras}
<p class="text-muted mt-2 small">{byline_text(article, year)}</p>
<p>{e(NOTICE)}</p>
</div>
</article>
</body>
</html>
"""
