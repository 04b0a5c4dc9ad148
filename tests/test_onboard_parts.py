"""The pure parts of onboarding: URL patterns, page facts, signals to policy, gates, entry TOML."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from database.records import ArticleRecord
from ingestor.onboard import entry_fields, entry_toml, infer_pattern, judge_sample, read_robots
from ingestor.onboard.listing import infer_link_selector
from ingestor.onboard.page import read_page
from ingestor.onboard.policy import Signals, directives, propose_policy
from ingestor.sources import load_sources

B = "https://news.example.id"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("known", "links", "pattern", "hit", "miss"),
    [
        (["/berita/529420/banjir-rob", "/berita/529421/harga-cabai"], ["/terkini/2", "/ekonomi"],
         r"^/berita/\d+/[^/]+/?$", "/berita/5/x", "/terkini/2"),
        ([], ["/read/2024/11/23/12345/banjir-di-kota-a", "/read/2024/11/22/12346/banjir-di-kota-b",
              "/tag/banjir"], r"^/read/\d{4}/\d{1,2}/\d{1,2}/\d+/[^/]+/?$",
         "/read/2025/1/2/1/x", "/tag/banjir"),
        (["/ekonomi/d-7654321/judul-satu-dua", "/hukum/d-7654322/judul-tiga-empat"], ["/tag/a/2"],
         r"^/[^/]+/d\-\d+/[^/]+/?$", "/olahraga/d-1234/x", "/tag/a/2"),
        ([], ["/2024/11/23/judul-satu-dua", "/2024/11/22/judul-tiga-empat", "/kanal/ekonomi"],
         r"^/\d{4}/\d{1,2}/\d{1,2}/[^/]+/?$", "/2026/12/4/x-y", "/kanal/ekonomi"),
    ],
)  # fmt: skip
def test_pattern_from_feed_items_or_story_like_links(
    known: list[str], links: list[str], pattern: str, hit: str, miss: str
) -> None:
    guess = infer_pattern(B, [B + p for p in known], [B + p for p in links])
    assert guess is not None and guess.pattern == pattern
    assert re.search(guess.pattern, hit) and not re.search(guess.pattern, miss)
    assert miss in guess.not_matching or miss not in links


def test_no_pattern_from_menus_or_other_hosts() -> None:
    assert infer_pattern(B, [], [B + "/about", B + "/kontak", B + "/terkini/2"]) is None
    other = [
        "https://elsewhere.id/berita/1234567/a-b-c",
        "https://elsewhere.id/berita/1234568/d-e-f",
    ]
    assert infer_pattern(B, other, []) is None


def test_page_facts_feeds_notices_robots_licence() -> None:
    html = """<html lang="id-ID"><head><title>Kabar Banua | Berita Kalsel</title>
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    <meta name="robots" content="index, follow, max-snippet:-1"><meta name="Warta" content="noai">
    <link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head><body>
    <a href="/berita/1/a">x</a><a href="/rss/ekonomi.xml">RSS ekonomi</a><a href="javascript:void(0)">j</a>
    <footer><p>Dilarang mengambil konten situs ini tanpa izin.</p>
    <p>Konten ini tidak boleh dipakai untuk melatih AI tanpa izin tertulis.</p>
    <p>Copyright © 2026 Kabar Banua</p></footer></body></html>"""
    facts = read_page(html, B + "/")
    assert facts.name == "Kabar Banua" and facts.lang == "id"
    assert facts.feeds == (B + "/feed/", B + "/rss/ekonomi.xml")
    assert facts.robots == ("index", "follow", "max-snippet:-1", "noai")
    assert facts.license == "https://creativecommons.org/licenses/by/4.0/"
    assert any("melatih AI" in n for n in facts.ai_notices)
    assert any("Dilarang mengambil konten" in n for n in facts.content_notices)
    assert facts.copyright == "Copyright © 2026 Kabar Banua"
    assert B + "/berita/1/a" in facts.links and not any("javascript" in u for u in facts.links)


ROBOTS_AI = "User-agent: GPTBot\nDisallow: /\n\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: *\nAllow: /\nSitemap: https://news.example.id/sitemap.xml\n"


def test_robots_facts() -> None:
    facts = read_robots(ROBOTS_AI, "Warta", B)
    assert facts.allows_home and facts.ai_blocked == ("GPTBot", "CCBot")
    assert facts.sitemaps == (B + "/sitemap.xml",)
    assert not read_robots("User-agent: *\nDisallow: /\n", "Warta", B).allows_home
    # Everyone shut out is not an AI signal; no robots.txt allows everything.
    assert read_robots("User-agent: *\nDisallow: /\n", "Warta", B).ai_blocked == ()
    assert read_robots(None, "Warta", B).allows_home


@pytest.mark.parametrize(
    ("robots", "values", "licence", "notices", "expected"),
    [
        (None, [], None, (), "summary"),
        (None, [], "https://creativecommons.org/licenses/by-sa/4.0/", (), "full"),
        (None, [], "https://example.id/terms", (), "summary"),
        (None, ["noai"], "https://creativecommons.org/licenses/by/4.0/", (), "summary"),
        (ROBOTS_AI, [], "https://creativecommons.org/licenses/by/4.0/", (), "summary"),
        (None, ["max-snippet:0"], None, (), "title"),
        (None, ["googlebot: nosnippet"], None, (), "summary"),
        (None, ["warta: nosnippet"], None, (), "title"),
        (None, ["noindex, nofollow"], None, (), "title"),
        (None, [], "https://creativecommons.org/licenses/by/4.0/", ("Dilarang mengambil konten",), "summary"),
    ],
)  # fmt: skip
def test_policy_never_exceeds_the_signals(
    robots: str | None,
    values: list[str],
    licence: str | None,
    notices: tuple[str, ...],
    expected: str,
) -> None:
    signals = Signals(
        robots=read_robots(robots, "Warta", B),
        directives=tuple(directives(values, "Warta")),
        content_notices=notices,
        license=licence,
    )
    policy = propose_policy(signals, "Kabar Banua")
    assert policy.republish == expected and policy.blocked is None
    assert policy.rights is None or "Kabar Banua" in policy.rights
    if expected == "title" or (licence and expected == "summary"):
        assert policy.reasons  # whatever lowered the policy is named


def test_policy_blocks_a_site_that_disallows_us() -> None:
    signals = Signals(robots=read_robots("User-agent: Warta\nDisallow: /\n", "Warta", B))
    assert propose_policy(signals, "x").blocked


def _record(url: str, text: str, **changes: object) -> ArticleRecord:
    base: dict[str, object] = {
        "url": url, "title": "Banjir rob genangi permukiman di Banjarmasin",
        "text": text, "authors": ("Sukarli",), "published_at": NOW - timedelta(hours=2),
        "date_source": "jsonld", "provenance": {"title": "rules", "text": "rules"},
    }  # fmt: skip
    base.update(changes)
    return ArticleRecord(**base)  # type: ignore[arg-type]


PROSE = "\n\n".join(
    f"Paragraf {i} tentang banjir rob yang menggenangi permukiman warga di pesisir kota "
    "selama tiga hari berturut-turut, menurut petugas setempat."
    for i in range(4)
)


def test_gates_pass_a_good_sample_and_name_each_failure() -> None:
    good = [_record(f"{B}/berita/{i}/a", PROSE) for i in range(3)]
    assert judge_sample(good, has_rules=True, now=NOW).passed
    bad = [
        _record(f"{B}/1", PROSE, date_source="first_seen"),
        _record(f"{B}/2", "Terlalu pendek.\n\nDua."),
        _record(f"{B}/3", PROSE + "\n\nBaca juga: Harga cabai naik"),
        _record(f"{B}/4", PROSE, authors=()),
        _record(f"{B}/5", PROSE, provenance={"title": "jsonld", "text": "generic"}),
        _record(f"{B}/6", PROSE, title="", provenance={"title": "rules", "text": "rules"}),
        (f"{B}/7", "http_5xx: 503"),
    ]
    report = judge_sample(bad, has_rules=True, now=NOW)
    assert not report.passed
    assert report.failed_gates == (
        "title",
        "date",
        "body",
        "furniture",
        "author",
        "layout",
        "fetch",
    )
    failures = {p.url: [r.gate for r in p.results if not r.passed] for p in report.pages}
    assert failures[f"{B}/5"] == ["layout"] and failures[f"{B}/4"] == ["author"]
    assert report.to_json()["pages"][6]["error"] == "http_5xx: 503"
    assert "layout (1 of 7 pages)" in report.summary()


def test_gates_catch_chrome_repeated_on_every_page() -> None:
    chrome = "Ikuti berita terkini di kanal kami."
    pages = [_record(f"{B}/{i}", f"{PROSE}\n\n{chrome}") for i in range(3)]
    report = judge_sample(pages, has_rules=False, now=NOW)
    assert report.failed_gates == ("furniture",)


def test_entry_toml_round_trips_through_the_loader(tmp_path: Path) -> None:
    fields: dict[str, object] = {
        "id": "kabar-banua", "name": "Kabar 'Banua'", "base_url": B, "province": "kalsel",
        "timezone": "WITA", "lang": "id", "layout": None,
        "article_pattern": r"^/berita/\d+/[^/]+/?$", "rss": [B + "/feed/"],
        "listings": [{"url": B + "/terkini", "page_url": B + "/terkini?page={page}", "max_pages": 5,
                      "link_selector": "div.card a, h2.title a"}],
        "sitemaps": [], "republish": "summary", "rights": "© Kabar Banua. Title and summary only.",
        "enabled": True, "allow_private_network": True, "notes": 'notice: "dilarang"\nline',
        "rules": {"title": ["h1.judul"], "body": ["div.isi"], "remove": []},
    }  # fmt: skip
    path = tmp_path / "one.toml"
    path.write_text(entry_toml(fields, ["made by a test"]), encoding="utf-8")
    (source,) = load_sources(path, provinces={"kalsel"})
    assert source.name == "Kabar 'Banua'" and source.notes == 'notice: "dilarang"\nline'
    assert source.discovery.listings[0].link_selector == "div.card a, h2.title a"
    assert source.rules is not None and source.rules.body == ("div.isi",)
    assert source.allow_private_network and source.tz_name == "WITA"
    again = tmp_path / "again.toml"
    again.write_text(entry_toml(entry_fields(source)), encoding="utf-8")
    (same,) = load_sources(again, provinces={"kalsel"})
    assert entry_fields(same) == entry_fields(source)


def test_link_selector_keeps_the_blocks_that_page() -> None:
    def page(first: int) -> str:
        cards = "".join(
            f'<div class="card"><a href="/berita/{n}/a"><img></a>'
            f'<h2 class="title"><a href="/berita/{n}/a">t</a></h2></div>'
            for n in range(first, first + 5)
        )
        popular = "".join(
            f'<li class="pop"><a href="/berita/{n}/p">p</a></li>' for n in range(90, 95)
        )
        return f"<html><body>{cards}<ol>{popular}</ol></body></html>"

    def is_story(url: str) -> bool:
        return "/berita/" in url

    selector = infer_link_selector(page(1), B + "/terkini", page(6), B + "/terkini/2", is_story)
    assert selector == "div.card a, h2.title a"


def test_region_from_datelines_and_the_national_desk() -> None:
    from config.catalogue import load_catalogue
    from config.lexicon import load_lexicon
    from ingestor.classify import Gazetteer
    from ingestor.onboard.locale import propose_region

    catalogue = load_catalogue()
    gazetteer = Gazetteer.from_catalogue(catalogue, load_lexicon())
    zones = {p.slug: p.timezone for p in catalogue.provinces}

    def story(lead: str) -> ArticleRecord:
        text = f"{lead} Warga mengungsi.\n\nPetugas terus memantau keadaan."
        return _record(f"{B}/{abs(hash(lead))}", text, title="Pemerintah umumkan kebijakan baru")

    local = [story(f"{place} (ANTARA) - Banjir melanda.") for place in
             ("Banjarmasin", "Rantau, Kalsel", "Martapura", "Banjarbaru")]  # fmt: skip
    guess = propose_region(local, gazetteer, zones)
    assert (guess.province, guess.timezone) == ("kalsel", "WITA")
    desk = [story("Jakarta (ANTARA) - Menteri mengumumkan kebijakan baru.") for _ in range(4)]
    guess = propose_region(desk, gazetteer, zones)
    assert (guess.province, guess.timezone) == (None, "WIB")
