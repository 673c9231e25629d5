"""The PostgreSQL schema: migrations of the library and the bot, the text search configuration, folding and counting."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from bot.state import MIGRATIONS
from index.store.postgres.migrations import migrate, prepare, schema_version, version_fault
from index.store.postgres.schema import LIBRARY_MIGRATIONS
from index.store.postgres.text import fold, token_count
from index.store.sqlite.faults import StoreError
from tests.pg import pg_database, pg_url

__all__ = ["pg_database", "pg_url"]  # the imported fixtures are used by name

BOT_MIGRATIONS = MIGRATIONS["postgresql"]


async def migrated(url: str) -> asyncpg.Connection:
    """A connection to the database at url, with both components migrated (the bot's in its own schema)."""
    connection = await asyncpg.connect(url)
    await prepare(connection)
    await migrate(connection, "library", LIBRARY_MIGRATIONS)
    await migrate(connection, "bot", BOT_MIGRATIONS, schema="bot")
    return connection


async def tables(connection: asyncpg.Connection, schema: str = "public") -> set[str]:
    rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    return {row["tablename"] for row in rows}


async def test_a_fresh_database_gets_both_components(pg_database):
    connection = await migrated(pg_database)
    try:
        assert await tables(connection) == {
            "newsbot_schema", "meta", "articles", "sentences", "chunks", "questions", "feedback", "copies",
            "signatures", "signature_bands", "feeds", "feed_items", "follows", "alerts"}
        assert await tables(connection, "bot") == {
            "meta", "ask_channels", "guild_settings", "answer_threads", "digests", "alert_windows"}
        assert await schema_version(connection, "library") == len(LIBRARY_MIGRATIONS)
        assert await schema_version(connection, "bot") == len(BOT_MIGRATIONS) == 2
        assert await connection.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'vector'") >= "0.6"
        embedding = await connection.fetchval("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                                              " WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'")
        assert embedding == "vector"  # no dimension until the first article gives it
    finally:
        await connection.close()


async def test_migrating_again_changes_nothing(pg_database):
    (await migrated(pg_database)).terminate()
    connection = await migrated(pg_database)
    try:
        rows = await connection.fetch("SELECT component, version FROM newsbot_schema ORDER BY component")
        assert [tuple(row) for row in rows] == [("bot", 2), ("library", len(LIBRARY_MIGRATIONS))]
    finally:
        await connection.close()


async def test_a_schema_from_a_newer_newsbot_is_refused_in_one_line(pg_database):
    connection = await migrated(pg_database)
    try:
        await connection.execute("UPDATE newsbot_schema SET version = 7 WHERE component = 'library'")
        with pytest.raises(StoreError) as refused:
            await migrate(connection, "library", LIBRARY_MIGRATIONS)
        message = str(refused.value)
        assert "made by a newer newsbot (schema 7); upgrade newsbot" in message and "\n" not in message
        await migrate(connection, "bot", BOT_MIGRATIONS, schema="bot")  # the other component is not concerned
    finally:
        await connection.close()


async def test_two_processes_migrating_at_once_apply_each_migration_once(pg_database):
    # A migration that counts its runs: applied twice, it would count two (or fail on the table it creates).
    counting = ("CREATE TABLE runs (n int); INSERT INTO runs VALUES (1)", "UPDATE runs SET n = n + 1")
    connections = [await asyncpg.connect(pg_database) for _ in range(4)]
    try:
        await asyncio.gather(*(prepare(connection) for connection in connections))
        await asyncio.gather(*(migrate(connection, "counting", counting) for connection in connections))
        assert await connections[0].fetchval("SELECT n FROM runs") == 2
        assert await schema_version(connections[0], "counting") == 2
    finally:
        await asyncio.gather(*(connection.close() for connection in connections))


async def test_a_user_not_allowed_to_enable_pgvector_is_told_whom_to_ask(pg_database):
    owner = await asyncpg.connect(pg_database)
    role = f"r_{uuid4().hex[:12]}"
    try:
        await owner.execute(f"CREATE ROLE {role} LOGIN")
        user = await asyncpg.connect(pg_database, user=role)
        try:
            with pytest.raises(StoreError) as refused:
                await prepare(user)
        finally:
            await user.close()
        database = await owner.fetchval("SELECT current_database()")
        assert str(refused.value) == (f"not allowed to enable pgvector in {database}: ask the database owner to run "
                                      f"CREATE EXTENSION vector in {database}")
    finally:
        await owner.close()


def test_a_server_too_old_is_named_in_one_line():
    assert version_fault(160002, "0.6.2") is None and version_fault(150000, "0.7.4") is None
    assert version_fault(140011, "0.6.2") == "PostgreSQL 14 is too old: newsbot needs PostgreSQL 15 or newer"
    assert version_fault(160002, "0.5.1") == "pgvector 0.5.1 is too old: newsbot needs pgvector 0.6 or newer"
    assert "pgvector extension is not installed" in (version_fault(160002, None) or "")


async def test_deleting_an_article_deletes_what_hangs_from_it(pg_database):
    connection = await migrated(pg_database)
    try:
        now = datetime.now(UTC)
        await connection.execute("INSERT INTO articles (id, title, content_hash, ingested_at, search_key)"
                                 " VALUES ('a1', 'Grid', 'h', $1, 'grid')", now)
        await connection.execute(
            "INSERT INTO sentences (article_id, position, paragraph, text, embedding, tokens, tsv)"
            " VALUES ('a1', 0, 0, 'The grid held.', '\\x00'::bytea, 3, to_tsvector('newsbot', 'the grid held'))")
        await connection.execute("INSERT INTO signatures VALUES ('a1', '\\x00'::bytea, 1)")
        await connection.execute("DELETE FROM articles WHERE id = 'a1'")
        assert await connection.fetchval("SELECT count(*) FROM sentences") == 0
        assert await connection.fetchval("SELECT count(*) FROM signatures") == 0
    finally:
        await connection.close()


async def matches(connection: asyncpg.Connection, text: str, term: str) -> bool:
    """Whether a search for term finds text, both folded as the store folds them."""
    return bool(await connection.fetchval("SELECT to_tsvector('newsbot', $1) @@ plainto_tsquery('newsbot', $2)",
                                          fold(text), fold(term)))


async def test_the_text_search_configuration_searches_as_fts5_does(pg_database):
    connection = await migrated(pg_database)
    try:
        assert await matches(connection, "Positions were shelled overnight", "shell")
        assert await matches(connection, "The shelling went on", "shelled")
        assert await matches(connection, "The Hague", "the")  # no stop words, as FTS5
        assert await matches(connection, "a state-owned company", "owned")
        assert await matches(connection, "a state-owned company", "state")
        assert not await matches(connection, "a state-owned company", "stateowned")
        assert await matches(connection, "Dvořák's symphony", "DVORAK")
        lexemes = await connection.fetchval("SELECT to_tsvector('newsbot', $1)::text", "state-owned")
        assert lexemes == "'own':2 'state':1"  # the parts only, not the whole hyphenated word
    finally:
        await connection.close()


def test_fold_drops_case_and_diacritics():
    assert fold("Dvořák") == "dvorak"
    assert fold("Ukrenergo") == "ukrenergo"
    assert fold("Zürich CAFÉ naïve") == "zurich cafe naive"
    assert fold("Straße") == "strasse"


def fts5_tokens(text: str) -> int:
    """How many words SQLite's FTS5 indexes in text, with the library's tokenizer."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    db.execute("INSERT INTO t VALUES (?)", (text,))
    return db.execute("SELECT count(*) FROM v").fetchone()[0]


@pytest.mark.parametrize("text, words", [
    ("Ukrenergo restored power to Kyiv.", 5),
    ("The state-owned grid operator's 3.5% cut, on bbc.co.uk", 13),
    ("Dvořák, snake_case and 東京 — ½", 6),
    ("", 0),
])
def test_token_count_counts_words_as_fts5_does(text, words):
    assert token_count(text) == words == fts5_tokens(text)
