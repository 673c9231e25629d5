"""/feed add|remove|list|digest: the feeds a server follows and its channel digests (Manage Server only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.access import ManagerGroup, channel_or_here, guild_id, managers_only, scope_of
from bot.embeds import feeds_embed, linked_title, shorten
from bot.replies import NO_MENTIONS, error_reply
from bot.wording import plural
from index import FeedFollowError

if TYPE_CHECKING:
    from bot.client import NewsBot


@managers_only
class FeedGroup(ManagerGroup, name="feed", description="RSS and Atom feeds this server follows"):
    """/feed add, /feed remove, /feed list and /feed digest: a server's own feeds, and its digests."""

    @app_commands.command(name="add", description="Follow a feed: its new articles join this server's library")
    @app_commands.describe(url="The feed's address (RSS or Atom, https://...)")
    async def add(self, interaction: discord.Interaction, url: str) -> None:
        """Check the feed by fetching it once, then follow it."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            feed, parsed = await self.bot.library.feeds.add(url, scope=scope_of(interaction.guild))
        except FeedFollowError as error:
            await interaction.followup.send(shorten(error_reply(error), 1900), ephemeral=True)
            return
        minutes = self.bot.settings.engine.feeds.poll_minutes
        when = (f"Its new articles arrive within a few minutes, then every {minutes:g} minutes." if minutes > 0
                else "The bot's operator reads feeds on their own schedule.")
        title = linked_title(feed.title or feed.url, feed.url)
        items = plural(len(parsed.items), "item")
        await interaction.followup.send(f"Following {title} ({items}). {when}", ephemeral=True)

    @app_commands.command(name="remove", description="Stop following a feed (the articles read stay)")
    @app_commands.describe(feed="The feed's address, or its number in /feed list")
    async def remove(self, interaction: discord.Interaction, feed: str) -> None:
        """Unfollow one of this server's feeds."""
        feeds = await self.bot.library.feeds.list(scope=scope_of(interaction.guild))
        key = feed.strip()
        if key.isdigit() and 1 <= int(key) <= len(feeds):  # the number /feed list shows, not the stored id
            key = feeds[int(key) - 1].url
        removed = await self.bot.library.feeds.remove(key, scope=scope_of(interaction.guild))
        text = (f"Unfollowed {linked_title(removed.title or removed.url, removed.url)}." if removed
                else "This server follows no such feed: see /feed list.")
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="list", description="The feeds this server follows")
    async def list(self, interaction: discord.Interaction) -> None:
        """List this server's feeds with how their polls went."""
        feeds = await self.bot.library.feeds.list(scope=scope_of(interaction.guild))
        await interaction.response.send_message(embed=feeds_embed(feeds), ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="digest", description="Post a short cited summary of the news in a channel")
    @app_commands.describe(channel="The channel (default: this one)",
                           every_hours="Hours between digests (default 24); 0 stops them")
    async def digest(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
                     every_hours: app_commands.Range[int, 0, 168] = 24) -> None:
        """Turn a channel's digest on (every so many hours) or off."""
        target = channel_or_here(interaction, channel)
        await self.bot.state.set_digest(guild_id(interaction), target.id, every_hours)
        if every_hours:
            text = f"I'll post a digest of the news in {target.mention} every {every_hours} hours, starting soon."
        else:
            text = f"No more digests in {target.mention}."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: NewsBot) -> None:
    """Register the /feed group."""
    bot.tree.add_command(FeedGroup(bot))
