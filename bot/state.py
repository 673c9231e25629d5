"""The bot's own SQLite file: per-server settings, answer threads, digests, alert hours, and the user-id salt."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import aiosqlite

from bot.alerting import Window
from index import apply_migrations

STATE_FILE = "bot.db"

# The first migration is the schema bot.db had before it was versioned: IF NOT EXISTS lets it run over such a file.
MIGRATIONS: tuple[str, ...] = ("""
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
""")


class BotState:
    """Settings the server managers change with /settings, kept across restarts."""

    def __init__(self, db: aiosqlite.Connection, salt: str) -> None:
        self._db = db
        self._salt = salt

    @classmethod
    async def open(cls, data_dir: Path) -> BotState:
        """Open (creating if needed) the state file in the data directory."""
        data_dir.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(data_dir / STATE_FILE)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await apply_migrations(db, MIGRATIONS, data_dir / STATE_FILE)
        except BaseException:  # a bot.db from a newer newsbot: refused, and its connection's thread ended
            await db.close()
            raise
        # A random salt per installation: stored hashes cannot be matched to Discord user ids elsewhere.
        await db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('salt', ?)", (secrets.token_hex(16),))
        await db.commit()
        async with db.execute("SELECT value FROM meta WHERE key = 'salt'") as cursor:
            row = await cursor.fetchone()
        assert row is not None  # the INSERT OR IGNORE above made sure of it
        salt = row[0]
        return cls(db, salt)

    async def close(self) -> None:
        """Close the file."""
        await self._db.close()

    def user_hash(self, user_id: int) -> str:
        """A salted hash of a user id, stored with feedback instead of the id itself."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()[:32]

    async def ask_channels(self, guild_id: int) -> set[int]:
        """The channels of a server where every message is a question."""
        async with self._db.execute("SELECT channel_id FROM ask_channels WHERE guild_id = ?", (guild_id,)) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def set_ask_channel(self, guild_id: int, channel_id: int, on: bool) -> bool:
        """Add or remove an ask channel; False when nothing changed."""
        if on:
            sql = "INSERT OR IGNORE INTO ask_channels(guild_id, channel_id) VALUES (?, ?)"
        else:
            sql = "DELETE FROM ask_channels WHERE guild_id = ? AND channel_id = ?"
        cursor = await self._db.execute(sql, (guild_id, channel_id))
        await self._db.commit()
        return cursor.rowcount > 0

    async def reply_in_thread(self, guild_id: int, default: bool) -> bool:
        """Whether answers to messages open a thread in this server."""
        async with self._db.execute("SELECT reply_in_thread FROM guild_settings WHERE guild_id = ?",
                                    (guild_id,)) as cursor:
            row = await cursor.fetchone()
        return bool(row[0]) if row else default

    async def set_reply_in_thread(self, guild_id: int, on: bool) -> None:
        """Turn answer threads on or off for a server."""
        await self._db.execute(
            "INSERT INTO guild_settings(guild_id, reply_in_thread) VALUES (?, ?)"
            " ON CONFLICT(guild_id) DO UPDATE SET reply_in_thread = excluded.reply_in_thread",
            (guild_id, int(on)),
        )
        await self._db.commit()

    async def thread_question(self, thread_id: int) -> str | None:
        """The question an answer thread was opened for (the context of follow-ups)."""
        async with self._db.execute("SELECT question FROM answer_threads WHERE thread_id = ?",
                                    (thread_id,)) as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def remember_thread(self, thread_id: int, question: str) -> None:
        """Record (or update) the conversation an answer thread carries."""
        await self._db.execute(
            "INSERT INTO answer_threads(thread_id, question) VALUES (?, ?)"
            " ON CONFLICT(thread_id) DO UPDATE SET question = excluded.question",
            (thread_id, question),
        )
        await self._db.commit()

    async def set_digest(self, guild_id: int, channel_id: int, hours: int) -> None:
        """Post a digest in a channel every `hours` hours (0: no more digests there)."""
        if hours:
            await self._db.execute(
                "INSERT INTO digests(channel_id, guild_id, hours) VALUES (?, ?, ?)"
                " ON CONFLICT(channel_id) DO UPDATE SET hours = excluded.hours", (channel_id, guild_id, hours))
        else:
            await self._db.execute("DELETE FROM digests WHERE channel_id = ?", (channel_id,))
        await self._db.commit()

    async def digests(self) -> list[tuple[int, int, int, str | None]]:
        """Every digest: (guild id, channel id, hours between digests, when the last was sent or None)."""
        async with self._db.execute("SELECT guild_id, channel_id, hours, last_sent FROM digests") as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def digest_sent(self, channel_id: int, when: str) -> None:
        """Record when a channel's digest was posted."""
        await self._db.execute("UPDATE digests SET last_sent = ? WHERE channel_id = ?", (when, channel_id))
        await self._db.commit()

    async def alert_windows(self, targets: Iterable[str]) -> dict[str, Window]:
        """The current alert hour of each of these targets that has one ("channel:1", "user:2")."""
        wanted = list(dict.fromkeys(targets))
        if not wanted:
            return {}
        marks = ", ".join("?" * len(wanted))
        async with self._db.execute(f"SELECT target, hour, sent, held_through FROM alert_windows WHERE target IN"
                                    f" ({marks})", wanted) as cursor:
            return {row[0]: Window(row[1], row[2], row[3]) for row in await cursor.fetchall()}

    async def save_alert_windows(self, windows: Mapping[str, Window]) -> None:
        """Record targets' alert hours, so a restart neither resets the hourly cap nor forgets what it held back."""
        await self._db.executemany(
            "INSERT INTO alert_windows(target, hour, sent, held_through) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(target) DO UPDATE SET hour = excluded.hour, sent = excluded.sent,"
            " held_through = excluded.held_through",
            [(target, w.hour, w.sent, w.held_through) for target, w in windows.items()])
        await self._db.commit()
