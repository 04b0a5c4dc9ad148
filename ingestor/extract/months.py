"""Month names as news pages print them, in every language Warta reads dates in, to month numbers."""

from __future__ import annotations

__all__ = ["MONTHS"]

# Indonesian and English first; then the other languages real pages showed (German, French,
# Spanish, Portuguese, Italian, Dutch; Russian, Ukrainian and Arabic below).
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("januari", "january", "jan", "januar", "janvier", "janv", "enero", "janeiro", "gennaio"),
    2: (
        "februari",
        "pebruari",
        "february",
        "feb",
        "peb",
        "februar",
        "février",
        "fevrier",
        "févr",
        "febrero",
        "fevereiro",
        "febbraio",
    ),
    3: ("maret", "march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "maart"),
    4: ("april", "apr", "avril", "avr", "abril", "aprile"),
    5: ("mei", "may", "mai", "mayo", "maio", "maggio"),
    6: ("juni", "june", "jun", "juin", "junio", "junho", "giugno"),
    7: ("juli", "july", "jul", "juillet", "juil", "julio", "julho", "luglio"),
    8: (
        "agustus",
        "august",
        "agus",
        "agu",
        "agt",
        "ags",
        "aug",
        "août",
        "aout",
        "agosto",
        "augustus",
    ),
    9: (
        "september",
        "sept",
        "sep",
        "septembre",
        "septiembre",
        "setiembre",
        "setembro",
        "settembre",
    ),
    10: ("oktober", "october", "okt", "oct", "octobre", "octubre", "outubro", "ottobre"),
    11: ("november", "nopember", "nov", "nop", "novembre", "noviembre", "novembro"),
    12: (
        "desember",
        "december",
        "des",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dezembro",
        "dicembre",
    ),
}
# Russian and Ukrainian date lines use the genitive: "15 августа 2016", "3 березня 2020".
_CYRILLIC = (
    ("января", "січня"),
    ("февраля", "лютого"),
    ("марта", "березня"),
    ("апреля", "квітня"),
    ("мая", "травня"),
    ("июня", "червня"),
    ("июля", "липня"),
    ("августа", "серпня"),
    ("сентября", "вересня"),
    ("октября", "жовтня"),
    ("ноября", "листопада"),
    ("декабря", "грудня"),
)
MONTHS = {name: num for num, names in _MONTH_NAMES.items() for name in names}
# Arabic as Egyptian and Gulf newsrooms print it: "الأربعاء، 07 أكتوبر 2020".
_ARABIC = (
    ("يناير",),
    ("فبراير",),
    ("مارس",),
    ("أبريل", "ابريل", "إبريل"),
    ("مايو",),
    ("يونيو", "يونية"),
    ("يوليو", "يولية"),
    ("أغسطس", "اغسطس"),
    ("سبتمبر",),
    ("أكتوبر", "اكتوبر"),
    ("نوفمبر",),
    ("ديسمبر",),
)
MONTHS |= {name: num for num, names in enumerate(_CYRILLIC, 1) for name in names}
MONTHS |= {name: num for num, names in enumerate(_ARABIC, 1) for name in names}
