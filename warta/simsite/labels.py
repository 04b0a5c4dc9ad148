"""The bureaus the site can play and the label vocabulary its corpus uses.

Regency slugs follow CONTRACT.md: the plain name, with `kota-`/`kab-` only where a Kota and a
Kabupaten share a name (Malang, Kediri, Blitar, ...).
"""

from __future__ import annotations

from datetime import timedelta, timezone

from warta.simsite.model import Bureau

__all__ = ["BUREAUS", "FAMILY_SITES", "PROVINCES", "REGENCIES", "TOPICS", "WIB", "WITA", "site_of"]

WIB = timezone(timedelta(hours=7), "WIB")
WITA = timezone(timedelta(hours=8), "WITA")

BUREAUS: dict[str, Bureau] = {
    "kalsel": Bureau(
        "kalsel", "ANTARA News Kalimantan Selatan", "kalsel", "Kalimantan Selatan", "WITA", WITA
    ),
    "kaltim": Bureau(
        "kaltim", "ANTARA News Kalimantan Timur", "kaltim", "Kalimantan Timur", "WITA", WITA
    ),
    "jatim": Bureau("jatim", "ANTARA News Jawa Timur", "jatim", "Jawa Timur", "WIB", WIB),
    "www": Bureau("www", "ANTARA News", None, None, "WIB", WIB),
}

# Regional newsrooms in the three learned-template families (simsite.families): no hand rules.
FAMILY_SITES: dict[str, Bureau] = {
    "banua": Bureau(
        "banua", "Banua Terkini", "kalsel", "Kalimantan Selatan", "WITA", WITA,
        family="portal", stories_from="kalsel",
    ),
    "mahakam": Bureau(
        "mahakam", "Catatan Mahakam", "kaltim", "Kalimantan Timur", "WITA", WITA,
        family="blog", stories_from="kaltim",
    ),
    "brantas": Bureau(
        "brantas", "Tabloid Brantas", "jatim", "Jawa Timur", "WIB", WIB,
        family="tabloid", stories_from="jatim",
    ),
}  # fmt: skip


def site_of(slug: str) -> Bureau:
    """An ANTARA bureau or a family site by slug; KeyError names the known ones."""
    if slug in BUREAUS:
        return BUREAUS[slug]
    if slug in FAMILY_SITES:
        return FAMILY_SITES[slug]
    raise KeyError(f"unknown bureau {slug!r}; known: {sorted([*BUREAUS, *FAMILY_SITES])}")


TOPICS: tuple[str, ...] = (
    "politik",
    "pemerintahan",
    "ekonomi",
    "hukum",
    "pendidikan",
    "kesehatan",
    "olahraga",
    "lingkungan",
    "sosial",
    "teknologi",
    "budaya",
    "infrastruktur",
    "agama",
)

PROVINCES: tuple[str, ...] = ("kalsel", "kaltim", "jatim", "dki", "jabar", "jateng")

REGENCIES: dict[str, tuple[str, ...]] = {
    "kalsel": (
        "banjarmasin",
        "banjarbaru",
        "banjar",
        "barito-kuala",
        "tapin",
        "hulu-sungai-selatan",
        "hulu-sungai-tengah",
        "hulu-sungai-utara",
        "balangan",
        "tabalong",
        "tanah-laut",
        "tanah-bumbu",
        "kotabaru",
    ),
    "kaltim": (
        "samarinda",
        "balikpapan",
        "bontang",
        "kutai-kartanegara",
        "kutai-timur",
        "kutai-barat",
        "berau",
        "paser",
        "penajam-paser-utara",
        "mahakam-ulu",
    ),
    "jatim": (
        "surabaya",
        "kota-malang",
        "kab-malang",
        "batu",
        "sidoarjo",
        "gresik",
        "banyuwangi",
        "jember",
        "lumajang",
        "kota-kediri",
        "kab-kediri",
        "kota-blitar",
        "kab-blitar",
        "kota-madiun",
        "kab-madiun",
        "kota-mojokerto",
        "kab-mojokerto",
        "kota-pasuruan",
        "kab-pasuruan",
        "kota-probolinggo",
        "kab-probolinggo",
        "jombang",
        "bojonegoro",
        "tuban",
        "tulungagung",
        "sumenep",
        "pamekasan",
        "bangkalan",
        "lamongan",
        "ponorogo",
    ),
    "dki": (),
    "jabar": (),
    "jateng": (),
}
