"""End-to-end tests driving a real discord.py commands.Bot against the local Discord emulator."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.discord_emulator import (
    DiscordEmulator,
    NonLoopbackRequest,
    SeededEmulator,
    Upload,
    loopback_trace_config,
    refuse_non_loopback,
)
from tests.discord_emulator.fixtures import discord_emulator

__all__ = ["discord_emulator"]  # the imported fixture is used by name

MESSAGES = r"/channels/\d+/messages"


class VoteView(discord.ui.View):
    """A one-button view whose click edits the message."""

    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Vote", custom_id="vote", style=discord.ButtonStyle.primary)
    async def vote(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Edit the message in place (callback type 7)."""
        await interaction.response.edit_message(content=f"voted by {interaction.user.name}", view=None)


news = app_commands.Group(name="news", description="News commands")


@news.command(name="top", description="Top stories")
async def news_top(interaction: discord.Interaction, count: int, fresh: bool = False) -> None:
    """Echo the typed options back."""
    await interaction.response.send_message(f"top {count!r} fresh={fresh!r}")


@app_commands.command(name="ping", description="Ping")
async def ping(interaction: discord.Interaction) -> None:
    """Answer immediately (callback type 4)."""
    await interaction.response.send_message("pong")


@app_commands.command(name="slow", description="Deferred answer")
async def slow(interaction: discord.Interaction, edit: bool = False) -> None:
    """Defer (type 5), then a followup or an @original edit."""
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.05)
    if edit:
        await interaction.edit_original_response(content="edited slowly")
    else:
        await interaction.followup.send("done slowly")


@app_commands.command(name="panel", description="A message with a button")
async def panel(interaction: discord.Interaction) -> None:
    """Send a message carrying VoteView."""
    await interaction.response.send_message("vote here", view=VoteView())


@app_commands.command(name="admin", description="Managers only")
@app_commands.checks.has_permissions(manage_guild=True)
async def admin(interaction: discord.Interaction) -> None:
    """Only members with MANAGE_GUILD get here."""
    await interaction.response.send_message("admin ok")


@app_commands.command(name="upload", description="Read an attached file")
async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
    """Download the attachment and describe it."""
    data = await file.read()
    await interaction.response.send_message(f"{file.filename} {file.size} {file.content_type} {data!r}")


async def on_app_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """Tell the user why the command failed, ephemerally."""
    await interaction.response.send_message(f"denied: {type(error).__name__}", ephemeral=True)


async def on_message(message: discord.Message) -> None:
    """Reply to mentions without pinging anyone; "thread" in the text opens a thread instead."""
    me = message.guild.me if message.guild else None
    if message.author.bot or me is None or me not in message.mentions:
        return
    if "thread" in message.content:
        thread = await message.create_thread(name="discussion")
        await thread.send("in thread")
        return
    await message.reply(f"hi {message.author.name}", allowed_mentions=discord.AllowedMentions.none())


