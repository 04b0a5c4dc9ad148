"""`warta sources add` on a newsroom no hand layout fits: the sample is read with a template
learned from the sampled pages themselves, not only the generic path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from database.records import ArticleRecord
from tests.test_onboard_sites import _settings, _survey
from warta.simsite import SimSite


@pytest.fixture(scope="module")
async def family_site() -> AsyncIterator[SimSite]:
    # "banua" is a portal-family site: random class names per seed, no hand rules anywhere.
    site = SimSite(bureaus=("banua",))
    await site.start()
    try:
        yield site
    finally:
        await site.stop()


async def test_a_site_with_no_hand_layout_is_sampled_with_a_learned_template(
    family_site: SimSite, database_url: str, tmp_path: Path
) -> None:
    settings = _settings(database_url, tmp_path / "seeds", tmp_path / "data")
    result = await _survey(settings, family_site.base_url("banua") + "/")
    assert result.fatal is None, result.fatal
    assert result.fields is not None and not result.fields.get("layout")
    assert "template learned" in result.layout_note, result.layout_note
    records = [r for r in result.records if isinstance(r, ArticleRecord)]
    assert records, result.records
    by_template = [r for r in records if r.provenance.get("text") == "template"]
    assert len(by_template) == len(records), [r.provenance.get("text") for r in records]
    # The learned body is the story: each sampled record has the story's own prose.
    stories = {a.url: a for a in family_site.articles("banua")}
    matched = 0
    for record in by_template:
        story = stories.get(record.url)
        if story is not None and story.paragraphs:
            matched += 1
            assert story.paragraphs[-1][:40] in record.text, record.url
    assert matched, "the sampled records are the site's stories"
