"""`warta extract`: saved pages to CONTRACT records, source found by host, exit 2 on unreadable input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PAGES = ROOT / "tests" / "fixtures" / "pages" / "antara"
WITH_LD = PAGES / "kalsel-tapin-pasar-jsonld.html"
WITHOUT_LD = PAGES / "kalsel-tapin-pasar-nojsonld.html"


def warta_extract(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    return subprocess.run(
        [sys.executable, "-m", "warta.cli", "extract", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_one_file_prints_the_record_with_the_source_found_by_host() -> None:
    proc = warta_extract(str(WITH_LD))
    assert proc.returncode == 0, proc.stderr
    # JSON Lines even for one file: one line, naming its file.
    assert proc.stdout.count("\n") == 1
    record = json.loads(proc.stdout)
    assert record["file"] == str(WITH_LD)
    golden = json.loads(WITH_LD.with_suffix("").with_suffix(".expected.json").read_text())
    assert record["source"] == "antara-kalsel"
    for field in ("url", "canonical_url", "title", "authors", "published_at", "published_raw",
                  "date_source", "text", "place", "related", "image_caption"):  # fmt: skip
        assert record[field] == golden[field], field
    contract = {"url", "canonical_url", "source", "title", "summary", "text", "authors",
                "published_at", "published_raw", "date_source", "updated_at", "lang", "image",
                "image_caption", "section", "tags", "place", "region", "regency", "topics",
                "related", "content_hash", "duplicate_of"}  # fmt: skip
    assert contract <= set(record)
    # What classification adds: where it happened and what it is about.
    assert (record["region"], record["regency"], record["place"]) == ("kalsel", "tapin", "Tapin")
    assert "ekonomi" in record["topics"]
    assert record["canonical_url"] and len(record["content_hash"]) == 64


def test_several_files_print_json_lines_with_the_file() -> None:
    proc = warta_extract(str(WITH_LD), str(WITHOUT_LD), "--source", "antara-kalsel")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(WITH_LD), str(WITHOUT_LD)]
    # The same story with and without JSON-LD reads the same where it matters.
    assert lines[0]["title"] == lines[1]["title"]
    assert lines[0]["authors"] == lines[1]["authors"]
    assert lines[0]["text"] == lines[1]["text"]


def test_url_flag_overrides_the_page_url() -> None:
    url = "https://kalsel.antaranews.com/berita/412345/x?utm_source=wa"
    proc = warta_extract(str(WITH_LD), "--url", url)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["url"] == url


def test_unreadable_input_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    proc = warta_extract(str(missing))
    assert proc.returncode == 2 and "nope.html" in proc.stderr and "cannot read" in proc.stderr
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    proc = warta_extract(str(binary), "--url", "https://example.org/a")
    assert proc.returncode == 2 and "image.html" in proc.stderr
    proc = warta_extract(str(WITH_LD), "--source", "no-such-source")
    assert proc.returncode == 2 and "no-such-source" in proc.stderr
