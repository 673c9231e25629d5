"""The real NewsBot through the Discord emulator: /ingest uploads, per-server libraries, and questions by DM."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import discord

from bot.client import NewsBot
from index import EngineSettings
from index.settings import WebSettings
from tests.discord_emulator import Interaction, Member, SeededEmulator, Upload
from tests.discord_emulator.fixtures import discord_emulator
from tests.discord_emulator.models import Channel, Guild
from tests.feed_site import build_feed_site
from tests.local_site import serve
from tests.test_bot import POLICY, running_bot

__all__ = ["discord_emulator"]  # the imported fixture is used by name

EPHEMERAL = 1 << 6
CRANE_URL = "https://example.com/invented/2023/03/14/harbour-crane"
# Invented news, written for this test.
ARTICLES = [
    {
        "title": "Container crane collapses at Port Elmsworth harbour",
        "published": "2023-03-14",
        "source": "Invented Coast Gazette",
        "url": CRANE_URL,
        "text": "A container crane collapsed onto the north quay of Port Elmsworth harbour on Tuesday morning. "
                "Harbour master Delia Marsh said a gust of wind had torn the crane from its rails. "
                "Nobody was hurt because the quay had been cleared an hour earlier.",
    },
    {
        "title": "Elmsworth ferries move to the south quay",
        "published": "2023-03-15",
        "source": "Invented Coast Gazette",
        "url": "https://example.com/invented/2023/03/15/ferries-south-quay",
        "text": "Ferries to the Elmsworth islands sailed from the south quay on Wednesday. "
                "The operator said crossings will run every forty minutes until the north quay reopens.",
    },
]
CRANE_QUESTION = "What tore the container crane from its rails at Port Elmsworth harbour?"
DRONES_QUESTION = "How many drones did Russia launch overnight?"


def articles_upload() -> Upload:
    """The two invented articles as a JSONL upload."""
    data = "\n".join(json.dumps(article) for article in ARTICLES).encode()
    return Upload(filename="news.jsonl", data=data, content_type="application/json")


async def ingest(emu: SeededEmulator, member: Member, upload: Upload) -> Interaction:
    """/ingest file: in the seeded server's channel, answered."""
    invoked = await emu.invoke_slash(emu.guild, emu.channel, member, "ingest", {"file": upload})
    return await invoked.wait_done()


def reply_text(interaction: Interaction) -> tuple[str, int]:
    """The visible answer's content and flags (an immediate response, or the filled deferred original)."""
    message = interaction.original
    assert message is not None, interaction.responses
    return message["content"], message["flags"]


async def sync_to(bot: NewsBot, guild_id: int) -> None:
    """Sync the bot's commands to one more server, as setup_hook does for the dev server."""
    guild = discord.Object(id=guild_id)
    bot.tree.copy_global_to(guild=guild)
    await asyncio.wait_for(bot.tree.sync(guild=guild), 5)


def second_server(emu: SeededEmulator) -> tuple[Guild, Channel, Member]:
    """Another server the bot is in, with a channel and a member of its own."""
    other = emu.add_guild(name="Other Server")
    return other, emu.add_channel(other, name="lobby"), emu.add_member(other, name="bob")


async def test_ingested_file_is_quoted_in_its_server_only(discord_emulator: SeededEmulator, tmp_path: Path) -> None:
    emu = discord_emulator
    other, other_channel, bob = second_server(emu)
    async with running_bot(emu, tmp_path) as bot:
        await sync_to(bot, other.id)
        added = await ingest(emu, emu.admin, articles_upload())
        content, flags = reply_text(added)
        assert added.responses[0]["type"] == 5 and flags & EPHEMERAL
        assert "2 new" in content
        assert emu.requests_to("GET", rf"/attachments/{emu.channel.id}/\d+/news\.jsonl")[0].status == 200
        here = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                             {"question": CRANE_QUESTION})).wait_done()
        embed = here.followups[0]["embeds"][0]
        # The sentence that says what tore it (the pair reader's choice; the first stage alone quoted the collapse).
        assert "> Harbour master Delia Marsh said a gust of wind had torn the crane" in embed["description"]
        assert CRANE_URL in embed["fields"][0]["value"]
        there = await (await emu.invoke_slash(other, other_channel, bob, "ask",
                                              {"question": CRANE_QUESTION})).wait_done()
        shown = json.dumps(there.followups[0]["embeds"]).replace(CRANE_QUESTION, "")  # the question may be echoed
        assert "Elmsworth" not in shown and "example.com/invented" not in shown
        assert (await bot.library.stats(scope=str(other.id))).articles == 4


