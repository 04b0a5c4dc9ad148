"""Tag an article with the province and regency it happened in, each with its reason.

Evidence, strongest first: a dateline hint naming a province ("Rantau, Kalsel"), the dateline
place (a regency, a city or a regency's capital: Rantau -> Tapin), the source's province, and
mentions in the title and lead (the first two paragraphs). Mentions in another province count
only for a national desk (a source without province) or when the dateline hint names it.

The words the rules read (qualifiers, locatives, names that are common words, the national
capital, agency heads) are data: the lexicon given to the Gazetteer (config/lexicon.toml). The
examples below are the bundled Indonesian lexicon's.

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
from typing import Literal

from config.catalogue import Region
from database.records import ArticleRecord
from ingestor.classify.gazetteer import TOKEN, Context, Gazetteer, Mention, find_mentions
from ingestor.extract import parse_dateline

__all__ = ["Gazetteer", "RegionReason", "RegionTags", "tag_regions"]

RegionReason = Literal["source", "dateline", "mention"]

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
    first = gazetteer.context.dateline.sub("", paragraphs[0], count=1) if paragraphs else ""
    lead = "\n\n".join([first, *paragraphs[1:_LEAD_PARAGRAPHS]])
    title_case = _title_case(record.title)
    title_mentions = find_mentions(record.title, gazetteer, title_case, title=True)
    lead_mentions = find_mentions(lead, gazetteer, False, title=False)

    hint_province = _hint_province(hint, gazetteer)
    places = [e.region for e in gazetteer.lookup(place)] if place else []
    capital_only = place is not None and place in gazetteer.context.national_capitals
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
        gazetteer.context,
        province,
        in_province,
        record.title,
        title_mentions,
        lead,
        lead_mentions,
        first,
    )
    tags: list[tuple[str, RegionReason]] = [(province, reason)]
    if regency is not None:
        tags.append((f"{province}/{regency}", regency_reason))
    tags.extend((f"{province}/{slug}", "mention") for slug in others if slug != regency)
    return RegionTags(province, regency, tuple(tags), dateline_province)


def _regency(
    context: Context,
    province: str,
    places: list[Region],
    title: str,
    title_mentions: list[Mention],
    lead: str,
    lead_mentions: list[Mention],
    first: str,
) -> tuple[str | None, RegionReason, list[str]]:
    """The asserted regency with its reason, and every regency mentioned in title or lead."""
    everything = title_mentions + lead_mentions
    dateline = _pick_pair(places, everything)
    resolve = _resolver(province, dateline)
    in_title = _distinct(resolve(m) for m in title_mentions)
    in_first = _distinct(
        resolve(m) for m in lead_mentions if m.start < len(first) and _strong(m, lead, context)
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
    if _province_wide(context, province, title_mentions, title, lead_mentions, first):
        return None, "mention", mentioned
    if dateline is not None:
        return dateline.slug, "dateline", mentioned
    return None, "mention", mentioned


def _resolver(province: str, dateline: Region | None) -> Callable[[Mention], str | None]:
    def resolve(mention: Mention) -> str | None:
        local = [r for r in mention.regions if r.province == province and r.kind != "province"]
        if len(local) == 1:
            return local[0].slug
        # A bare name shared by a Kabupaten and a Kota is the dateline's one, or nothing.
        if dateline is not None and any(r is dateline for r in local):
            return dateline.slug
        return None

    return resolve


def _pick_pair(places: list[Region], mentions: list[Mention]) -> Region | None:
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


def _strong(mention: Mention, text: str, context: Context) -> bool:
    """Qualified ("Kabupaten Tapin") or placed ("di Tapin"): where the story is, not an aside."""
    before = text[max(0, mention.start - 20) : mention.start]
    return mention.qualified or context.locative.search(before) is not None


def _province_wide(
    context: Context,
    province: str,
    title_mentions: list[Mention],
    title: str,
    lead_mentions: list[Mention],
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
            prev = TOKEN.findall(before)[-1:] if before else []
            # "Banjarmasin, Kalsel" is an address; "PT Pupuk Kaltim" a company name.
            if before.endswith(","):
                continue
            if not prev or prev[0][0].islower() or prev[0] in context.agencies or m.qualified:
                return True
    return False


def _subject_end(first: str) -> int:
    words = list(TOKEN.finditer(first))
    return words[_SUBJECT_WORDS - 1].end() if len(words) >= _SUBJECT_WORDS else len(first)


def _province_from_mentions(
    title_mentions: list[Mention], lead_mentions: list[Mention], first: str
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
