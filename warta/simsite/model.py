"""Records of the simulated site: bureaus, articles and the request log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Literal

__all__ = [
    "FAULT_KINDS",
    "REDESIGN",
    "BodyStyle",
    "Bureau",
    "FaultKind",
    "FooterStyle",
    "JsonLdStyle",
    "RequestRecord",
    "SimArticle",
    "SiteVariant",
]

FaultKind = Literal["500", "503", "429", "stall", "truncate", "garbage", "slow", "404"]
FAULT_KINDS: tuple[str, ...] = ("500", "503", "429", "stall", "truncate", "garbage", "slow", "404")

JsonLdStyle = Literal["article", "graph", "none"]
"""How the page carries JSON-LD: a bare NewsArticle, a NewsArticle inside an @graph, or none."""

BodyStyle = Literal["p", "br"]
"""Body paragraphs as <p> elements, or as bare text nodes separated by <br><br>."""

FooterStyle = Literal["glued", "spaced", "br"]
"""The byline footer: 'Pewarta: XEditor: Y', 'Pewarta : X Editor: Y', or lines split by <br>."""

_UNSET = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Bureau:
    """One simulated ANTARA host: a regional bureau or the national desk ('www')."""

    slug: str
    name: str
    province_slug: str | None
    province_name: str | None
    tz_name: str
    tz: tzinfo
    base_url: str = ""
    family: str = "antara"  # page template: ANTARA's, or one of simsite.families
    stories_from: str | None = None  # a family site borrows this ANTARA bureau's stories
    seed: int = 0  # picks a family site's random class names


@dataclass(frozen=True, slots=True, kw_only=True)
class SimArticle:
    """One story as the simulated site serves it, plus the labels classifier tests expect.

    Only `title` and `paragraphs` are needed to publish a story by hand; `SimSite.publish`
    fills id, bureau, slug, url and published_at.
    """

    id: int = 0
    bureau: str = ""
    slug: str = ""
    url: str = ""
    title: str = ""
    dateline_place: str = ""
    dateline_hint: str | None = None
    paragraphs: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    editor: str = ""
    translator: str | None = None
    published_at: datetime = _UNSET
    modified_at: datetime | None = None
    section: tuple[str, str] = ("berita", "Berita")
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    image_caption: str | None = None
    related: tuple[tuple[str, str], ...] = ()
    # Labels for classifier tests.
    province: str | None = None
    regency: str | None = None
    topics: tuple[str, ...] = ()
    syndicated_from: tuple[str, int] | None = None
    # Page-layout variants (which of the real site's markups this page uses).
    jsonld: JsonLdStyle = "article"
    body_style: BodyStyle = "p"
    footer_style: FooterStyle = "glued"
    baca_juga_label: str = "Baca juga:"
    key: str = ""

    @property
    def dateline(self) -> str:
        """The dateline as printed, e.g. 'Rantau, Kalsel (ANTARA) - '."""
        place = self.dateline_place
        if self.dateline_hint:
            place = f"{place}, {self.dateline_hint}"
        return f"{place} (ANTARA) - "

    @property
    def updated_at(self) -> datetime:
        """The time the page says it was last changed (modified, else published)."""
        return self.modified_at or self.published_at


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the site received, in arrival order; status 0 means no response was sent."""

    bureau: str
    method: str
    path_qs: str
    headers: dict[str, str]
    status: int
    at: datetime


@dataclass(frozen=True, slots=True)
class SiteVariant:
    """Switches that make a bureau look like another kind of newsroom (onboarding tests).

    `rss`, `listings`, `sitemaps`: whether those routes answer (off: 404, as on a site that has
    none). `noai`: every response carries `X-Robots-Tag: noai, noimageai`. `redesign`: article
    pages come in a new markup (REDESIGN's class names), so the ANTARA selectors stop matching.
    """

    rss: bool = True
    listings: bool = True
    sitemaps: bool = True
    noai: bool = False
    redesign: bool = False


# A redesign as newsrooms do them: same content, new class names (old -> new).
REDESIGN: tuple[tuple[str, str], ...] = (
    ("wrap__article-detail-content", "story-body__text"),
    ("wrap__article-detail-title", "story-head"),
    ("wrap__article-detail-info", "story-meta"),
    ("wrap__article-detail-image", "story-figure"),
    ("wrap__article-detail", "story"),
    ("post-content", "story-text"),
    ("post-title", "story-headline"),
    ("text-muted", "story-credit"),
)
