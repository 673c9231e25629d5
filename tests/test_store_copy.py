"""`newsbot store copy`: a real SQLite library (hashing embedder) copied into a real PostgreSQL database, compared
row by row, refused when the database holds rows, resumed after an interruption, ids continued, and run as a command."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import subprocess
import sys
import zlib
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import pytest

from index import Library, StoreError, copy_library
from index.embedder import HashingEmbedder
from index.store.backends import DATABASE_FILE
from index.store.blobs import as_stored, from_blob
from index.store.copy import TABLES
from index.store.postgres.conversion import day, instant
from index.store.postgres.database import stamp
from index.store.postgres.store import search_key
from index.store.postgres.text import token_count
from index.store.postgres.vectors import register_vectors
from index.store.sqlite.store import Store as SqliteStore
from tests.newsbot_process import environment, one_error_line, stored
from tests.pg import pg_database, pg_library, pg_url
from tests.test_copies import COAST_STORY, QUESTION, SETTINGS, WIRE_STORY, ingest
from tests.test_follows import STORM

__all__ = ["pg_database", "pg_library", "pg_url"]  # the imported fixtures are used by name

pytestmark = pytest.mark.pg
SERVER = "111"
# A server's own article, undated: stored as "111" U+001F "harbour".
SCOPED = WIRE_STORY | {"id": "harbour", "published": None, "url": None, "title": "Harbour news for server 111"}
GONE = STORM | {"id": "gone", "title": "Ferry timetable changes", "url": "https://gazette.example/ferry",
                "text": "The ferry will leave at seven from May. Tickets cost the same as last year."}


@pytest.fixture
async def home(tmp_path: Path) -> Path:
    """A data directory holding a library with one of everything: scoped and undated articles, a near-duplicate
    copy, a logged question with a vote, a feed with items, a follow with its alert, an old float32 embedding, and
    sentence and passage ids deleted at the end (which must never be given again)."""
    data = tmp_path / "data"
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    try:
        await library.follows.follow("harbour wall storm", None, "cli")
        await ingest(library, tmp_path, WIRE_STORY, COAST_STORY, STORM)
        await ingest(library, tmp_path, SCOPED, scope=SERVER)
        answer = await library.ask(QUESTION, log=True)
        assert answer.question_id and await library.record_feedback(answer.question_id, "user-7", -1, None)
        await ingest(library, tmp_path, GONE)
        assert await library.remove("gone")
    finally:
        await library.close()
    store = await SqliteStore.open(data / DATABASE_FILE)
    try:
        feed = await store.feeds.add("https://gazette.example/feed.xml", "Coast Gazette", SERVER)
        assert feed is not None
        await store.feeds.record_items(feed.id, {"item-1": f"{SERVER}\x1fharbour"}, ["item-2"])
        await store.feeds.record_success(feed.id, "2030-01-01T00:00:00+00:00", etag='"v1"')
    finally:
        await store.close()
    with contextlib.closing(sqlite3.connect(data / DATABASE_FILE)) as db, db:
        dimension = int(db.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchone()[0])
        for table in ("sentences", "chunks"):  # as a newsbot before float16 wrote them
            blob = db.execute(f"SELECT embedding FROM {table} ORDER BY id LIMIT 1").fetchone()[0]
            db.execute(f"UPDATE {table} SET embedding = ? WHERE id = (SELECT min(id) FROM {table})",
                       (from_blob(blob, dimension).tobytes(),))
    return tmp_path


def sqlite_rows(data: Path, table: str) -> list[dict[str, Any]]:
    """Every row of a table of the SQLite library, as dicts."""
    with contextlib.closing(sqlite3.connect(data / DATABASE_FILE)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(f"SELECT * FROM {table}")]


async def pg_rows(url: str, table: str) -> list[dict[str, Any]]:
    """Every row of a table of the database, as dicts."""
    connection = await asyncpg.connect(url)
    try:
        await register_vectors(connection)
        return [dict(row) for row in await connection.fetch(f"SELECT * FROM {table}")]
    finally:
        await connection.close()


async def pg_value(url: str, sql: str, *params: object) -> Any:
    """One value from the database."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql, *params)
    finally:
        await connection.close()


def as_sqlite(value: object) -> object:
    """A PostgreSQL value as the SQLite library keeps it."""
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return json.dumps(value)
    return value


def shared(row: dict[str, Any], columns: set[str]) -> tuple:
    """A row's values in the columns both sides keep alike, in SQLite's form, sorted by column name."""
    return tuple((name, as_sqlite(row[name])) for name in sorted(columns))


