"""A newcomer's mistakes with the real `newsbot` command: one line on stderr, no traceback, nothing stored changed."""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.store.backends import DATABASE_FILE
from tests.newsbot_process import EXAMPLES, NEWSBOT, environment, newsbot, one_line, refused_in_one_line, start, stored

# The real model: a check that fails before it loads never prints "loading the embedding model".
REAL_MODEL = '[embedding]\nmodel = "all-MiniLM-L6-v2"\n'


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A directory with a config and a library holding the examples."""
    assert newsbot(tmp_path, "ingest", str(EXAMPLES)).returncode == 0
    return tmp_path


def run_bot(tmp_path: Path, api_url: str) -> subprocess.CompletedProcess[str]:
    """`newsbot run` with a made-up token against `api_url`, with the real model configured."""
    config = REAL_MODEL + f'[discord]\napi_url = "{api_url}"\nconnect_timeout_seconds = 1.0\n'
    env = environment(tmp_path, config) | {"NEWSBOT_DISCORD_TOKEN": "bogus.token.value"}
    return subprocess.run([str(NEWSBOT), "run"], capture_output=True, text=True, env=env, timeout=60, check=False)


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            """Take connections and keep them open, saying nothing."""
            server.settimeout(0.2)
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    held.append(server.accept()[0])

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield server.getsockname()[1]
        finally:
            stop.set()
            thread.join()
            for connection in held:
                connection.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        return server.getsockname()[1]


def test_run_says_in_one_line_that_discords_name_does_not_resolve(tmp_path):
    line = one_line(run_bot(tmp_path, "http://discord.invalid/api/v10"), 2)
    assert line == ("error: cannot reach Discord: the name discord.invalid does not resolve (is this machine "
                    "online?); then run `newsbot run` again")
    assert not (tmp_path / "data").exists()  # checked before the library opens and the model loads


def test_run_says_in_one_line_that_discord_refused_the_connection(tmp_path):
    line = one_line(run_bot(tmp_path, f"http://127.0.0.1:{closed_port()}/api/v10"), 2)
    assert line.startswith("error: cannot reach Discord at 127.0.0.1: ") and "newsbot run` again" in line
    assert not (tmp_path / "data").exists()


def test_run_says_in_one_line_that_discord_did_not_answer_in_time(tmp_path):
    with silent_server() as port:
        line = one_line(run_bot(tmp_path, f"http://127.0.0.1:{port}/api/v10"), 2)
    assert line == ("error: cannot reach Discord: 127.0.0.1 did not answer within 1 s; then run `newsbot run` "
                    "again")


@pytest.mark.parametrize("command", ["articles", "stats"])
def test_a_reader_that_goes_away_ends_the_command_quietly(home, command):
    process = start(home, command)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head` does once it has its lines: every write now fails
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert stderr == ""


def test_ask_batch_on_a_missing_file_is_one_line(home):
    assert refused_in_one_line(home, "ask", "--batch", str(home / "questions.txt")) == (
        f"error: --batch {home / 'questions.txt'}: no such file")


def test_ask_batch_on_a_folder_is_one_line(home):
    assert refused_in_one_line(home, "ask", "--batch", str(home)) == (
        f"error: --batch {home}: a folder, not a file of questions (one per line)")


def test_ask_batch_on_a_binary_file_is_one_line(home):
    binary = home / "questions.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert refused_in_one_line(home, "ask", "--batch", str(binary)) == (
        f"error: --batch {binary}: looks like a binary file, not questions (one per line)")


def test_ask_with_a_question_and_a_batch_says_to_choose(home):
    assert refused_in_one_line(home, "ask", "Who?", "--batch", "-") == (
        "error: give either a question or --batch FILE, not both")


def test_ask_batch_in_text_shows_each_question_and_counts_what_it_skipped(home):
    questions = "Who did Putin hold a video call with?\n\n?!?!\nHow many drones did Russia launch overnight?\n\n"
    run = newsbot(home, "ask", "--batch", "-", stdin=questions)
    assert run.returncode == 2
    assert run.stdout.startswith("? Who did Putin hold a video call with?\n")
    assert "\n\n? How many drones did Russia launch overnight?\n" in run.stdout
    assert run.stderr.splitlines() == ["error: line 3: the question has no words to search for",
                                       "2 questions answered, 1 refused (line 3), 2 blank lines skipped."]


def test_ask_batch_in_json_names_the_line_of_a_refused_question(home):
    run = newsbot(home, "ask", "--batch", "-", "--json", stdin="?!?!\n")
    assert json.loads(run.stdout) == {"question": "?!?!", "error": "the question has no words to search for",
                                      "line": 1}


def articles_in(home: Path) -> int:
    """How many articles the library's database holds now (0 before it has any), read without writing to it."""
    database = home / "data" / DATABASE_FILE
    if not database.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        try:
            return db.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:  # the tables are not made yet
            return 0


