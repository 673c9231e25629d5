"""Followed topics' alerts posted every minute, and right after each feed poll inside `newsbot run`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.alerts import post_alerts, utc_now

if TYPE_CHECKING:
    from bot.client import NewsBot

log = logging.getLogger("newsbot.follows")
# Alerts are recorded by every ingest (feeds, /ingest, `newsbot ingest` in another process): look this often.
CHECK_SECONDS = 60.0


class AlertCog(commands.Cog):
    """Posts the alerts waiting in the library to the channels and users they are for."""

    def __init__(self, bot: NewsBot, clock: Callable[[], datetime] = utc_now) -> None:
        self.bot = bot
        self._clock = clock  # tests move it through hours without waiting
        # The timer and a feed poll may both post: one round at a time, so no alert is posted twice.
        self._lock = asyncio.Lock()

    async def cog_load(self) -> None:
        """Start the timer (its first round waits for the bot to connect)."""
        self.check.start()

    async def cog_unload(self) -> None:
        """Stop the timer when the bot closes."""
        self.check.cancel()

    async def post_now(self) -> int:
        """Post the waiting alerts, once the bot is connected; how many were told."""
        if not self.bot.is_ready():
            return 0
        async with self._lock:
            return await post_alerts(self.bot, self._clock())

    @tasks.loop(seconds=CHECK_SECONDS)
    async def check(self) -> None:
        """One timed round; a failed round is logged, and the next one tries again."""
        try:
            await self.post_now()
        except Exception:  # the timer outlives any one bad round (a full disk, a bug in a message)
            log.exception("posting alerts failed")

    @check.before_loop
    async def _connected(self) -> None:
        """Alerts go to Discord channels and users: wait until the bot can see them."""
        await self.bot.wait_until_ready()


async def setup(bot: NewsBot) -> None:
    """Load the cog."""
    await bot.add_cog(AlertCog(bot))
