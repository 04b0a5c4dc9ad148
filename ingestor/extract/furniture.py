"""Tell page furniture from story: tags, whole words of class and id names, size and links.

Navigation, sidebars, comment threads, share bars, related-story lists, captions and sign-up
boxes are furniture. Names are matched as words ("read" must not hit "breadcrumb", "tag" not
"instagram"), and most are trusted only on small or link-heavy blocks, because layouts name
whole stories "content-sidebar-wrap" or "entry share".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["BODY_WORDS", "FURNITURE_WORDS", "is_body_name", "is_furniture", "is_pointer"]
__all__ += ["link_density", "name_words"]

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})
_SKIP_TAGS |= {"rt", "rp", "textarea", "iframe"}  # ruby readings are not part of the sentence
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "menu", "dialog"})
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
_STORY_TAGS = frozenset({"main", "article"})
_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# Whole words of class and id names ("read" must not hit "breadcrumb", "tag" not "instagram").
# Trusted at any size: comment threads are long prose with few links, and only their name
# gives them away.
_ANY_SIZE_WORDS = frozenset(
    {"comment", "comments", "kommentar", "kommentare", "komentar", "disqus", "respond"}
    | {"commentlist", "comentarios", "commentaires", "komentarze", "reactions", "replies"}
    # Never the story either, however long: lists of other stories, sign-up and share boxes.
    | {"related", "terkait", "newsletter", "sharedaddy"}
    | {"rating", "ratings", "nextstory", "postmetadata", "appstores", "saboxplugin"}
    | {"popup", "login", "signup", "registration", "cookie", "cookies", "consent"}
)
FURNITURE_WORDS = _ANY_SIZE_WORDS | frozenset(
    {"sidebar", "widget", "widgets", "related", "terkait", "popular", "populer", "trending"}
    | {"footer", "menu", "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs", "pagination"}
    | {"share", "sharing", "social", "sosmed", "promo", "banner", "ad", "ads", "advert", "iklan"}
    | {"advertisement", "adsbygoogle", "newsletter", "subscribe", "cookie", "cookies", "consent"}
    | {"modal", "popup", "overlay", "login", "signup", "recommended", "rekomendasi", "teaser"}
    | {"teasers", "outbrain", "taboola", "sponsored", "masthead", "meta", "info", "byline"}
    | {"author", "authors", "tag", "tags", "print", "toolbar", "tools", "pager", "dateline"}
    | {"caption", "captions", "bildunterschrift", "credit", "credits", "copyright", "promobox"}
    # Also names of whole-page wrappers ("offcanvas-wrapper", "modal-enabled"): trusted only on
    # small or linked blocks. ("lightbox" is no furniture word: it is a hook making a story's
    # pictures zoomable, as in "js-lightbox-gallery".)
    | {"offcanvas", "modal", "promotion"}
)
# Fused names start with these: "relatedposts", "sharebar", "commentlist", "advertising".
_FURNITURE_STEMS = (
    *("related", "share", "comment", "advert", "sidebar", "social", "newsletter"),
    *("recommend", "breadcrumb", "pagination"),
)
BODY_WORDS = frozenset(
    {"article", "content", "entry", "post", "story", "body", "text", "main", "detail", "berita"}
    | {"isi", "artikel", "blog", "news", "articlebody", "storybody", "postbody", "richtext"}
    | {"beitrag", "inhalt", "artikel", "texto", "contenu", "tresc", "single"}
)
# An article body by name: a story word and a body word together ("entry-content",
# "article__body", "post-text"), or one of the fused names CMSs use.
_STORY_WORDS = frozenset(
    {"article", "entry", "post", "story", "news", "blog", "artikel", "beitrag"}
)
_STORY_BODY = frozenset({"content", "body", "text", "inner", "detail", "isi", "inhalt", "copy"})
_FUSED_BODY = frozenset({"articlebody", "storybody", "postbody", "entrycontent", "postcontent"})
# Other furniture names are trusted only on small or link-heavy blocks: "content-sidebar-wrap"
# and "entry share" have been seen wrapping whole stories.
_FURNITURE_MAX_TEXT = 1500
# Words of layout classes that merely mention a sidebar: "has-sidebar", "sidebar-right wrap".
_LAYOUT_WORDS = frozenset({"has", "with", "wrap", "wrapper", "layout", "container", "row", "grid"})
_FURNITURE_MIN_LINKS = 0.3
# WordPress lists the post's tags and categories as classes ("tag-social", "category-ads").
_TAXONOMY_CLASS = re.compile(r"(?<!\S)(?:tag|category|categories|post_tag|topic)-\S*")
_NO_WORDS: frozenset[str] = frozenset()
# Lines that point away from the story, in the languages real pages showed ("more on this",
# "lesen Sie auch", "à lire aussi"). "Baca juga", "read also" and "related:" lines are left to
# the cleaner, which keeps their links as the record's related stories.
_LABEL_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "strong", "b"})
_MAX_POINTER = 120
_POINTER = re.compile(
    r"\W*(?:you (?:may|might) also like|more on this|lesen sie (?:auch|mehr)|auch interessant"
    r"|mehr zum thema|mehr (?:themen|dazu)\s*:|schon gelesen|weitere (?:artikel|beiträge)\b"
    r"|empfohlene beiträge|teilen mit|seite teilen|lire aussi|à lire aussi|voir aussi"
    r"|aller plus loin|le puede interesar|lea también|leia também|veja também"
    r"|czytaj (?:też|także|również)|zobacz (?:też|także|również)|dowiedz się więcej|leggi anche)",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"([a-z])([A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def name_words(el: Any) -> frozenset[str]:
    """The words of an element's class and id: "postContent main-col" gives post, content, main, col."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return _NO_WORDS
    names = f"{_TAXONOMY_CLASS.sub(' ', cls) if cls and '-' in cls else cls or ''} {ident or ''}"
    return _words(names)


