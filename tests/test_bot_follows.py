"""/follow add|list|remove and the alerts the running bot posts, through the Discord emulator and a feed site."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web

import bot.alerts
from index import Article, FollowSettings
from tests.discord_emulator.fixtures import discord_emulator
from tests.local_site import serve
from tests.test_bot import running_bot, slash
from tests.test_bot_feeds import MANUAL, OPEN

__all__ = ["discord_emulator"]  # the imported fixture is used by name

TOPIC = "harbour wall storm"
SENTENCE = "A storm breached the harbour wall at Port Ellis, flooding twelve streets near the docks."
STORM = ("Storm breaches Port Ellis harbour wall", "The council moved 40 families to the school hall overnight. "
         f"{SENTENCE} Engineers will inspect the harbour wall on Monday.")
CHOIR = ("St Anne's choir sings carols", "The choir of St Anne's school sang carols in the market square. "
         "Hundreds of people came to listen, and the collection raised money for the hospice.")
# Other storms at other harbours: about the topic, but each its own story (not a copy of another).
OTHER_STORMS = [
    f"Storm waves broke over the harbour wall at {town} on {day}. {detail}" for town, day, detail in [
        ("Kelby", "Tuesday", "Fishermen pulled six boats onto the slipway before dawn."),
        ("Marrow Bay", "Wednesday", "The lifeboat crew closed the promenade to walkers for the afternoon."),
        ("Dunhallow", "Thursday", "A crane toppled into the water and a café lost its windows."),
        ("Saltcombe", "Friday", "The ferry to the islands stayed in port for a second day."),
        ("Penrick", "Saturday", "Sandbags were handed out at the fire station until midnight."),
    ]]
START = datetime(2030, 5, 1, 10, 5, tzinfo=UTC)  # the hourly cap's clock in these tests, moved by hand


def rss(outlet: str, base: str, stories: list[tuple[str, str, str]]) -> str:
    """An RSS 2.0 feed of (path, title, text) stories published now, their full text in content:encoded."""
    now = format_datetime(datetime.now(UTC))
    items = "".join(f"<item><title>{title}</title><link>{base}/{path}</link><guid>{path}</guid><pubDate>{now}"
                    f"</pubDate><content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>"
                    for path, title, text in stories)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
            f'modules/content/"><channel><title>{outlet}</title><link>{base}/</link><description>News</description>'
            f"{items}</channel></rss>")


def news_site() -> web.Application:
    """Coast Gazette's feed (the storm and the choir) and Port Ellis Echo's (the same storm, word for word)."""
    feeds = {"/gazette.xml": ("Coast Gazette", [("storm", *STORM), ("choir", *CHOIR)]),
             "/echo.xml": ("Port Ellis Echo", [("echo-storm", *STORM)])}
    app = web.Application()
    for path, (outlet, stories) in feeds.items():
        async def feed(request: web.Request, outlet: str = outlet, stories: list = stories) -> web.Response:
            return web.Response(text=rss(outlet, f"http://{request.host}", stories), content_type="application/rss+xml")
        app.router.add_get(path, feed)
    return app


def engine(manual: bool = True, **follow: int):
    return replace(MANUAL if manual else OPEN, follow=FollowSettings(**follow))


@pytest.fixture
def clock(monkeypatch):
    """The hourly cap's clock, as a one-item list the test moves; the bot's alert cog reads it from its start."""
    now = [START]
    monkeypatch.setattr(bot.alerts, "utc_now", lambda: now[0])
    return now


def story(n: int, stamp: str = "") -> Article:
    return Article(id=f"storm-{n}{stamp}", title=f"Harbour storm {n}{stamp}", text=OTHER_STORMS[n],
                   source="Coast Gazette", url=f"https://gazette.example/storm-{n}{stamp}", published=date.today())


@asynccontextmanager
async def following_bot(emulator, data_dir, **options) -> AsyncIterator:
    """The running bot with its alert timer stopped: rounds run when a test says (post_now) or after a feed poll of
    the bot's own, so a test's counts never depend on when the minute falls."""
    async with running_bot(emulator, data_dir, **options) as newsbot:
        newsbot.get_cog("AlertCog").check.cancel()
        yield newsbot


async def post_now(newsbot) -> int:
    """One delivery round, as the bot's timer runs it."""
    return await newsbot.get_cog("AlertCog").post_now()


