"""Tag an article with the province and regency it happened in, each with its reason.

Evidence, strongest first: a dateline hint naming a province ("Rantau, Kalsel"), the dateline
place (a regency, a city or a regency's capital: Rantau -> Tapin), the source's province, and
mentions in the title and lead (the first two paragraphs). Mentions in another province count
only for a national desk (a source without province) or when the dateline hint names it.

Rules where the data alone is ambiguous:
- Names are matched case-sensitively on whole words; the longest name wins (Banjarmasin, not
  Banjar; Hulu Sungai Selatan, not a bare word inside it).
- Names that are also common words or personal names (Batu, Banjar, Malang, Agam, Bima, Tanah
  Laut, Kotabaru, ...) and every regency capital (Rantau, Tanjung, Negara, ...) count only in the
  dateline, after a qualifier (Kabupaten, Kab., Pemkab, Bupati, Kota, Pemkot, Wali Kota; English
  "... Regency"/"... City"), or after a locative (di, ke, dari, ...) when no capitalised word
  follows (so "Sungai Negara" or "Batu Licin" do not count) and the title is not in Title Case.
- A Kabupaten and a Kota of one name ("Malang"): a qualifier decides, and a kabupaten's capital
  (Kepanjen) counts for the kabupaten. A bare name decides nothing, except in the dateline, where
  it means the Kota unless the title or lead names the Kabupaten: the dateline names the town the
  reporter files from, and ANTARA style spells out "Kabupaten" for kabupaten stories.
- A name after Sungai, Danau, Gunung, Pulau, Jalan, ... is a river, lake or street, not a mention;
  "kata X di Banjarmasin." says where the quote was given, not where the story is.
- The regency is asserted only with evidence: a regency in the title (the dateline's one first),
  else a qualified or locative mention in the first paragraph, else the dateline place unless the
  story is province-wide (the province is its subject: "Kalsel siap...", "BPS Provinsi
  Kalimantan Selatan mencatat..." within the title or the lead's first words). Ties give none.
- The national desk files from Jakarta: that dateline, and "Jakarta" alone, are no evidence of
  the province DKI Jakarta ("DKI Jakarta", "Pemprov DKI" and the five kota are).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from config.catalogue import Catalogue, Region
from database.records import ArticleRecord
from ingestor.extract import parse_dateline

__all__ = ["Gazetteer", "RegionReason", "RegionTags", "tag_regions"]

RegionReason = Literal["source", "dateline", "mention"]

# fmt: off
_COMMON = frozenset({
    "Agam", "Balut", "Banjar", "Bangka", "Basel", "Batang", "Batu", "Batu Bara", "Batubara",
    "Belitung", "Bima", "Bone", "Buru", "Kapuas", "Karo", "Ketapang", "Kotabaru", "Kudus",
    "Kuningan", "Landak", "Lima Puluh Kota", "Lingga", "Madina", "Malang", "Matra", "Medan",
    "Metro", "Mitra", "OKI", "Padang", "Palas", "Palu", "Pati", "Puncak", "Serang", "Solo",
    "Solok", "Tala", "Tanah Bumbu", "Tanah Datar", "Tanah Laut", "Tegal", "Toba", "TTS",
})
_NATIONAL_CAPITAL = ("Jakarta",)
# Heads that make "<head> Kalsel" a provincial body: "BPS Kalsel", not "PT Pupuk Kaltim".
_AGENCIES = frozenset({
    "APBD", "Bappeda", "Basarnas", "Bawaslu", "BI", "BKKBN", "BMKG", "BNNP", "BPBD", "BPJS",
    "BPOM", "BPS", "Bulog", "DLH", "DPRD", "Dinas", "Dinkes", "Disdik", "Dishub", "Dinsos",
    "Diskominfo", "Dispar", "Gubernur", "Kadin", "Kajati", "Kanwil", "Kapolda", "Kejati",
    "Kemenag", "Kesbangpol", "KONI", "KPU", "KPID", "MUI", "OJK", "Ombudsman", "Pemprov",
    "Perwakilan", "Polda", "Prov", "Provinsi", "Satpol", "Sekda", "Sekdaprov", "Setdaprov",
    "Wagub", "UMP",
})
# fmt: on
_TOKEN = re.compile(r"\w+")
_GAP = re.compile(r"[ \t]*-?[ \t]*")
_QUALIFIER = re.compile(
    r"(?:\b(?P<regency>Kabupaten|Kab\.|Pemkab|Bupati|Wabup)|\b(?P<city>Kota|Pemkot|Wali ?[Kk]ota"
    r"|Walkot|Wawali)|\b(?P<province>Provinsi|Prov\.|Pemprov|Gubernur|Wagub))\s*(?:\([^()]{1,30}\)\s*)?$"
)
_POSTFIX = re.compile(
    r"^\s+(?:(?P<regency>Regency|Regent)|(?P<city>City|Mayor)|(?P<province>Province))\b"
)
_LOCATIVE = re.compile(
    r"(?:^|\s)(?:di|ke|dari|asal|wilayah|kawasan|warga|in|at|from|near)\s+$", re.I
)
_FEATURE = re.compile(
    r"\b(?:Sungai|Danau|Gunung|Pulau|Selat|Teluk|Jalan|Jl\.?|Jln\.?|Bengawan|Kali)\s+$"
)
_SPEECH = re.compile(
    r"\b(?:kata|ujar|ucap|tutur|ungkap|jelas|sebut|terang|tegas|imbuh|said|says)\w*\b", re.I
)
_DATELINE = re.compile(
    r"^[^\n]{0,120}?(?:\([^()]{2,40}\)\s*[-–—]+\s+|\b[A-Za-z]+\.(?:com|co\.id|id)\s*[-–—]+\s+)"
)
_LEAD_PARAGRAPHS = 2
_SUBJECT_WORDS = 12


@dataclass(frozen=True, slots=True)
class RegionTags:
    """Where a story happened: province and regency slugs, and every link with its reason.

    `tags` lists (region key, reason): the province first, then the asserted regency, then other
    regencies of that province mentioned in title or lead (reason "mention"). `dateline_province`
    is the province the dateline names (for picking the originating bureau of a cluster).
    """

    province: str | None
    regency: str | None
    tags: tuple[tuple[str, RegionReason], ...]
    dateline_province: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    region: Region
    weak: bool  # a common word or a capital: needs a qualifier, a locative or the dateline


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    regions: tuple[Region, ...]
    qualified: bool


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Every province, regency and city name, alias and capital, indexed by its words."""

    provinces: dict[str, Region]
    index: dict[tuple[str, ...], tuple[_Entry, ...]]
    longest: int
    first_words: frozenset[str]  # the first word of every indexed name: where a name may start

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> Gazetteer:
        """Index the catalogue once; tagging then costs a few dict lookups per word."""
        index: dict[tuple[str, ...], list[_Entry]] = {}

        def add(surface: str, region: Region, weak: bool) -> None:
            key = tuple(_TOKEN.findall(surface))
            entries = index.setdefault(key, [])
            if key and all(e.region is not region for e in entries):
                entries.append(_Entry(region, weak or surface in _COMMON))

        for province in catalogue.provinces:
            for surface in (province.name, *province.aliases):
                add(surface, province, False)
        for regency in catalogue.regencies:
            for surface in (regency.name, *regency.aliases):
                bare = re.sub(r"^(?:Kabupaten|Kab\.|Kota)\s+", "", surface)
                if bare == surface or bare != regency.name:
                    add(bare, regency, False)
            if regency.capital and regency.capital != regency.name:
                add(regency.capital, regency, True)
        return cls(
            provinces={p.slug: p for p in catalogue.provinces},
            index={k: tuple(v) for k, v in index.items()},
            longest=max((len(k) for k in index), default=1),
            first_words=frozenset(k[0] for k in index if k),
        )

    def lookup(self, name: str) -> tuple[_Entry, ...]:
        """The entries whose name is exactly `name` (a dateline place or hint)."""
        return self.index.get(tuple(_TOKEN.findall(name)), ())