def make_bot(*, message_content: bool = True) -> commands.Bot:
    """A minimal real bot: /ping, /slow, /panel, /news top, /admin and a mention reply."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    bot = commands.Bot(
        command_prefix="!", intents=intents, guild_ready_timeout=0.05, http_trace=loopback_trace_config()
    )
    for command in (ping, slow, panel, admin, news):
        bot.tree.add_command(command)
    bot.tree.error(on_app_error)
    bot.add_listener(on_message)
    return bot


async def _start(emulator: DiscordEmulator, bot: commands.Bot, token: str) -> asyncio.Task[None]:
    """Start the bot; return its task once it is ready, or raise what bot.start raised."""
    task = asyncio.create_task(bot.start(token))
    ready = asyncio.create_task(emulator.wait_ready(timeout=10))
    done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if task in done or not done:
        ready.cancel()
        await _close(bot, task)
        if not task.done():
            pytest.fail("bot neither became ready nor failed within 10 s")
        task.result()  # re-raise what bot.start raised
    await ready
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return task


async def _close(bot: commands.Bot, task: asyncio.Task[None]) -> None:
    """Close the bot and wait for its task to end."""
    await asyncio.wait_for(bot.close(), 5)
    with contextlib.suppress(asyncio.CancelledError, TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), 5)


@contextlib.asynccontextmanager
async def running(emulator: DiscordEmulator, bot: commands.Bot | None = None) -> AsyncIterator[commands.Bot]:
    """A ready bot connected to the emulator; asserts no unhandled routes were hit."""
    bot = bot or make_bot()
    with emulator.patch_discord():
        task = await _start(emulator, bot, emulator.token)
        try:
            yield bot
        finally:
            await _close(bot, task)
    assert emulator.unhandled == []


async def sync_commands(bot: commands.Bot, guild_id: int) -> None:
    """Guild sync (global commands copied) plus global sync."""
    guild = discord.Object(guild_id)
    bot.tree.copy_global_to(guild=guild)
    await asyncio.wait_for(bot.tree.sync(guild=guild), 5)
    await asyncio.wait_for(bot.tree.sync(), 5)


@pytest.fixture
async def bot(discord_emulator: SeededEmulator) -> AsyncIterator[commands.Bot]:
    """A running, synced bot."""
    async with running(discord_emulator) as started:
        await sync_commands(started, discord_emulator.guild.id)
        yield started


async def test_login_ready_and_state(discord_emulator: SeededEmulator) -> None:
    emu = discord_emulator
    async with running(emu) as bot:
        assert bot.user is not None and bot.user.id == emu.bot_user.id
        guild = bot.get_guild(emu.guild.id)
        assert guild is not None and guild.get_channel(emu.channel.id) is not None
        assert guild.me is not None and guild.get_member(emu.alice.id) is None  # no GUILD_MEMBERS intent
        assert emu.identifies == 1 and emu.identify_payloads[0]["intents"] & (1 << 15)
    me = emu.requests_to("GET", "/users/@me")[0]
    assert me.headers["Authorization"] == f"Bot {emu.token}"
    assert emu.requests_to("GET", "/oauth2/applications/@me")


async def test_command_sync_recorded(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    guild_names = {c["name"] for c in emu.synced_commands[emu.guild.id]}
    assert {"ping", "slow", "panel", "admin", "news"} <= guild_names
    assert {c["name"] for c in emu.synced_commands[None]} == guild_names
    put = await emu.wait_for_request("PUT", rf"/applications/{emu.application_id}/guilds/{emu.guild.id}/commands")
    assert put.status == 200 and any(c["name"] == "ping" for c in put.json)


async def test_ping_answered(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    interaction = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ping")).wait_done()
    assert interaction.responses[0]["type"] == 4
    assert interaction.responses[0]["data"]["content"] == "pong"
    assert interaction.original is not None and interaction.original["content"] == "pong"
    assert emu.messages[emu.channel.id][-1]["content"] == "pong"


async def test_slow_deferred_then_followup(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    interaction = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "slow")).wait_done()
    assert [r["type"] for r in interaction.responses] == [5]
    assert interaction.followups[0]["content"] == "done slowly"
    assert interaction.original is not None and interaction.original["content"] == "done slowly"


async def test_slow_deferred_then_edit_original(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    invoked = await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "slow", {"edit": True})
    interaction = await invoked.wait_done()
    assert interaction.responses[0]["type"] == 5 and interaction.edits == 1
    assert interaction.original is not None and interaction.original["content"] == "edited slowly"
    await emu.wait_for_request("PATCH", rf"/webhooks/{emu.application_id}/[^/]+/messages/@original")


async def test_subcommand_options_are_typed(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    invoked = await emu.invoke_slash(
        emu.guild, emu.channel, emu.alice, "news", {"count": 3, "fresh": True}, subcommand="top"
    )
    interaction = await invoked.wait_done()
    assert interaction.payload["data"]["options"][0]["options"] == [
        {"name": "count", "type": 4, "value": 3},
        {"name": "fresh", "type": 5, "value": True},
    ]
    assert interaction.original is not None and interaction.original["content"] == "top 3 fresh=True"
    with pytest.raises(LookupError, match="never synced"):
        await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "nope")


async def test_member_permissions_reach_checks(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    denied = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "admin")).wait_done()
    allowed = await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "admin")).wait_done()
    assert denied.responses[0]["data"]["content"] == "denied: MissingPermissions"
    assert denied.responses[0]["data"]["flags"] == 64
    assert allowed.responses[0]["data"]["content"] == "admin ok"


async def test_mention_gets_reply_without_pings(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    sent = await emu.send_message(emu.channel, emu.alice, f"<@{emu.bot_user.id}> hello", mentions=[emu.bot_user])
    request = await emu.wait_for_request("POST", rf"/channels/{emu.channel.id}/messages")
    assert int(request.json["message_reference"]["message_id"]) == int(sent["id"])
    assert request.json["allowed_mentions"]["parse"] == []
    reply = emu.messages[emu.channel.id][-1]
    assert reply["content"] == "hi alice" and reply["type"] == 19


async def test_button_click_edits_message(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    panel = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "panel")).wait_done()
    assert panel.original is not None and panel.original["components"][0]["components"][0]["custom_id"] == "vote"
    click = await (await emu.click_button(panel.original, emu.alice, "vote")).wait_done()
    assert click.responses[0]["type"] == 7
    assert panel.original["content"] == "voted by alice" and panel.original["components"] == []


async def test_thread_created_from_message(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    sent = await emu.send_message(emu.channel, emu.alice, "make a thread", mentions=[emu.bot_user])
    await emu.wait_for_request("POST", rf"/channels/{sent['id']}/messages")
    thread = emu.guild.threads[0]
    assert thread.id == int(sent["id"]) and thread.parent_id == emu.channel.id
    assert emu.messages[thread.id][0]["content"] == "in thread"
    await emu.send_message(emu.channel, emu.alice, "and again", mentions=[emu.bot_user], thread=thread)
    in_thread = rf"/channels/{thread.id}/messages"
    reply = await emu.wait_for_request("POST", in_thread, predicate=lambda r: r.json["content"] != "in thread")
    assert reply.json["content"] == "hi alice"


@pytest.mark.parametrize("global_", [False, True])
async def test_rate_limit_is_retried(discord_emulator: SeededEmulator, bot: commands.Bot, global_: bool) -> None:
    emu = discord_emulator
    emu.fail_next("POST", MESSAGES, retry_after=0.2, global_=global_)
    await emu.send_message(emu.channel, emu.alice, "hello?", mentions=[emu.bot_user])
    await emu.wait_for_request("POST", MESSAGES, predicate=lambda r: r.status == 200)
    assert [r.status for r in emu.requests_to("POST", MESSAGES)] == [429, 200]
    assert [m["content"] for m in emu.messages[emu.channel.id] if m["author"]["bot"]] == ["hi alice"]


async def test_gateway_resume(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    await emu.disconnect_gateway(code=4000)
    await emu.wait_resumed()
    assert (emu.resumes, emu.identifies) == (1, 1)
    interaction = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ping")).wait_done()
    assert interaction.original is not None and interaction.original["content"] == "pong"


async def test_wrong_token_fails_login(discord_emulator: SeededEmulator) -> None:
    bot = make_bot()
    with discord_emulator.patch_discord(), pytest.raises(discord.LoginFailure):
        await asyncio.wait_for(bot.start("not-the-token"), 10)
    await bot.close()
    assert discord_emulator.requests_to("GET", "/users/@me")[0].status == 401


async def test_privileged_intent_refused() -> None:
    emulator = DiscordEmulator(refuse_privileged_intents=True)
    emulator.add_channel(emulator.add_guild())
    await emulator.start()
    bot = make_bot(message_content=True)
    try:
        with emulator.patch_discord(), pytest.raises(discord.PrivilegedIntentsRequired):
            await asyncio.wait_for(bot.start(emulator.token), 10)
    finally:
        await bot.close()
        await emulator.stop()
    assert emulator.identifies == 0


class _NoDns(aiohttp.abc.AbstractResolver):
    """A resolver that fails the test if any name resolution is attempted."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list:
        raise AssertionError(f"tried to resolve {host}")

    async def close(self) -> None:
        return None