def sent_to(emu, channel_id: int) -> list[dict]:
    return [r.json for r in emu.requests_to("POST", rf"/channels/{channel_id}/messages")]


async def test_a_feed_poll_alerts_a_channel_once_with_the_quoted_sentence_and_no_copy(discord_emulator, tmp_path,
                                                                                       clock):
    emu = discord_emulator
    async with serve(news_site()) as base, following_bot(emu, tmp_path, engine=engine()) as newsbot:
        added = await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        note = added.responses[0]["data"]
        assert note["flags"] & 64 and note["content"] == (
            f"Following **{TOPIC}** (#1): each new story about it is posted in <#{emu.channel.id}>, with the "
            "sentence that says what happened.")
        await slash(emu, emu.admin, "feed", {"url": f"{base}/gazette.xml"}, subcommand="add")
        assert (await newsbot.library.feeds.poll()).feeds[0].new == 2
        assert await post_now(newsbot) == 1
        [posted] = sent_to(emu, emu.channel.id)
        assert posted["content"] == (f"New story on **{TOPIC}**:\n> {SENTENCE}\n"
                                     f"[{STORM[0]}](<{base}/storm>) · Coast Gazette · {date.today().isoformat()}")
        assert posted["allowed_mentions"]["parse"] == []
        await slash(emu, emu.admin, "feed", {"url": f"{base}/echo.xml"}, subcommand="add")
        report = await newsbot.library.feeds.poll()
        assert {feed.feed.title: (feed.new, feed.duplicates) for feed in report.feeds} == {
            "Coast Gazette": (0, 0), "Port Ellis Echo": (0, 1)}
        assert await post_now(newsbot) == 0 and len(sent_to(emu, emu.channel.id)) == 1


async def test_the_running_bot_posts_alerts_right_after_its_own_feed_poll(discord_emulator, tmp_path):
    emu = discord_emulator
    async with serve(news_site()) as base, following_bot(emu, tmp_path, engine=engine(manual=False)):
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        await slash(emu, emu.admin, "feed", {"url": f"{base}/gazette.xml"}, subcommand="add")
        posted = await emu.wait_for_request("POST", rf"/channels/{emu.channel.id}/messages", timeout=20)
        assert SENTENCE in posted.json["content"]


async def test_past_the_hourly_cap_stories_are_gathered_when_the_hour_ends_even_across_a_restart(
        discord_emulator, tmp_path, clock):
    emu = discord_emulator
    scope = str(emu.guild.id)
    async with following_bot(emu, tmp_path, engine=engine(max_per_hour=2)) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        await newsbot.library.ingest_articles([story(n) for n in range(4)], scope=scope)
        assert await post_now(newsbot) == 2
        assert [m["content"].count("> ") for m in sent_to(emu, emu.channel.id)] == [1, 1]
        clock[0] = START + timedelta(minutes=50)  # the same hour: the other two wait
        assert await post_now(newsbot) == 0
    async with following_bot(emu, tmp_path, engine=engine(max_per_hour=2)) as newsbot:
        assert await post_now(newsbot) == 0  # a restart keeps the hour's count
        await newsbot.library.ingest_articles([story(4)], scope=scope)
        assert await post_now(newsbot) == 0
        clock[0] = START + timedelta(hours=1)
        assert await post_now(newsbot) == 3
    *singles, gathered = sent_to(emu, emu.channel.id)
    assert len(singles) == 2 and gathered["allowed_mentions"]["parse"] == []
    lines = gathered["content"].splitlines()
    assert lines[0] == "**3 more stories this hour** on followed topics (past the 2 stories an hour posted one by one):"
    assert [line.split("]")[0] for line in lines[1:]] == ["- [Harbour storm 2", "- [Harbour storm 3",
                                                          "- [Harbour storm 4"]
    assert all(f"(<https://gazette.example/storm-{n}>)" in lines[n - 1] for n in (2, 3, 4))


