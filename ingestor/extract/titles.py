"""Tidy a headline taken from <title>/og:title, and cut a summary to length at a word boundary."""

from __future__ import annotations

import re

from ingestor.extract.clean import normalize_text
from ingestor.sources import site_label

__all__ = ["SUMMARY_LIMIT", "clean_title", "trim_summary"]

SUMMARY_LIMIT = 300
_SEPARATOR = re.compile(r"\s+[-|–—:»]\s+")
_SITEISH = re.compile(r"\.com\b|\.co\.id\b|\.id\b|\bnews\b|\bonline\b", re.IGNORECASE)
_MAX_SITE_NAME = 60


def clean_title(title: str | None, site_name: str | None, url: str) -> str | None:
    """`title` without a trailing site name ("Judul - ANTARA News Kalimantan Selatan")."""
    if not title:
        return None
    title = normalize_text(title)
    label = site_label(url)
    while True:
        parts = list(_SEPARATOR.finditer(title))
        if not parts:
            return title
        last = parts[-1]
        tail = title[last.end() :]
        if not _is_site(tail, site_name, label):
            return title
        title = title[: last.start()]


def trim_summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """At most `limit` characters, cut at a word boundary and marked with an ellipsis."""
    text = normalize_text(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return f"{cut}…"


def _is_site(tail: str, site_name: str | None, label: str | None) -> bool:
    if len(tail) > _MAX_SITE_NAME:
        return False
    compact = re.sub(r"[^a-z0-9]", "", tail.lower())
    if site_name and re.sub(r"[^a-z0-9]", "", site_name.lower()) in compact:
        return True
    if label and label.lower() in compact:
        return True
    return _SITEISH.search(tail) is not None
