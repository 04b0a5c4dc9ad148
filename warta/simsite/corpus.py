"""Load the hand-written corpus (corpus/*.toml) into SimArticles timed relative to "now".

Each bureau file holds `[[article]]` stories (published, `age` before the site's start time),
`[[reserve]]` stories that `SimSite.publish(bureau, None)` releases one by one, and a
`[generator]` table for plausible market-price stories once the reserve runs out. URLs are
kept as paths here; the site makes them absolute when it knows its ports.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from importlib import resources
from random import Random
from typing import Any, cast

from warta.simsite.labels import BUREAUS, PROVINCES, REGENCIES, TOPICS, site_of
from warta.simsite.model import BodyStyle, FooterStyle, JsonLdStyle, SimArticle

__all__ = [
    "Corpus",
    "CorpusError",
    "article_path",
    "generate",
    "id_gap",
    "image_path",
    "load_corpus",
    "slugify",
    "variants",
]

_AGE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
_FOOTERS: tuple[FooterStyle, ...] = ("glued", "spaced", "br")


class CorpusError(ValueError):
    """A corpus file is malformed (the message names the file and the story)."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """Every bureau's stories: published ones oldest first, the reserve, and generator data."""

    published: dict[str, list[SimArticle]]
    reserve: dict[str, list[SimArticle]]
    generator: dict[str, dict[str, Any]]
    first_id: dict[str, int]
    raw: dict[str, dict[str, Any]]


def slugify(title: str) -> str:
    """ANTARA-style URL slug: lower case ASCII words joined by '-'."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words)[:120].rstrip("-")


def article_path(article_id: int, slug: str) -> str:
    """The site-relative URL of an article."""
    return f"/berita/{article_id}/{slug}"


def id_gap(key: str) -> int:
    """A deterministic gap between consecutive ids (other desks publish in between)."""
    return 1 + zlib.crc32(key.encode()) % 37


def _age(text: str, where: str) -> timedelta:
    match = _AGE.match(text.replace(" ", ""))
    if not text or match is None:
        raise CorpusError(f"{where}: bad age {text!r} (want e.g. '2d4h10m')")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _read(bureau: str) -> dict[str, Any]:
    resource = resources.files("warta.simsite").joinpath("corpus", f"{bureau}.toml")
    with resource.open("rb") as fh:
        return tomllib.load(fh)


def _paragraphs(body: str) -> tuple[str, ...]:
    blocks = re.split(r"\n\s*\n", body.strip())
    return tuple(" ".join(line.strip() for line in b.splitlines()) for b in blocks if b.strip())


def _labels(entry: dict[str, Any], where: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    province = entry.get("province") or None
    regency = entry.get("regency") or None
    topics = tuple(entry.get("topics", ()))
    if province is not None and province not in PROVINCES:
        raise CorpusError(f"{where}: unknown province {province!r}")
    if regency is not None and (province is None or regency not in REGENCIES[province]):
        raise CorpusError(f"{where}: regency {regency!r} is not in province {province!r}")
    if not topics or any(t not in TOPICS for t in topics):
        raise CorpusError(f"{where}: topics {topics!r} must be non-empty, from {TOPICS}")
    return province, regency, topics


def _story(bureau: str, entry: dict[str, Any], sections: dict[str, str], where: str) -> SimArticle:
    place, _, hint = (p.strip() for p in entry["dateline"].partition(","))
    paragraphs = _paragraphs(entry["body"])
    draft = SimArticle(
        bureau=bureau,
        key=entry["key"],
        title=entry["title"],
        slug=entry.get("slug") or slugify(entry["title"]),
        dateline_place=place,
        dateline_hint=hint or None,
        paragraphs=paragraphs,
        authors=(entry["author"],),
        editor=entry["editor"],
        translator=entry.get("translator"),
        section=(entry["section"], sections[entry["section"]]),
        tags=tuple(entry.get("tags", ())),
        image_url=entry.get("image"),
        image_caption=entry.get("caption"),
    )
    if not paragraphs or not paragraphs[0].startswith(draft.dateline):
        raise CorpusError(f"{where}: body must start with the dateline {draft.dateline!r}")
    if not 3 <= len(paragraphs) <= 7:
        raise CorpusError(f"{where}: {len(paragraphs)} paragraphs (want 3 to 7)")
    province, regency, topics = _labels(entry, where)
    return replace(draft, province=province, regency=regency, topics=topics)


def variants(article: SimArticle, index: int, entry: dict[str, Any]) -> SimArticle:
    """Spread the real site's markup variants over the corpus (overridable per story)."""
    crc = zlib.crc32(article.key.encode())
    jsonld: JsonLdStyle = "none" if index % 7 == 3 else "graph" if index % 3 == 1 else "article"
    body: BodyStyle = "br" if index % 4 == 2 else "p"
    return replace(
        article,
        jsonld=cast(JsonLdStyle, entry.get("jsonld", jsonld)),
        body_style=cast(BodyStyle, entry.get("body_style", body)),
        footer_style=cast(FooterStyle, entry.get("footer_style", _FOOTERS[crc % 3])),
        baca_juga_label="Baca Juga:" if crc % 5 == 0 else "Baca juga:",
    )