async def test_non_loopback_requests_are_refused() -> None:
    with refuse_non_loopback() as refused:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=_NoDns())) as session:
            with pytest.raises(NonLoopbackRequest):
                await session.get("http://example.com/")
    assert refused == ["http://example.com/"]
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(resolver=_NoDns()), trace_configs=[loopback_trace_config()]
    ) as session:
        with pytest.raises(NonLoopbackRequest):
            await session.get("https://discord.com/api/v10/users/@me")


async def test_reaction_event_reaches_bot(discord_emulator: SeededEmulator, bot: commands.Bot) -> None:
    emu = discord_emulator
    sent = await emu.send_message(emu.channel, emu.alice, "react to me")
    waiting = asyncio.create_task(bot.wait_for("raw_reaction_add", timeout=5))
    await asyncio.sleep(0)
    await emu.add_reaction_event(sent, emu.alice, "👍")
    event = await waiting
    assert (event.message_id, event.user_id, str(event.emoji)) == (int(sent["id"]), emu.alice.id, "👍")


async def test_attachment_option_is_resolved_and_downloadable(discord_emulator: SeededEmulator) -> None:
    emu = discord_emulator
    bot = make_bot()
    bot.tree.add_command(upload)
    async with running(emu, bot):
        await sync_commands(bot, emu.guild.id)
        sent = Upload(filename="news 1.jsonl", data=b'{"a": 1}\n\x00', content_type="application/json")
        invoked = await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "upload", {"file": sent})
        interaction = await invoked.wait_done()
        with pytest.raises(TypeError, match="type 11"):
            await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "upload", {"file": "news.jsonl"})
    option = interaction.payload["data"]["options"][0]
    attachment = interaction.payload["data"]["resolved"]["attachments"][option["value"]]
    assert option["name"] == "file" and option["type"] == 11
    assert attachment["size"] == 10 and attachment["url"].startswith(f"http://127.0.0.1:{emu.port}/attachments/")
    assert interaction.original is not None
    assert interaction.original["content"] == "news 1.jsonl 10 application/json " + repr(sent.data)
    download = emu.requests_to("GET", rf"/attachments/{emu.channel.id}/{option['value']}/news 1.jsonl")
    assert [r.status for r in download] == [200]