@lru_cache(maxsize=4096)
def _words(names: str) -> frozenset[str]:
    # Pages repeat the same few class strings hundreds of times.
    return frozenset(w for w in _WORD_SPLIT.split(_CAMEL.sub(r"\1 \2", names).lower()) if w)


def is_furniture(el: Any, tag: str) -> bool:
    """Whether `el` (and so all it holds) is page furniture rather than story."""
    if tag in _SKIP_TAGS:
        return True
    if tag in _NEVER_FURNITURE:
        return False
    if tag in _FURNITURE_TAGS:
        # An article's own header holds its lead ("header > p.lead"); the page's header is furniture.
        return tag != "header" or not any(a.tag in _STORY_TAGS for a in el.iterancestors())
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    cls = el.get("class")
    # A heading's id is an anchor made from its text ("nav_nur_die_folie"), not a role.
    verdict = _name_verdict(cls, None if tag in _HEADINGS else el.get("id"))
    if verdict is not None:
        return verdict
    length = len(el.text_content())
    return length <= _FURNITURE_MAX_TEXT or link_density(el, length) >= _FURNITURE_MIN_LINKS


@lru_cache(maxsize=4096)
def _name_verdict(cls: str | None, ident: str | None) -> bool | None:
    """What class and id alone say: furniture (True), not (False), or ask the size (None)."""
    # Cached: a page repeats a few class strings on hundreds of elements, and this runs on all.
    if not cls and not ident:
        return False
    names = f"{_TAXONOMY_CLASS.sub(' ', cls) if cls and '-' in cls else cls or ''} {ident or ''}"
    words = _words(names)
    if words & _ANY_SIZE_WORDS:
        return not is_body_name(words)
    if not any(w in FURNITURE_WORDS or w.startswith(_FURNITURE_STEMS) for w in words):
        return False
    if words & _LAYOUT_WORDS and any(w.startswith("sidebar") for w in words):
        return False  # "content-sidebar-wrap", "has-sidebar": a page layout, not a sidebar
    return None


def is_pointer(el: Any) -> bool:
    """A short line pointing away from the story: "Lesen Sie auch", "à lire aussi"."""
    if el.tag not in _LABEL_TAGS:
        return False
    text = el.text_content()
    return len(text) <= _MAX_POINTER and _POINTER.match(" ".join(text.split())) is not None


def is_body_name(words: frozenset[str]) -> bool:
    """Class words naming an article body: "entry-content", "article__body", "postContent"."""
    return bool(words & _FUSED_BODY) or bool(words & _STORY_WORDS and words & _STORY_BODY)


def link_density(el: Any, length: int) -> float:
    """The share of `el`'s `length` characters that are link text."""
    if length <= 0:
        return 1.0
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return min(linked / length, 1.0)
