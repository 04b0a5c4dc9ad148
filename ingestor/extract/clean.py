"""Turn article body containers into clean paragraphs, "Baca juga" links and credit footers.

Works on a tree private to one extraction call: noise elements are dropped in place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from database.records import Related
from ingestor.extract.byline import Footer, is_footer, parse_footer
from ingestor.sources import absolute_url, select

__all__ = ["Body", "clean_body", "clean_lines", "normalize_text"]

# Never article text, whatever the site.
_NOISE_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "ins", "form", "button", "select", "textarea"}
    | {"svg", "canvas", "object", "embed", "video", "audio", "nav", "aside", "footer", "h1"}
    | {"template", "link", "meta", "input"}
)
# Class or id words of share widgets, ads, related-news and tag blocks (ANTARA's `.social-share`,
# `.related-news`, `ul.blog-tags`, `div[id*=aswift_]`, and their cousins on other sites).
_NOISE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:share\w*|social|sosmed|related\w*|terkait|rekomendasi|recommend\w*|populer"
    r"|popular|trending|comments?|komentar|disqus|sidebar|widgets?|advert\w*|ads|adsbygoogle|iklan"
    r"|banner|promo|newsletter|subscribe|breadcrumbs?|pagination|pager|tags?|topics?|byline"
    r"|author\w*|credit\w*|entry-meta|post-meta|article-meta|parallax\w*|sticky|modal|popup"
    r"|sr-only)(?:$|[\s_-])|aswift|google_ads|gpt-ad",
    re.IGNORECASE,
)
_CREDIT_NAMES = re.compile(r"author|credit|byline|penulis|reporter", re.IGNORECASE)
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr"}
    | {"section", "article", "figure", "figcaption", "pre", "dl", "dt", "dd", "header", "main"}
    | {"address", "hr", "center", "details", "summary", "tbody", "thead"}
)
_HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_HEADING_MAX = 80
_RELATED = re.compile(
    r"^\W*(?:(?:baca|lihat)\s+(?:juga|pula)\b|berita\s+terkait\s*:|also\s+read\s*:|read\s+also\s*:)",
    re.IGNORECASE,
)
_NOTICE = re.compile(r"dilarang keras mengambil konten", re.IGNORECASE)
# Line-level boilerplate other sites insert into the body.
_BOILERPLATE = re.compile(
    r"^\W*(?:advertisement|scroll to continue with content|iklan|lihat foto"
    r"|simak (?:breaking news|berita|juga|video|selengkapnya)|dapatkan (?:update|informasi|berita)"
    r"|ikuti (?:kami|berita|saluran|update)|artikel ini telah tayang di|tonton juga"
    r"|saksikan (?:juga|video)|download aplikasi|halaman (?:selanjutnya|berikutnya)"
    r"|follow (?:us|berita)|baca (?:berita|artikel) lainnya)\b"
    r"|^\W*(?:berita|artikel) (?:lainnya|terkait|pilihan|terpopuler)\W*$"
    r"|^\(\s*[a-z]{2,5}\s*/\s*[a-z]{2,5}\s*\)$"  # detik's closing desk initials "(jbr/imk)"
    r"|^\(\s*[\w-]+\.(?:com|co\.id|co|id)\s*/[^)]{1,60}\)$",  # tribun's "(Banjarmasinpost.co.id/Name)"
    re.IGNORECASE,
)
# Picture credits left in the text when the picture is gone: "Foto: Name", "Titelbild: Agency",
# "Name, photo: Archive", "(Credit: Name / Agency)", "... © AFP / Name". Short lines only.
_CREDIT_LINE = re.compile(
    r"^\W*(?:fotos?|photos?|bild|titelbild|beitragsbild|copyright|crédits? photos?|credits?"
    r"|image|quelle)\s*:|(?:,|\()\s*(?:fotos?|photos?|credits?)\s*:",
    re.IGNORECASE,
)
_CREDIT_MAX = 100
_CAPTION_MAX = 250  # a caption ending in "| © Agency / Name" is longer than a bare credit
# Captions of figures gone from the text ("Abbildung 8: ...", "Fig. 2: ..."), and lines that
# point to another story ("Vea también: <title>", "Siehe auch: ..."), up to _CAPTION_MAX.
_CAPTION_LINE = re.compile(
    r"^\W*(?:abbildung|abb\.|figure|fig\.|grafik|image illustrative)\s*\d*\s*:"
    r"|^\W*(?:vea también|mira|mire|lee también|leia também|veja também|lesen sie auch"
    r"|siehe auch|see also|read more|related coverage)\s*:",
    re.IGNORECASE,
)
# Advertising disclosures: a line marked as an ad ("Anzeige:", "*Werbung.", "WERBUNG für X")
# and affiliate notices ("enthält Affiliate-Links", "we may earn a commission", "erhält ...
# eine Provision"). Said to the reader about the page, not about the news; short lines only.
_DISCLOSURE = re.compile(
    r"^\W*(?:anzeige|werbung|advertisement|sponsored|publicidad|publicité)\s*(?:[:.,|\]–-]|für\b|$)"
    r"|\baffiliate[- ]?links?\b|\bamazon services llc associates\b"
    r"|\b(?:earn|receive|get)s? (?:a )?(?:small )?(?:commission|compensation)\b"
    r"|\b(?:erhält|erhalten|bekommt|bekommen) [^!?]{0,60}\bprovision\b"
    r"|\bcontains? references to products\b",
    re.IGNORECASE,
)
_DISCLOSURE_MAX = 400
_LINK_LINE_SHARE = 0.8
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


@dataclass(frozen=True, slots=True)
class Body:
    """A cleaned body: paragraphs in order, the "Baca juga" links, any credit footer, a caption."""

    paragraphs: tuple[str, ...]
    related: tuple[Related, ...]
    footer: Footer | None
    caption: str | None


@dataclass(slots=True)
class _Line:
    text: list[str]
    links: list[tuple[str, str]]


def normalize_text(text: str) -> str:
    """One line of text: NFC, invisible characters dropped, whitespace runs collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_INVISIBLE).split())


