"""Find the article body of a page with no site rules: score text blocks, pick the story's container.

One walk over the parsed page scores every block of prose (paragraphs, list items, cells, bare
text in containers) on its length, punctuation and link density, skipping blocks inside page
furniture (navigation, sidebars, comments, share bars: told by tag or by whole words in class and
id). Each score flows up to the block's ancestors, fading with distance, so a container wins by
holding many blocks close by. From the winner the finder climbs to an enclosing container named
like an article body, and takes in sibling blocks that continue the story (a story split by an ad
or a pull quote). Lists, tables, quotes and subheadings inside the chosen containers are kept.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["find_body", "name_words"]

# Blocks whose whole text is one unit of prose; containers and items score their own bare text.
_PROSE_TAGS = frozenset({"p", "pre", "blockquote"})
_OWN_TEXT_TAGS = frozenset({"div", "article", "section", "main", "td", "li", "dd", "font", "span"})
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})
_SKIP_TAGS |= {"rt", "rp", "textarea", "iframe"}  # ruby readings are not part of the sentence
_FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "menu", "dialog"})
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
_INLINE = frozenset({"a", "b", "strong", "i", "em", "u", "span", "br", "font", "sup", "sub"})
_INLINE |= {"small", "mark", "abbr", "cite", "q", "code", "time", "s", "del", "ins", "big", "tt"}
# Whole words of class and id names ("read" must not hit "breadcrumb", "tag" not "instagram").
# Comment threads are long prose with few links: only their name gives them away.
_THREAD_WORDS = frozenset(
    {"comment", "comments", "kommentar", "kommentare", "komentar", "disqus", "respond"}
    | {"commentlist", "comentarios", "commentaires", "komentarze", "reactions", "replies"}
    # Never the story either, however long: lists of other stories, sign-up and share boxes.
    | {"related", "terkait", "newsletter", "sharedaddy"}
    | {"rating", "ratings", "promotion", "nextstory", "postmetadata", "appstores", "saboxplugin"}
    | {"modal", "popup", "login", "signup", "registration", "cookie", "cookies", "consent"}
    | {"offcanvas", "lightbox"}
)
_FURNITURE_WORDS = _THREAD_WORDS | frozenset(
    {"sidebar", "widget", "widgets", "related", "terkait", "popular", "populer", "trending"}
    | {"footer", "menu", "nav", "navbar", "navigation", "breadcrumb", "breadcrumbs", "pagination"}
    | {"share", "sharing", "social", "sosmed", "promo", "banner", "ad", "ads", "advert", "iklan"}
    | {"advertisement", "adsbygoogle", "newsletter", "subscribe", "cookie", "cookies", "consent"}
    | {"modal", "popup", "overlay", "login", "signup", "recommended", "rekomendasi", "teaser"}
    | {"teasers", "outbrain", "taboola", "sponsored", "masthead", "meta", "info", "byline"}
    | {"author", "authors", "tag", "tags", "print", "toolbar", "tools", "pager", "dateline"}
    | {"caption", "captions", "bildunterschrift", "credit", "credits", "copyright", "promobox"}
)
# Fused names start with these: "relatedposts", "sharebar", "commentlist", "advertising".
_FURNITURE_STEMS = (
    *("related", "share", "comment", "advert", "sidebar", "social", "newsletter"),
    *("recommend", "breadcrumb", "pagination"),
)
_BODY_WORDS = frozenset(
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
_COMMAS = re.compile(r"[,，、،]")
_MIN_BLOCK = 25  # characters; shorter blocks are labels, buttons and captions
_MAX_LINK_DENSITY = 0.5
_MIN_SCORE = 4.0
_CLASS_WEIGHT = 25.0
_FADE = (1.0, 0.5, 1 / 3, 0.25)  # share of a block's score its parent, grandparent, ... get
_TOP = 5
_CLIMB = 4  # levels above the winner searched for a container named like an article body
_CLIMB_MAX_LINKS = 0.35
_SIBLING_SHARE = 0.2
_SIBLING_FLOOR = 10.0


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


def find_body(root: Any) -> list[Any]:
    """The containers of the story, in page order; empty when nothing on the page reads as prose."""
    furniture: dict[Any, bool] = {}
    scores: dict[Any, float] = {}
    mass: dict[Any, int] = {}  # characters of prose under each element
    paragraphs: list[tuple[int, Any]] = []  # (page position, element) of long, unlinked <p>
    for position, el in enumerate(root.iter()):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        parent = el.getparent()
        inherited = furniture.get(parent, False) if parent is not None else False
        bad = inherited or tag in _SKIP_TAGS or _is_furniture(el, tag)
        furniture[el] = bad
        if bad or parent is None:
            continue
        if tag in _LABEL_TAGS and _is_pointer(el):
            furniture[el] = True  # "Lesen Sie auch: ...", "Mehr zum Thema": a way out, not story
            continue
        if tag in _PROSE_TAGS:
            text, owner = el.text_content(), parent
        elif tag in _OWN_TEXT_TAGS:
            text, owner = _own_text(el), el
        else:
            continue
        length = len(text.strip())
        if length < _MIN_BLOCK:
            continue
        if tag in _PROSE_TAGS:
            density = _link_density(el, length)
            if density > _MAX_LINK_DENSITY:
                continue
            if length >= _STRAY_MIN and density <= _STRAY_LINKS:
                paragraphs.append((position, el))
        score = 1.0 + len(_COMMAS.findall(text)) + min(length / 100.0, 3.0)
        for up in (owner, *owner.iterancestors()):
            mass[up] = mass.get(up, 0) + length
        for share in _FADE:
            scores[owner] = scores.get(owner, 0.0) + score * share
            owner = owner.getparent()
            if owner is None:
                break
    if not scores:
        return []
    top = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:_TOP]
    best_score, best = max(((_final_score(el, s), el) for el, s in top), key=lambda x: x[0])
    if best_score < _MIN_SCORE:
        return []
    best = _named_body(best, mass, furniture)
    best = _climb(best, furniture)
    best = _spread(best, mass, furniture, mass.get(root, 0))
    containers = _with_siblings(best, scores.get(best, best_score), scores, furniture)
    containers = _with_strays(containers, paragraphs, furniture)
    for container in containers:
        _prune(container, furniture)
    return containers


def _is_furniture(el: Any, tag: str) -> bool:
    if tag in _NEVER_FURNITURE:
        return False
    if tag in _FURNITURE_TAGS:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    words = name_words(el)
    if words & _THREAD_WORDS:
        return not _is_body_name(words)
    if not any(w in _FURNITURE_WORDS or w.startswith(_FURNITURE_STEMS) for w in words):
        return False
    if words & _LAYOUT_WORDS and any(w.startswith("sidebar") for w in words):
        return False  # "content-sidebar-wrap", "has-sidebar": a page layout, not a sidebar
    length = len(el.text_content())
    return length <= _FURNITURE_MAX_TEXT or _link_density(el, length) >= _FURNITURE_MIN_LINKS


def _is_pointer(el: Any) -> bool:
    text = el.text_content()
    return len(text) <= _MAX_POINTER and _POINTER.match(" ".join(text.split())) is not None


def _is_body_name(words: frozenset[str]) -> bool:
    return bool(words & _FUSED_BODY) or bool(words & _STORY_WORDS and words & _STORY_BODY)


def _final_score(el: Any, score: float) -> float:
    words = name_words(el)
    if words & _BODY_WORDS:
        score += _CLASS_WEIGHT
    if words & _FURNITURE_WORDS:
        score -= _CLASS_WEIGHT
    total = len(el.text_content())
    return score * (1.0 - _link_density(el, total))


_NAMED_SHARE = 0.5


def _named_body(best: Any, mass: dict[Any, int], furniture: dict[Any, bool]) -> Any:
    """A container named like an article body holding a fair share of the winner's prose."""
    named = [
        el
        for el in mass
        if not furniture.get(el, True)
        and (el.get("itemprop") == "articleBody" or _is_body_name(name_words(el)))
    ]
    if not named:
        return best
    pick = max(named, key=lambda el: mass[el])
    if pick is best or mass[pick] < _NAMED_SHARE * mass.get(best, 0):
        return best
    if _link_density(pick, len(pick.text_content())) > _CLIMB_MAX_LINKS:
        return best
    return pick


