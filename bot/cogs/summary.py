"""/summary, /timeline, /sources and /article: what the library knows, summarised, in order, or listed."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import send_private
from bot.cogs.ask import NO_MENTIONS, scope_of
from bot.cooldown import wait_message
from bot.embeds import article_embed, articles_embed, summary_embed
from index import DEFAULT_LENGTH, MAX_LENGTH, TIMELINE_LENGTH, Summary, SummaryError, read_period

if TYPE_CHECKING:
    from bot.client import NewsBot

PAGE_SIZE = 8
Length = app_commands.Range[int, 1, MAX_LENGTH]
SINCE_HELP = "From this day: 2022-12-30, 7d, 24h, today, yesterday, this week…"
UNTIL_HELP = "Up to this day (the same forms as since)"
# (since, until) -> the summary or timeline the library makes of that period.
Asker = Callable[[date | None, date | None], Awaitable[Summary]]


class SourcesView(discord.ui.View):
    """Previous/next buttons over the article list; only the person who asked can turn the pages."""

    def __init__(self, bot: NewsBot, owner_id: int, scope: str | None, query: str | None, total: int) -> None:
        super().__init__(timeout=300)
        self.bot, self.owner_id, self.scope, self.query = bot, owner_id, scope, query
        self.pages = max(1, math.ceil(total / PAGE_SIZE))
        self.total = total
        self.page = 0
        self._update_buttons()

    def _update_buttons(self) -> None:
        """Disable the buttons that lead nowhere."""
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def embed(self) -> discord.Embed:
        """The current page."""
        articles = await self.bot.library.articles(scope=self.scope, query=self.query, limit=PAGE_SIZE,
                                                   offset=self.page * PAGE_SIZE)
        return articles_embed(articles, self.page, self.pages, self.total, self.query)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the person who asked turns the pages."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message("Use /sources to browse on your own.", ephemeral=True)
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        """Move by `step` pages and redraw."""
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._update_buttons()
        await interaction.response.edit_message(embed=await self.embed(), view=self)

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Go back one page."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Go forward one page."""
        await self._turn(interaction, 1)


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
            start, end = read_period(since, until, datetime.now(UTC).date())
        except ValueError as error:
            await interaction.response.send_message(f"I can't read that date ({error}).", ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        try:
            summary = await make(start, end)
        except SummaryError as error:
            await send_private(interaction, f"I can't summarise that: {error}.")
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

    @app_commands.command(name="sources", description="Browse the articles I know, newest first.")
    @app_commands.describe(query="Only articles whose title, outlet or text mention this")
    async def sources(self, interaction: discord.Interaction, query: str | None = None) -> None:
        """A paginated list of articles."""
        scope = scope_of(interaction.guild)
        total = await self.bot.library.count_articles(scope=scope, query=query)
        view = SourcesView(self.bot, interaction.user.id, scope, query, total)
        await interaction.response.send_message(embed=await view.embed(), view=view, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="article", description="One article's details and its opening sentences.")
    @app_commands.rename(article_id="id")
    @app_commands.describe(article_id="The article id shown by /sources")
    async def article(self, interaction: discord.Interaction, article_id: str) -> None:
        """Show one article."""
        detail = await self.bot.library.article(article_id.strip(), scope=scope_of(interaction.guild))
        if detail is None:
            await interaction.response.send_message("I don't know an article with that id; see /sources.",
                                                    ephemeral=True)
            return
        await interaction.response.send_message(embed=article_embed(detail.info, detail.lead),
                                                allowed_mentions=NO_MENTIONS)


async def setup(bot: NewsBot) -> None:
    """Load the cog."""
    await bot.add_cog(SummaryCog(bot))
