"""A front end's side database: the same SQL, with `?` placeholders, on a SQLite file and on a PostgreSQL schema."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from index import SideDatabase, StoreError, open_side_database
from index.store.postgres.sidedb import numbered
from tests.pg import pg_library, pg_url, store_url

__all__ = ["pg_library", "pg_url", "store_url"]  # the imported fixtures are used by name

NOTES = {
    "sqlite": ("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
               "ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0"),
    "postgresql": ("CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL)",
                   "ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false"),
}


async def open_notes(data_dir: Path, url: str, migrations: int = 2) -> SideDatabase:
    """The side database "notes", with its first `migrations` migrations."""
    return await open_side_database(data_dir, url, "notes", {dialect: scripts[:migrations]
                                                              for dialect, scripts in NOTES.items()})


def test_placeholders_are_numbered_outside_literals_names_and_comments():
    assert numbered("SELECT ? , ?") == "SELECT $1 , $2"
    assert numbered("SELECT '?', 'it''s ?' FROM t WHERE a = ? AND b = ?") == (
        "SELECT '?', 'it''s ?' FROM t WHERE a = $1 AND b = $2")
    assert numbered('SELECT "odd?name" FROM t -- why?\nWHERE c IN (?, ?)') == (
        'SELECT "odd?name" FROM t -- why?\nWHERE c IN ($1, $2)')
    assert numbered("SELECT 1") == "SELECT 1"


async def test_rows_are_written_counted_and_read_back(tmp_path, store_url):
    db = await open_notes(tmp_path, store_url)
    try:
        await db.executemany("INSERT INTO notes(id, body) VALUES (?, ?)",
                             [(1, "why?"), (2, "ferry"), (3_000_000_000_123, "snowflake")])
        assert await db.execute("INSERT INTO notes(id, body) VALUES (?, ?) ON CONFLICT DO NOTHING", (2, "again")) == 0
        assert await db.execute("UPDATE notes SET pinned = ? WHERE body <> 'why?' AND id > ?", (True, 1)) == 2
        assert await db.all("SELECT id, body FROM notes WHERE pinned = ? ORDER BY id", (True,)) == [
            (2, "ferry"), (3_000_000_000_123, "snowflake")]
        assert await db.one("SELECT body FROM notes WHERE id = ?", (1,)) == ("why?",)
        assert await db.one("SELECT body FROM notes WHERE id = ?", (9,)) is None
        assert await db.execute("DELETE FROM notes WHERE id < ?", (3,)) == 2
        await db.executemany("INSERT INTO notes(id, body) VALUES (?, ?)", [])
    finally:
        await db.close()
    db = await open_notes(tmp_path, store_url)  # kept across reopening, the migrations not run twice
    try:
        assert await db.all("SELECT id FROM notes") == [(3_000_000_000_123,)]
    finally:
        await db.close()


async def test_a_transaction_is_all_or_nothing(tmp_path, store_url):
    db = await open_notes(tmp_path, store_url)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await db.execute("INSERT INTO notes(id, body) VALUES (?, ?)", (1, "undone"))
                raise RuntimeError("before the end")
        async with db.transaction():
            await db.execute("INSERT INTO notes(id, body) VALUES (?, ?)", (2, "kept"))
            async with db.transaction():  # joined
                await db.execute("INSERT INTO notes(id, body) VALUES (?, ?)", (3, "kept too"))
        with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
            await db.executemany("INSERT INTO notes(id, body) VALUES (?, ?)", [(4, "new"), (2, "twice")])
        assert await db.all("SELECT id FROM notes ORDER BY id") == [(2,), (3,)]
    finally:
        await db.close()


async def test_another_tasks_write_is_no_part_of_an_open_transaction(tmp_path, store_url):
    db = await open_notes(tmp_path, store_url)
    inside = asyncio.Event()

    async def failing() -> None:
        async with db.transaction():
            await db.execute("INSERT INTO notes(id, body) VALUES (?, ?)", (1, "rolled back"))
            inside.set()
            await asyncio.sleep(0.05)  # the other task writes (or waits) meanwhile
            raise RuntimeError("rolled back")

    async def other() -> None:
        await inside.wait()
        await db.execute("INSERT INTO notes(id, body) VALUES (?, ?)", (2, "kept"))

    try:
        results = await asyncio.gather(failing(), other(), return_exceptions=True)
        assert isinstance(results[0], RuntimeError) and results[1] is None
        assert await db.all("SELECT id FROM notes") == [(2,)]
    finally:
        await db.close()


async def test_a_side_database_from_a_newer_newsbot_is_refused_in_one_line(tmp_path, store_url):
    await (await open_notes(tmp_path, store_url)).close()
    with pytest.raises(StoreError) as refused:
        await open_notes(tmp_path, store_url, migrations=1)
    message = str(refused.value)
    assert message.endswith("made by a newer newsbot (schema 2); upgrade newsbot") and "\n" not in message


async def test_on_postgresql_the_tables_are_in_a_schema_of_their_own(tmp_path, pg_library):
    db = await open_notes(tmp_path, pg_library)
    try:
        await db.execute("CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)")
        await db.execute("INSERT INTO meta VALUES ('owner', 'notes')")
        with pytest.raises(asyncpg.UndefinedTableError):
            await db.one("SELECT count(*) FROM articles")  # the library's tables are out of its sight
    finally:
        await db.close()
    library = await asyncpg.connect(pg_library)
    try:
        assert await library.fetchval("SELECT count(*) FROM meta WHERE key = 'owner'") == 0
        assert await library.fetchval("SELECT value FROM notes.meta") == "notes"
        versions = await library.fetch("SELECT component, version FROM newsbot_schema ORDER BY component")
        assert ("notes", 2) in [tuple(row) for row in versions]
    finally:
        await library.close()
    assert not (tmp_path / "notes.db").exists()


async def test_sqlite_keeps_the_tables_in_a_file_of_the_data_folder(tmp_path):
    await (await open_notes(tmp_path / "data", "")).close()
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / "notes.db")) as file:
        assert file.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert file.execute("PRAGMA user_version").fetchone() == (2,)


async def test_an_address_that_is_not_postgresql_is_refused_in_one_line(tmp_path):
    with pytest.raises(StoreError) as refused:
        await open_notes(tmp_path, "mysql://newsbot:secret@db.example/news")
    assert "mysql" in str(refused.value) and "secret" not in str(refused.value)
    assert not (tmp_path / "notes.db").exists()
