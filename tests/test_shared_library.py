"""Many processes, one library: two `newsbot watch` workers and two `newsbot run` bots (one Discord shard each) over
one PostgreSQL database: each feed polled once, each article stored once, the same answer through either bot, and
each server's alert posted once, by the process that serves it."""

from __future__ import annotations

import asyncio
import contextlib
import random
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiohttp import web

from index import EngineSettings, Library, StoreSettings, WebSettings
from index.embedder import HashingEmbedder
from tests.discord_emulator import DiscordEmulator
from tests.discord_emulator.fixtures import guild_on_shard
from tests.discord_emulator.models import Channel, Guild, Member
from tests.feed_site import Handler
from tests.local_site import serve
from tests.newsbot_process import EXAMPLES, run_newsbot, start
from tests.pg import pg_library, pg_url

__all__ = ["pg_library", "pg_url"]  # the imported fixtures are used by name

pytestmark = pytest.mark.pg

World = tuple[DiscordEmulator, Guild, Channel, Member]  # one shard's Discord, its server, channel and member
FEEDS = 8
ITEMS = 3
SHARDS = 2
QUESTION = "How many of Russia's missiles did Ukraine shoot down on Thursday?"
# A story the follows below are about (written for this test), in feed 0 beside its other items.
STORM = ("Storm breaches Port Ellis harbour wall",
         "A storm breached the harbour wall at Port Ellis, flooding twelve streets near the docks. The council moved"
         " 40 families to the school hall overnight. Engineers will inspect the harbour wall on Monday.")
# Both kinds of process: the hashing embedder, loopback feeds allowed, the relevance bar the follow tests use.
CONFIG = """
[embedding]
model = "hashing"
[web]
allow_private_addresses = true
[answer]
min_similarity = 0.1
min_similarity_without_terms = 0.5
[feeds]
poll_minutes = {poll}
full_text_chars = 0
"""


def words_story(rng: random.Random, vocabulary: list[str]) -> str:
    """Three sentences of made-up words: no two stories near-duplicates of each other."""
    return " ".join(" ".join(rng.sample(vocabulary, 9)).capitalize() + "." for _ in range(3))


def feed_site(hits: Counter[str]) -> web.Application:
    """FEEDS RSS feeds of ITEMS full-text items each, the storm story in feed 0; every request counted by path."""
    rng = random.Random(18)
    vocabulary = [f"{consonant}{vowel}{end}" for consonant in "bdfgklmnprstvz" for vowel in "aeiou"
                  for end in ("n", "r", "l", "sk", "nd")]
    feeds: dict[str, str] = {}
    for feed in range(FEEDS):
        items = [(f"Feed {feed} item {item}", words_story(rng, vocabulary)) for item in range(ITEMS)]
        feeds[f"/feed/{feed}.xml"] = rss(feed, [*items, STORM] if feed == 0 else items)

    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        hits[request.path] += 1
        return await handler(request)

    async def serve_feed(request: web.Request) -> web.Response:
        return web.Response(text=feeds[request.path], content_type="application/rss+xml")

    app = web.Application(middlewares=[count])
    for path in feeds:
        app.router.add_get(path, serve_feed)
    return app


def rss(feed: int, items: list[tuple[str, str]]) -> str:
    """An RSS 2.0 feed whose items carry their full text."""
    body = "".join(f"<item><title>{title}</title><link>https://news{feed}.example/{n}</link><guid>f{feed}-{n}</guid>"
                   f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item>"
                   for n, (title, text) in enumerate(items))
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Outlet {feed}</title><link>https://news{feed}.example/</link>{body}</channel></rss>")