def clean_body(
    containers: list[Any], *, base_url: str, remove: tuple[str, ...] = (), by_name: bool = True
) -> Body:
    """Strip noise from `containers` (in place), split paragraphs, sort out links and footers.

    `by_name=False` keeps blocks whose class or id merely sounds like noise: the generic finder
    has already pruned its containers with a stricter test (whole words, size and links).
    """
    footers: list[Footer] = []
    caption: str | None = None
    paragraphs: list[tuple[list[_Line], bool]] = []
    for container in containers:
        caption = _drop_noise(container, remove, footers, by_name) or caption
        paragraphs.extend(_segment(container))
    related: list[Related] = []
    kept: list[str] = []
    headed: list[bool] = []  # whether each kept paragraph is a heading (h2-h6)
    label = False  # whether the last kept paragraph is a short heading-like line
    for para, heading in paragraphs:
        raw = [(normalize_text("".join(line.text)), line.links) for line in para]
        lines = clean_lines(raw, related, footers)
        if lines:
            kept.append("\n".join(lines))
            headed.append(heading)
            label = _is_label(kept[-1])
        elif label and any(links for _, links in raw):
            # The heading of a list of links dropped above ("Weitere Themen", "Veja também").
            kept.pop()
            headed.pop()
            label = False
    while headed and headed[-1] and len(kept[-1]) < _HEADING_MAX:
        # A story does not end on a heading: what it announced ("Weitere Themen", "Mehr
        # Informationen") was furniture and is gone. (A long "heading" is prose set in <h4>.)
        kept.pop()
        headed.pop()
    # Only web links are related stories; a javascript: or malformed href is dropped.
    links = ((r.title, absolute_url(base_url, r.url)) for r in related)
    absolute = (Related(title, url) for title, url in links if url is not None)
    return Body(tuple(kept), tuple(dict.fromkeys(absolute)), _merge(footers), caption)


def clean_lines(
    lines: list[tuple[str, list[tuple[str, str]]]],
    related: list[Related],
    footers: list[Footer],
) -> list[str]:
    """Keep the article lines; "Baca juga" links go to `related`, credit lines to `footers`."""
    kept = []
    for text, links in lines:
        if not text:
            continue
        if _RELATED.match(text):
            related.extend(Related(normalize_text(t), href) for t, href in links if t.strip())
        elif is_footer(text):
            footer = parse_footer(text)
            if footer is not None:
                footers.append(footer)
        elif not _is_noise(text, links):
            kept.append(text)
    return kept


_LABEL_MAX = 60


def _is_label(text: str) -> bool:
    """One short line that is not a sentence: a heading or a label."""
    return len(text) < _LABEL_MAX and "\n" not in text and not text.endswith(_SENTENCE_END)


_SENTENCE_END = (".", "!", "?", '"', "”", "»", ")", "…")


