"""/summary and /timeline: what the library knows, summarised or in order."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import scope_of
from bot.cooldown import wait_message
from bot.embeds import summary_embed
from bot.replies import NO_MENTIONS, error_reply, send_private
from index import DEFAULT_LENGTH, MAX_LENGTH, TIMELINE_LENGTH, Summary, SummaryError, read_period

if TYPE_CHECKING:
    from bot.client import NewsBot

Length = app_commands.Range[int, 1, MAX_LENGTH]
SINCE_HELP = "From this day: 2022-12-30, 7d, 24h, today, yesterday, this week…"
UNTIL_HELP = "Up to this day (the same forms as since)"
# (since, until) -> the summary or timeline the library makes of that period.
Asker = Callable[[date | None, date | None], Awaitable[Summary]]


class SummaryCog(commands.Cog):
    """Overviews of the events the library covers."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    async def _send(self, interaction: discord.Interaction, make: Asker, since: str | None, until: str | None) -> None:
        """Read the period, defer, ask the library via `make(since, until)` and send the summary as an embed."""
        # A summary costs more than a question: it counts against the same per-user cooldown.
        if (wait := self.bot.cooldown.retry_after(interaction.user.id, time.monotonic())) > 0:
            await interaction.response.send_message(wait_message(wait), ephemeral=True)
            return
        try:
            # The host's today, as the engine counts "last week" in questions and the CLI counts periods.
            start, end = read_period(since, until, date.today())
        except ValueError as error:
            await interaction.response.send_message(f"I can't read that date ({error}).", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        try:
            summary = await make(start, end)
        except SummaryError as error:
            await send_private(interaction, f"I can't summarise that: {error_reply(error)}.")
            return
        await interaction.followup.send(embed=summary_embed(summary), allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="summary", description="The key sentences on a topic or in a period, quoted and cited.")
    @app_commands.describe(topic="What to summarise, e.g. “power grid” (leave empty for all the news)",
                           since=SINCE_HELP, until=UNTIL_HELP, length=f"Sentences, 1 to {MAX_LENGTH}")
    async def summary(self, interaction: discord.Interaction, topic: str | None = None, since: str | None = None,
                      until: str | None = None, length: Length = DEFAULT_LENGTH) -> None:
        """Summarise a topic, a period, or the latest news, from the articles this server sees."""
        scope = scope_of(interaction.guild)
        await self._send(interaction, lambda start, end: self.bot.library.summarize(
            topic=topic, since=start, until=end, length=length, scope=scope), since, until)

    @app_commands.command(name="timeline", description="How a story unfolded: its events by date, quoted and cited.")
    @app_commands.describe(topic="The story to follow, e.g. “missile strikes”", since=SINCE_HELP, until=UNTIL_HELP,
                           length=f"Events, 1 to {MAX_LENGTH}")
    async def timeline(self, interaction: discord.Interaction, topic: str, since: str | None = None,
                       until: str | None = None, length: Length = TIMELINE_LENGTH) -> None:
        """A topic's events in the order they happened."""
        scope = scope_of(interaction.guild)
        await self._send(interaction, lambda start, end: self.bot.library.timeline(
            topic, since=start, until=end, length=length, scope=scope), since, until)


async def setup(bot: NewsBot) -> None:
    """Load the cog."""
    await bot.add_cog(SummaryCog(bot))