def _place(article: SimArticle, article_id: int, published: datetime) -> SimArticle:
    return replace(
        article,
        id=article_id,
        url=article_path(article_id, article.slug),
        published_at=published,
        image_url=image_path(article.image_url or "antara-ilustrasi", published, article.bureau),
    )


def image_path(stem: str, published: datetime, bureau: str) -> str:
    """Where the site serves a story's picture (ANTARA's /cache/{W}x{H}/{yyyy}/{mm}/{dd}/)."""
    if stem.startswith(("/", "http://", "https://")):
        return stem
    local = published.astimezone(site_of(bureau).tz)
    return f"/cache/1200x800/{local:%Y/%m/%d}/{stem}.jpg"


def load_corpus(now: datetime, bureaus: Iterable[str] = BUREAUS) -> Corpus:
    """Read every bureau file; stories are published `age` before `now`."""
    raw = {b: _read(b) for b in bureaus}
    published: dict[str, list[SimArticle]] = {}
    reserve: dict[str, list[SimArticle]] = {}
    entries: dict[tuple[str, str], tuple[dict[str, Any], SimArticle | None]] = {}
    for bureau, data in raw.items():
        sections: dict[str, str] = data["sections"]
        for entry in data.get("article", []):
            where = f"corpus/{bureau}.toml: {entry.get('key')}"
            story = None if "copy_of" in entry else _story(bureau, entry, sections, where)
            entries[(bureau, entry["key"])] = (entry, story)
        reserve[bureau] = [
            _story(bureau, e, sections, f"corpus/{bureau}.toml: reserve {e.get('key')}")
            for e in data.get("reserve", [])
        ]
    # Syndicated copies take the original's text and labels, keep their own title and time.
    for (bureau, key), (entry, story) in list(entries.items()):
        if story is not None:
            continue
        src_bureau, _, src_key = entry["copy_of"].partition(":")
        original = entries[(src_bureau, src_key)][1]
        if original is None:
            raise CorpusError(f"corpus/{bureau}.toml: {key}: copy of a copy")
        sections = raw[bureau]["sections"]
        section = entry.get("section", original.section[0])
        copy = replace(
            original,
            bureau=bureau,
            key=key,
            title=entry.get("title", original.title),
            slug=entry.get("slug") or slugify(entry.get("title", original.title)),
            editor=entry.get("editor", original.editor),
            section=(section, sections[section]),
            image_url=entry.get("image", original.image_url),
        )
        entries[(bureau, key)] = (entry, copy)
    ids: dict[tuple[str, str], int] = {}
    for bureau, data in raw.items():
        timed = []
        for entry in data.get("article", []):
            where = f"corpus/{bureau}.toml: {entry['key']}"
            timed.append((now - _age(entry["age"], where), entry))
        timed.sort(key=lambda pair: pair[0])
        next_id = int(data["first_id"])
        stories: list[SimArticle] = []
        for index, (when, entry) in enumerate(timed):
            story = entries[(bureau, entry["key"])][1]
            assert story is not None
            next_id += id_gap(entry["key"])
            ids[(bureau, entry["key"])] = next_id
            story = variants(_place(story, next_id, when), index, entry)
            if "updated" in entry:
                story = replace(story, modified_at=when + _age(entry["updated"], entry["key"]))
            stories.append(story)
        published[bureau] = stories
    return Corpus(
        published=_link(published, entries, ids),
        reserve=reserve,
        generator={b: dict(raw[b].get("generator", {})) for b in raw},
        first_id={b: int(raw[b]["first_id"]) for b in raw},
        raw=raw,
    )


