"""Channel digests posted on their own schedule, whether or not the bot polls feeds."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands, tasks

from bot.digests import post_due_digests

if TYPE_CHECKING:
    from bot.client import NewsBot

log = logging.getLogger("newsbot.digests")
# How often due digests are looked for: digests are hours apart, so a few minutes late is on time.
CHECK_MINUTES = 5.0


class DigestCog(commands.Cog):
    """Posts the digests that are due every few minutes, and when a feed poll brings news."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        # The schedule and a feed poll may both look for due digests: one at a time, so none is posted twice.
        self._lock = asyncio.Lock()

    async def cog_load(self) -> None:
        """Start the schedule (its first round waits for the bot to connect)."""
        self.check.start()

    async def cog_unload(self) -> None:
        """Stop the schedule when the bot closes."""
        self.check.cancel()

    async def post_due(self) -> int:
        """Post the digests that are due, once the bot is connected; how many were posted."""
        if not self.bot.is_ready():
            return 0
        async with self._lock:
            return await post_due_digests(self.bot)

    @tasks.loop(minutes=CHECK_MINUTES)
    async def check(self) -> None:
        """One scheduled round; a failed round is logged, and the next one tries again."""
        try:
            await self.post_due()
        except Exception:  # the schedule outlives any one bad round (a full disk, a bug in a summary)
            log.exception("posting digests failed")

    @check.before_loop
    async def _connected(self) -> None:
        """Digests go to Discord channels: wait until the bot can see them."""
        await self.bot.wait_until_ready()


async def setup(bot: NewsBot) -> None:
    """Load the cog."""
    await bot.add_cog(DigestCog(bot))
