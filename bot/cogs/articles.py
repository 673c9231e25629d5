"""/sources and /article: the articles the library knows, listed page by page or one at a time."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import scope_of
from bot.embeds import article_embed, articles_embed
from bot.replies import NO_MENTIONS

if TYPE_CHECKING:
    from bot.client import NewsBot

PAGE_SIZE = 8


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


class ArticlesCog(commands.Cog):
    """Browsing the articles behind the answers."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

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
    await bot.add_cog(ArticlesCog(bot))