def tag_regions(
    record: ArticleRecord, source_province: str | None, gazetteer: Gazetteer
) -> RegionTags:
    """Province and regency of a story, from its source, dateline, title and lead."""
    if source_province is not None and source_province not in gazetteer.provinces:
        raise ValueError(f"unknown source province {source_province!r}")
    paragraphs = [p for p in record.text.split("\n\n") if p.strip()]
    place, hint = record.place, record.provenance.get("place_hint")
    if place is None and paragraphs:
        dateline = parse_dateline(paragraphs[0])
        place, hint = (dateline.place, dateline.hint) if dateline else (None, None)
    first = _DATELINE.sub("", paragraphs[0], count=1) if paragraphs else ""
    lead = "\n\n".join([first, *paragraphs[1:_LEAD_PARAGRAPHS]])
    title_case = _title_case(record.title)
    title_mentions = _mentions(record.title, gazetteer, title_case, title=True)
    lead_mentions = _mentions(lead, gazetteer, False, title=False)

    hint_province = _hint_province(hint, gazetteer)
    places = [e.region for e in gazetteer.lookup(place)] if place else []
    capital_only = place is not None and place in _NATIONAL_CAPITAL
    dateline_province = hint_province or _place_province(places, source_province)
    at_home = [r for r in places if r.kind != "province"]

    province: str | None
    reason: RegionReason
    if hint_province is not None:
        province, reason = hint_province, "dateline"
    elif at_home and dateline_province not in (None, source_province):
        province, reason = dateline_province, "dateline"
    elif source_province is not None:
        province, reason = source_province, "source"
    elif dateline_province is not None and not capital_only:
        province, reason = dateline_province, "dateline"
    else:
        province, reason = _province_from_mentions(title_mentions, lead_mentions, first), "mention"
    if province is None:
        return RegionTags(None, None, (), dateline_province)

    in_province = [r for r in places if r.province == province and r.kind != "province"]
    regency, regency_reason, others = _regency(
        province, in_province, record.title, title_mentions, lead, lead_mentions, first
    )
    tags: list[tuple[str, RegionReason]] = [(province, reason)]
    if regency is not None:
        tags.append((f"{province}/{regency}", regency_reason))
    tags.extend((f"{province}/{slug}", "mention") for slug in others if slug != regency)
    return RegionTags(province, regency, tuple(tags), dateline_province)


