"""Faults and hostile input through the real `newsbot` command: one line on stderr, no traceback, nothing lost."""

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
