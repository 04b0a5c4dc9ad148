"""Learned site templates: as good as hand rules on the simulated families, learned and re-learned
by the pipeline on a source without rules, and shown by `warta sources show`."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

import aiohttp
import asyncpg
import pytest

from config.catalogue import load_catalogue
from config.settings import Settings, load_settings
from ingestor import store
from ingestor.extract import ExtractError, LearnedTemplate, extract_article, learn_template
from ingestor.extract.learn import remember
from ingestor.extract.template import body_agrees
from ingestor.schedule.templates import finish_template_run, start_template_run
from ingestor.sources import SiteRules, Source, load_sources
from ingestor.sources.model import Discovery
from tests.conftest import free_port, run_pass, truncate
from warta.demo import write_simsite_seeds
from warta.simsite import SimArticle, SimSite
from warta.simsite.families import hand_selectors
from warta.simsite.labels import FAMILY_SITES

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)


def _f1(got: str, want: str) -> float:
    a, b = Counter(re.findall(r"\w+", got.lower())), Counter(re.findall(r"\w+", want.lower()))
    overlap = sum((a & b).values())
    return 0.0 if not overlap else 2 * overlap / (sum(a.values()) + sum(b.values()))


def _body(html: str, url: str, **kwargs: object) -> str:
    try:
        return extract_article(html, url, fetched_at=NOW, **kwargs).text  # type: ignore[arg-type]
    except ExtractError:
        return ""


async def _pages(site: SimSite, slug: str) -> list[tuple[SimArticle, str]]:
    out = []
    async with aiohttp.ClientSession() as http:
        for story in site.articles(slug):
            async with http.get(story.url) as resp:
                out.append((story, await resp.text()))
    return out


async def test_learned_template_reads_families_as_well_as_hand_rules() -> None:
    async with SimSite(bureaus=tuple(FAMILY_SITES), clock=lambda: NOW, seed=7) as site:
        for slug in site.bureaus:
            pages = await _pages(site, slug)
            template = learn_template([(s.url, h) for s, h in pages[:8]])
            assert template is not None and template.confidence == 1.0, slug
            rules = SiteRules(**hand_selectors(site.bureau(slug)))
            hand = Source(
                id=slug, name=slug, base_url=site.base_url(slug), province=None, tz_name="UTC",
                tz=UTC, lang="id", discovery=None, article_pattern=re.compile("."), rules=rules,  # type: ignore[arg-type]
            )  # fmt: skip
            learned, by_hand = [], []
            for story, html in pages:
                want = "\n\n".join(story.paragraphs)
                learned.append(_f1(_body(html, story.url, template=template), want))
                by_hand.append(_f1(_body(html, story.url, source=hand), want))
            assert mean(learned) >= mean(by_hand) - 0.01, (slug, mean(learned), mean(by_hand))


async def test_one_story_twice_teaches_nothing() -> None:
    async with SimSite(bureaus=("banua",), clock=lambda: NOW) as site:
        story, html = (await _pages(site, "banua"))[0]
    # The same story twice would make its own text look like furniture.
    assert learn_template([(story.url, html), (story.url + "?amp", html)]) is None


_PLACES = (
    "Martapura",
    "Banjarbaru",
    "Rantau",
    "Kandangan",
    "Barabai",
    "Amuntai",
    "Tanjung",
    "Pelaihari",
)
_THINGS = ("jembatan", "pasar", "sekolah", "puskesmas", "irigasi", "terminal", "dermaga", "gudang")


def _story(i: int) -> SimArticle:
    """A story of its own: generated market reports share most sentences, which reads as furniture."""
    place, thing = _PLACES[i % len(_PLACES)], _THINGS[i % len(_THINGS)]
    paragraphs = tuple(
        f"Pemerintah daerah {place} menyiapkan anggaran Rp{i * 13 + j + 2} miliar untuk {thing} "
        f"tahap {j + 1}, kata pejabat setempat saat meninjau lokasi pada pekan ke-{i * 5 + j}."
        for j in range(5)
    )
    return SimArticle(title=f"{place} bangun {thing} baru tahap {i}", paragraphs=paragraphs)


def _settings(database_url: str, seeds: Path, data: Path) -> Settings:
    base = load_settings(
        {"WARTA_DATABASE_URL": database_url, "WARTA_SEEDS": str(seeds),
         "WARTA_DATA_DIR": str(data), "WARTA_PORT": str(free_port())}
    )  # fmt: skip
    return replace(base, min_host_spacing=0.0, template_min_pages=4)


@pytest.mark.parametrize("rules", ["none", "stale"])
async def test_pipeline_learns_a_template_and_relearns_it_after_a_redesign(
    rules: str,
    pool: asyncpg.Pool,
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with SimSite(bureaus=("banua",)) as family_site:
        await _learn_and_relearn(family_site, rules, pool, database_url, tmp_path)
    out = capsys.readouterr().out
    assert "Learned template: confidence 1.00" in out and "body" in out


async def _learn_and_relearn(
    family_site: SimSite, rules: str, pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    await truncate(pool)
    seeds = write_simsite_seeds(family_site, tmp_path / "seeds")
    settings = _settings(database_url, seeds, tmp_path / "data")
    provinces = {p.slug for p in load_catalogue().provinces}
    sources = load_sources(seeds, provinces=provinces)
    if rules == "none":
        sources = [replace(s, rules=None, layout=None) for s in sources]
    # "stale": the seeds give the ANTARA layout, whose rules match nothing on this site.
    await run_pass(settings, pool, sources)
    first = await pool.fetchrow("SELECT layout, confidence FROM learned_templates")
    assert first is not None and first["confidence"] >= settings.template_min_confidence
    kept = await pool.fetchval("SELECT count(*) FROM template_pages")
    assert kept == settings.template_pages  # bounded
    for _ in range(5):
        family_site.publish("banua")
    await run_pass(settings, pool, sources)
    texts = await pool.fetch(
        "SELECT provenance->>'text' AS how FROM articles ORDER BY id DESC LIMIT 5"
    )
    assert {r["how"] for r in texts} == {"template"}  # new stories read with the template

    # A redesign: new class names everywhere. The template misses, so it is learned again.
    family_site.redesign("banua", seed=99)
    for i in range(5):
        family_site.publish("banua", _story(i))
    await run_pass(settings, pool, sources)
    second = await pool.fetchrow("SELECT layout, pages_read FROM learned_templates")
    assert second["layout"] != first["layout"] and second["pages_read"] == 0
    for i in range(5, 8):
        family_site.publish("banua", _story(i))
    await run_pass(settings, pool, sources)
    texts = await pool.fetch(
        "SELECT provenance->>'text' AS how FROM articles ORDER BY id DESC LIMIT 3"
    )
    assert {r["how"] for r in texts} == {"template"}

    from warta.sources_cmd import show_source

    assert await show_source(settings, sources, sources[0], as_json=False) == 0


def _story_page(i: int) -> str:
    story = "".join(
        f"<p>Paragraf {k} berita nomor {i}: warga desa {i} menanam padi baru di sawah {k} "
        f"bersama penyuluh pertanian kabupaten, panen diharapkan naik tahun ini.</p>"
        for k in range(8)
    )
    notice = "<p>Langganan kami untuk membaca semua artikel premium tanpa batas setiap hari.</p>"
    return (
        f"<html><head><title>Berita {i}</title></head><body><nav><a href='/'>Beranda</a></nav>"
        f"<h1>Berita {i}</h1><div class='story'>{story}</div><div class='box'>{notice}</div>"
        f"<footer>Hak cipta</footer></body></html>"
    )


def test_template_body_that_disagrees_with_the_page_falls_back_to_generic() -> None:
    """A template whose node holds another block on this page (a subscription notice) is not
    used there; a template whose node holds the story is."""
    url = "http://example.test/berita/1"
    wrong = LearnedTemplate(body=("div.box",), confidence=1.0)
    record = extract_article(_story_page(1), url, fetched_at=NOW, template=wrong)
    assert record.provenance["text"] == "generic"
    assert "Langganan" not in record.text and "Paragraf 7 berita nomor 1" in record.text
    right = LearnedTemplate(body=("div.story",), confidence=1.0)
    record = extract_article(_story_page(2), url, fetched_at=NOW, template=right)
    assert record.provenance["text"] == "template"
    assert body_agrees("a b c", "") and not body_agrees("a b c d", "a x y z")


def test_word_level_tags_that_repeat_are_never_learned_as_removals() -> None:
    """A dash in a <span> repeats on every page; removing it would glue the words around it."""
    pages = []
    for i in range(3):
        story = "".join(
            f"<p>Kalimat {k} cerita {i} tentang banjir<span class='dash'>—</span>dan warga "
            f"kampung {i} yang mengungsi ke balai desa nomor {k} sejak pagi.</p>"
            f"<div class='ad'><p>Iklan tetap sama di setiap halaman situs ini.</p></div>"
            for k in range(6)
        )
        pages.append(
            (
                f"http://example.test/berita/{i}",
                f"<html><head><title>Cerita {i}</title></head><body><h1>Cerita {i}</h1>"
                f"<div class='story'>{story}</div></body></html>",
            )
        )
    template = learn_template(pages)
    assert template is not None and template.body
    assert "div.ad" in " ".join(template.remove)
    assert not any("dash" in sel for sel in template.remove)


def _site_page(i: int, *, notice: bool = True) -> str:
    """A story page whose body holds a subscription plea in plain prose, the same on every page
    (no class name or wording a single-page reader could tell from the story by)."""
    story = "".join(
        f"<p>Kalimat {k} cerita nomor {i}: petani desa {i} memanen jagung di ladang {k} dan "
        f"menjualnya ke pasar kecamatan dengan harga yang lebih baik dari tahun lalu.</p>"
        for k in range(6)
    )
    plea = (
        "<p>Terima kasih sudah membaca sampai habis, dukung kerja redaksi kami dengan "
        "berlangganan edisi digital mulai hari ini.</p>"
        if notice
        else ""
    )
    return (
        f"<html><head><title>Cerita {i}</title></head><body><h1>Cerita {i}</h1>"
        f"<div class='story'>{story[: len(story) // 2]}{plea}{story[len(story) // 2 :]}</div>"
        f"</body></html>"
    )


def _story_lines(text: str, i: int) -> int:
    return sum(f"Kalimat {k} cerita nomor {i}:" in text for k in range(6))


def test_lines_the_site_printed_before_are_furniture_on_its_next_page() -> None:
    """The generic path keeps the plea (it reads like prose); a template whose pages printed it
    drops it from a new story, also a template without selectors."""
    url = "http://example.test/berita/{}".format
    assert "dukung kerja redaksi" in _body(_site_page(3), url(3))
    learned = learn_template([(url(i), _site_page(i)) for i in range(3)])
    assert learned is not None and learned.seen
    pages = [(url(i), _site_page(i)) for i in range(2)]
    weak = LearnedTemplate(pages=(url(0), url(1)), seen=remember(pages))
    for template in (learned, learned.furniture_only(), weak):
        text = _body(_site_page(3), url(3), template=template)
        assert "dukung kerja redaksi" not in text and _story_lines(text, 3) == 6, template
    # Stored as JSON and read back, the template still knows the lines.
    stored = LearnedTemplate.from_layout(json.loads(json.dumps(learned.layout())), confidence=1.0)
    assert stored.seen == learned.seen


def test_a_story_keeps_its_own_lines_and_a_learning_page_is_left_whole() -> None:
    """Only what two learning pages printed, or what sat outside their stories, is furniture: the
    same story at another address keeps its lines (only the plea goes), a learning page itself is
    read as before, and a page that is all furniture is never emptied."""
    url = "http://example.test/berita/{}".format
    pages = [(url(i), _site_page(i)) for i in range(2)]
    template = LearnedTemplate(pages=(url(0), url(1)), seen=remember(pages))
    assert "dukung kerja redaksi" in _body(_site_page(0), url(0), template=template)
    update = "<p>Diperbarui: kepala desa menambahkan keterangan soal harga pupuk.</p></div>"
    copy = _site_page(0).replace("</div>", update)
    text = _body(copy, url(0) + "?utm_source=feed", template=template)
    assert _story_lines(text, 0) == 6 and "Diperbarui" in text
    assert "dukung kerja redaksi" not in text
    plea = _site_page(0).split("<div class='story'>")[1].split("</p>")[3] + "</p>"
    lone = f"<html><body><h1>Cerita 9</h1><div class='story'>{plea}</div></body></html>"
    assert "dukung kerja redaksi" in _body(lone, url(9), template=template)


async def test_a_source_without_a_confident_template_still_keeps_what_its_pages_printed(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    """Pages that teach no selectors (too few distinct stories) are still stored as the source's
    template, without selectors, and the next run reads pages with what they printed."""
    await truncate(pool)
    settings = _settings(database_url, tmp_path, tmp_path / "data")
    source = Source(
        id="contoh", name="contoh", base_url="http://example.test", province=None,
        tz_name="UTC", tz=UTC, lang="id", discovery=Discovery(),  # type: ignore[arg-type]
        article_pattern=re.compile("."), rules=None,
    )  # fmt: skip
    await store.sync_sources(pool, [source])
    run = await start_template_run(pool, source, settings)
    assert run.template is None
    # One story twice among them: too few distinct pages for selectors, enough for repetition.
    for i in range(settings.template_min_pages):
        run.saw(f"http://example.test/berita/{i}", _site_page(min(i, 2)), "generic")
    learned = await finish_template_run(pool, run, settings, NOW)
    assert learned is not None and not learned.body and learned.seen
    run = await start_template_run(pool, source, settings)
    assert run.template is not None and run.template.seen == learned.seen
    assert not run.template.body and run.template.confidence < settings.template_min_confidence
    text = _body(_site_page(5), "http://example.test/berita/5", template=run.template)
    assert "dukung kerja redaksi" not in text and _story_lines(text, 5) == 6


def test_a_background_paragraph_pasted_into_follow_ups_stays_story() -> None:
    """Newsrooms repeat a long background paragraph in every follow-up of a story: it repeats
    across pages, but it is story, so only short lines are furniture by repetition."""
    background = (
        "<p>Sebelumnya diberitakan, banjir merendam tujuh desa di kecamatan itu sejak Senin "
        "pagi setelah tanggul sungai jebol sepanjang dua puluh meter, dan lebih dari seribu "
        "warga mengungsi ke balai desa, sekolah dan masjid di dataran yang lebih tinggi.</p>"
    )
    url = "http://example.test/berita/{}".format

    def follow_up(i: int) -> str:
        return _site_page(i).replace("<div class='story'>", f"<div class='story'>{background}")

    pages = [(url(i), follow_up(i)) for i in range(2)]
    template = LearnedTemplate(pages=(url(0), url(1)), seen=remember(pages))
    text = _body(follow_up(2), url(2), template=template)
    assert "Sebelumnya diberitakan" in text and "dukung kerja redaksi" not in text


def _playlist_page(i: int) -> str:
    """A story whose varying block (random class names, as the template learns it) also holds a
    video playlist, headlines in plain blocks that change on every page: repetition cannot tell
    them, and the block's selector takes them in."""
    story = "".join(
        f"<p>Kalimat {k} cerita nomor {i}: nelayan pantai {i} pulang membawa tangkapan dari "
        f"perairan {k}, lalu menjualnya di tempat pelelangan ikan sebelum siang tiba.</p>"
        for k in range(6)
    )
    playlist = "".join(
        f"<div class='v3'><div class='v3h'>Video {i}-{k}: warga kampung {i * 10 + k} menyambut "
        f"musim panen ikan</div><span>03:{k}9</span></div>"
        for k in range(3)
    )
    return (
        f"<html><head><title>Cerita {i}</title></head><body><h1>Cerita {i}</h1>"
        f"<div class='q7x'><div class='r4t'>{story}</div><div class='k2m'>{playlist}</div></div>"
        f"</body></html>"
    )


def test_a_template_block_keeps_the_story_and_not_what_varies_beside_it() -> None:
    """The learned block holds a list of links that varies page by page; read through the
    template, a new page gives its whole story and none of the list (the finder, held inside
    the block, prunes it as it does on a whole page)."""
    url = "http://example.test/berita/{}".format
    template = learn_template([(url(i), _playlist_page(i)) for i in range(4)])
    assert template is not None and template.body, template
    record = extract_article(_playlist_page(7), url(7), fetched_at=NOW, template=template)
    assert record.provenance["text"] == "template"
    assert _story_lines(record.text, 7) == 6
    assert "Video 7-" not in record.text, record.text
