"""The bot's own state on both backends: bot.db in the data folder, or the schema "bot" of a shared PostgreSQL
database that several bot processes use at once."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.alerting import Window
from bot.state import MIGRATIONS, BotState
from index import StoreError
from tests.discord_emulator import SeededEmulator
from tests.discord_emulator.fixtures import discord_emulator
from tests.pg import pg_database, pg_library, pg_url, store_url
from tests.test_bot import running_bot

__all__ = ["discord_emulator", "pg_database", "pg_library", "pg_url", "store_url"]  # fixtures used by name

# Discord ids are snowflakes past 2^31 (a bigint column in PostgreSQL).
GUILD, CHANNEL, THREAD = 1_140_000_000_000_000_001, 1_140_000_000_000_000_010, 1_140_000_000_000_000_099
SENT = "2025-03-01T08:00:00+00:00"


def test_both_dialects_have_the_same_migrations():
    assert set(MIGRATIONS) == {"sqlite", "postgresql"}
    assert len(MIGRATIONS["sqlite"]) == len(MIGRATIONS["postgresql"]) == 2


async def test_bot_state_keeps_settings_across_reopen(tmp_path, store_url):
    state = await BotState.open(tmp_path, store_url)
    assert await state.set_ask_channel(GUILD, CHANNEL, True) and not await state.set_ask_channel(GUILD, CHANNEL, True)
    await state.set_reply_in_thread(GUILD, False)
    await state.remember_thread(THREAD, "How many drones?")
    await state.remember_thread(THREAD, "How many drones? And where?")
    digest = state.user_hash(5)
    await state.close()
    state = await BotState.open(tmp_path, store_url)
    try:
        assert await state.ask_channels(GUILD) == {CHANNEL} and await state.ask_channels(2) == set()
        assert await state.reply_in_thread(GUILD, True) is False and await state.reply_in_thread(2, True) is True
        await state.set_reply_in_thread(GUILD, True)
        assert await state.reply_in_thread(GUILD, False) is True
        assert await state.thread_question(THREAD) == "How many drones? And where?"
        assert await state.thread_question(98) is None
        assert state.user_hash(5) == digest != state.user_hash(6) and digest != "5"
        assert await state.set_ask_channel(GUILD, CHANNEL, False) and not await state.set_ask_channel(GUILD, 7, False)
        assert await state.ask_channels(GUILD) == set()
    finally:
        await state.close()


async def test_digests_and_alert_hours_are_kept(tmp_path, store_url):
    state = await BotState.open(tmp_path, store_url)
    try:
        await state.set_digest(GUILD, CHANNEL, 24)
        await state.set_digest(GUILD, CHANNEL, 12)
        await state.set_digest(GUILD, 20, 6)
        await state.digest_sent(CHANNEL, SENT)
        assert sorted(await state.digests()) == [(GUILD, 20, 6, None), (GUILD, CHANNEL, 12, SENT)]
        await state.set_digest(GUILD, 20, 0)
        assert await state.digests() == [(GUILD, CHANNEL, 12, SENT)]
        assert await state.alert_windows([]) == {}
        await state.save_alert_windows({"channel:1": Window(480_000, 2), "user:2": Window(480_000, 5, 31)})
        await state.save_alert_windows({"channel:1": Window(480_001, 1, 40)})
        windows = await state.alert_windows(["channel:1", "user:2", "user:2", "user:3"])
        assert windows == {"channel:1": Window(480_001, 1, 40), "user:2": Window(480_000, 5, 31)}
    finally:
        await state.close()


async def test_two_bot_processes_see_each_others_writes(tmp_path, store_url):
    first, second = await BotState.open(tmp_path, store_url), await BotState.open(tmp_path, store_url)
    try:
        assert first.user_hash(5) == second.user_hash(5)  # one salt: a user's votes count once across processes
        await first.set_ask_channel(GUILD, CHANNEL, True)
        await first.remember_thread(THREAD, "Who won?")
        assert await second.ask_channels(GUILD) == {CHANNEL}
        assert await second.thread_question(THREAD) == "Who won?"
        await second.save_alert_windows({"user:2": Window(7, 3)})
        await second.set_digest(GUILD, CHANNEL, 24)
        assert await first.alert_windows(["user:2"]) == {"user:2": Window(7, 3)}
        assert await first.digests() == [(GUILD, CHANNEL, 24, None)]
    finally:
        await first.close()
        await second.close()


async def test_bot_processes_starting_together_on_a_new_database_make_one_schema_and_one_salt(tmp_path, pg_database):
    states = await asyncio.gather(*(BotState.open(tmp_path, pg_database) for _ in range(3)))
    try:
        assert len({state.user_hash(5) for state in states}) == 1
        await states[0].set_ask_channel(GUILD, CHANNEL, True)
        assert await states[2].ask_channels(GUILD) == {CHANNEL}
    finally:
        await asyncio.gather(*(state.close() for state in states))
    connection = await asyncpg.connect(pg_database)
    try:
        assert await connection.fetchval("SELECT version FROM newsbot_schema WHERE component = 'bot'") == 2
        assert await connection.fetchval("SELECT count(*) FROM bot.meta") == 1
    finally:
        await connection.close()
    assert not (tmp_path / "bot.db").exists()


async def test_a_bot_schema_from_a_newer_newsbot_is_refused_in_one_line(tmp_path, pg_library):
    connection = await asyncpg.connect(pg_library)
    try:
        await connection.execute("UPDATE newsbot_schema SET version = 3 WHERE component = 'bot'")
        database = await connection.fetchval("SELECT current_database()")
    finally:
        await connection.close()
    with pytest.raises(StoreError) as refused:
        await BotState.open(tmp_path, pg_library)
    assert str(refused.value) == f"{database}: bot made by a newer newsbot (schema 3); upgrade newsbot"


async def test_the_running_bot_keeps_its_settings_where_other_processes_see_them(
        discord_emulator: SeededEmulator, tmp_path, pg_library):
    emu = discord_emulator
    async with running_bot(emu, tmp_path, state_url=pg_library):
        added = await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "settings", {},
                                              group="ask-channel", subcommand="add")).wait_done()
        assert "answer every message" in added.responses[0]["data"]["content"]
        other = await BotState.open(tmp_path / "elsewhere", pg_library)
        try:
            assert await other.ask_channels(emu.guild.id) == {emu.channel.id}
        finally:
            await other.close()
    assert not (tmp_path / "bot.db").exists()
