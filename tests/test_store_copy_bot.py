"""`newsbot store copy` and the bot's bot.db: a real bot.db made through BotState copied into the schema "bot" of a
real PostgreSQL database, then read by a BotState on that database (same settings, same salt); refused when the
schema holds rows, resumed after an interruption, its bad values named in one line, and run as a command."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot.alerting import Window
from bot.state import MIGRATIONS, STATE_FILE, STATE_NAME, BotState
from index import StoreError, copy_side_database
from index.store.copy import TABLES
from index.store.postgres.conversion import flag, whole
from index.store.postgres.database import stamp
from tests.newsbot_process import one_error_line
from tests.pg import pg_database, pg_library, pg_url
from tests.test_store_copy import home, newsbot_module

__all__ = ["home", "pg_database", "pg_library", "pg_url"]  # the imported fixtures are used by name

pytestmark = pytest.mark.pg
# Discord ids are snowflakes past 2^31: bigint in PostgreSQL.
GUILD, QUIET_GUILD = 1_140_000_000_000_000_001, 1_140_000_000_000_000_002
CHANNEL, THREAD = 1_140_000_000_000_000_010, 1_140_000_000_000_000_099
SENT = "2025-03-01T08:00:00+00:00"
BOT_TABLES = ["bot.meta", "bot.ask_channels", "bot.guild_settings", "bot.answer_threads", "bot.digests",
              "bot.alert_windows"]


async def make_state(data: Path) -> str:
    """Give `data` a bot.db holding one of everything, as the bot writes it; the salted hash of user 7."""
    state = await BotState.open(data)
    try:
        await state.set_ask_channel(GUILD, CHANNEL, True)
        await state.set_reply_in_thread(GUILD, True)
        await state.set_reply_in_thread(QUIET_GUILD, False)
        await state.remember_thread(THREAD, "Where did the storm reach the coast?")
        await state.set_digest(GUILD, CHANNEL, 12)
        await state.digest_sent(CHANNEL, SENT)
        await state.save_alert_windows({f"channel:{CHANNEL}": Window(480_000, 2, 41), "user:7": Window(480_001)})
        return state.user_hash(7)
    finally:
        await state.close()


async def assert_same_state(data: Path, url: str, user_hash: str) -> None:
    """A BotState on the database sees what the bot.db in `data` holds, and hashes users with its salt."""
    state = await BotState.open(data, url)
    try:
        assert state.user_hash(7) == user_hash
        assert await state.ask_channels(GUILD) == {CHANNEL}
        assert await state.reply_in_thread(GUILD, False) is True
        assert await state.reply_in_thread(QUIET_GUILD, True) is False  # 0 copied as false, not as no setting
        assert await state.thread_question(THREAD) == "Where did the storm reach the coast?"
        assert await state.digests() == [(GUILD, CHANNEL, 12, SENT)]
        assert await state.alert_windows([f"channel:{CHANNEL}", "user:7", "user:8"]) == {
            f"channel:{CHANNEL}": Window(480_000, 2, 41), "user:7": Window(480_001)}
    finally:
        await state.close()


def file_rows(data: Path, table: str) -> list[tuple]:
    """Every row of a table of bot.db."""
    with contextlib.closing(sqlite3.connect(data / STATE_FILE)) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()


async def pg_value(url: str, sql: str) -> object:
    """One value from the database."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