async def test_direct_messages_reach_the_bot_and_its_replies_are_recorded(
    discord_emulator: SeededEmulator, bot: commands.Bot
) -> None:
    emu = discord_emulator
    dm = emu.add_dm(emu.alice)
    assert emu.add_dm(emu.alice.user) is dm and dm.type == 1
    waiting = asyncio.create_task(bot.wait_for("message", timeout=5))
    await asyncio.sleep(0)
    sent = await emu.send_message(dm, emu.alice, "hello in private")
    message = await waiting
    assert message.guild is None and isinstance(message.channel, discord.DMChannel)
    assert (message.id, message.author.id, message.content) == (int(sent["id"]), emu.alice.id, "hello in private")
    await message.reply("private hi", allowed_mentions=discord.AllowedMentions.none())
    assert emu.messages[dm.id][-1]["content"] == "private hi"
    reply = emu.requests_to("POST", rf"/channels/{dm.id}/messages")[0]
    assert "guild_id" not in reply.json["message_reference"]
    opened = await bot.create_dm(discord.Object(emu.admin.id))
    assert opened.id == emu.add_dm(emu.admin).id and opened.recipient is not None
    assert opened.recipient.name == "admin"
    await opened.send("hello admin")
    assert emu.messages[opened.id][-1]["content"] == "hello admin"


async def test_a_forum_post_starts_with_its_message(discord_emulator: SeededEmulator) -> None:
    emu = discord_emulator
    forum = emu.add_forum(emu.guild, name="news")
    async with running(emu) as started:
        channel = started.get_channel(forum.id)
        assert isinstance(channel, discord.ForumChannel)
        created = await channel.create_thread(name="Storm at the harbour", content="first message")
        assert created.thread.parent_id == forum.id and created.message.id == created.thread.id
        [post] = emu.guild.threads
        assert post.name == "Storm at the harbour" and emu.messages[post.id][0]["content"] == "first message"
        await created.thread.send("second message")
        assert [m["content"] for m in emu.messages[post.id]] == ["first message", "second message"]
        with pytest.raises(discord.HTTPException, match="empty message"):
            await started.http.start_thread_in_forum(forum.id, params=discord.http.MultipartParameters(
                payload={"name": "no message", "message": {}}, multipart=None, files=None))
