"""Parse the dateline that opens a story ("Tapin, Kalsel (ANTARA) -") into a place and a region hint."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Dateline", "parse_dateline"]

_PLACE = r"[A-Z][\w'.]*(?:[ \-][A-Za-z][\w'.]*){0,3}"
_DASH = r"\s*[-–—]+\s"
_SITE = r"[A-Za-z0-9]+(?:\.[A-Za-z]{2,3}){1,2}"  # TRIBUNKALTIM.CO, BANJARMASINPOST.CO.ID
_FORMS = (
    # ANTARA and wire style: "Tapin, Kalsel (ANTARA) -", "ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) -"
    re.compile(
        rf"^(?P<place>{_PLACE})(?:\s*,\s*(?P<hint>[^,()]{{2,40}}?))?\s*\((?P<agency>[^()]{{2,40}})\){_DASH}"
    ),
    # kompas style: "BANJARMASIN, KOMPAS.com -"
    re.compile(rf"^(?P<place>{_PLACE})\s*,\s*(?P<agency>[A-Za-z]+\.(?:com|co\.id|id)){_DASH}"),
    # tribun style: "BANJARMASINPOST.CO.ID, BANJARMASIN -"
    re.compile(rf"^(?P<agency>{_SITE})\s*,\s*(?P<place>{_PLACE}){_DASH}"),
    # detik and portal style: "Jakarta - ", "MARTAPURA – ", "PALANGKA RAYA - "
    re.compile(rf"^(?P<place>[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+){{0,2}}){_DASH}"),
)
_MAX_PREFIX = 120


@dataclass(frozen=True, slots=True)
class Dateline:
    """Where the story was filed, the province-ish hint after the comma, and the agency label."""

    place: str
    hint: str | None
    agency: str | None


def parse_dateline(paragraph: str) -> Dateline | None:
    """The dateline at the start of the first paragraph, or None when the story has none."""
    head = paragraph[:_MAX_PREFIX]
    for form in _FORMS:
        m = form.match(head)
        if m is None:
            continue
        groups = m.groupdict()
        hint = groups.get("hint")
        # "ISTANBUL, 23 Februari 2016 (…)" carries a date there, not a region.
        if hint is not None and any(ch.isdigit() for ch in hint):
            hint = None
        return Dateline(
            place=_name(groups["place"]),
            hint=_name(hint) if hint else None,
            agency=groups.get("agency"),
        )
    return None


def _name(text: str) -> str:
    text = " ".join(text.split())
    # Wire datelines shout ("PALANGKA RAYA"); the place is stored in its usual spelling.
    if text.isupper() and len(text) > 3:
        return " ".join(w.capitalize() if w.isalpha() else w for w in text.split())
    return text
