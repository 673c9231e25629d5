"""/feed add|list|remove|digest through the Discord emulator; feeds polled and digests posted by the running bot."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.digests import post_due_digests
from bot.state import BotState
from index import Article
from tests.discord_emulator.fixtures import discord_emulator
from tests.feed_site import REPLIES, build_feed_site
from tests.local_site import serve
from tests.test_bot import POLICY, running_bot, slash
from tests.test_feed_poll import SETTINGS

__all__ = ["discord_emulator"]  # the imported fixture is used by name

OPEN = replace(SETTINGS, policy=POLICY)
# No polling inside the bot: the test polls when it chooses.
MANUAL = replace(OPEN, feeds=replace(OPEN.feeds, poll_minutes=0))


async def test_a_server_follows_lists_and_unfollows_its_own_feeds(discord_emulator, tmp_path):
    emu = discord_emulator
    async with serve(build_feed_site()) as base, running_bot(emu, tmp_path, engine=MANUAL) as bot:
        added = await slash(emu, emu.admin, "feed", {"url": f"{base}/rss2.xml"}, subcommand="add")
        note = added.followups[0]
        assert note["flags"] & 64 and note["content"] == (
            f"Following [Example Gazette](<{base}/rss2.xml>) (4 items). "
            "The bot's operator reads feeds on their own schedule.")
        again = await slash(emu, emu.admin, "feed", {"url": f"{base}/rss2.xml"}, subcommand="add")
        assert again.followups[0]["content"] == f"{base}/rss2.xml: already followed"
        assert await bot.library.feeds.list() == []  # the operator's library follows nothing
        report = await bot.library.feeds.poll()
        assert report.feeds[0].new == 4
        assert (await bot.library.stats(scope=str(emu.guild.id))).articles == 8  # 4 examples + 4 from the feed
        assert (await bot.library.stats()).articles == 4
        listing = await slash(emu, emu.admin, "feed", subcommand="list")
        description = listing.responses[0]["data"]["embeds"][0]["description"]
        assert description.startswith(f"`1` [Example Gazette](<{base}/rss2.xml>) · 4 articles · checked")
        removed = await slash(emu, emu.admin, "feed", {"feed": "1"}, subcommand="remove")
        assert removed.responses[0]["data"]["content"].startswith("Unfollowed [Example Gazette]")
        empty = await slash(emu, emu.admin, "feed", subcommand="list")
        assert "None yet" in empty.responses[0]["data"]["embeds"][0]["description"]


async def test_feed_list_shows_a_feed_whose_site_answered_gone(discord_emulator, tmp_path):
    emu = discord_emulator
    site = build_feed_site()
    async with serve(site) as base, running_bot(emu, tmp_path, engine=MANUAL) as bot:
        await slash(emu, emu.admin, "feed", {"url": f"{base}/rss2.xml"}, subcommand="add")
        site[REPLIES]["/rss2.xml"] = (410, {})
        assert [p.status for p in (await bot.library.feeds.poll()).feeds] == ["gone"]
        listing = await slash(emu, emu.admin, "feed", subcommand="list")
        assert listing.responses[0]["data"]["embeds"][0]["description"] == (
            f"`1` [Example Gazette](<{base}/rss2.xml>) · 0 articles · **gone**: the site answered 410 Gone,"
            " so it is no longer read (`/feed remove` unfollows it)")


async def test_feed_commands_refuse_private_addresses_and_non_managers(discord_emulator, tmp_path):
    emu = discord_emulator
    async with running_bot(emu, tmp_path) as bot:
        private = await slash(emu, emu.admin, "feed", {"url": "http://127.0.0.1:9/feed.xml"}, subcommand="add")
        assert "refusing to fetch from 127.0.0.1, a loopback address" in private.followups[0]["content"]
        refused = await slash(emu, emu.alice, "feed", subcommand="list")
        assert refused.responses[0]["data"]["flags"] & 64 and "Manage Server" in refused.responses[0]["data"]["content"]
        assert await bot.library.feeds.list(every_scope=True) == []


async def test_the_running_bot_polls_a_new_feed_by_itself(discord_emulator, tmp_path):
    emu = discord_emulator
    async with serve(build_feed_site()) as base, running_bot(emu, tmp_path, engine=OPEN) as bot:
        added = await slash(emu, emu.admin, "feed", {"url": f"{base}/atom.xml"}, subcommand="add")
        assert "arrive within a few minutes, then every 30 minutes" in added.followups[0]["content"]
        scope = str(emu.guild.id)
        for _ in range(1000):  # /feed add wakes the poll loop (no waiting for its next round); a busy machine is slow
            if (await bot.library.feeds.list(scope=scope))[0].checked_at:
                break
            await asyncio.sleep(0.02)
        assert (await bot.library.stats(scope=scope)).articles == 7
        assert (await bot.library.feeds.list(scope=scope))[0].articles == 3


async def test_a_channel_digest_quotes_and_cites_the_news_then_waits_its_turn(discord_emulator, tmp_path):
    emu = discord_emulator
    async with serve(build_feed_site()) as base, running_bot(emu, tmp_path, engine=OPEN) as bot:
        turned_on = await slash(emu, emu.admin, "feed", {"every_hours": 12}, subcommand="digest")
        assert "every 12 hours" in turned_on.responses[0]["data"]["content"]
        await slash(emu, emu.admin, "feed", {"url": f"{base}/atom.xml"}, subcommand="add")
        posted = await emu.wait_for_request("POST", rf"/channels/{emu.channel.id}/messages", timeout=20,
                                            predicate=lambda r: r.json.get("content") == "**News digest**")
        embed = posted.json["embeds"][0]
        assert "**[1]**" in embed["description"] and f"<{base}/story/" in str(embed["fields"])
        assert posted.json["allowed_mentions"]["parse"] == []
        while (await bot.state.digests())[0][3] is None:  # the poll loop records the digest just after posting it
            await asyncio.sleep(0.01)
        assert await post_due_digests(bot) == 0  # the next one is 12 hours away
        later = datetime.now(UTC) + timedelta(hours=13)
        assert await post_due_digests(bot, later) == 0  # due, but nothing was published since: nothing to say
        fresh = Article(id="fresh", title="Ferry strike called off", published=date.today(),
                        text="The ferry workers' union called off Monday's strike after a late pay offer.")
        await bot.library.ingest_articles([fresh], scope=str(emu.guild.id))
        assert await post_due_digests(bot, later) == 1
        assert "ferry workers" in emu.requests_to("POST", rf"/channels/{emu.channel.id}/messages")[-1].json[
            "embeds"][0]["description"]
        turned_off = await slash(emu, emu.admin, "feed", {"every_hours": 0}, subcommand="digest")
        assert "No more digests" in turned_off.responses[0]["data"]["content"]
        assert await bot.state.digests() == []


async def test_a_digest_is_posted_by_a_bot_that_does_not_poll_feeds(discord_emulator, tmp_path):
    emu = discord_emulator
    state = await BotState.open(tmp_path)  # turned on earlier, while the bot was stopped
    await state.set_digest(emu.guild.id, emu.channel.id, 24)
    await state.close()
    async with running_bot(emu, tmp_path, engine=MANUAL) as bot:
        posted = await emu.wait_for_request("POST", rf"/channels/{emu.channel.id}/messages", timeout=20,
                                            predicate=lambda r: r.json.get("content") == "**News digest**")
        assert "**[1]**" in posted.json["embeds"][0]["description"]
        while (await bot.state.digests())[0][3] is None:  # recorded just after posting
            await asyncio.sleep(0.01)
