"""`newsbot run`: clear one-line failures, and the sharded bot answering through the emulator."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

import pytest

from bot.cli import TOKEN_VARIABLE, cmd_run, main
from bot.config import DiscordSettings, EmbeddingSettings, Settings
from tests.discord_emulator import DiscordEmulator, SeededEmulator
from tests.discord_emulator.fixtures import discord_emulator

__all__ = ["discord_emulator"]  # the imported fixture is used by name


def settings_for(tmp_path: Path, **discord_options: object) -> Settings:
    """A hashing-embedder library in tmp_path."""
    return Settings(data_dir=tmp_path / "data", embedding=EmbeddingSettings(model="hashing"),
                    discord=DiscordSettings(**discord_options))


def run_args(shards: str | None = None) -> argparse.Namespace:
    """The parsed arguments of `newsbot run`."""
    return argparse.Namespace(shards=shards, json=False)


async def run_until_done(emulator: DiscordEmulator, settings: Settings, shards: str | None = None) -> int:
    """Run the bot against the emulator until it fails (its exit status)."""
    with emulator.patch_discord():
        return await asyncio.wait_for(cmd_run(run_args(shards), settings), 20)


def test_a_missing_token_is_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv(TOKEN_VARIABLE, raising=False)
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    assert main(["run"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: set {TOKEN_VARIABLE} to your bot's token (README: Running on Discord)")


async def test_a_wrong_token_is_one_clear_line(discord_emulator, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(TOKEN_VARIABLE, "not-the-token")
    assert await run_until_done(discord_emulator, settings_for(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "error: Discord refused the token" in err and "Traceback" not in err


async def test_a_refused_message_content_intent_says_what_to_do(monkeypatch, capsys, tmp_path):
    emulator = DiscordEmulator(refuse_privileged_intents=True)
    emulator.add_guild()
    await emulator.start()
    try:
        monkeypatch.setenv(TOKEN_VARIABLE, emulator.token)
        assert await run_until_done(emulator, settings_for(tmp_path, ask_channels=True)) == 2
    finally:
        await emulator.stop()
    assert "Message Content intent" in capsys.readouterr().err


@pytest.mark.parametrize("shards", [None, "auto"])
async def test_the_bot_runs_until_stopped_and_answers(discord_emulator: SeededEmulator, monkeypatch, tmp_path,
                                                     shards):
    emu = discord_emulator
    monkeypatch.setenv(TOKEN_VARIABLE, emu.token)
    settings = settings_for(tmp_path, dev_guild_id=emu.guild.id)
    with emu.patch_discord():
        task = asyncio.create_task(cmd_run(run_args(shards), settings))
        await emu.wait_ready(timeout=15)
        await emu.wait_for_request("PUT", rf"/applications/\d+/guilds/{emu.guild.id}/commands", timeout=15)
        interaction = await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask", {"question": "anything?"})
        await interaction.wait_done()
        assert "no articles yet" in interaction.followups[0]["embeds"][0]["description"]
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert bool(emu.requests_to("GET", "/gateway/bot")) == (shards == "auto")


async def test_without_a_dev_server_commands_sync_globally(discord_emulator: SeededEmulator, monkeypatch, tmp_path):
    emu = discord_emulator
    monkeypatch.setenv(TOKEN_VARIABLE, emu.token)
    with emu.patch_discord():
        task = asyncio.create_task(cmd_run(run_args(), settings_for(tmp_path)))
        put = await emu.wait_for_request("PUT", r"/applications/\d+/commands", timeout=15)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert "ask" in {command["name"] for command in put.json}
    assert not emu.requests_to("PUT", r"/applications/\d+/guilds/\d+/commands")