async def test_a_forum_channel_gets_a_post_per_story(discord_emulator, tmp_path, clock):
    emu = discord_emulator
    forum = emu.add_forum(emu.guild, name="storm-watch")
    async with following_bot(emu, tmp_path, engine=engine()) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC, "channel": forum}, subcommand="add")
        await newsbot.library.ingest_articles([story(0)], scope=str(emu.guild.id))
        assert await post_now(newsbot) == 1
    [post] = [thread for thread in emu.guild.threads if thread.parent_id == forum.id]
    assert post.name == "Harbour storm 0"
    [first] = emu.messages[post.id]
    assert int(first["id"]) == post.id and "> Storm waves broke over the harbour wall at Kelby" in first["content"]


def note(interaction) -> str:
    """The private note a command answered with."""
    data = interaction.responses[0]["data"]
    assert data["flags"] & 64
    return data["content"]


async def test_anyone_follows_for_their_direct_messages_up_to_their_cap(discord_emulator, tmp_path, clock):
    emu = discord_emulator
    async with following_bot(emu, tmp_path, engine=engine(max_per_user=1)) as newsbot:
        refused = await slash(emu, emu.alice, "follow", {"topic": TOPIC}, subcommand="add")
        assert "**Manage Server** permission for a channel's alerts" in note(refused)
        added = await slash(emu, emu.alice, "follow", {"topic": TOPIC, "dm": True}, subcommand="add")
        assert "sent to your direct messages" in note(added)
        capped = await slash(emu, emu.alice, "follow", {"topic": "ferry strike", "dm": True}, subcommand="add")
        assert note(capped) == ("You already follow 1 topic for your direct messages here, the most allowed: "
                                "`/follow remove` one first.")
        both = await slash(emu, emu.alice, "follow", {"topic": "ferry", "dm": True, "channel": emu.channel},
                           subcommand="add")
        assert note(both) == "Choose a channel or your direct messages, not both."
        common = await slash(emu, emu.admin, "follow", {"topic": "what is the"}, subcommand="add")
        assert note(common) == '"what is the" has only common words: name what the stories are about'
        await newsbot.library.ingest_articles([story(0)], scope=str(emu.guild.id))
        assert await post_now(newsbot) == 1
    [dm] = emu.dms
    assert dm.recipient == emu.alice.user
    [message] = emu.messages[dm.id]
    assert message["content"].startswith(f"New story on **{TOPIC}**:\n> Storm waves broke")


async def test_the_list_shows_channel_follows_and_your_own_and_remove_checks_whose_they_are(discord_emulator,
                                                                                           tmp_path, clock):
    emu = discord_emulator
    async with following_bot(emu, tmp_path, engine=engine()) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        await slash(emu, emu.alice, "follow", {"topic": "ferry strike", "dm": True}, subcommand="add")
        await slash(emu, emu.admin, "follow", {"topic": "tram line", "dm": True}, subcommand="add")
        listing = await slash(emu, emu.alice, "follow", subcommand="list")
        assert listing.responses[0]["data"]["embeds"][0]["description"] == (
            f"`#1` **{TOPIC}** → <#{emu.channel.id}>\n`#2` **ferry strike** → your direct messages")
        assert note(await slash(emu, emu.alice, "follow", {"follow": 3}, subcommand="remove")) == (
            "No followed topic #3 here: see /follow list.")  # admin's own: not alice's to see or remove
        assert note(await slash(emu, emu.alice, "follow", {"follow": 1}, subcommand="remove")) == (
            "You need the **Manage Server** permission to stop a channel's alerts.")
        assert note(await slash(emu, emu.alice, "follow", {"follow": 2}, subcommand="remove")) == (
            "Unfollowed **ferry strike**.")
        assert [f.id for f in await newsbot.library.follows.listed(str(emu.guild.id))] == [1, 3]


