"""A large JSONL archive through the real `newsbot ingest`: killed mid-way and resumed, and in bounded memory."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from index.store.backends import DATABASE_FILE, VECTORS_FILE
from tests.newsbot_process import environment, newsbot, start

BATCHES_CONFIG = '[embedding]\nmodel = "hashing"\n[ingest]\nbatch_articles = 8\nsave_every_seconds = 0.0\n'
TOPICS = ("harbour", "railway", "vineyard", "observatory", "library", "reservoir", "orchard", "foundry")


def archive(path: Path, count: int, sentences: int = 6) -> Path:
    """A JSONL file of `count` distinct generated articles (no two alike, so none is a near-duplicate)."""
    with path.open("w", encoding="utf-8") as lines:
        for n in range(count):
            topic = TOPICS[n % len(TOPICS)]
            text = " ".join(f"The {topic} board met for session {n}-{k} and approved plan {n * 31 + k} of "
                            f"{1000 + n} measures." for k in range(sentences))
            lines.write(json.dumps({"id": f"a{n}", "title": f"The {topic} board, session {n}", "text": text,
                                    "published": f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}"}) + "\n")
    return path


def count(database: Path, sql: str) -> int:
    """One number from the library's database, read while another process may be writing it."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as db:
        return int(db.execute(sql).fetchone()[0])


def wait_for_articles(database: Path, at_least: int, timeout: float = 60) -> int:
    """Wait until the ingest has committed at least `at_least` articles; how many it had."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if database.exists() and (stored := count(database, "SELECT COUNT(*) FROM articles")) >= at_least:
                return stored
        except sqlite3.OperationalError:  # the file exists before its first migration has committed
            pass
        time.sleep(0.02)
    raise AssertionError(f"fewer than {at_least} articles committed in {timeout} s")


def test_an_ingest_killed_mid_file_resumes_and_ends_with_every_article_once(tmp_path: Path):
    source = archive(tmp_path / "archive.jsonl", 400)
    database = tmp_path / "data" / DATABASE_FILE
    running = start(tmp_path, "ingest", str(source), config=BATCHES_CONFIG)
    try:
        wait_for_articles(database, 40)
        running.send_signal(signal.SIGKILL)  # no clean-up at all: as if the power went
        running.wait(timeout=30)
    finally:
        running.kill()
        running.communicate()
    killed_at = count(database, "SELECT COUNT(*) FROM articles")
    assert 40 <= killed_at < 400
    resumed = newsbot(tmp_path, "ingest", str(source), "--json", config=BATCHES_CONFIG)
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    # What was committed before the kill is not embedded again; at most the batch in flight is.
    assert report["new"] + report["unchanged"] == 400 and report["unchanged"] >= killed_at - 8
    assert_consistent(tmp_path / "data", articles=400, sentences_each=6)


def assert_consistent(data_dir: Path, articles: int, sentences_each: int) -> None:
    """Every article once, and SQLite, its full-text indexes and FAISS agreeing."""
    database = data_dir / DATABASE_FILE
    assert count(database, "SELECT COUNT(DISTINCT id) FROM articles") == articles
    assert count(database, "SELECT COUNT(*) FROM articles") == articles
    assert count(database, "SELECT COUNT(*) FROM sentences") == articles * sentences_each
    assert count(database, "SELECT COUNT(*) FROM sentences_fts") == articles * sentences_each
    assert count(database, "SELECT COUNT(*) FROM chunks_fts") == count(database, "SELECT COUNT(*) FROM chunks")
    with contextlib.closing(sqlite3.connect(database)) as db:
        chunk_ids = sorted(row[0] for row in db.execute("SELECT id FROM chunks"))
    index = faiss.read_index(str(data_dir / VECTORS_FILE))
    assert sorted(faiss.vector_to_array(index.id_map).tolist()) == chunk_ids
    assert np.unique(chunk_ids).size == len(chunk_ids)


def test_memory_does_not_grow_with_the_length_of_the_input(tmp_path: Path):
    peaks = []
    for size in (200, 2000):
        home = tmp_path / str(size)
        home.mkdir()
        # Every record a new version of one of 30 articles: the input grows tenfold, the library does not, so
        # whatever the peak memory grows by is held for the input (the whole file was once read as one batch).
        source = home / "versions.jsonl"
        with source.open("w", encoding="utf-8") as lines:
            for n in range(size):
                text = " ".join(f"Version {n} of report {n % 30} gives figure {n * 7 + k} for item {k}."
                                for k in range(40))
                lines.write(json.dumps({"id": f"report{n % 30}", "title": f"Report {n % 30}", "text": text}) + "\n")
        peaks.append(_peak_rss_kb(home, source))
        assert count(home / "data" / DATABASE_FILE, "SELECT COUNT(*) FROM articles") == 30
    assert peaks[1] < peaks[0] + 30_000, peaks  # kB: 4 MB of input more (80,000 sentences), under 30 MB more memory


def _peak_rss_kb(home: Path, source: Path) -> int:
    """The peak RSS, in kB, of `newsbot ingest source` run in a process of its own."""
    script = (f"import resource, runpy, sys; sys.argv = ['newsbot', 'ingest', {str(source)!r}]\n"
              "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit as end:\n"
              "    assert not end.code, end.code\n"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600,
                            env=environment(home, BATCHES_CONFIG), check=False)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])
