"""The bureaus the site can play and the label vocabulary its corpus uses.

Regency slugs follow CONTRACT.md: the plain name, with `kota-`/`kab-` only where a Kota and a
Kabupaten share a name (Malang, Kediri, Blitar, ...).
"""

from __future__ import annotations

from datetime import timedelta, timezone

from warta.simsite.model import Bureau

__all__ = ["BUREAUS", "PROVINCES", "REGENCIES", "TOPICS", "WIB", "WITA"]

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
