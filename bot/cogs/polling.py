"""Feeds polled on schedule inside `newsbot run` (feeds.poll_minutes; 0 leaves polling to `newsbot watch`); the
alerts and digests that are due are posted after each round too, so news that just arrived goes out without waiting."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from discord.ext import commands

from bot.cogs.alerts import AlertCog
from bot.cogs.digests import DigestCog
from bot.watch import poll_forever
from index import PollReport

if TYPE_CHECKING:
    from bot.client import NewsBot


class PollingCog(commands.Cog):
    """Runs the feed poll loop for as long as the bot runs."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start polling (before the bot connects: feeds do not need Discord)."""
        if self.bot.settings.engine.feeds.poll_minutes > 0:
            self._task = asyncio.create_task(poll_forever(self.bot.library, self._after_poll),
                                             name="newsbot feed polling")

    async def _after_poll(self, report: PollReport) -> None:
        """Post the alerts the poll made and the digests that are due (both cogs keep their own timers too)."""
        alerts = self.bot.get_cog(AlertCog.__cog_name__)
        if isinstance(alerts, AlertCog):
            await alerts.post_now()
        digests = self.bot.get_cog(DigestCog.__cog_name__)
        if isinstance(digests, DigestCog):
            await digests.post_due()

    async def cog_unload(self) -> None:
        """Stop polling when the bot closes."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def setup(bot: NewsBot) -> None:
    """Load the cog."""
    await bot.add_cog(PollingCog(bot))