def _regency(
    province: str,
    places: list[Region],
    title: str,
    title_mentions: list[_Mention],
    lead: str,
    lead_mentions: list[_Mention],
    first: str,
) -> tuple[str | None, RegionReason, list[str]]:
    """The asserted regency with its reason, and every regency mentioned in title or lead."""
    everything = title_mentions + lead_mentions
    dateline = _pick_pair(places, everything)
    resolve = _resolver(province, dateline)
    in_title = _distinct(resolve(m) for m in title_mentions)
    in_first = _distinct(
        resolve(m) for m in lead_mentions if m.start < len(first) and _strong(m, lead)
    )
    mentioned = _distinct([*in_title, *(resolve(m) for m in lead_mentions)])
    if in_title:
        if dateline is not None and dateline.slug in in_title:
            return dateline.slug, "dateline", mentioned
        # "rute Banjarmasin-Jakarta" in the title of a story "di Kota Banjarbaru": the lead
        # places the story at the dateline and says nothing of the title's place.
        if dateline is not None and dateline.slug in in_first and not set(in_title) & set(in_first):
            return dateline.slug, "dateline", mentioned
        if len(in_title) == 1:
            return in_title[0], "mention", mentioned
        return None, "mention", mentioned
    if len(in_first) == 1 and (dateline is None or in_first[0] != dateline.slug):
        return in_first[0], "mention", mentioned
    if _province_wide(province, title_mentions, title, lead_mentions, first):
        return None, "mention", mentioned
    if dateline is not None:
        return dateline.slug, "dateline", mentioned
    return None, "mention", mentioned


def _resolver(province: str, dateline: Region | None) -> Callable[[_Mention], str | None]:
    def resolve(mention: _Mention) -> str | None:
        local = [r for r in mention.regions if r.province == province and r.kind != "province"]
        if len(local) == 1:
            return local[0].slug
        # A bare name shared by a Kabupaten and a Kota is the dateline's one, or nothing.
        if dateline is not None and any(r is dateline for r in local):
            return dateline.slug
        return None

    return resolve


def _pick_pair(places: list[Region], mentions: list[_Mention]) -> Region | None:
    """The dateline's regency; for a Kota/Kabupaten pair the qualified mentions decide."""
    if len(places) <= 1:
        return places[0] if places else None
    votes = {r.key: 0 for r in places}
    for m in mentions:
        hits = [r.key for r in m.regions if r.key in votes]
        if len(hits) == 1:
            votes[hits[0]] += 1
    winners = [r for r in places if votes[r.key] == max(votes.values())]
    cities = [r for r in winners if r.kind == "city"]
    return winners[0] if len(winners) == 1 else cities[0] if len(cities) == 1 else None


def _mentions(text: str, gazetteer: Gazetteer, title_case: bool, *, title: bool) -> list[_Mention]:
    """Place names in `text` that pass the context rules, longest first at each word."""
    words = list(_TOKEN.finditer(text))
    strings = [w.group() for w in words]
    found: list[_Mention] = []
    i = 0
    while i < len(words):
        # Most words start no place name: skip them before building any key (this loop was
        # a tenth of an article's CPU); the cheap dict look-up goes before the gap checks.
        if strings[i] not in gazetteer.first_words:
            i += 1
            continue
        for n in range(min(gazetteer.longest, len(words) - i), 0, -1):
            entries = gazetteer.index.get(tuple(strings[i : i + n]))
            if not entries:
                continue
            span = words[i : i + n]
            if any(not _GAP.fullmatch(text[a.end() : b.start()]) for a, b in pairwise(span)):
                continue
            mention = _judge(text, span[0].start(), span[-1].end(), entries, title_case, title)
            if mention is not None:
                found.append(mention)
            i += n - 1
            break
        i += 1
    return found


