"""Fuzz the seed loader: any entry, any file: Sources, or a SeedError naming file, entry and field.

Entries are generated field by field from values of every TOML type (and hostile strings);
files are the shipped catalogue cut, spliced and salted, or arbitrary text. Whatever comes in,
the only exception is SeedError, and its message starts with the file it is about. The hostile
files below are the cases the fuzzer and a review found; each must be refused at load, not
fail every run of the source later.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.catalogue import load_catalogue
from ingestor.sources.load import SeedError, load_layouts, load_sources, parse_source
from ingestor.sources.model import Source
from tests.reliability.budget import cases, record

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = {p.slug for p in load_catalogue().provinces}
LAYOUTS = load_layouts(ROOT / "seeds" / "layouts.toml")
SHIPPED = (ROOT / "seeds" / "antara.toml").read_text(encoding="utf-8")[:20_000]
FIELDS = ["id", "name", "base_url", "province", "timezone", "lang", "layout", "rules", "rss",
          "listings", "sitemaps", "article_pattern", "poll_min", "poll_max", "republish",
          "rights", "enabled", "verified", "allow_private_network", "proxy", "notes",
          "extra_hosts", "bogus"]  # fmt: skip
GOOD: dict[str, Any] = {
    "id": "site-a", "name": "Site A", "base_url": "https://a.example.id", "timezone": "WITA",
    "article_pattern": r"^/berita/\d+/", "rss": ["/rss/terkini.xml"],
}  # fmt: skip
_STRINGS = ["", " ", "https://a.example.id/x", "http://[::1", "http://a.id:99999/", "/rss",
            "ftp://a.id/", "{page}", "/t/{page}/{x}", "/t/{page}{", "+99:99", "-13:00",
            "+07:00", "WIB", "a{99999999999}", "(" * 500, "[", "<<<", "div >", "antara",
            "kalsel", "javascript:alert(1)", "\x00", "é", "A.EXAMPLE.ID", "m.a.id"]  # fmt: skip
scalars = st.one_of(
    st.sampled_from(_STRINGS), st.text(max_size=30), st.integers(), st.booleans(),
    st.floats(allow_nan=False), st.dates(), st.times(), st.datetimes(),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "url",
                    "page_url",
                    "max_pages",
                    "link_selector",
                    "title",
                    "body",
                    "date",
                    "remove",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=8,
)
entries = st.builds(
    lambda changes, drop: {k: v for k, v in {**GOOD, **changes}.items() if k not in drop},
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
    st.sets(st.sampled_from(list(GOOD))),
)
# file: entry (and listing): field 'name': why
_WHERE = re.compile(
    r"^fuzz\.toml: source\[3\]( \([^)]*\))?(?: listings\[\d+\])?: field '[^']+': .+"
)
N = cases()
TRIED = [0, 0]


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    record("fuzz_seeds", entries=TRIED[0], files=TRIED[1])


@pytest.mark.timeout(1800)
@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=entries)
def test_parse_source_gives_a_source_or_a_seed_error_naming_the_field(data: dict[str, Any]) -> None:
    TRIED[0] += 1
    try:
        source = parse_source("fuzz.toml", 3, data, LAYOUTS)
    except SeedError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert _WHERE.match(refused), refused
        return
    assert isinstance(source, Source)
    source.article_pattern.search("/berita/1/x")  # compiled and usable
    for listing in source.discovery.listings:
        if listing.page_url:
            listing.page_url.format(page=2)  # what the harvester does with it


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else "0"
    if isinstance(value, date | time | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def seed_files(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["entries", "shipped", "text"]))
    if kind == "entries":
        blocks = ["[[source]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in e.items())
                  for e in draw(st.lists(entries, max_size=3))]  # fmt: skip
        return "\n".join(blocks)
    if kind == "text":
        return draw(st.text(max_size=500))
    text = SHIPPED
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 300))
        text = (
            text[:at]
            + draw(st.sampled_from(["", *_STRINGS, "\n[[source]]\n", "="]))
            + text[at + cut :]
        )
    return text


@pytest.mark.timeout(1800)
@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=seed_files())
def test_load_sources_on_any_file_gives_sources_or_a_seed_error(
    text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    TRIED[1] += 1
    path = _file(tmp_path_factory, text)
    try:
        sources = load_sources(
            path, provinces=PROVINCES, layouts_path=ROOT / "seeds" / "layouts.toml"
        )
    except SeedError as exc:
        refused = str(exc)
    else:
        refused = ""
    if refused:
        assert refused.startswith(f"{path}: "), refused
        return
    assert all(isinstance(s, Source) for s in sources)


_COUNTER = itertools.count()


def _file(factory: pytest.TempPathFactory, text: str | bytes) -> Path:
    path = factory.getbasetemp() / f"seed-{next(_COUNTER)}.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def _entry(**changes: Any) -> str:
    data = {**GOOD, **changes}
    return "[[source]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in data.items())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_entry(timezone="+99:99"), "field 'timezone': no zone has the offset +99:99"),
        (_entry(base_url="http://[::1"), "field 'base_url': must be an absolute http(s) URL"),
        (_entry(rss=["http://[::1/feed"]), "field 'rss': must be an absolute http(s) URL"),
        (_entry(base_url="http://a.example.id:99999"), "field 'base_url'"),
        (_entry(listings=[{"url": "/t", "page_url": "/t/{page}/{x}"}]), "listings[0]: field 'page_url'"),
        (_entry(listings=[{"url": "/t", "page_url": "/t/{page}{"}]), "field 'page_url'"),
        (_entry(listings=[{"url": "/t", "link_selector": "div >"}]), "field 'link_selector': not a valid CSS selector"),
        (_entry(rules={"title": ["<<<"]}), "field 'rules.title': not a valid CSS selector"),
        (_entry(article_pattern="a{99999999999}"), "field 'article_pattern': not a valid regular expression"),
        (_entry(article_pattern="(" * 3000 + ")" * 3000), "field 'article_pattern'"),
        (_entry(proxy="socks5://proxy.local:1080"), "field 'proxy': must be an absolute http(s) URL"),
        (_entry(extra_hosts=["https://m.example.id/"]), "field 'extra_hosts': must be host names"),
        ("x = " + "[" * 5000 + "]" * 5000, "not valid TOML: arrays or tables nested too deep"),
        ("x = 1" + "0" * 5000, "not valid TOML"),
        (b"\xff\xfe[[source]]", "not UTF-8 text"),
        ("[[source]]\nid = 'a'\n[[source]]\nid = 'a'", "source[0] (a): field 'base_url': is required"),
    ],
)  # fmt: skip
def test_hostile_seed_files_are_refused_with_a_clear_message(
    text: str | bytes, expected: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = _file(tmp_path_factory, text)
    with pytest.raises(SeedError) as caught:
        load_sources(path, provinces=PROVINCES, layouts_path=ROOT / "seeds" / "layouts.toml")
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message