async def test_a_file_that_is_not_an_article_is_reported_and_changes_nothing(
    discord_emulator: SeededEmulator, tmp_path: Path
) -> None:
    emu = discord_emulator
    photo = Upload(filename="photo.txt", data=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
                   content_type="text/plain")
    async with running_bot(emu, tmp_path) as bot:
        scope = str(emu.guild.id)
        before = await bot.library.stats(scope=scope)
        reported = await ingest(emu, emu.admin, photo)
        content, flags = reply_text(reported)
        assert flags & EPHEMERAL
        problems = [line for line in content.splitlines() if "photo.txt" in line]
        assert len(problems) == 1 and "binary" in problems[0]
        assert str(tmp_path) not in content and "/tmp" not in content
        after = await bot.library.stats(scope=scope)
        assert (after.articles, after.sentences) == (before.articles, before.sentences)


async def test_ingest_is_refused_without_manage_server(discord_emulator: SeededEmulator, tmp_path: Path) -> None:
    emu = discord_emulator
    async with running_bot(emu, tmp_path) as bot:
        refused = await ingest(emu, emu.alice, articles_upload())
        data = refused.responses[0]["data"]
        assert refused.responses[0]["type"] == 4 and data["flags"] & EPHEMERAL
        assert "Manage Server" in data["content"]
        assert emu.requests_to("GET", r"/attachments/.+") == []
        assert (await bot.library.stats(scope=str(emu.guild.id))).articles == 4


async def ask_by_dm(emu: SeededEmulator, bot: NewsBot, question: str) -> tuple[discord.Message, dict]:
    """Send a DM to the bot; the message as the bot saw it, and the bot's first message in the DM."""
    dm = emu.add_dm(emu.alice)
    seen = asyncio.create_task(bot.wait_for("message", check=lambda m: m.author.id == emu.alice.id, timeout=5))
    await asyncio.sleep(0)
    await emu.send_message(dm, emu.alice, question)
    reply = await emu.wait_for_request("POST", rf"/channels/{dm.id}/messages")
    return await seen, reply.json


async def test_a_question_by_dm_is_answered_from_the_operators_library(
    discord_emulator: SeededEmulator, tmp_path: Path
) -> None:
    emu = discord_emulator
    async with running_bot(emu, tmp_path) as bot:
        await ingest(emu, emu.admin, articles_upload())
        message, reply = await ask_by_dm(emu, bot, DRONES_QUESTION)
        assert message.guild is None and isinstance(message.channel, discord.DMChannel)
        assert "all 16 explosive" in reply["embeds"][0]["description"]
        assert int(reply["message_reference"]["message_id"]) == message.id
        _, crane = await ask_by_dm(emu, bot, CRANE_QUESTION)
        shown = json.dumps(crane).replace(CRANE_QUESTION, "")  # the question may be echoed
        assert "Elmsworth" not in shown  # a server's uploads stay in that server


async def test_a_question_by_dm_is_declined_politely_when_dms_are_off(
    discord_emulator: SeededEmulator, tmp_path: Path
) -> None:
    emu = discord_emulator
    async with running_bot(emu, tmp_path, answer_dms=False) as bot:
        message, reply = await ask_by_dm(emu, bot, DRONES_QUESTION)
        assert message.guild is None
        assert reply["content"] == "I only answer questions in servers." and not reply.get("embeds")
        assert emu.requests_to("PUT", r"/channels/\d+/messages/\d+/reactions/.+") == []