@contextlib.contextmanager
def running(processes: list[subprocess.Popen[str]]) -> Iterator[list[subprocess.Popen[str]]]:
    """Processes stopped (and their output read) when the block ends."""
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                out, err = process.communicate(timeout=20)
                print(process.args, out[-3000:], err[-3000:], sep="\n")  # shown when the test fails


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
    """Wait until the async check is true."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def discord_world(shard: int) -> AsyncIterator[World]:
    """An emulated Discord (as one shard's process sees it) with one server on that shard."""
    emulator = DiscordEmulator()
    guild = guild_on_shard(emulator, shard, SHARDS)
    channel = emulator.add_channel(guild, name="news")
    member = emulator.add_member(guild, name="reader")
    await emulator.start()
    try:
        yield emulator, guild, channel, member
    finally:
        await emulator.stop()


async def test_two_workers_and_two_bots_share_one_library(pg_library, tmp_path: Path):
    store = {"NEWSBOT_STORE_URL": pg_library}
    hits: Counter[str] = Counter()
    async with serve(feed_site(hits)) as base, discord_world(0) as first, discord_world(1) as second:
        worlds = [first, second]
        library = await Library.open(tmp_path / "tester", HashingEmbedder(), EngineSettings(
            web=WebSettings(allow_private_addresses=True), store=StoreSettings(url=pg_library)))
        try:
            for _, guild, channel, _ in worlds:
                await library.follows.follow("harbour wall storm", str(guild.id), f"channel:{channel.id}")
            watch_config = CONFIG.format(poll=60)  # one round each: every feed is due at once
            await add_feeds(library, base)
            hits.clear()
            homes = [tmp_path / f"worker{n}" for n in range(2)]
            for worker_home in homes:
                worker_home.mkdir()
            with running([start(worker_home, "watch", config=watch_config, **store) for worker_home in homes]):
                await until(lambda: every_feed_polled(pg_library), timeout=90)
            assert set(hits) == {f"/feed/{feed}.xml" for feed in range(FEEDS)}
            assert max(hits.values()) == 1, hits  # each feed polled by one worker, once
            await check_stored_once(pg_library)
            await asyncio.to_thread(newsbot_ingest_examples, tmp_path / "operator", store)
            answers = await ask_through_both_bots(worlds, tmp_path, store)
            assert answers[0] == answers[1] and "54" in answers[0]
            for emulator, _, channel, _ in worlds:
                posted = [m for m in emulator.messages.get(channel.id, []) if "Port Ellis" in str(m)]
                assert len(posted) == 1, emulator.messages.get(channel.id)
            assert await library.follows.pending("channel:") == []
        finally:
            await library.close()


async def add_feeds(library: Library, base: str) -> None:
    """Follow every feed of the site in the operator's library."""
    for feed in range(FEEDS):
        await library.feeds.add(f"{base}/feed/{feed}.xml")


async def every_feed_polled(url: str) -> bool:
    """Whether every feed has been polled and its items stored."""
    connection = await asyncpg.connect(url)
    try:
        waiting = await connection.fetchval("SELECT count(*) FROM feeds WHERE checked_at IS NULL")
        items = await connection.fetchval("SELECT count(*) FROM feed_items WHERE article_id IS NOT NULL")
        return waiting == 0 and items == FEEDS * ITEMS + 1
    finally:
        await connection.close()


async def check_stored_once(url: str) -> None:
    """Each item is one article, under one id and one url."""
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval("SELECT count(*) FROM articles") == FEEDS * ITEMS + 1
        assert await connection.fetchval("SELECT count(DISTINCT url) FROM articles") == FEEDS * ITEMS + 1
        assert await connection.fetchval("SELECT count(*) FROM alerts") == SHARDS
    finally:
        await connection.close()


def newsbot_ingest_examples(home: Path, store: dict[str, str]) -> None:
    """The operator adds the demo articles from another machine's command line."""
    home.mkdir()
    ingested = run_newsbot(home, "ingest", str(EXAMPLES), config=CONFIG.format(poll=0), timeout=120, **store)
    assert ingested.returncode == 0, ingested.stderr


async def ask_through_both_bots(worlds: list[World], tmp_path: Path, store: dict[str, str]) -> list[str]:
    """Run one bot process per shard, each against its Discord, and ask the same question in each server.

    Shard 1's process starts first and posts its server's alert before shard 0's process exists: it must leave
    shard 0's alert pending (it cannot see that server's channel), not drop it.
    """
    with running([]) as bots:
        for shard in reversed(range(SHARDS)):
            emulator, _, channel, _ = worlds[shard]
            home = tmp_path / f"bot{shard}"
            home.mkdir()
            config = CONFIG.format(poll=0) + (f'[discord]\napi_url = "{emulator.base_url}"\n'
                                              f'gateway_url = "{emulator.gateway_url}"\n')
            bots.append(start(home, "run", "--shard-count", str(SHARDS), "--shard-ids", str(shard), config=config,
                              NEWSBOT_DISCORD_TOKEN=emulator.token, **store))
            await emulator.wait_ready(timeout=60)
            await emulator.wait_for_request("POST", rf"/channels/{channel.id}/messages", timeout=60)  # its alert
        answers = []
        for emulator, guild, channel, member in worlds:
            await emulator.wait_for_request("PUT", r"/applications/\d+/commands", timeout=60)
            interaction = await emulator.invoke_slash(guild, channel, member, "ask", {"question": QUESTION})
            await interaction.wait_done()
            answers.append(interaction.followups[0]["embeds"][0]["description"])
    return answers