def _is_noise(text: str, links: list[tuple[str, str]]) -> bool:
    """A notice, a boilerplate line, a line of links, an ad disclosure or a picture credit."""
    if _NOTICE.search(text) or _BOILERPLATE.search(text) or _all_links(text, links):
        return True
    if len(text) < _DISCLOSURE_MAX and _DISCLOSURE.search(text):
        return True
    if len(text) < _CAPTION_MAX and ("©" in text or _CAPTION_LINE.search(text)):
        return True
    return len(text) < _CREDIT_MAX and _CREDIT_LINE.search(text) is not None


def _all_links(text: str, links: list[tuple[str, str]]) -> bool:
    """A line that is nothing but links: a "more news" list, not prose."""
    linked = sum(len(normalize_text(t)) for t, _ in links)
    return linked >= _LINK_LINE_SHARE * len(text)


def _drop_noise(
    container: Any, remove: tuple[str, ...], footers: list[Footer], by_name: bool = True
) -> str | None:
    """Drop noise under `container`; return the first figure caption, which is kept apart."""
    caption = None
    for figure in container.iter("figure"):
        texts = [normalize_text(c.text_content()) for c in figure.iter("figcaption")]
        caption = caption or next((t for t in texts if t), None)
    doomed = {el: True for selector in remove for el in select(container, selector)}
    for el in container.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        named = by_name and names != " " and _NOISE_NAMES.search(names) is not None
        if tag in _NOISE_TAGS or tag == "figure" or named:
            doomed[el] = True
            # A credit line may sit in a block dropped as noise (an author box, a <footer>).
            if tag == "footer" or _CREDIT_NAMES.search(names):
                footer = parse_footer(normalize_text(el.text_content()))
                if footer is not None and footer.authors:
                    footers.append(footer)
    doomed.pop(container, None)
    for el in doomed:
        if not any(parent in doomed for parent in el.iterancestors()):
            el.drop_tree()
    return caption


def _segment(container: Any) -> list[tuple[list[_Line], bool]]:
    """Split into paragraphs at block elements and at double <br>, lines at single <br>.

    Each paragraph comes with whether it is a heading's (h2-h6).
    """
    paragraphs: list[tuple[list[_Line], bool]] = []
    lines: list[_Line] = []
    line = _Line([], [])
    breaks = 0
    headings = 0  # depth of heading elements around the walk
    href: str | None = None  # set inside a link that wraps blocks: its text is link text

    def end_line() -> None:
        nonlocal line
        if any(t.strip() for t in line.text):
            lines.append(line)
        line = _Line([], [])

    def end_paragraph() -> None:
        nonlocal lines, breaks
        end_line()
        if lines:
            paragraphs.append((lines, headings > 0))
        lines = []
        breaks = 0

    def add(text: str | None) -> None:
        nonlocal breaks
        if text:
            line.text.append(text)
            if href is not None:
                line.links.append((text, href))
            if text.strip():
                breaks = 0

    def walk(el: Any) -> None:
        nonlocal breaks, href, headings
        tag = el.tag
        if tag == "br":
            breaks += 1
            if breaks >= 2:
                end_paragraph()
            else:
                end_line()
        elif isinstance(tag, str):
            block = tag in _BLOCK_TAGS
            if block:
                end_paragraph()
            elif tag in ("td", "th"):
                add(" ")
            # A link wrapping blocks (<a><h3>Title</h3><p>Teaser</p></a>): its lines are links.
            wraps = href is None and tag == "a" and bool(el.get("href")) and _holds_block(el)
            if wraps:
                href = el.get("href")
            heading = tag in _HEADING_TAGS
            headings += heading
            add(el.text)
            for child in el:
                walk(child)
            if wraps:
                href = None
            elif tag == "a" and el.get("href") and href is None:
                line.links.append((el.text_content(), el.get("href")))
            if block:
                end_paragraph()
            headings -= heading
        add(el.tail)

    add(container.text)
    for child in container:
        walk(child)
    end_paragraph()
    return paragraphs


def _holds_block(el: Any) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants())


def _merge(footers: list[Footer]) -> Footer | None:
    if not footers:
        return None
    pick = [f.authors for f in footers]
    return Footer(
        authors=tuple(dict.fromkeys(a for names in pick for a in names)),
        editors=tuple(dict.fromkeys(e for f in footers for e in f.editors)),
        translators=tuple(dict.fromkeys(t for f in footers for t in f.translators)),
    )