async def test_every_table_is_copied_row_by_row(home, pg_database):
    library = stored(home)
    report = await copy_library(home / "data", pg_database)
    assert stored(home) == library  # read only: not even upgraded or compacted
    assert report.equal and report.dimension and [t.table for t in report.tables] == list(TABLES)
    counts = {t.table: t.sqlite for t in report.tables}
    assert all(counts[table] for table in TABLES), counts  # the fixture wrote a row into every table
    for table in TABLES:
        before, after = sqlite_rows(home / "data", table), await pg_rows(pg_database, table)
        columns = set(before[0]) & set(after[0]) - {"embedding"}  # float16 everywhere now: the next test
        assert Counter(shared(row, columns) for row in after) == Counter(shared(row, columns) for row in before), table
    [scoped] = [row for row in await pg_rows(pg_database, "articles") if row["scope"]]
    assert (scoped["id"], scoped["published"]) == (f"{SERVER}\x1fharbour", None)
    [copy] = await pg_rows(pg_database, "copies")
    assert zlib.decompress(copy["text"]).decode().startswith(COAST_STORY["text"][:40])
    [question] = await pg_rows(pg_database, "questions")
    assert question["sentence_ids"] and question["question_key"] == QUESTION.casefold()
    assert (await pg_value(pg_database, "SELECT count(*) FROM sentences WHERE id = ANY($1::bigint[])",
                           question["sentence_ids"])) == len(question["sentence_ids"])  # the log still points right


async def test_texts_are_searchable_and_vectors_are_the_stored_ones(home, pg_library):
    await copy_library(home / "data", pg_library)
    dimension = int(await pg_value(pg_library, "SELECT value FROM meta WHERE key = 'dimension'"))
    articles = {row["id"]: row for row in sqlite_rows(home / "data", "articles")}
    for row in await pg_rows(pg_library, "articles"):
        assert row["search_key"] == search_key(row["title"], row["source"])
    before = {row["id"]: row for row in sqlite_rows(home / "data", "sentences")}
    for row in await pg_rows(pg_library, "sentences"):
        assert row["tokens"] == token_count(row["text"]) and row["tsv"]
        # float16 bytes, whether SQLite had float16 or (an older newsbot) float32
        expected = as_stored(from_blob(before[row["id"]]["embedding"], dimension)[None, :])[0]
        assert len(row["embedding"]) == 2 * dimension
        assert np.array_equal(np.frombuffer(row["embedding"], np.float16).astype(np.float32), expected)
    before = {row["id"]: row for row in sqlite_rows(home / "data", "chunks")}
    assert len(before[min(before)]["embedding"]) == 4 * dimension  # the fixture's float32 one
    for row in await pg_rows(pg_library, "chunks"):
        assert row["tokens"] == token_count(row["text"]) and row["tsv"]
        assert row["scope"] == articles[row["article_id"]]["scope"]
        stored_vector = as_stored(from_blob(before[row["id"]]["embedding"], dimension)[None, :])[0]
        assert np.array_equal(row["embedding"], stored_vector)
    assert await pg_value(pg_library, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid ="
                          " 'chunks'::regclass AND attname = 'embedding'") == f"vector({dimension})"
    assert await pg_value(pg_library, "SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_hnsw'") == 1


async def test_ids_continue_after_every_id_sqlite_gave(home, pg_library):
    await copy_library(home / "data", pg_library)
    with contextlib.closing(sqlite3.connect(home / "data" / DATABASE_FILE)) as db:
        given = dict(db.execute("SELECT name, seq FROM sqlite_sequence").fetchall())
        kept = db.execute("SELECT max(id) FROM sentences").fetchone()[0]
    assert given["sentences"] > kept  # the removed article's sentences had the highest ids
    sentence = await pg_value(
        pg_library, "INSERT INTO sentences (article_id, position, paragraph, text, embedding, tokens, tsv)"
        " VALUES ('wire', 1000, 0, 'Later.', '\\x00'::bytea, 1, to_tsvector('later')) RETURNING id")
    question = await pg_value(
        pg_library, "INSERT INTO questions (asked_at, question, question_key, abstained, sentence_ids)"
        " VALUES (now(), 'Later?', 'later?', true, '{}') RETURNING id")
    assert (sentence, question) == (given["sentences"] + 1, given["questions"] + 1)


async def test_a_second_copy_is_refused_unless_resumed(home, pg_library):
    first = await copy_library(home / "data", pg_library)
    with pytest.raises(StoreError, match=r"already holds rows \(meta, .*--resume"):
        await copy_library(home / "data", pg_library)
    again = await copy_library(home / "data", pg_library, resume=True)
    assert again.tables == first.tables and again.equal


