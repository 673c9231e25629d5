"""Faults and hostile input through the real `newsbot` command: one line on stderr, no traceback, nothing lost."""

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.newsbot_process import HASHING_CONFIG, one_error_line, run_newsbot, stored_rows

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
QUOTING = HASHING_CONFIG + "[answer]\nmin_confidence = 0.0\nmin_similarity = 0.1\nmin_similarity_without_terms = 0.5\n"
QUESTION = "How many drones did Russia launch overnight?"
STORY = "Ceasefire talks\n\nThe talks resumed in Geneva on Monday. Both delegations said progress was slow.\n"


def library_files(data: Path) -> dict[str, bytes]:
    """The database and the vector index as they are on disk."""
    return {name: (data / name).read_bytes() for name in ("newsbot.db", "vectors.faiss")}


def damage(database: Path, *names: str) -> None:
    """Overwrite the first page of these tables and indexes with garbage, as a failing disk would."""
    with sqlite3.connect(database) as connection:
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in connection.execute(
            f"SELECT rootpage FROM sqlite_master WHERE name IN ({','.join('?' * len(names))})", names)]
    connection.close()
    with database.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * size)
            handle.write(b"\xde\xad\xbe\xef" * (size // 4))


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (root only: skipped where mounting is not allowed)."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount(folder: Path, options: str) -> None:
    """Change a mounted tmpfs's options (size, ro, rw)."""
    subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], check=True)


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


def test_ask_answers_while_another_process_holds_the_write_lock(tmp_path: Path):
    assert run_newsbot(tmp_path, "ingest", str(EXAMPLES), config=QUOTING).returncode == 0
    database = tmp_path / "data" / "newsbot.db"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # as a long ingest's transaction does
    try:
        result = run_newsbot(tmp_path, "ask", QUESTION, config=QUOTING)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    line = one_error_line(result)
    assert result.returncode == 0 and "all 16 explosive" in result.stdout
    assert line.startswith(f"question not logged: {database}: busy: another newsbot is writing to it")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM questions").fetchone() == (0,)


def test_a_damaged_page_is_one_line_naming_the_file_for_stats_ask_and_ingest(tmp_path: Path):
    assert run_newsbot(tmp_path, "ingest", str(EXAMPLES)).returncode == 0
    database = tmp_path / "data" / "newsbot.db"
    damage(database, "sentences", "sqlite_autoindex_sentences_1", "sentences_fts_data")
    before = library_files(tmp_path / "data")
    (tmp_path / "story.txt").write_text(STORY)
    expected = (f"error: {database}: the database is damaged (database disk image is malformed); restore it from a "
                f'backup, or see what is damaged with: sqlite3 {database} "PRAGMA integrity_check"')
    for command in (["stats"], ["ask", QUESTION], ["ingest", str(tmp_path / "story.txt")]):
        result = run_newsbot(tmp_path, *command)
        assert (result.returncode, one_error_line(result), result.stdout) == (2, expected, ""), command
    assert library_files(tmp_path / "data") == before


def records_file(path: Path, count: int) -> Path:
    """A JSONL file of `count` distinct articles of about 3 KB."""
    lines = [json.dumps({"id": f"r{n}", "title": f"Report {n}",
                         "text": " ".join(f"Report {n} names item{n}x{k} and place{k}y{n}." for k in range(80))})
             for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_full_disk_is_one_line_the_library_opens_and_the_next_run_resumes(tmp_path: Path):
    records = records_file(tmp_path / "records.jsonl", 300)
    config = HASHING_CONFIG + "[ingest]\nbatch_articles = 8\n"
    with small_disk(tmp_path / "disk", "3m") as disk:
        data = str(disk / "data")
        result = run_newsbot(tmp_path, "ingest", str(records), config=config, NEWSBOT_DATA_DIR=data)
        line = one_error_line(result)  # and it ends: no hang waiting for a database thread
        assert result.returncode == 2
        assert line == f"error: {data}: the disk is full; free some space and run the command again " \
                       "(what was stored before is kept)"
        stats = run_newsbot(tmp_path, "stats", "--json", config=config, NEWSBOT_DATA_DIR=data)
        assert stats.returncode == 0 and "Traceback" not in stats.stderr
        stored = json.loads(stats.stdout)["articles"]
        assert 0 < stored < 300 and stored % 8 == 0
        remount(disk, "size=200m")
        with sqlite3.connect(disk / "data" / "newsbot.db") as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        result = run_newsbot(tmp_path, "ingest", str(records), config=config, NEWSBOT_DATA_DIR=data)
        assert result.returncode == 0 and f"{300 - stored} new, 0 updated, {stored} unchanged" in result.stdout
        stats = json.loads(run_newsbot(tmp_path, "stats", "--json", config=config, NEWSBOT_DATA_DIR=data).stdout)
        assert stats["articles"] == 300 and stats["vectors"] == stats["passages"]


def test_a_read_only_library_answers_lists_and_summarises_and_refuses_writes_in_one_line(tmp_path: Path):
    with small_disk(tmp_path / "disk", "20m") as disk:
        data = str(disk / "data")
        assert run_newsbot(tmp_path, "ingest", str(EXAMPLES), config=QUOTING, NEWSBOT_DATA_DIR=data).returncode == 0
        before = library_files(disk / "data")
        remount(disk, "ro")
        for command in (["stats"], ["articles"], ["summary"], ["timeline", "drones"]):
            result = run_newsbot(tmp_path, *command, config=QUOTING, NEWSBOT_DATA_DIR=data)
            assert (result.returncode, result.stderr) == (0, ""), command
            assert result.stdout
        result = run_newsbot(tmp_path, "ask", QUESTION, config=QUOTING, NEWSBOT_DATA_DIR=data)
        assert result.returncode == 0 and "all 16 explosive" in result.stdout
        assert one_error_line(result).startswith(f"question not logged: {data}: the library is read-only")
        (tmp_path / "story.txt").write_text(STORY)
        for command in (["ingest", str(tmp_path / "story.txt")], ["remove", "sha1:0"]):
            result = run_newsbot(tmp_path, *command, config=QUOTING, NEWSBOT_DATA_DIR=data)
            assert result.returncode == 2, command
            assert one_error_line(result).startswith(f"error: {data}: the library is read-only (")
        remount(disk, "rw")
        assert library_files(disk / "data") == before
