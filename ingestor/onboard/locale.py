"""Propose a new source's province and time zone from what its sampled stories are about.

Each story votes with the province its dateline names (two votes) or, failing that, the one
its title and lead mention (one vote); a province wins with more than half of the votes cast
and at least two stories. No winner means a national desk: no province. The zone is the
winning province's (Keppres 41/1987, in config/provinces.toml); without a province, the
zone label the pages print most ("WITA" in "08:30 WITA"; labels are config/zones.toml's), else
the default zone there (WIB for the shipped catalogue, where the national desks are).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from config.zones import Zones, default_zones
from database.records import ArticleRecord
from ingestor.classify import Gazetteer, tag_regions

__all__ = ["RegionGuess", "propose_region"]


def _label_pattern(zones: Zones) -> re.Pattern[str]:
    """The data's zone labels as printed words; longest first so WITA is not read as WIT."""
    labels = sorted(zones.labels, key=len, reverse=True)
    return (
        re.compile(r"\b(" + "|".join(map(re.escape, labels)) + r")\b")
        if labels
        else re.compile(r"(?!)")
    )


_MIN_STORIES = 2


@dataclass(frozen=True, slots=True)
class RegionGuess:
    province: str | None
    timezone: str
    reasons: tuple[str, ...]


def propose_region(
    records: Sequence[ArticleRecord],
    gazetteer: Gazetteer,
    zones: Mapping[str, str | None],
    labels: Zones | None = None,
) -> RegionGuess:
    """Province slug (or None) and zone label for a sample; `zones` maps province to its zone,
    `labels` gives the zone labels and default (config/zones.toml unless given)."""
    known = labels or default_zones()
    votes: Counter[str] = Counter()
    stories: Counter[str] = Counter()
    for record in records:
        # The tagger's own judgement, not the raw dateline: "Jakarta" alone, where the
        # national desks file from, is no evidence of DKI Jakarta.
        tags = tag_regions(record, None, gazetteer)
        if tags.province is None or not tags.tags:
            continue
        votes[tags.province] += 2 if tags.tags[0][1] == "dateline" else 1
        stories[tags.province] += 1
    reasons: list[str] = []
    province = None
    if votes:
        best, count = votes.most_common(1)[0]
        if count * 2 > sum(votes.values()) and stories[best] >= _MIN_STORIES:
            province = best
            reasons.append(
                f"province {best}: {stories[best]} of {len(records)} sampled stories"
                " are datelined in or about it"
            )
        else:
            reasons.append(f"no province has most stories ({dict(votes)}): a national desk?")
    pattern = _label_pattern(known)
    printed = Counter(m[1] for r in records for m in pattern.finditer(r.published_raw or ""))
    if province is not None and zones.get(province):
        zone = zones[province] or known.default
        reasons.append(f"time zone {zone}: the zone of {province}")
        if printed and printed.most_common(1)[0][0] != zone:
            # Pages that print another zone label say so explicitly; naive times are the issue.
            reasons.append(f"note: pages print {printed.most_common(1)[0][0]} times")
    elif printed:
        zone = printed.most_common(1)[0][0]
        reasons.append(f"time zone {zone}: the label the pages print")
    else:
        zone = known.default
        reasons.append(f"time zone {zone}: no province and no zone label on the pages")
    return RegionGuess(province, zone, tuple(reasons))
