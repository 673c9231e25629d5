"""The bot's own tables (bot.db, or the shared database's schema "bot"): settings, threads, digests, alert hours."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bot.alerting import Window
from index import SideDatabase, open_side_database

# The side database's name: the file bot.db, or the PostgreSQL schema bot.
STATE_NAME = "bot"
STATE_FILE = f"{STATE_NAME}.db"

# The same tables in each dialect; the migrations of both go in step, one number per change.
MIGRATIONS: Mapping[str, Sequence[str]] = {
    # The first migration is the schema bot.db had before it was versioned: IF NOT EXISTS lets it run over such a file.
    "sqlite": ("""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ask_channels (guild_id INTEGER NOT NULL, channel_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id));
CREATE TABLE IF NOT EXISTS guild_settings (guild_id INTEGER PRIMARY KEY, reply_in_thread INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS answer_threads (thread_id INTEGER PRIMARY KEY, question TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS digests (channel_id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL,
    hours INTEGER NOT NULL, last_sent TEXT);
""", """
CREATE TABLE alert_windows (target TEXT PRIMARY KEY, hour INTEGER NOT NULL, sent INTEGER NOT NULL,
    held_through INTEGER);
"""),
    # Discord ids pass 2^31: bigint.
    "postgresql": ("""
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE ask_channels (guild_id bigint NOT NULL, channel_id bigint NOT NULL, PRIMARY KEY (guild_id, channel_id));
CREATE TABLE guild_settings (guild_id bigint PRIMARY KEY, reply_in_thread boolean NOT NULL);
CREATE TABLE answer_threads (thread_id bigint PRIMARY KEY, question text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE digests (channel_id bigint PRIMARY KEY, guild_id bigint NOT NULL, hours int NOT NULL, last_sent text);
""", """
CREATE TABLE alert_windows (target text PRIMARY KEY, hour bigint NOT NULL, sent int NOT NULL, held_through bigint);
"""),
}


class BotState:
    """Settings the server managers change with /settings, kept across restarts (SQL valid in both dialects)."""

    def __init__(self, db: SideDatabase, salt: str) -> None:
        self._db = db
        self._salt = salt

    @classmethod
    async def open(cls, data_dir: Path, store_url: str = "") -> BotState:
        """Open (creating if needed) bot.db in the data folder, or with a postgresql:// url the shared database."""
        db = await open_side_database(data_dir, store_url, STATE_NAME, MIGRATIONS)
        try:
            # A random salt per installation: stored hashes cannot be matched to Discord user ids elsewhere. The
            # first process to open the state makes it; every later one reads that one.
            await db.execute("INSERT INTO meta(key, value) VALUES ('salt', ?) ON CONFLICT DO NOTHING",
                             (secrets.token_hex(16),))
            row = await db.one("SELECT value FROM meta WHERE key = 'salt'")
        except BaseException:
            await db.close()
            raise
        assert row is not None  # the INSERT above made sure of it
        return cls(db, row[0])

    async def close(self) -> None:
        """Close the connections."""
        await self._db.close()

    def user_hash(self, user_id: int) -> str:
        """A salted hash of a user id, stored with feedback instead of the id itself."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:32]

    async def ask_channels(self, guild_id: int) -> set[int]:
        """The channels of a server where every message is a question."""
        return {row[0] for row in await self._db.all("SELECT channel_id FROM ask_channels WHERE guild_id = ?",
                                                      (guild_id,))}

    async def set_ask_channel(self, guild_id: int, channel_id: int, on: bool) -> bool:
        """Add or remove an ask channel; False when nothing changed."""
        if on:
            sql = "INSERT INTO ask_channels(guild_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        else:
            sql = "DELETE FROM ask_channels WHERE guild_id = ? AND channel_id = ?"
        return await self._db.execute(sql, (guild_id, channel_id)) > 0

    async def reply_in_thread(self, guild_id: int, default: bool) -> bool:
        """Whether answers to messages open a thread in this server."""
        row = await self._db.one("SELECT reply_in_thread FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return bool(row[0]) if row else default  # SQLite gives 0 or 1

    async def set_reply_in_thread(self, guild_id: int, on: bool) -> None:
        """Turn answer threads on or off for a server."""
        await self._db.execute(
            "INSERT INTO guild_settings(guild_id, reply_in_thread) VALUES (?, ?)"
            " ON CONFLICT(guild_id) DO UPDATE SET reply_in_thread = excluded.reply_in_thread", (guild_id, on))

    async def thread_question(self, thread_id: int) -> str | None:
        """The question an answer thread was opened for (the context of follow-ups)."""
        row = await self._db.one("SELECT question FROM answer_threads WHERE thread_id = ?", (thread_id,))
        return row[0] if row else None

    async def remember_thread(self, thread_id: int, question: str) -> None:
        """Record (or update) the conversation an answer thread carries."""
        await self._db.execute(
            "INSERT INTO answer_threads(thread_id, question) VALUES (?, ?)"
            " ON CONFLICT(thread_id) DO UPDATE SET question = excluded.question", (thread_id, question))

    async def set_digest(self, guild_id: int, channel_id: int, hours: int) -> None:
        """Post a digest in a channel every `hours` hours (0: no more digests there)."""
        if hours:
            await self._db.execute(
                "INSERT INTO digests(channel_id, guild_id, hours) VALUES (?, ?, ?)"
                " ON CONFLICT(channel_id) DO UPDATE SET hours = excluded.hours", (channel_id, guild_id, hours))
        else:
            await self._db.execute("DELETE FROM digests WHERE channel_id = ?", (channel_id,))

    async def digests(self) -> list[tuple[int, int, int, str | None]]:
        """Every digest: (guild id, channel id, hours between digests, when the last was sent or None)."""
        rows = await self._db.all("SELECT guild_id, channel_id, hours, last_sent FROM digests")
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    async def digest_sent(self, channel_id: int, when: str) -> None:
        """Record when a channel's digest was posted."""
        await self._db.execute("UPDATE digests SET last_sent = ? WHERE channel_id = ?", (when, channel_id))

    async def alert_windows(self, targets: Iterable[str]) -> dict[str, Window]:
        """The current alert hour of each of these targets that has one ("channel:1", "user:2")."""
        wanted = list(dict.fromkeys(targets))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        rows = await self._db.all(
            f"SELECT target, hour, sent, held_through FROM alert_windows WHERE target IN ({marks})", wanted)
        return {row[0]: Window(row[1], row[2], row[3]) for row in rows}

    async def save_alert_windows(self, windows: Mapping[str, Window]) -> None:
        """Record targets' alert hours, so a restart neither resets the hourly cap nor forgets what it held back."""
        await self._db.executemany(
            "INSERT INTO alert_windows(target, hour, sent, held_through) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(target) DO UPDATE SET hour = excluded.hour, sent = excluded.sent,"
            " held_through = excluded.held_through",
            [(target, w.hour, w.sent, w.held_through) for target, w in windows.items()])