def _judge(
    text: str, start: int, end: int, entries: tuple[_Entry, ...], title_case: bool, title: bool
) -> _Mention | None:
    before, after = text[max(0, start - 60) : start], text[end : end + 30]
    # "Jakarta" names the story only in a headline ("MRT Jakarta ..."); in the text it is where
    # the national desk, ministries and parliament sit.
    if (not title and text[start:end] in _NATIONAL_CAPITAL) or _FEATURE.search(before):
        return None
    if _attribution(text, start, end):
        return None
    qualifier = _QUALIFIER.search(before) or _POSTFIX.match(after)
    kind = next((k for k, v in qualifier.groupdict().items() if v), None) if qualifier else None
    follows = re.match(r" [A-Z]", after) is not None
    context = not title_case and not follows and _LOCATIVE.search(before) is not None
    regions = tuple(
        e.region
        for e in entries
        if (kind is None or e.region.kind == kind) and (not e.weak or kind or context)
    )
    # A bare name that is both a province and a city (Jambi, Gorontalo) means the province.
    if kind is None and any(r.kind == "province" for r in regions):
        regions = tuple(r for r in regions if r.kind == "province")
    return _Mention(start, end, regions, kind is not None) if regions else None


def _attribution(text: str, start: int, end: int) -> bool:
    """'..., kata Hendra di Rantau.': where the quote was given, not where the story is."""
    if text[max(0, start - 3) : start] != "di " or not re.match(r"\s*(?:[.,]|$)", text[end:]):
        return False
    sentence = re.split(r"[.!?]\s|[\"”]", text[:start])[-1]
    return _SPEECH.search(sentence) is not None


def _strong(mention: _Mention, text: str) -> bool:
    """Qualified ("Kabupaten Tapin") or placed ("di Tapin"): where the story is, not an aside."""
    before = text[max(0, mention.start - 20) : mention.start]
    return mention.qualified or _LOCATIVE.search(before) is not None


def _province_wide(
    province: str,
    title_mentions: list[_Mention],
    title: str,
    lead_mentions: list[_Mention],
    first: str,
) -> bool:
    """The province is the story's subject: named in the title or the lead's first words."""
    cut = _subject_end(first)
    for text, mentions, limit in ((title, title_mentions, len(title)), (first, lead_mentions, cut)):
        for m in mentions:
            if m.start >= limit or not any(
                r.slug == province and r.kind == "province" for r in m.regions
            ):
                continue
            before = text[: m.start].rstrip()
            prev = _TOKEN.findall(before)[-1:] if before else []
            # "Banjarmasin, Kalsel" is an address; "PT Pupuk Kaltim" a company name.
            if before.endswith(","):
                continue
            if not prev or prev[0][0].islower() or prev[0] in _AGENCIES or m.qualified:
                return True
    return False


def _subject_end(first: str) -> int:
    words = list(_TOKEN.finditer(first))
    return words[_SUBJECT_WORDS - 1].end() if len(words) >= _SUBJECT_WORDS else len(first)


def _province_from_mentions(
    title_mentions: list[_Mention], lead_mentions: list[_Mention], first: str
) -> str | None:
    """A national-desk story's province: the one province its title, else first paragraph, names."""
    for mentions in (title_mentions, [m for m in lead_mentions if m.start < len(first)]):
        provinces = {
            next(iter({r.province for r in m.regions}))
            for m in mentions
            if len({r.province for r in m.regions}) == 1
        }
        if len(provinces) == 1:
            return provinces.pop()
    return None


def _hint_province(hint: str | None, gazetteer: Gazetteer) -> str | None:
    if not hint:
        return None
    entries = gazetteer.lookup(hint)
    provinces = {e.region.province for e in entries if e.region.kind == "province"}
    provinces = provinces or {e.region.province for e in entries}
    return provinces.pop() if len(provinces) == 1 else None


def _place_province(places: list[Region], source_province: str | None) -> str | None:
    provinces = {r.province for r in places}
    if source_province in provinces:
        return source_province
    return provinces.pop() if len(provinces) == 1 else None


def _title_case(title: str) -> bool:
    """Headline Case capitalises common words too, so it is no evidence of a proper noun."""
    long = [w for w in re.findall(r"[^\W\d_][\w'-]*", title) if len(w) >= 4]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.8 * len(long)


def _distinct(slugs: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(slug for slug in slugs if slug is not None))
