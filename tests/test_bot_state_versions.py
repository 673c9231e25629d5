"""bot.db is versioned like the library: numbered migrations through the engine's runner, PRAGMA user_version."""

import sqlite3

import pytest

from bot.state import MIGRATIONS, STATE_FILE, BotState
from index import StoreError

SQLITE = MIGRATIONS["sqlite"]  # bot.db's migrations

# bot.db as newsbot made it before it was versioned: today's tables, no user_version.
UNVERSIONED = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ask_channels (guild_id INTEGER NOT NULL, channel_id INTEGER NOT NULL, PRIMARY KEY (guild_id, channel_id));
CREATE TABLE guild_settings (guild_id INTEGER PRIMARY KEY, reply_in_thread INTEGER NOT NULL);
CREATE TABLE answer_threads (thread_id INTEGER PRIMARY KEY, question TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE digests (channel_id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL, hours INTEGER NOT NULL,
    last_sent TEXT);
INSERT INTO meta VALUES ('salt', 'old-salt');
INSERT INTO ask_channels VALUES (1, 10);
INSERT INTO answer_threads(thread_id, question) VALUES (99, 'How many drones?');
"""


def user_version(path):
    with sqlite3.connect(path) as db:
        return db.execute("PRAGMA user_version").fetchone()[0]


async def test_a_new_bot_db_has_every_migration(tmp_path):
    state = await BotState.open(tmp_path)
    await state.close()
    assert user_version(tmp_path / STATE_FILE) == len(SQLITE) >= 1


async def test_an_unversioned_bot_db_opens_with_its_rows(tmp_path):
    with sqlite3.connect(tmp_path / STATE_FILE) as db:
        db.executescript(UNVERSIONED)
    state = await BotState.open(tmp_path)
    try:
        assert await state.ask_channels(1) == {10}
        assert await state.thread_question(99) == "How many drones?"
        assert state.user_hash(5) == BotState(None, "old-salt").user_hash(5)  # type: ignore[arg-type]
    finally:
        await state.close()
    assert user_version(tmp_path / STATE_FILE) == len(SQLITE)


async def test_a_bot_db_from_a_newer_newsbot_is_refused_in_one_line(tmp_path):
    with sqlite3.connect(tmp_path / STATE_FILE) as db:
        db.execute(f"PRAGMA user_version = {len(SQLITE) + 1}")
    with pytest.raises(StoreError) as refused:
        await BotState.open(tmp_path)
    assert str(refused.value) == (f"{tmp_path / STATE_FILE}: made by a newer newsbot (schema {len(SQLITE) + 1}); "
                                  "upgrade newsbot")
