"""Faults and hostile input through the real `newsbot` command: one line on stderr, no traceback, nothing lost."""

import json
from pathlib import Path

from tests.real_command import one_error_line, run_newsbot, stored_rows

STORY = "Ceasefire talks\n\nThe talks resumed in Geneva on Monday. Both delegations said progress was slow.\n"


def test_a_file_with_nul_bytes_after_the_first_8_kb_is_refused_as_binary(tmp_path: Path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "good.txt").write_text(STORY)
    assert run_newsbot(tmp_path, "ingest", str(news)).returncode == 0
    before = stored_rows(tmp_path / "data")
    (news / "tail.txt").write_bytes(b"Plain words. " * 700 + b"\x00\x00\x7fELF binary tail")
    result = run_newsbot(tmp_path, "ingest", str(news))
    line = one_error_line(result)
    assert result.returncode == 1 and line.startswith(f"skipped {news / 'tail.txt'}: looks like a binary file")
    assert stored_rows(tmp_path / "data") == before


def test_records_too_long_for_one_article_or_one_line_cost_one_line_each(tmp_path: Path):
    config = '[embedding]\nmodel = "hashing"\n[ingest]\nmax_file_mb = 1\nmax_article_chars = 2000\n'
    lines = [{"id": "short", "text": "A short record. It fits."}, {"id": "long", "text": "Many words here. " * 200},
             {"id": "huge", "text": "x" * 2_000_000}, {"id": "also short", "text": "Another one. It fits too."}]
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = run_newsbot(tmp_path, "ingest", str(records), config=config)
    assert "Traceback" not in result.stderr and result.returncode == 1
    assert result.stderr.splitlines() == [
        f"skipped {records}:2: the text is 3,399 characters, over the 2,000 limit for one article "
        "(ingest.max_article_chars)",
        f"skipped {records}:3: the line is 1.9 MB, over the 1 MB limit for one file or record (ingest.max_file_mb)"]
    assert [row[0] for row in stored_rows(tmp_path / "data")] == ["also short", "short"]
