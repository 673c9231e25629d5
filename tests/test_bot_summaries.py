"""/summary and /timeline through the Discord emulator: cited embeds, honest empties, dates, limits, scope."""

from __future__ import annotations

from index import Article
from tests.discord_emulator.fixtures import discord_emulator
from tests.test_bot import embed_of, running_bot, slash

__all__ = ["discord_emulator"]  # the imported fixture is used by name


async def test_summary_options_are_synced_with_bounds(discord_emulator, tmp_path):
    async with running_bot(discord_emulator, tmp_path):
        commands = {c["name"]: c for c in discord_emulator.synced_commands[discord_emulator.guild.id]}
        options = {o["name"]: o for o in commands["summary"]["options"]}
        assert set(options) == {"topic", "since", "until", "length"}
        assert not any(option.get("required") for option in options.values())
        assert (options["length"]["min_value"], options["length"]["max_value"]) == (1, 12)
        timeline = {o["name"]: o for o in commands["timeline"]["options"]}
        assert timeline["topic"]["required"] and set(timeline) == {"topic", "since", "until", "length"}


async def test_latest_news_is_a_cited_embed_and_nothing_found_is_honest(discord_emulator, tmp_path):
    emu = discord_emulator
    async with running_bot(emu, tmp_path):
        latest = await slash(emu, emu.alice, "summary", {"length": 3})
        assert latest.responses[0]["type"] == 5
        embed = embed_of(latest.followups[0])
        assert embed["title"] == "Latest news · 2022-12-29 to 2022-12-30"
        assert embed["description"].count("**[") == 3 and embed["fields"][0]["name"] == "Sources"
        assert len(embed["description"]) <= 4096
        empty = await slash(emu, emu.alice, "summary", {"topic": "football", "since": "2022-12-01",
                                                        "until": "2022-12-31"})
        text = embed_of(empty.followups[0])["description"]
        assert text.startswith("Nothing found for “football” between 2022-12-01 and 2022-12-31.")


async def test_an_unreadable_date_is_a_private_note_saying_what_works(discord_emulator, tmp_path):
    emu = discord_emulator
    async with running_bot(emu, tmp_path):
        refused = await slash(emu, emu.alice, "timeline", {"topic": "missiles", "since": "soonish"})
        note = refused.responses[0]
        assert note["type"] == 4 and note["data"]["flags"] & 64
        assert 'cannot read "soonish" as a date' in note["data"]["content"] and "7d" in note["data"]["content"]


async def test_a_servers_own_articles_reach_its_summaries_only(discord_emulator, tmp_path):
    emu = discord_emulator
    ferry = Article(id="ferry", title="Port Ellis ferry sails again", published=None, source="Server news",
                    text="The island ferry sailed from Port Ellis again after four days tied up by the storm. "
                         "Ferry tickets bought for the cancelled crossings will be honoured until January.")
    async with running_bot(emu, tmp_path) as bot:
        await bot.library.ingest_articles([ferry], scope=str(emu.guild.id) + "0")
        elsewhere = await slash(emu, emu.alice, "summary", {"topic": "ferry tickets"})
        assert embed_of(elsewhere.followups[0])["description"].startswith("Nothing found")
        await bot.library.ingest_articles([ferry], scope=str(emu.guild.id))
        here = await slash(emu, emu.alice, "summary", {"topic": "ferry tickets"})
        embed = embed_of(here.followups[0])
        assert "Ferry tickets bought" in embed["description"]
        assert "[1] **Port Ellis ferry sails again** · Server news · undated" in embed["fields"][0]["value"]


async def test_summaries_count_against_the_cooldown(discord_emulator, tmp_path):
    emu = discord_emulator
    async with running_bot(emu, tmp_path, cooldown_questions=1, cooldown_seconds=60):
        first = await slash(emu, emu.alice, "summary")
        assert first.responses[0]["type"] == 5
        second = await slash(emu, emu.alice, "timeline", {"topic": "missiles"})
        data = second.responses[0]["data"]
        assert second.responses[0]["type"] == 4 and data["flags"] & 64
        assert "Please wait 60 more seconds" in data["content"]