def test_ctrl_c_during_an_ingest_says_what_was_stored_and_a_rerun_resumes(tmp_path):
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(1500):
        (folder / f"{n:04d}.txt").write_text(f"Story {n}\n\nTown {n} opened bridge {n} on Monday. "
                                             f"Officials said bridge {n} cost {n} million.\n")
    process = start(tmp_path, "ingest", str(folder))
    deadline = time.monotonic() + 60
    while articles_in(tmp_path) == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(2)  # SIGINT, as Ctrl-C sends it
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in stderr
    count = articles_in(tmp_path)
    assert 0 < count < 1500
    assert stderr.splitlines() == [f"interrupted: {count:,} new articles stored; run the same command again to "
                                   "resume (what is stored is not read again)"]
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / DATABASE_FILE)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rerun = newsbot(tmp_path, "ingest", str(folder))
    assert rerun.returncode == 0 and f"{1500 - count:,} new, 0 updated, {count:,} unchanged" in rerun.stdout


def test_a_data_dir_that_is_a_file_is_one_line(home):
    a_file = home / "notes.txt"
    a_file.write_text("not a library")
    assert refused_in_one_line(home, "--data-dir", str(a_file), "stats") == (
        f"error: the data directory {a_file} is a file, not a folder (check --data-dir or NEWSBOT_DATA_DIR)")


@pytest.mark.parametrize("command", [["articles"], ["stats"], ["ask", "Who?"], ["summary"], ["feed", "list"]])
def test_a_mistyped_data_dir_is_said_and_not_made(home, command):
    typo = home / "dta"
    line = refused_in_one_line(home, "--data-dir", str(typo), *command)
    assert line.startswith(f"error: no library in {typo} yet: add articles with `newsbot ingest PATH` first")
    assert not typo.exists()


def test_a_folder_of_hidden_files_and_other_types_says_why_nothing_was_read(home):
    folder = home / "downloads"
    (folder / ".cache").mkdir(parents=True)
    for name in ("report.pdf", "notes.docx", ".draft.txt"):
        (folder / name).write_text("text")
    before = stored(home)
    run = newsbot(home, "ingest", str(folder))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr == (f"skipped {folder}: no article files in it (2 hidden, 2 of other types: .docx, .pdf); "
                          "newsbot reads .txt .md .html .htm .json .jsonl\n")
    assert stored(home) == before


def test_a_jsonl_file_with_bad_lines_counts_files_and_articles_apart(home):
    records = home / "wire.jsonl"
    good = {"title": "Dam reopens", "text": "The river dam reopened on Tuesday after repairs."}
    records.write_text("\n".join([json.dumps(good), "{not json", json.dumps({"title": "no text"})]) + "\n")
    run = newsbot(home, "ingest", str(records), str(home / "missing.txt"))
    assert "1 new, 0 updated, 0 unchanged, 1 file and 2 articles failed." in run.stdout