class Interrupted(Exception):
    """Stands for Ctrl-C in the middle of a table."""


@pytest.mark.parametrize("table", ["sentences", "chunks", "signature_bands"])
async def test_a_resumed_copy_finishes_with_every_row_once(home, pg_library, table):
    def stop_midway(progress):
        if progress.table == table and 0 < progress.copied < progress.rows:
            raise Interrupted

    with pytest.raises(Interrupted):
        await copy_library(home / "data", pg_library, progress=stop_midway, batch=2)
    assert 0 < await pg_value(pg_library, f"SELECT count(*) FROM {table}") < len(sqlite_rows(home / "data", table))
    with pytest.raises(StoreError, match="already holds rows"):
        await copy_library(home / "data", pg_library)
    seen = []
    report = await copy_library(home / "data", pg_library, resume=True, progress=seen.append, batch=2)
    assert report.equal and {p.table for p in seen} == set(TABLES)
    bands = await pg_rows(pg_library, "signature_bands")
    assert len(bands) == len({(row["key"], row["article_id"]) for row in bands})
    assert await pg_value(pg_library, "SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_hnsw'") == 1


async def test_a_value_postgresql_cannot_take_is_named_in_one_line(home, pg_library):
    with contextlib.closing(sqlite3.connect(home / "data" / DATABASE_FILE)) as db, db:
        db.execute("UPDATE questions SET sentence_ids = 'quoted nothing'")
    with pytest.raises(StoreError, match=r"questions id 1: sentence_ids 'quoted nothing' cannot be copied"):
        await copy_library(home / "data", pg_library)


def test_stored_values_in_postgresql_types():
    assert day("") is None and day(None) is None and day("2024-03-05") == date(2024, 3, 5)
    assert stamp(instant("2024-03-05T10:00:00+00:00")) == "2024-03-05T10:00:00+00:00"
    assert stamp(instant("2024-03-05T10:00:00")) == "2024-03-05T10:00:00+00:00"  # no zone: UTC, as written


async def test_bad_input_is_one_line_and_changes_nothing(home, tmp_path, pg_library):
    before = stored(home)
    with pytest.raises(StoreError, match="give a postgresql:// address, not 'mysql'"):
        await copy_library(home / "data", "mysql://localhost/news")
    with pytest.raises(StoreError, match=re.escape(f"no library in {tmp_path / 'nowhere'}: nothing to copy")):
        await copy_library(tmp_path / "nowhere", pg_library)
    assert not (tmp_path / "nowhere").exists()
    with pytest.raises(StoreError, match=re.escape("postgresql://127.0.0.1/news: cannot reach the database")):
        await copy_library(home / "data", "postgresql://newsbot:secret@127.0.0.1:1/news")
    with pytest.raises(StoreError, match="cannot use the database") as error:
        await copy_library(home / "data", "postgresql://newsbot:secret@localhost:port/news")
    assert "secret" not in str(error.value)
    assert stored(home) == before


def test_every_table_of_a_library_is_one_the_copy_knows(home):
    with contextlib.closing(sqlite3.connect(home / "data" / DATABASE_FILE)) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    search_indexes = {name for name in names if name.startswith(("sentences_fts", "chunks_fts"))}
    assert names - search_indexes - {"sqlite_sequence"} == set(TABLES)


def newsbot_module(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a user would, with the test's config and data directory."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=environment(home), timeout=120, check=False)


def test_the_command_copies_then_refuses_then_resumes(home, pg_database):
    run = newsbot_module(home, "store", "copy", "--to", pg_database)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines[:len(TABLES)]] == list(TABLES)
    assert lines[len(TABLES)].split() == ["table", "sqlite", "postgresql"]
    assert all(line.split()[1] == line.split()[2] for line in lines[len(TABLES) + 1:-2])
    assert lines[-2].startswith(f"copied {home / 'data' / DATABASE_FILE} into postgresql://")
    refused = newsbot_module(home, "store", "copy", "--to", pg_database)
    assert refused.returncode == 2 and one_error_line(refused).startswith("error: postgresql://")
    resumed = newsbot_module(home, "store", "copy", "--to", pg_database, "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["equal"] and [t["table"] for t in report["tables"]] == list(TABLES)
    assert report["bot"] is None  # no bot.db in the data directory


@pytest.mark.parametrize("url", ["mysql://localhost/news", "postgresql://newsbot@127.0.0.1:1/news"])
def test_the_command_refuses_a_bad_address_in_one_line(home, url):
    before = stored(home)
    run = newsbot_module(home, "store", "copy", "--to", url)
    assert run.returncode == 2 and one_error_line(run).startswith("error: ")
    assert run.stdout == "" and stored(home) == before
