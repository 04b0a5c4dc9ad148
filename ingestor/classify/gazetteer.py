"""Index the catalogue's place names and find their mentions in text under the lexicon's rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from config.catalogue import Catalogue, Region
from config.lexicon import KINDS, Lexicon

__all__ = ["Context", "Entry", "Gazetteer", "Mention", "find_mentions"]

TOKEN = re.compile(r"\w+")
_GAP = re.compile(r"[ \t]*-?[ \t]*")


def _alternation(words: Iterable[str]) -> str:
    """Literal words as one regex alternation; an empty list matches nothing (not everything)."""
    # Longest first, so a word that starts another ("Kab" / "Kabupaten") never cuts it short.
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) for w in unique) if unique else "(?!)"


@dataclass(frozen=True, slots=True)
class Context:
    """The lexicon's word lists compiled into the patterns that judge a name in its sentence."""

    qualifier: re.Pattern[str]  # a kind word right before a name: "Kabupaten Tapin"
    postfix: re.Pattern[str]  # a kind word right after it: "Tapin Regency"
    locative: re.Pattern[str]  # "di Tapin": the story is there
    feature: re.Pattern[str]  # "Sungai Tapin": a river, lake or street
    speech: re.Pattern[str]  # "kata X di Tapin.": where a quote was given
    quoted_at: re.Pattern[str]  # the "di " right before such a place
    dateline: re.Pattern[str]  # "Rantau (ANTARA) - " or "Rantau, Site.com - "
    designator: re.Pattern[str]  # "Kota " in "Kota Banjarmasin": removed for the bare name
    common: frozenset[str]
    national_capitals: frozenset[str]
    agencies: frozenset[str]

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> Context:
        before = "|".join(rf"\b(?P<{k}>{_alternation(lexicon.before[k])})" for k in KINDS)
        after = "|".join(rf"(?P<{k}>{_alternation(lexicon.after[k])})" for k in KINDS)
        return cls(
            qualifier=re.compile(rf"(?:{before})\s*(?:\([^()]{{1,30}}\)\s*)?$"),
            postfix=re.compile(rf"^\s+(?:{after})\b"),
            locative=re.compile(rf"(?:^|\s)(?:{_alternation(lexicon.locatives)})\s+$", re.I),
            feature=re.compile(rf"\b(?:{_alternation(lexicon.features)})\s+$"),
            speech=re.compile(rf"\b(?:{_alternation(lexicon.speech)})\w*\b", re.I),
            quoted_at=re.compile(rf"(?:{_alternation(lexicon.quoted_at)}) $"),
            dateline=re.compile(
                r"^[^\n]{0,120}?(?:\([^()]{2,40}\)\s*[-–—]+\s+"
                rf"|\b[A-Za-z]+\.(?:{_alternation(lexicon.site_suffixes)})\s*[-–—]+\s+)"
            ),
            designator=re.compile(rf"^(?:{_alternation(lexicon.designators)})\s+"),
            common=lexicon.common,
            national_capitals=lexicon.national_capitals,
            agencies=lexicon.agencies,
        )


@dataclass(frozen=True, slots=True)
class Entry:
    region: Region
    weak: bool  # a common word or a capital: needs a qualifier, a locative or the dateline


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    regions: tuple[Region, ...]
    qualified: bool


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Every province, regency and city name, alias and capital, indexed by its words."""

    provinces: dict[str, Region]
    index: dict[tuple[str, ...], tuple[Entry, ...]]
    longest: int
    first_words: frozenset[str]  # the first word of every indexed name: where a name may start
    context: Context

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue, lexicon: Lexicon) -> Gazetteer:
        """Index the catalogue once; tagging then costs a few dict lookups per word."""
        context = Context.from_lexicon(lexicon)
        index: dict[tuple[str, ...], list[Entry]] = {}

        def add(surface: str, region: Region, weak: bool) -> None:
            key = tuple(TOKEN.findall(surface))
            entries = index.setdefault(key, [])
            if key and all(e.region is not region for e in entries):
                entries.append(Entry(region, weak or surface in context.common))

        for province in catalogue.provinces:
            for surface in (province.name, *province.aliases):
                add(surface, province, False)
        for regency in catalogue.regencies:
            for surface in (regency.name, *regency.aliases):
                bare = context.designator.sub("", surface)
                if bare == surface or bare != regency.name:
                    add(bare, regency, False)
            if regency.capital and regency.capital != regency.name:
                add(regency.capital, regency, True)
        return cls(
            provinces={p.slug: p for p in catalogue.provinces},
            index={k: tuple(v) for k, v in index.items()},
            longest=max((len(k) for k in index), default=1),
            first_words=frozenset(k[0] for k in index if k),
            context=context,
        )

    def lookup(self, name: str) -> tuple[Entry, ...]:
        """The entries whose name is exactly `name` (a dateline place or hint)."""
        return self.index.get(tuple(TOKEN.findall(name)), ())


def find_mentions(
    text: str, gazetteer: Gazetteer, title_case: bool, *, title: bool
) -> list[Mention]:
    """Place names in `text` that pass the context rules, longest first at each word."""
    words = list(TOKEN.finditer(text))
    strings = [w.group() for w in words]
    found: list[Mention] = []
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
            start, end = span[0].start(), span[-1].end()
            mention = _judge(text, start, end, entries, gazetteer.context, title_case, title)
            if mention is not None:
                found.append(mention)
            i += n - 1
            break
        i += 1
    return found


def _judge(
    text: str,
    start: int,
    end: int,
    entries: tuple[Entry, ...],
    context: Context,
    title_case: bool,
    title: bool,
) -> Mention | None:
    before, after = text[max(0, start - 60) : start], text[end : end + 30]
    # The national capital names the story only in a headline ("MRT Jakarta ..."); in the text
    # it is where the national desk, ministries and parliament sit.
    if (not title and text[start:end] in context.national_capitals) or context.feature.search(
        before
    ):
        return None
    if _attribution(text, start, end, context):
        return None
    qualifier = context.qualifier.search(before) or context.postfix.match(after)
    kind = next((k for k, v in qualifier.groupdict().items() if v), None) if qualifier else None
    follows = re.match(r" [A-Z]", after) is not None
    placed = not title_case and not follows and context.locative.search(before) is not None
    regions = tuple(
        e.region
        for e in entries
        if (kind is None or e.region.kind == kind) and (not e.weak or kind or placed)
    )
    # A bare name that is both a province and a city (Jambi, Gorontalo) means the province.
    if kind is None and any(r.kind == "province" for r in regions):
        regions = tuple(r for r in regions if r.kind == "province")
    return Mention(start, end, regions, kind is not None) if regions else None


def _attribution(text: str, start: int, end: int, context: Context) -> bool:
    """'..., kata Hendra di Rantau.': where the quote was given, not where the story is."""
    if not context.quoted_at.search(text, max(0, start - 40), start) or not re.match(
        r"\s*(?:[.,]|$)", text[end:]
    ):
        return False
    sentence = re.split(r"[.!?]\s|[\"”]", text[:start])[-1]
    return context.speech.search(sentence) is not None
