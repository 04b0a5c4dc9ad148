"""What one feed entry says, whatever the format: cleaned text, local times, sanitized content."""

from __future__ import annotations

import html
import mimetypes
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import nh3

from feeds.names import Names, source_zone
from feeds.query import ArticleRow

__all__ = [
    "UNTITLED",
    "categories",
    "clean_line",
    "content_html",
    "image_type",
    "image_url",
    "local",
    "paragraphs",
    "summary",
    "title",
    "updated",
    "xml_safe",
]

# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, surrogates, U+FFFE/FFFF), plus
# DEL and the C1 controls, which XML allows but which are never meant in news text: one
# forbidden character anywhere makes the whole document unreadable, so all formats drop them.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
UNTITLED = "(tanpa judul)"

# Content is HTML we write ourselves from plain text, then passed through nh3 anyway so that
# nothing executable or relative can reach a reader, whatever a future field holds.
_CLEANER = nh3.Cleaner(
    tags={"p", "figure", "img", "figcaption", "ul", "li", "a"},
    attributes={"a": {"href"}, "img": {"src", "alt"}},
    url_schemes={"http", "https"},
    link_rel="noopener noreferrer",
    attribute_filter=lambda tag, attr, value: (
        value if attr not in ("href", "src") or value.startswith(("http://", "https://")) else None
    ),
)


def xml_safe(text: str | None) -> str:
    return _INVALID.sub("", text) if text else ""


def clean_line(text: str | None) -> str:
    """One line of text: forbidden characters dropped, whitespace runs made one space."""
    return " ".join(xml_safe(text).split())


def title(row: ArticleRow) -> str:
    # Atom and JSON Feed entries need a title; an empty one reads as a bug, so it is said.
    return clean_line(row.title) or UNTITLED


def summary(row: ArticleRow) -> str:
    """The summary the source's policy allows (empty for title-only sources)."""
    return "" if row.republish == "title" else clean_line(row.summary)


def paragraphs(text: str | None) -> list[str]:
    """The record's text, paragraphs separated by a blank line, each cleaned to one line."""
    blocks = re.split(r"\n\s*\n", xml_safe(text).replace("\r\n", "\n").replace("\r", "\n"))
    return [line for line in (" ".join(b.split()) for b in blocks) if line]


def _absolute(base: str, url: str | None) -> str | None:
    if not url:
        return None
    joined = urljoin(base, clean_line(url))
    return joined if urlsplit(joined).scheme in ("http", "https") else None


def content_html(row: ArticleRow) -> str:
    """Full content as sanitized HTML, only for sources whose policy is `full`; else ''."""
    if row.republish != "full":
        return ""
    parts: list[str] = []
    image = _absolute(row.url, row.image)
    if image:
        caption = html.escape(clean_line(row.image_caption))
        parts.append(f'<figure><img src="{html.escape(image)}" alt="{caption}">')
        parts.append(f"<figcaption>{caption}</figcaption></figure>" if caption else "</figure>")
    parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs(row.text)]
    links = [(t, u) for t, u in ((t, _absolute(row.url, u)) for t, u in row.related) if u]
    if links:
        items = "".join(
            f'<li><a href="{html.escape(u)}">{html.escape(clean_line(t) or u)}</a></li>'
            for t, u in links
        )
        parts.append(f"<p>Baca juga:</p><ul>{items}</ul>")
    return str(_CLEANER.clean("".join(parts))) if parts else ""


def image_url(row: ArticleRow) -> str | None:
    return _absolute(row.url, row.image)


def image_type(url: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed if guessed and guessed.startswith("image/") else "image/jpeg"


def local(row: ArticleRow, stamp: datetime) -> datetime:
    """A time in the source's zone, so it carries a numeric offset like +08:00."""
    return stamp.astimezone(source_zone(row.source_timezone))


def updated(row: ArticleRow) -> datetime:
    """When the entry last changed: the page's own modification date, or when Warta saw a
    correction the page did not date (newsrooms often fix a story without touching it)."""
    stamp = row.updated_at or row.published_at
    return max(stamp, row.revised_at) if row.revised_at else stamp


def categories(row: ArticleRow, names: Names) -> list[tuple[str, str]]:
    """(term, label) pairs: the topics, then the province and regency keys."""
    out = [(t, names.topics.get(t, t)) for t in row.topics]
    for key in (row.region, f"{row.region}/{row.regency}" if row.region and row.regency else None):
        if key:
            region = names.regions.get(key)
            out.append((key, region.name if region else key))
    return out
