"""The real NewsBot (real discord.py, real library) driven end to end through the Discord emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.client import NewsBot
from bot.config import DiscordSettings, EmbeddingSettings, Settings
from bot.state import BotState
from index import AnswerPolicy, EngineSettings, Library
from index.embedder import HashingEmbedder
from tests.discord_emulator import SeededEmulator, loopback_trace_config
from tests.discord_emulator.fixtures import discord_emulator

__all__ = ["discord_emulator"]  # the imported fixture is used by name

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
POLICY = AnswerPolicy(min_confidence=0.0, min_similarity=0.1, min_similarity_without_terms=0.5)
ADMIN_COMMANDS = {"ingest", "stats", "settings", "feed"}


def settings_for(data_dir: Path, guild_id: int, engine: EngineSettings | None = None,
                 **discord_options: object) -> Settings:
    """Settings for a test bot: hashing embedder, commands synced to the test server."""
    options = {"dev_guild_id": guild_id, "ask_channels": True, "cooldown_questions": 20} | discord_options
    return Settings(data_dir=data_dir, embedding=EmbeddingSettings(model="hashing"),
                    engine=engine or EngineSettings(policy=POLICY), discord=DiscordSettings(**options))


@contextlib.asynccontextmanager
async def running_bot(emulator: SeededEmulator, data_dir: Path, engine: EngineSettings | None = None,
                      state_url: str = "", **discord_options: object) -> AsyncIterator[NewsBot]:
    """A ready NewsBot over a library holding the examples, its commands synced, its state at `state_url` if given."""
    settings = settings_for(data_dir, emulator.guild.id, engine, **discord_options)
    library = await Library.open(data_dir, HashingEmbedder(), settings.engine)
    await library.ingest_files([EXAMPLES])
    state = await BotState.open(data_dir, state_url)
    bot = NewsBot(settings, library, state, guild_ready_timeout=0.05, http_trace=loopback_trace_config())
    with emulator.patch_discord():
        task = asyncio.create_task(bot.start(emulator.token))
        try:
            await emulator.wait_ready(timeout=10)
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            await emulator.wait_for_request("PUT", rf"/applications/\d+/guilds/{emulator.guild.id}/commands")
            yield bot
        finally:
            await asyncio.wait_for(bot.close(), 5)
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 5)
            await state.close()
            await library.close()
    assert emulator.unhandled == []
    assert all(_no_pings(request.json) for request in emulator.requests if request.method in {"POST", "PATCH"})


def _no_pings(body: object) -> bool:
    """Every message the bot sends carries allowed_mentions that ping no one."""
    if not isinstance(body, dict) or not ({"content", "embeds"} & set(body) or "data" in body):
        return True
    message = body.get("data", body) if body.get("type") in {4, 7} else body
    if not isinstance(message, dict) or not ({"content", "embeds"} & set(message)):
        return True
    return message.get("allowed_mentions", {}).get("parse") == []


@pytest.fixture
async def newsbot(discord_emulator: SeededEmulator, tmp_path: Path) -> AsyncIterator[NewsBot]:
    """The running bot."""
    async with running_bot(discord_emulator, tmp_path) as bot:
        yield bot


async def slash(emu: SeededEmulator, member, name: str, options: dict | None = None, **kwargs: str):
    """Invoke a slash command in the test channel and wait for its visible answer."""
    invoked = await emu.invoke_slash(emu.guild, emu.channel, member, name, options or {}, **kwargs)
    return await invoked.wait_done()


def embed_of(message: dict) -> dict:
    """The first embed of a message payload."""
    return message["embeds"][0]


async def test_commands_are_synced_with_descriptions_and_admin_permissions(discord_emulator, newsbot):
    commands = {c["name"]: c for c in discord_emulator.synced_commands[discord_emulator.guild.id]}
    assert set(commands) == {"ask", "summary", "timeline", "sources", "article", "follow"} | ADMIN_COMMANDS
    assert all(c["description"] for c in commands.values())
    assert commands["ask"]["options"][0]["name"] == "question" and commands["ask"]["options"][0]["required"]
    assert commands["ask"]["options"][0]["max_length"] == 1000
    for name in ADMIN_COMMANDS:
        assert int(commands[name]["default_member_permissions"]) == 1 << 5
    assert commands["ask"]["default_member_permissions"] is None
    assert commands["follow"]["default_member_permissions"] is None  # anyone may follow for their own DMs
    groups = {option["name"] for option in commands["settings"]["options"]}
    assert groups == {"ask-channel", "reply-in-thread"}


async def test_ask_is_deferred_then_answered_with_a_cited_quote(discord_emulator, newsbot):
    emu = discord_emulator
    interaction = await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                         {"question": "How many drones did Russia launch overnight?"})
    await interaction.wait_done()
    assert interaction.responses[0]["type"] == 5
    embed = embed_of(interaction.followups[0])
    assert "all 16 explosive" in embed["description"] and "**[1]**" in embed["description"]
    assert "[1] [Ukraine downs all 16 overnight drones" in embed["fields"][0]["value"]
    assert "(<https://example.com/demo/2022/12/30/drones-and-shelling>)" in embed["fields"][0]["value"]
    buttons = interaction.followups[0]["components"][0]["components"]
    assert [b["custom_id"].split(":")[1] for b in buttons] == ["up", "down"]


async def test_feedback_click_is_stored(discord_emulator, newsbot):
    emu = discord_emulator
    interaction = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                                {"question": "Who is Igor Konashenkov?"})).wait_done()
    message = interaction.original
    up = message["components"][0]["components"][0]["custom_id"]
    click = await (await emu.click_button(message, emu.alice, up)).wait_done()
    assert click.responses[0]["data"]["flags"] & 64  # ephemeral thanks
    usage = await newsbot.library.usage(scope=str(emu.guild.id))
    assert (usage.questions, usage.helpful, usage.unhelpful) == (1, 1, 0)


async def test_unanswerable_question_gets_a_friendly_abstention(discord_emulator, newsbot):
    emu = discord_emulator
    interaction = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                                {"question": "Who won the football World Cup?"})).wait_done()
    description = embed_of(interaction.followups[0])["description"]
    assert "won't guess" in description and "4 articles from 2022-12-29 to 2022-12-30" in description


async def test_mention_opens_a_thread_and_follow_ups_use_the_question_as_context(discord_emulator, newsbot):
    emu = discord_emulator
    sent = await emu.send_message(emu.channel, emu.alice, f"<@{emu.bot_user.id}> What did Konashenkov claim?",
                                  mentions=[emu.bot_user])
    await emu.wait_for_request("POST", r"/channels/\d+/messages/\d+/threads")
    thread = emu.guild.threads[0]
    assert thread.id == int(sent["id"])
    await emu.wait_for_request("POST", rf"/channels/{thread.id}/messages")
    assert "Konashenkov" in embed_of(emu.messages[thread.id][-1])["description"]
    reactions = emu.requests_to("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me")
    assert reactions, "a thinking reaction shows while the bot works"
    await emu.send_message(emu.channel, emu.alice, "and what about the railways?", thread=thread)
    await emu.wait_for_request("POST", rf"/channels/{thread.id}/messages",
                               predicate=lambda r: "railways" in str(r.json))
    assert "railways" in embed_of(emu.messages[thread.id][-1])["description"]


async def test_ask_channel_answers_without_a_mention_once_an_admin_adds_it(discord_emulator, newsbot):
    emu = discord_emulator
    added = await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "settings", {},
                                          group="ask-channel", subcommand="add")).wait_done()
    assert "answer every message" in added.responses[0]["data"]["content"]
    off = await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "settings", {"mode": "off"},
                                        subcommand="reply-in-thread")).wait_done()
    assert "off" in off.responses[0]["data"]["content"]
    await emu.send_message(emu.channel, emu.alice, "Where did Putin invite Xi to visit?")
    reply = await emu.wait_for_request("POST", rf"/channels/{emu.channel.id}/messages",
                                       predicate=lambda r: bool(r.json.get("embeds")))
    assert reply.json["message_reference"]["message_id"]
    assert "Moscow" in reply.json["embeds"][0]["description"]


async def test_admin_commands_are_refused_without_manage_server(discord_emulator, newsbot):
    emu = discord_emulator
    for name, options, kwargs in [("stats", {}, {}), ("settings", {}, {"group": "ask-channel", "subcommand": "list"})]:
        invoked = await emu.invoke_slash(emu.guild, emu.channel, emu.alice, name, options, **kwargs)
        refused = await invoked.wait_done()
        data = refused.responses[0]["data"]
        assert "Manage Server" in data["content"] and data["flags"] & 64
    allowed = await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "stats")).wait_done()
    fields = {f["name"]: f["value"] for f in allowed.responses[0]["data"]["embeds"][0]["fields"]}
    assert fields["Articles"] == "4"


async def test_cooldown_answers_politely_and_privately(discord_emulator, tmp_path):
    emu = discord_emulator
    async with running_bot(emu, tmp_path, cooldown_questions=2, cooldown_seconds=60):
        for _ in range(2):
            await slash(emu, emu.alice, "ask", {"question": "drones?"})
        third = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                              {"question": "drones?"})).wait_done()
        data = third.responses[0]["data"]
        assert third.responses[0]["type"] == 4 and data["flags"] & 64 and "wait" in data["content"]
        other = await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "ask",
                                              {"question": "drones?"})).wait_done()
        assert other.responses[0]["type"] == 5


async def test_summary_timeline_sources_and_article(discord_emulator, newsbot):
    emu = discord_emulator
    summary = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "summary",
                                            {"since": "2022-12-30"})).wait_done()
    embed = embed_of(summary.followups[0])
    assert "Putin" in embed["description"] and "**[1]**" in embed["description"]
    assert embed["title"] == "The news · since 2022-12-30" and "2022-12-29" not in embed["fields"][0]["value"]
    timeline = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "timeline",
                                             {"topic": "missiles"})).wait_done()
    assert embed_of(timeline.followups[0])["description"].startswith("**2022-12-29 (on Thursday)**\n> Russia fired")
    sources = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "sources")).wait_done()
    listing = sources.responses[0]["data"]
    assert "Page 1 of 1 · 4 articles" in listing["embeds"][0]["footer"]["text"]
    article_id = "https://example.com/demo/2022/12/30/power-grid"
    article = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "article",
                                            {"id": article_id})).wait_done()
    assert "Ukrenergo" in article.responses[0]["data"]["embeds"][0]["description"]


async def test_everyone_in_a_question_pings_no_one(discord_emulator, newsbot):
    emu = discord_emulator
    await emu.send_message(emu.channel, emu.alice, f"<@{emu.bot_user.id}> @everyone how many drones?",
                           mentions=[emu.bot_user])
    reply = await emu.wait_for_request("POST", r"/channels/\d+/messages", predicate=lambda r: "embeds" in r.json)
    assert reply.json["allowed_mentions"] == {"parse": []}


async def test_a_rate_limit_and_a_gateway_disconnect_are_survived(discord_emulator, newsbot):
    emu = discord_emulator
    emu.fail_next("POST", r"/webhooks/\d+/.+", status=429, retry_after=0.2)
    answered = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                             {"question": "What did Ukrenergo say?"})).wait_done()
    assert answered.followups and len(emu.requests_to("POST", r"/webhooks/\d+/.+")) == 2
    await emu.disconnect_gateway()
    await emu.wait_resumed(timeout=10)
    assert (emu.identifies, emu.resumes) == (1, 1)
    again = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                          {"question": "What did Ukrenergo say?"})).wait_done()
    assert again.followups


async def test_failures_are_one_short_line_with_a_reference_that_the_log_has(discord_emulator, newsbot, caplog,
                                                                             monkeypatch):
    emu = discord_emulator

    async def broken_ask(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(newsbot.library, "ask", broken_ask)
    failed = await slash(emu, emu.alice, "ask", {"question": "How many drones?"})
    text = failed.followups[0]["content"]
    assert text.startswith("Something went wrong on my side (ref `") and failed.followups[0]["flags"] & 64
    reference = text.split("`")[1]
    assert "disk on fire" not in text and any(reference in r.getMessage() for r in caplog.records)
    await emu.send_message(emu.channel, emu.alice, f"<@{emu.bot_user.id}> drones?", mentions=[emu.bot_user])
    reply = await emu.wait_for_request("POST", r"/channels/\d+/messages",
                                       predicate=lambda r: "went wrong" in str(r.json.get("content")))
    assert "Traceback" not in reply.json["content"]


async def test_an_answer_of_very_long_sentences_stays_within_the_embed_limits(discord_emulator, tmp_path):
    emu = discord_emulator
    long_sentence = "The council debated the harbour budget " + "and the harbour repairs " * 110 + "until dawn."
    article = tmp_path / "long.md"
    article.write_text("---\ntitle: Harbour budget marathon\n---\n" + " ".join([long_sentence] * 3) + "\n")
    async with running_bot(emu, tmp_path / "data") as bot:
        await bot.library.ingest_files([article])
        answered = await slash(emu, emu.alice, "ask", {"question": "What did the council debate about the harbour?"})
        embed = embed_of(answered.followups[0])
        assert len(long_sentence) > 2000 and len(embed["description"]) <= 4096
        assert embed["description"].count("**[") == 1  # a second whole sentence would not fit: left out


async def test_a_question_with_no_words_gets_a_private_note(discord_emulator, newsbot):
    emu = discord_emulator
    refused = await slash(emu, emu.alice, "ask", {"question": "?!?! ..."})
    note = refused.followups[0]
    assert note["flags"] & 64 and "no words to search for" in note["content"]
    assert emu.requests_to("DELETE", r"/webhooks/\d+/.+/messages/@original")


async def test_ingest_needs_a_url_or_a_file_and_refuses_private_addresses(discord_emulator, newsbot):
    emu = discord_emulator
    neither = await slash(emu, emu.admin, "ingest")
    assert "either a `url` or a `file`" in neither.responses[0]["data"]["content"]
    private = await slash(emu, emu.admin, "ingest", {"url": "http://127.0.0.1:9/secret.html"})
    note = private.followups[0]
    assert note["flags"] & 64 and "refusing to fetch from 127.0.0.1, a loopback address" in note["content"]
    assert (await newsbot.library.stats(scope=str(emu.guild.id))).articles == 4


async def test_sources_pages_turn_with_buttons_for_the_asker_only(discord_emulator, tmp_path):
    emu = discord_emulator
    briefs = tmp_path / "briefs.jsonl"
    briefs.write_text("".join(
        f'{{"id": "brief-{n}", "title": "Council brief {n}", "published": "2023-01-{n + 1:02d}",'
        f' "text": "The council met for the {n}th time."}}\n' for n in range(12)))
    async with running_bot(emu, tmp_path / "data") as bot:
        await bot.library.ingest_files([briefs])
        listing = await slash(emu, emu.alice, "sources")
        message = listing.original
        assert "Page 1 of 2 · 16 articles" in message["embeds"][0]["footer"]["text"]
        next_id = message["components"][0]["components"][1]["custom_id"]
        stranger = await (await emu.click_button(message, emu.admin, next_id)).wait_done()
        assert stranger.responses[0]["data"]["flags"] & 64
        turned = await (await emu.click_button(message, emu.alice, next_id)).wait_done()
        page = turned.responses[0]
        assert page["type"] == 7 and "Page 2 of 2" in page["data"]["embeds"][0]["footer"]["text"]
        assert page["data"]["components"][0]["components"][1]["disabled"] is True