async def pg_run(url: str, sql: str) -> None:
    """Run statements on the database, as an operator would in psql."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(params=["pg_database", "pg_library"])
def target(request: pytest.FixtureRequest) -> str:
    """A database without the schema bot, then one where it is made and empty (as the bot's first start leaves it
    until it writes its salt)."""
    return str(request.getfixturevalue(request.param))


async def test_the_bot_state_is_copied_salt_and_all(tmp_path, target):
    url = target
    user_hash = await make_state(tmp_path)
    before = (tmp_path / STATE_FILE).read_bytes()
    report = await copy_side_database(tmp_path, url, STATE_NAME, MIGRATIONS)
    assert (tmp_path / STATE_FILE).read_bytes() == before  # read only
    assert report is not None and report.equal and report.source == tmp_path / STATE_FILE
    assert [table.table for table in report.tables] == BOT_TABLES
    assert all(table.sqlite and not table.left_out for table in report.tables), report.tables
    await assert_same_state(tmp_path, url, user_hash)
    [(created,)] = [row[2:] for row in file_rows(tmp_path, "answer_threads")]  # SQLite's "YYYY-MM-DD HH:MM:SS", UTC
    copied = await pg_value(url, "SELECT created_at FROM bot.answer_threads")
    assert stamp(copied) == created.replace(" ", "T") + "+00:00"  # type: ignore[arg-type]


async def test_no_bot_db_is_nothing_to_copy(tmp_path, pg_library):
    assert await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS) is None
    assert not (tmp_path / STATE_FILE).exists()


async def test_a_schema_a_bot_already_used_is_refused(tmp_path, pg_library):
    user_hash = await make_state(tmp_path)
    own = await BotState.open(tmp_path / "elsewhere", pg_library)  # a bot on the database makes its own salt
    own_hash = own.user_hash(7)
    await own.close()
    with pytest.raises(StoreError, match=r"already holds rows in schema bot \(meta\): .* or add --resume"):
        await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS)
    assert await pg_value(pg_library, "SELECT count(*) FROM bot.ask_channels") == 0  # nothing copied
    again = await BotState.open(tmp_path / "elsewhere", pg_library)
    assert again.user_hash(7) == own_hash
    await again.close()
    # What the README says to run to drop the database's own state instead.
    await pg_run(pg_library, "DROP SCHEMA bot CASCADE; DELETE FROM newsbot_schema WHERE component = 'bot'")
    report = await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS)
    assert report is not None and report.equal
    await assert_same_state(tmp_path, pg_library, user_hash)


class Interrupted(Exception):
    """Stands for Ctrl-C in the middle of a table."""


async def test_a_resumed_copy_finishes_with_every_row_once(tmp_path, pg_library):
    user_hash = await make_state(tmp_path)

    def stop_midway(progress):
        if progress.table == "bot.alert_windows" and 0 < progress.copied < progress.rows:
            raise Interrupted

    with pytest.raises(Interrupted):
        await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS, progress=stop_midway, batch=1)
    assert await pg_value(pg_library, "SELECT count(*) FROM bot.alert_windows") == 1
    with pytest.raises(StoreError, match=r"already holds rows in schema bot \(alert_windows, answer_threads, "):
        await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS)
    seen = []
    report = await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS, resume=True,
                                      progress=seen.append, batch=1)
    assert report is not None and report.equal and {p.table for p in seen} == set(BOT_TABLES)
    again = await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS, resume=True)
    assert again is not None and again.tables == report.tables
    await assert_same_state(tmp_path, pg_library, user_hash)


@pytest.mark.parametrize(("sql", "message"), [
    (f"UPDATE guild_settings SET reply_in_thread = 7 WHERE guild_id = {QUIET_GUILD}",
     rf"guild_settings guild_id {QUIET_GUILD}: reply_in_thread '7' cannot be copied \(not 0 or 1\)"),
    ("UPDATE digests SET hours = 'daily'", f"digests channel_id {CHANNEL}: hours 'daily' cannot be copied"),
    ("UPDATE answer_threads SET created_at = 'yesterday'", "answer_threads thread_id .*: created_at 'yesterday'"),
])
async def test_a_value_postgresql_cannot_take_is_named_in_one_line(tmp_path, pg_library, sql, message):
    await make_state(tmp_path)
    with contextlib.closing(sqlite3.connect(tmp_path / STATE_FILE)) as db, db:
        db.execute(sql)
    with pytest.raises(StoreError, match=message):
        await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS)


@pytest.mark.parametrize(("sql", "message"), [
    ("PRAGMA user_version = 3", r"made by a newer newsbot \(schema 3\); upgrade newsbot$"),
    ("PRAGMA user_version = 1", r"made by an older newsbot \(schema 1\); open it once with this newsbot, "),
    ("CREATE TABLE polls (id INTEGER PRIMARY KEY)", "schema bot of postgresql://.* has no table polls: the file "),
])
async def test_a_bot_db_the_schema_cannot_take_is_refused(tmp_path, pg_library, sql, message):
    await make_state(tmp_path)
    with contextlib.closing(sqlite3.connect(tmp_path / STATE_FILE)) as db, db:
        db.execute(sql)
    with pytest.raises(StoreError, match=f"^{re.escape(str(tmp_path / STATE_FILE))}: {message}"):
        await copy_side_database(tmp_path, pg_library, STATE_NAME, MIGRATIONS)
    assert await pg_value(pg_library, "SELECT count(*) FROM bot.meta") == 0


def test_sqlite_flags_and_numbers_in_postgresql_types():
    assert (flag(0), flag(1), flag(None)) == (False, True, None)
    assert (whole(2**62), whole("12"), whole(None)) == (2**62, 12, None)
    for bad in (2, "1", 1.5):
        with pytest.raises(ValueError):
            flag(bad)
    for bad in ("twelve", 1.5, b"1"):
        with pytest.raises(ValueError):
            whole(bad)


async def test_the_command_copies_the_library_and_bot_db(home, pg_library):
    user_hash = await make_state(home / "data")
    run = newsbot_module(home, "store", "copy", "--to", pg_library)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    names = [*TABLES, *BOT_TABLES]
    assert [line.split(": ")[0] for line in lines[:len(names)]] == names
    assert lines[len(names)].split() == ["table", "sqlite", "postgresql"]
    counts = lines[len(names) + 1:-2]
    assert [line.split()[0] for line in counts] == names
    assert all(line.split()[1] == line.split()[2] != "0" for line in counts[len(TABLES):])
    assert lines[-2].startswith(f"copied {home / 'data' / 'newsbot.db'} and {home / 'data' / STATE_FILE} into "
                                "postgresql://")
    await assert_same_state(home / "data", pg_library, user_hash)
    resumed = newsbot_module(home, "store", "copy", "--to", pg_library, "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["equal"] and report["bot"]["equal"] and report["bot"]["source"] == str(home / "data" / STATE_FILE)
    assert [t["table"] for t in report["bot"]["tables"]] == BOT_TABLES


async def test_the_command_refuses_a_schema_the_bot_used_in_one_line(home, pg_library):
    await make_state(home / "data")
    await (await BotState.open(home / "elsewhere", pg_library)).close()
    run = newsbot_module(home, "store", "copy", "--to", pg_library)
    assert run.returncode == 2
    assert one_error_line(run).startswith("error: postgresql://") and "schema bot (meta)" in run.stderr
