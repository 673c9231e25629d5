"""/summary, /timeline, /sources and /article: what the library knows, newest first or in order."""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.ask import NO_MENTIONS, scope_of
from bot.embeds import (
    ANSWER_COLOUR,
    DESCRIPTION_LIMIT,
    article_embed,
    articles_embed,
    blockquote,
    fit_lines,
    linked_title,
    shorten,
)
from index import ArticleInfo
from index.dates import parse_date

if TYPE_CHECKING:
    from bot.client import NewsBot

PAGE_SIZE = 8
DIGEST_ARTICLES = 6


def in_period(article: ArticleInfo, since: date | None, until: date | None) -> bool:
    """Whether an article falls in a date range (undated articles only when no range is given)."""
    if since is None and until is None:
        return True
    if article.published is None:
        return False
    return (since is None or article.published >= since) and (until is None or article.published <= until)


def _read_day(value: str | None, name: str) -> date | None:
    """Parse a date option, or raise ValueError naming the option."""
    try:
        return parse_date(value) if value else None
    except ValueError:
        raise ValueError(f"`{name}` should be a date like 2022-12-30 or 30 December 2022") from None


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

    async def _digest(self, interaction: discord.Interaction, title: str, topic: str | None,
                      since: date | None, until: date | None, oldest_first: bool) -> None:
        """The matching articles with their lead sentence, quoted and linked."""
        scope = scope_of(interaction.guild)
        articles = [a for a in await self.bot.library.articles(scope=scope, query=topic) if in_period(a, since, until)]
        if oldest_first:
            articles.sort(key=lambda a: (a.published or date.max, a.title))
        lines = []
        for article in articles[:DIGEST_ARTICLES]:
            detail = await self.bot.library.article(article.id, scope=scope)
            lead = blockquote(detail.lead[0]) if detail and detail.lead else ""
            day = article.published.isoformat() if article.published else "undated"
            lines.append(f"`{day}` {linked_title(article.title, article.url, 150)}\n{lead}")
        text = fit_lines(lines, DESCRIPTION_LIMIT, "\n\n") or "I have no articles on that yet."
        embed = discord.Embed(title=shorten(title, 256), description=text, colour=ANSWER_COLOUR)
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="summary", description="The latest articles on a topic, each with its opening line.")
    @app_commands.describe(topic="What to summarise, e.g. “power grid” (empty: everything)",
                           since="Only articles from this date on (e.g. 2022-12-29)",
                           until="Only articles up to this date (e.g. 2022-12-31)")
    async def summary(self, interaction: discord.Interaction, topic: str | None = None,
                      since: str | None = None, until: str | None = None) -> None:
        """Summarise a topic from the latest matching articles."""
        try:
            start, end = _read_day(since, "since"), _read_day(until, "until")
        except ValueError as error:
            await interaction.response.send_message(str(error), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        await self._digest(interaction, f"Summary: {topic}" if topic else "Summary of the latest news",
                           topic, start, end, oldest_first=False)

    @app_commands.command(name="timeline", description="How a story unfolded, article by article, oldest first.")
    @app_commands.describe(topic="The story to follow, e.g. “missile strikes”")
    async def timeline(self, interaction: discord.Interaction, topic: str) -> None:
        """The articles on a topic in date order."""
        await interaction.response.defer(thinking=True)
        await self._digest(interaction, f"Timeline: {topic}", topic, None, None, oldest_first=True)

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
