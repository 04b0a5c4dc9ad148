"""Turn response bytes into clean text: find the charset, decode without raising, strip bad chars."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache

import charset_normalizer

__all__ = ["Decoded", "charset_of", "decode_text", "is_textual", "strip_invalid_xml"]

_SNIFF_BYTES = 8192  # how far <meta charset> and the XML prolog are looked for
_DETECT_BYTES = 64 * 1024  # detection on a prefix: the cost grows with size, the answer does not
_FALLBACK = "cp1252"

# WHATWG Encoding §6 recognises only these BOMs; they win over any label.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.I)
# Covers <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9][\w:.\-]*)""", re.I)
_XML_PROLOG = re.compile(rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z][\w.\-]*)["']""")
# Not allowed in XML 1.0 (§2.2): C0 controls except TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_C0 = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
# raw.translate(None, _CLEAN) keeps only C0 controls and 0xEF, the lead byte of U+FFFE/U+FFFF.
_CLEAN = bytes(b for b in range(256) if b not in _C0 and b != 0xEF)
_SINGLE_BYTE = ("cp125", "iso8859-", "koi8-", "mac-", "cp437", "cp850", "cp866", "tis-620")
_TEXT_SUFFIXES = ("+xml", "/xml", "+json", "/json", "/javascript", "/ecmascript")
_TEXTUAL: dict[str, bool] = {}  # is_textual's verdicts by Content-Type, where the body is moot
# Python text codecs that are not charsets; a page labelled with one of them is ignored.
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def is_textual(content_type: str | None, body: bytes = b"") -> bool:
    """Whether a body of this media type should be decoded to text."""
    if not content_type:
        return True
    # Content-Type values repeat endlessly ("text/html; charset=utf-8"): judge each one once.
    known = _TEXTUAL.get(content_type)
    if known is not None:
        return known
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/octet-stream":
        # Feeds are often served as octet-stream; decode those unless they look binary.
        return b"\x00" not in body[:1024]
    if len(_TEXTUAL) >= 256:
        _TEXTUAL.clear()
    textual = _TEXTUAL[content_type] = media.startswith("text/") or media.endswith(_TEXT_SUFFIXES)
    return textual


def strip_invalid_xml(text: str) -> str:
    """Remove characters XML 1.0 forbids, so an XML parser downstream does not fail on them."""
    return _INVALID_XML.sub("", text)


@lru_cache(maxsize=128)
def _codec(label: str) -> str | None:
    """Python's codec for a charset label, or None for unknown and non-text codecs."""
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
        b"a".decode(name)  # refuses bytes-to-bytes codecs such as "hex" or "uu"
    except (LookupError, ValueError):
        return None
    if name in _NOT_CHARSETS:
        return None
    # WHATWG Encoding maps the latin-1 and ascii labels to windows-1252, as browsers decode.
    if name in ("iso8859-1", "ascii"):
        return _FALLBACK
    return name


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type value, as a Python codec name."""
    return _charset_of(content_type) if content_type else None


@lru_cache(maxsize=256)
def _charset_of(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type)
    return _codec(match.group(1)) if match else None


def _sniff(head: bytes) -> str | None:
    """A charset declared in the document itself: XML prolog, else <meta> in the first 8 KB."""
    match = _XML_PROLOG.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    name = _codec(match.group(1).decode("ascii"))
    # A document we could read the label from is ASCII-compatible, so it is not UTF-16/32
    # whatever it says (WHATWG treats such a label as UTF-8).
    if name is not None and name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return name


def _mostly_not_utf8(body: bytes) -> bool:
    """True when invalid sequences outnumber valid multibyte characters.

    A UTF-8 page with one stray byte is still UTF-8 (replace that byte); a page where most
    non-ASCII bytes are invalid was written in a legacy 8-bit charset and mislabelled.
    """
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return bad > good


def _detect(body: bytes) -> str:
    """Guess for an undeclared, non-UTF-8 body; prefers windows-1252 among near-equal guesses."""
    results = charset_normalizer.from_bytes(body[:_DETECT_BYTES])
    best = results.best()
    if best is None:
        return _FALLBACK
    # Short Latin text fits several code pages equally well; windows-1252 is by far the most
    # common legacy charset on the web, so it wins a near tie.
    for match in results:
        if _FALLBACK in match.could_be_from_charset and match.chaos <= best.chaos + 0.1:
            return _FALLBACK
    return _codec(best.encoding) or _FALLBACK


def _finish(text: str, encoding: str, raw: bytes | None = None) -> Decoded:
    """Strip what XML forbids; `raw` (UTF-8 or a single-byte charset) allows a fast check.

    A regex scan costs about 5 ns per character, most of the decoding time of a clean page.
    In UTF-8 and ASCII-based single-byte charsets a C0 control can only come from that very
    byte, and U+FFFE/U+FFFF only from their UTF-8 forms, so clean bytes mean clean text.
    """
    if raw is not None:
        suspects = raw.translate(None, _CLEAN)  # the C0 and 0xEF bytes, usually none
        if not suspects:
            return Decoded(text, encoding)
        only_ef = not suspects.translate(None, b"\xef")
        if only_ef and b"\xef\xbf\xbe" not in raw and b"\xef\xbf\xbf" not in raw:
            return Decoded(text, encoding)
    return Decoded(strip_invalid_xml(text), encoding)


def _decode(body: bytes, encoding: str) -> Decoded:
    raw = body if encoding == "utf-8" or encoding.startswith(_SINGLE_BYTE) else None
    try:
        return _finish(body.decode(encoding, "replace"), encoding, raw)
    except UnicodeError:
        # A few codecs (e.g. utf-7 on some inputs) still raise under "replace".
        return _finish(body.decode(_FALLBACK, "replace"), _FALLBACK)


def decode_text(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a body to text; never raises. Undecodable bytes become U+FFFD.

    Order: BOM (WHATWG: it overrides every label), Content-Type charset, then the XML prolog or
    <meta> within the first 8 KB, then detection. A declared label is cross-checked against the
    bytes, because mislabelled pages are common: windows-1252 text labelled UTF-8 is decoded
    as windows-1252, and valid UTF-8 labelled with a legacy charset is decoded as UTF-8.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return _decode(body[len(bom) :], name)
    declared = charset_of(content_type) or _sniff(body[:_SNIFF_BYTES])
    if declared is not None and declared.startswith(("utf-16", "utf-32")):
        return _decode(body, declared)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Valid UTF-8 with non-ASCII content is essentially never a legacy charset by accident.
        if declared is None or declared == "utf-8" or not text.isascii():
            return _finish(text, "utf-8", body)
        return _decode(body, declared)
    if declared == "utf-8":
        if not _mostly_not_utf8(body):
            return _decode(body, "utf-8")
        declared = _FALLBACK
    return _decode(body, declared or _detect(body))