async def test_ingest_url_takes_web_addresses_only_and_never_reads_a_host_file(
    discord_emulator: SeededEmulator, tmp_path: Path, monkeypatch
) -> None:
    emu = discord_emulator
    secret = "The vault password is swordfish-tangerine-42."
    private = tmp_path / "private"
    private.mkdir()
    (private / "secret.md").write_text(f"# Vault notes\n\n{secret} Nobody else may read it.\n")
    monkeypatch.chdir(private)
    monkeypatch.setenv("HOME", str(private))
    given = [str(private), str(private / "secret.md"), f"file://{private / 'secret.md'}", "~/secret.md",
             "secret.md", "./", str(tmp_path / "missing.md")]
    async with running_bot(emu, tmp_path / "data") as bot:
        scope = str(emu.guild.id)
        before = await bot.library.stats(scope=scope)
        refused = [await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "ingest",
                                                 {"url": url})).wait_done() for url in given]
        after = await bot.library.stats(scope=scope)
        assert (after.articles, after.sentences) == (before.articles, before.sentences)
        asked = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                              {"question": "What is the vault password?"})).wait_done()
        assert "swordfish" not in json.dumps(asked.followups)
        # At once, privately, and one reply for every path, existing or not: it tells nothing of the host's files.
        assert all(r.responses[0]["type"] == 4 and reply_text(r)[1] & EPHEMERAL for r in refused)
        assert {reply_text(r)[0] for r in refused} == {
            "`url` takes the address of a web page, starting with http:// or https://."}


async def test_a_feedback_click_on_another_servers_question_is_not_stored(
    discord_emulator: SeededEmulator, tmp_path: Path
) -> None:
    emu = discord_emulator
    other, other_channel, bob = second_server(emu)
    async with running_bot(emu, tmp_path) as bot:
        await sync_to(bot, other.id)
        here = await (await emu.invoke_slash(emu.guild, emu.channel, emu.alice, "ask",
                                             {"question": DRONES_QUESTION})).wait_done()
        question_id = here.original["components"][0]["components"][0]["custom_id"].split(":")[2]
        there = await (await emu.invoke_slash(other, other_channel, bob, "ask",
                                              {"question": DRONES_QUESTION})).wait_done()
        # A forged click: the 👎 under the other server's answer made to name the first server's question.
        forged = f"feedback:down:{question_id}"
        emu.store.get(int(there.original["id"]))["components"][0]["components"][1]["custom_id"] = forged
        crafted = await (await emu.click_button(there.original, bob, forged)).wait_done()
        assert crafted.responses[0]["data"]["content"] == "That answer is too old to rate."
        for scope in (str(emu.guild.id), str(other.id)):
            usage = await bot.library.usage(scope=scope)
            assert (usage.helpful, usage.unhelpful) == (0, 0)
        own = there.original["components"][0]["components"][0]["custom_id"]
        assert (await (await emu.click_button(there.original, bob, own)).wait_done()).responses[0]["data"][
            "content"] == "Thanks, noted."
        assert (await bot.library.usage(scope=str(other.id))).helpful == 1


async def test_ingest_url_reads_a_web_page_and_names_a_feed_for_feed_add(
    discord_emulator: SeededEmulator, tmp_path: Path
) -> None:
    emu = discord_emulator
    intranet = EngineSettings(policy=POLICY, web=WebSettings(allow_private_addresses=True, timeout_seconds=2.0))
    async with serve(build_feed_site()) as base, running_bot(emu, tmp_path, engine=intranet):
        replies = [reply_text(await (await emu.invoke_slash(emu.guild, emu.channel, emu.admin, "ingest",
                                                            {"url": url})).wait_done())[0]
                   for url in (f" {base.upper()}/story/2", f"{base}/rss2.xml")]
    assert "1 new" in replies[0]
    assert replies[1].splitlines()[1] == (
        f"- {base}/rss2.xml is an RSS or Atom feed, not an article: follow it with `/feed add`")