def _climb(best: Any, furniture: dict[Any, bool]) -> Any:
    """The highest container within a few levels named like an article body, else `best`."""
    chosen, el = best, best
    for _ in range(_CLIMB):
        el = el.getparent()
        if el is None or furniture.get(el, True) or el.tag in ("html", "body"):
            break
        if (el.get("itemprop") == "articleBody" or _is_body_name(name_words(el))) and (
            _link_density(el, len(el.text_content())) <= _CLIMB_MAX_LINKS
        ):
            chosen = el
    return chosen


_SPREAD = 0.5
_PAGE_SHARE = 0.5
_SPREAD_LINKS = 0.4


def _spread(best: Any, mass: dict[Any, int], furniture: dict[Any, bool], total: int) -> Any:
    """Climb while the parent holds much more prose: a story split over many small blocks."""
    el = best
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in ("html", "body") or furniture.get(parent, True):
            return el
        have, more = mass.get(el, 0), mass.get(parent, 0)
        if more < (1 + _SPREAD) * have and not (have < _PAGE_SHARE * total and more > have):
            return el
        if _link_density(parent, len(parent.text_content())) > _SPREAD_LINKS:
            return el
        el = parent


# A stray paragraph: long and hardly linked, within a few levels above the chosen containers.
_STRAY_MIN = 120
_STRAY_LINKS = 0.1
_REGION = 6


