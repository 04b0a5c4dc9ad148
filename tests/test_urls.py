"""Site names come from the Public Suffix List, offline: Indonesian second levels included."""

from __future__ import annotations

import pytest

from ingestor.extract.titles import clean_title
from ingestor.sources.urls import site_label


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://kalsel.antaranews.com/berita/1", "antaranews"),
        ("https://www.kalselprov.go.id/berita", "kalselprov"),
        ("https://banjarmasin.tribunnews.com/2024/x", "tribunnews"),
        ("https://ulm.ac.id/id/news", "ulm"),
        ("https://sman1-banjarmasin.sch.id/berita", "sman1-banjarmasin"),
        ("https://sukamaju.desa.id/artikel/1", "sukamaju"),  # .desa.id: not in any short list
        ("https://www.walhi.or.id/x", "walhi"),
        ("https://mediaindonesia.ponorogo.go.id/x", "ponorogo"),
        ("https://portal.web.id/x", "portal"),
        ("https://news.example.co.uk/a", "example"),
        ("https://kompas.id/baca/x", "kompas"),
    ],
)
def test_site_label_is_the_registrable_name(url: str, label: str) -> None:
    assert site_label(url) == label


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/a", "http://[::1]/a", "http://localhost/a", "https://co.id/"]
)
def test_no_site_label_without_a_registrable_domain(url: str) -> None:
    assert site_label(url) is None


def test_a_title_loses_its_site_suffix_under_a_deep_suffix() -> None:
    title = clean_title(
        "Warga Desa Gelar Panen Raya - Sukamaju", None, "https://sukamaju.desa.id/artikel/9"
    )
    assert title == "Warga Desa Gelar Panen Raya"
