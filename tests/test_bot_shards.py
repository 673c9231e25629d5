"""`newsbot run --shard-count N --shard-ids ...`: one bot process per group of Discord shards, each telling the alerts
of its own shards' servers and leaving the others' pending, never dropping them; direct messages go from shard 0's."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.alerting import TargetPlan, Window
from bot.alerts import out_of_sight, post_target, process_shards
from bot.cli import TOKEN_VARIABLE, cmd_run, main
from bot.client import NewsBot, ShardedNewsBot, bot_class
from bot.config import DiscordSettings, EmbeddingSettings, Settings
from bot.state import BotState
from index import Alert, Library, Shards
from index.embedder import HashingEmbedder
from tests.discord_emulator import DiscordEmulator
from tests.discord_emulator.fixtures import guild_on_shard
from tests.test_bot_follows import TOPIC, engine, story

SHARDS = 2


def settings_for(data_dir: Path) -> Settings:
    """A hashing-embedder library whose follows the test stories alert."""
    return Settings(data_dir=data_dir, embedding=EmbeddingSettings(model="hashing"), engine=engine(),
                    discord=DiscordSettings())


def untold(data_dir: Path) -> list[str]:
    """The targets of the alerts not yet told, oldest first, read as another process would."""
    with closing(sqlite3.connect(data_dir / "newsbot.db")) as db:
        return [target for (target,) in db.execute(
            "SELECT follows.target FROM alerts JOIN follows ON follows.id = alerts.follow_id"
            " WHERE alerts.delivered_at IS NULL ORDER BY alerts.id")]


async def eventually(check: Callable[[], bool], timeout: float = 20) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running(emulator: DiscordEmulator, settings: Settings, shard: int,
                  monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """`newsbot run --shard-count 2 --shard-ids <shard>` against a Discord as that shard's connection sees it."""
    monkeypatch.setenv(TOKEN_VARIABLE, emulator.token)
    args = argparse.Namespace(shards=None, shard_count=SHARDS, shard_ids=frozenset({shard}), json=False)
    with emulator.patch_discord():
        task = asyncio.create_task(cmd_run(args, settings))
        try:
            await emulator.wait_ready(timeout=15)
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_each_shards_process_tells_its_own_alerts_and_drops_none_of_the_others(tmp_path, monkeypatch, caplog):
    # Discord sends a shard's connection only that shard's servers: each process has a world of its own.
    first, second = DiscordEmulator(), DiscordEmulator()
    guild_a, guild_b = guild_on_shard(first, 0, SHARDS), guild_on_shard(second, 1, SHARDS)
    channel_a, channel_b = first.add_channel(guild_a, name="news"), second.add_channel(guild_b, name="news")
    reader = first.add_member(guild_a, name="reader")
    settings = settings_for(tmp_path / "data")
    library = await Library.open(settings.data_dir, HashingEmbedder(), settings.engine)
    try:
        await library.follows.follow(TOPIC, str(guild_a.id), f"channel:{channel_a.id}")
        await library.follows.follow(TOPIC, str(guild_b.id), f"channel:{channel_b.id}")
        await library.follows.follow(TOPIC, str(guild_b.id), f"user:{reader.id}")  # followed in shard 1's server
        assert len((await library.ingest_articles([story(0)])).alerts) == 3
    finally:
        await library.close()
    await first.start()
    await second.start()
    try:
        async with running(second, settings, 1, monkeypatch):
            await second.wait_for_request("POST", rf"/channels/{channel_b.id}/messages", timeout=20)
            await eventually(lambda: f"channel:{channel_b.id}" not in untold(settings.data_dir))
        # Shard 0's server's channel alert was first in that round: left for its process, as the direct message.
        assert untold(settings.data_dir) == [f"channel:{channel_a.id}", f"user:{reader.id}"]
        assert not second.requests_to("POST", r"/users/@me/channels")
        async with running(first, settings, 0, monkeypatch):
            await eventually(lambda: untold(settings.data_dir) == [])
        assert "Kelby" in first.messages[channel_a.id][0]["content"]
        assert first.requests_to("POST", r"/users/@me/channels")
    finally:
        await first.stop()
        await second.stop()
    assert [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()] == []


def alert(alert_id: int, scope: str, target: str) -> Alert:
    return Alert(alert_id, 1, TOPIC, target, scope, "storm", "Storm", None, None, None, "A storm.", "2030-05-01")


async def test_a_channel_out_of_sight_is_dropped_only_when_its_server_is_on_the_process_shards(tmp_path):
    settings = settings_for(tmp_path)
    library = await Library.open(tmp_path, HashingEmbedder(), settings.engine)
    state = await BotState.open(tmp_path)
    try:
        kind, options = bot_class(Shards(frozenset({1}), SHARDS))
        newsbot = kind(settings, library, state, **options)
        assert process_shards(newsbot) == Shards(frozenset({1}), SHARDS)
        theirs, ours = str(2 << 22), str(3 << 22)  # servers on shards 0 and 1
        window = Window(0)
        kept = await post_target(newsbot, "channel:5", TargetPlan([], [alert(1, theirs, "channel:5")], window), 5)
        assert kept == ([], None)  # not this process's to judge: still pending, its hour untouched
        dropped = await post_target(newsbot, "channel:6", TargetPlan([], [alert(2, ours, "channel:6")], window), 5)
        assert dropped == ([2], window)  # a channel of its own servers that it cannot see is gone
        assert out_of_sight(newsbot, "channel:5", [alert(1, theirs, "channel:5")])
        assert not out_of_sight(newsbot, "user:5", [alert(1, theirs, "user:5")])  # a user is no server's
        everything = kind(settings, library, state, shard_count=SHARDS, shard_ids=[0, 1])
        assert process_shards(everything) is None and process_shards(NewsBot(settings, library, state)) is None
    finally:
        await state.close()
        await library.close()


def test_the_bot_class_and_its_shards_for_each_way_of_running():
    assert bot_class(None) == (NewsBot, {})
    assert bot_class("auto") == (ShardedNewsBot, {})
    assert bot_class(Shards(frozenset({2, 0}), 4)) == (ShardedNewsBot, {"shard_count": 4, "shard_ids": [0, 2]})


@pytest.mark.parametrize(("flags", "message"), [
    (["--shard-count", "2", "--shard-ids", "0,2"], "error: shard ids go from 0 to 1 with 2 shards, so not 2"),
    (["--shard-count", "0"], "error: the shard count is at least 1, not 0"),
    (["--shard-ids", "1"], "error: --shard-ids needs --shard-count, the number of shards of all the bot's processes"),
    (["--shards", "auto", "--shard-count", "2"],
     "error: --shards auto lets Discord choose the shards: leave out --shard-count and --shard-ids"),
])
def test_shard_flags_that_cannot_work_are_one_clear_line(flags, message, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(TOKEN_VARIABLE, "a-token")
    assert main(["run", *flags]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_shard_ids_are_numbers(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit):
        main(["run", "--shard-count", "2", "--shard-ids", "zero"])
    assert "argument --shard-ids: shard numbers separated by commas, such as 0,2, not 'zero'" in capsys.readouterr().err