def _with_strays(
    containers: list[Any], paragraphs: list[tuple[int, Any]], furniture: dict[Any, bool]
) -> list[Any]:
    """Add long unlinked paragraphs near the story but outside its containers (a lead, a box)."""
    region = containers[0].getparent()
    for _ in range(_REGION - 1):
        if region is None or region.tag in ("html", "body"):
            break
        up = region.getparent()
        if up is None or up.tag in ("html", "body") or furniture.get(up, True):
            break
        region = up
    if region is None or region.tag in ("html", "body"):
        return containers
    chosen = set(containers)
    order: list[tuple[float, Any]] = []
    for position, el in paragraphs:
        ancestors = list(el.iterancestors())
        if region in ancestors and not chosen.intersection(ancestors):
            order.append((position, el))
    if not order:
        return containers
    # Page order: each container sits where its first paragraph or itself starts.
    rank = {el: position for position, el in paragraphs}
    placed = [(_first_position(c, rank), c) for c in containers]
    return [el for _, el in sorted(placed + order, key=lambda item: item[0])]


def _first_position(container: Any, rank: dict[Any, int]) -> float:
    for el in container.iter("p"):
        if el in rank:
            return rank[el] - 0.5
    return -1.0


def _with_siblings(
    best: Any, best_score: float, scores: dict[Any, float], furniture: dict[Any, bool]
) -> list[Any]:
    """`best` and the sibling blocks that continue its story (readability's sibling rule)."""
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(_SIBLING_FLOOR, best_score * _SIBLING_SHARE)
    best_class = best.get("class")
    out = []
    for sibling in parent:
        if sibling is best:
            out.append(best)
            continue
        if not isinstance(sibling.tag, str) or furniture.get(sibling, True):
            continue
        bonus = (
            best_score * _SIBLING_SHARE if best_class and sibling.get("class") == best_class else 0
        )
        if scores.get(sibling, 0.0) + bonus >= threshold or _continues(sibling):
            out.append(sibling)
    return out


def _prune(container: Any, furniture: dict[Any, bool]) -> None:
    """Drop the furniture inside a chosen container (the tree is private to this extraction)."""
    doomed = [
        el for el in container.iter() if furniture.get(el) and not furniture.get(el.getparent())
    ]
    for el in doomed:
        el.drop_tree()


def _continues(el: Any) -> bool:
    """A paragraph beside the story that reads as its continuation: prose, hardly linked."""
    if el.tag != "p":
        return False
    text = " ".join(el.text_content().split())
    density = _link_density(el, len(text))
    if len(text) > 80:
        return density < 0.25
    return density == 0 and text.endswith((".", "!", "?", "。"))


def _own_text(el: Any) -> str:
    """Text directly inside `el` (its text and its inline children's), not nested blocks'."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in _INLINE and child.tag != "a":
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _link_density(el: Any, length: int) -> float:
    if length <= 0:
        return 1.0
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return min(linked / length, 1.0)