def _link(
    published: dict[str, list[SimArticle]],
    entries: dict[tuple[str, str], tuple[dict[str, Any], SimArticle | None]],
    ids: dict[tuple[str, str], int],
) -> dict[str, list[SimArticle]]:
    """Resolve 'related' keys and 'copy_of' references now that ids are known."""
    by_key = {(a.bureau, a.key): a for stories in published.values() for a in stories}
    out: dict[str, list[SimArticle]] = {}
    for bureau, stories in published.items():
        linked = []
        for story in stories:
            entry = entries[(bureau, story.key)][0]
            related = []
            for ref in entry.get("related", ()):
                target = by_key.get((bureau, ref))
                if target is None or target.published_at >= story.published_at:
                    raise CorpusError(f"corpus/{bureau}.toml: {story.key}: bad related {ref!r}")
                related.append((target.title, target.url))
            syndicated = None
            if "copy_of" in entry:
                src_bureau, _, src_key = entry["copy_of"].partition(":")
                if (src_bureau, src_key) not in ids:
                    raise CorpusError(f"corpus/{bureau}.toml: {story.key}: original not loaded")
                syndicated = (src_bureau, ids[(src_bureau, src_key)])
            linked.append(replace(story, related=tuple(related), syndicated_from=syndicated))
        out[bureau] = linked
    return out


def generate(bureau: str, generator: dict[str, Any], seq: int, rng: Random) -> SimArticle:
    """A plausible market-price report for when a bureau's reserve is used up."""
    market = generator["markets"][seq % len(generator["markets"])]
    item, unit_price = generator["commodities"][rng.randrange(len(generator["commodities"]))]
    change = rng.choice((-3000, -2000, -1000, 1000, 2000, 3000, 5000))
    price = int(unit_price) + change
    direction = "naik" if change > 0 else "turun"
    place, _, hint = (p.strip() for p in market["dateline"].partition(","))
    story = SimArticle(
        bureau=bureau,
        key=f"generated-{seq}",
        dateline_place=place,
        dateline_hint=hint or None,
    )
    title = f"Harga {item} di {market['name']} {direction} jadi Rp{price:,} per kilogram"
    title = title.replace(",", ".")
    lead = (
        f"{story.dateline}Harga {item} di {market['name']} {direction} sekitar "
        f"Rp{abs(change):,} menjadi Rp{price:,} per kilogram pada pekan ini.".replace(",", ".")
    )
    reason = (
        "pasokan dari daerah sentra berkurang karena cuaca"
        if change > 0
        else "pasokan dari petani kembali lancar setelah panen"
    )
    body = (
        lead,
        f"Seorang pedagang, {rng.choice(generator['traders'])}, mengatakan perubahan harga itu "
        f"terjadi karena {reason}.",
        f"Petugas {generator['office']} memantau harga di pasar tersebut setiap hari dan "
        "memastikan stok kebutuhan pokok masyarakat tetap aman.",
        "Pemerintah daerah mengimbau warga berbelanja secukupnya dan tidak terpengaruh isu "
        "kelangkaan yang beredar di media sosial.",
    )
    return replace(
        story,
        title=title,
        slug=slugify(title),
        paragraphs=body,
        authors=(rng.choice(generator["authors"]),),
        editor=rng.choice(generator["editors"]),
        section=("ekonomi", "Ekonomi"),
        tags=("harga pangan", market["name"].lower()),
        image_caption=f"Suasana {market['name']}. (ANTARA/{generator['authors'][0]})",
        province=site_of(bureau).province_slug,
        regency=market.get("regency") or None,
        topics=("ekonomi",),
    )
