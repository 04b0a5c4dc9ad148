"""The README stands alone: every setting, route and command is documented in the project itself."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_never_send_readers_outside_the_clone() -> None:
    # A clone has no ../shared: the project's docs must say everything themselves.
    for path in [ROOT / "README.md", *ROOT.glob("docs/**/*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/CONTRACT" not in text, path


def test_every_setting_is_in_the_settings_table() -> None:
    documented = set(re.findall(r"`(WARTA_[A-Z0-9_]+)`", README))
    settings = {f"WARTA_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    missing = sorted(settings - documented)
    assert not missing, f"settings missing from README.md: {missing}"


def test_every_route_is_in_the_routes_table() -> None:
    for route in ("/feeds/all.", "/feeds/{province}.", "/feeds/{province}/{regency}.",
                  "/feeds/topics/{topic}.", "/opml", "/api/v1/articles", "/api/v1/articles/{id}",
                  "/api/v1/sources", "/healthz", "/readyz", "/metrics"):  # fmt: skip
        assert f"`GET {route}" in README or f", `GET {route}" in README, route


def test_every_record_field_is_described() -> None:
    from database.records import ArticleRecord

    section = README.split("## The article record", 1)[1].split("\n## ", 1)[0]
    names = set(ArticleRecord(url="https://example.org/a", title="t").to_json())
    missing = sorted(n for n in names if f"`{n}`" not in section)
    assert not missing, f"record fields missing from README.md: {missing}"