async def test_a_removed_follow_posts_nothing_more(discord_emulator, tmp_path, clock):
    emu = discord_emulator
    scope = str(emu.guild.id)
    async with following_bot(emu, tmp_path, engine=engine()) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        await newsbot.library.ingest_articles([story(0)], scope=scope)
        assert await post_now(newsbot) == 1
        await newsbot.library.ingest_articles([story(1)], scope=scope)  # pending when the follow goes
        removed = await slash(emu, emu.admin, "follow", {"follow": 1}, subcommand="remove")
        assert note(removed) == f"Unfollowed **{TOPIC}**."
        await newsbot.library.ingest_articles([story(2)], scope=scope)
        assert await post_now(newsbot) == 0
    assert len(sent_to(emu, emu.channel.id)) == 1


async def test_another_servers_follow_hears_nothing_of_this_servers_articles(discord_emulator, tmp_path, clock):
    emu = discord_emulator
    other = emu.add_guild(name="Other Guild")
    elsewhere = emu.add_channel(other, name="news")
    async with following_bot(emu, tmp_path, engine=engine()) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        await newsbot.library.follows.follow(TOPIC, str(other.id), f"channel:{elsewhere.id}")
        await newsbot.library.ingest_articles([story(0)], scope=str(emu.guild.id))
        assert await post_now(newsbot) == 1
        assert len(sent_to(emu, emu.channel.id)) == 1 and sent_to(emu, elsewhere.id) == []
        await newsbot.library.ingest_articles([story(1)], scope=str(other.id))
        assert await post_now(newsbot) == 1
    assert len(sent_to(emu, emu.channel.id)) == 1
    assert "Marrow Bay" in sent_to(emu, elsewhere.id)[0]["content"]


async def test_alerts_for_a_deleted_channel_or_an_unknown_user_are_dropped_with_a_warning(discord_emulator, tmp_path,
                                                                                         clock, caplog):
    emu = discord_emulator
    doomed = emu.add_channel(emu.guild, name="doomed")
    async with following_bot(emu, tmp_path, engine=engine()) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC, "channel": doomed}, subcommand="add")
        await newsbot.library.follows.follow(TOPIC, str(emu.guild.id), "user:12345")
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        emu.remove_channel(doomed)
        await newsbot.library.ingest_articles([story(0)], scope=str(emu.guild.id))
        while newsbot.get_channel(doomed.id) is not None:  # the bot hears of the deletion over the gateway
            await asyncio.sleep(0.01)
        assert await post_now(newsbot) == 3
        assert await newsbot.library.follows.pending("") == []
    assert len(sent_to(emu, emu.channel.id)) == 1 and sent_to(emu, doomed.id) == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "newsbot.follows"]
    assert warnings == [f"alerts for channel:{doomed.id} dropped: no such text or forum channel, or user, to message",
                        "alerts for user:12345 dropped: no such text or forum channel, or user, to message"]


async def test_an_alert_discord_refuses_for_now_waits_for_the_next_round(discord_emulator, tmp_path, clock):
    emu = discord_emulator
    async with following_bot(emu, tmp_path, engine=engine(max_per_hour=2)) as newsbot:
        await slash(emu, emu.admin, "follow", {"topic": TOPIC}, subcommand="add")
        await newsbot.library.ingest_articles([story(0), story(1)], scope=str(emu.guild.id))
        emu.fail_next("POST", rf"/channels/{emu.channel.id}/messages", status=400)
        assert await post_now(newsbot) == 0
        # The refused message did not count against the hour: both still go out singly in it.
        assert await post_now(newsbot) == 2
    assert [r.status for r in emu.requests_to("POST", rf"/channels/{emu.channel.id}/messages")] == [400, 200, 200]
