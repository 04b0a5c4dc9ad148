"""Charset handling: mislabelled pages, labels hidden in the document, BOMs, control characters."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestor.fetch.decode import decode_text, strip_invalid_xml
from ingestor.fetch.fetcher import FetchPolicy
from tests.faultserver import FaultServer, fast_settings, fetcher_for

LOOPBACK = FetchPolicy("decode", allow_private_network=True, respect_robots=False)
TEXT = "Café “Kopi” – naïve Rp 10.000 €"
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[FaultServer]:
    async with FaultServer() as srv:
        yield srv


@pytest.mark.parametrize(
    ("case", "encoding", "expected"),
    [
        pytest.param("cp1252-as-utf8", "cp1252", f"<p>{TEXT}</p>", id="cp1252-as-utf8"),
        pytest.param("utf8-as-latin1", "utf-8", f"<p>{TEXT}</p>", id="utf8-as-latin1"),
        pytest.param("meta-late", "cp1251", "Привет мир", id="meta-late"),
        pytest.param("http-equiv", "iso8859-2", "Łódź", id="http-equiv"),
        pytest.param("xml-prolog", "cp1251", "<title>Новости</title>", id="xml-prolog"),
        pytest.param("bom-utf16", "utf-16-le", "<p>Halo “dunia”</p>", id="bom-utf16"),
        pytest.param("undeclared", "cp1251", "Это тестовая страница новостей", id="undeclared"),
    ],
)
async def test_charset_is_found_and_mislabels_corrected(
    server: FaultServer, case: str, encoding: str, expected: str
) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url(f"/charset/{case}"), source=LOOPBACK)
    assert out.ok and out.encoding == encoding
    assert out.text is not None and expected in out.text
    assert "\ufffd" not in out.text


async def test_control_characters_are_stripped(server: FaultServer) -> None:
    async with fetcher_for(fast_settings()) as fetcher:
        out = await fetcher.get(server.url("/charset/controls"), source=LOOPBACK)
    assert out.text == "<rss><title>Bad chars ok\ttab\nline</title></rss>"
    assert b"\x00" in out.body  # the raw bytes are kept as received


def test_utf8_page_with_one_stray_byte_stays_utf8() -> None:
    body = ("<p>" + "é" * 50 + "</p>").encode() + b"\xff"
    decoded = decode_text(body, "text/html; charset=utf-8")
    assert decoded.encoding == "utf-8" and decoded.text.startswith("<p>ééé")
    assert decoded.text.endswith("\ufffd")


def test_label_that_is_not_a_charset_is_ignored() -> None:
    for label in ("hex", "uu", "idna", "rot13", "no-such-charset"):
        decoded = decode_text("olá".encode(), f"text/plain; charset={label}")
        assert decoded.text == "olá" and decoded.encoding == "utf-8"


def test_ascii_compatible_iso_2022_jp_label_is_honoured() -> None:
    body = "ニュース".encode("iso2022_jp")  # 7-bit bytes: valid ASCII, but not ASCII text
    assert decode_text(body, "text/html; charset=ISO-2022-JP").text == "ニュース"


@settings(max_examples=200, deadline=None, database=None)
@given(
    body=st.binary(max_size=2048),
    label=st.sampled_from(
        [None, "text/html", "text/html; charset=utf-8", "text/xml; charset=latin-1",
         "text/plain; charset=utf-16", "text/html; charset=shift_jis", "text/html; charset=bogus",
         "text/plain; charset=utf-7", "application/rss+xml; charset=\"windows-1251\""]
    ),
)  # fmt: skip
def test_decoding_never_raises_and_leaves_no_xml_invalid_characters(
    body: bytes, label: str | None
) -> None:
    decoded = decode_text(body, label)
    assert XML_INVALID.search(decoded.text) is None


@given(st.text())
@settings(max_examples=100, deadline=None, database=None)
def test_strip_keeps_everything_xml_allows(text: str) -> None:
    stripped = strip_invalid_xml(text)
    assert XML_INVALID.search(stripped) is None
    assert stripped == "".join(ch for ch in text if not XML_INVALID.match(ch))


@pytest.mark.parametrize(
    ("body", "label", "expected"),
    [
        pytest.param("a\ufffeb\uffffc".encode(), "text/xml; charset=utf-8", "abc", id="utf8-fffe"),
        pytest.param(
            "ï\x01b".encode("cp1252"), "text/plain; charset=windows-1252", "ïb", id="cp1252"
        ),
        pytest.param("€\x0bx".encode("cp1252"), "text/plain; charset=utf-8", "€x", id="mislabel"),
        pytest.param("\ufeffa\x00b".encode("utf-16-le"), "text/plain", "ab", id="utf16-bom"),
    ],
)
def test_stripping_holds_on_every_decoding_path(body: bytes, label: str, expected: str) -> None:
    assert decode_text(body, label).text == expected
