"""/follow add|list|remove: topics followed across every outlet, alerted in a channel (Manage Server) or by DM."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.access import scope_of
from bot.alertmessages import follows_embed
from bot.alerts import CHANNEL, channel_target, user_target
from bot.replies import NO_MENTIONS, error_reply
from bot.wording import plural
from index import Follow, FollowError

if TYPE_CHECKING:
    from bot.client import NewsBot

AlertChannel = discord.TextChannel | discord.ForumChannel
NEEDS_MANAGER = ("You need the **Manage Server** permission for a channel's alerts; "
                 "`dm: True` sends them to your direct messages instead.")
NOT_A_CHANNEL = "Alerts go to a text or forum channel: name one with `channel:`."


async def reply(interaction: discord.Interaction, text: str) -> None:
    """A note only the user sees, pinging no one."""
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


def channel_refusal(interaction: discord.Interaction, where: object) -> str | None:
    """Why this user may not have alerts posted there, or None."""
    if not interaction.permissions.manage_guild:
        return NEEDS_MANAGER
    return None if isinstance(where, AlertChannel) else NOT_A_CHANNEL


@app_commands.guild_only()
class FollowGroup(app_commands.Group, name="follow", description="Follow a topic across every outlet"):
    """/follow add, /follow list and /follow remove: a server's channel alerts and each member's own DM alerts."""

    def __init__(self, bot: NewsBot) -> None:
        super().__init__()
        self.bot = bot

    @app_commands.command(name="add", description="Get each new story about a topic, with the sentence that says "
                          "what happened")
    @app_commands.describe(topic="What the stories are about, e.g. harbour wall storm",
                           channel="Where to post them (default: this channel; needs Manage Server)",
                           dm="Send them to your direct messages instead")
    async def add(self, interaction: discord.Interaction, topic: str, channel: AlertChannel | None = None,
                  dm: bool = False) -> None:
        """Follow a topic for a channel, or for the user's direct messages."""
        if dm and channel is not None:
            await reply(interaction, "Choose a channel or your direct messages, not both.")
            return
        where = None if dm else channel or interaction.channel
        refusal = await self._dm_refusal(interaction) if where is None else channel_refusal(interaction, where)
        if refusal:
            await reply(interaction, refusal)
            return
        target = channel_target(where.id) if isinstance(where, AlertChannel) else user_target(interaction.user.id)
        try:
            follow = await self.bot.library.follows.follow(topic, scope_of(interaction.guild), target)
        except FollowError as error:
            await reply(interaction, error_reply(error))
            return
        there = f"posted in {where.mention}" if isinstance(where, AlertChannel) else "sent to your direct messages"
        await reply(interaction, f"Following **{escape_markdown(follow.topic)}** (#{follow.id}): each new story "
                    f"about it is {there}, with the sentence that says what happened.")

    async def _dm_refusal(self, interaction: discord.Interaction) -> str | None:
        """Why this user may follow no more topics for their direct messages here, or None."""
        cap = self.bot.settings.engine.follow.max_per_user
        mine = await self.bot.library.follows.listed(scope_of(interaction.guild), user_target(interaction.user.id))
        if len(mine) < cap:
            return None
        if not cap:
            return "This bot sends no alerts by direct message; ask a server manager for a channel's."
        return (f"You already follow {plural(len(mine), 'topic')} for your direct messages here, the most allowed: "
                "`/follow remove` one first.")

    @app_commands.command(name="list", description="The topics this server's channels and you follow")
    async def listed(self, interaction: discord.Interaction) -> None:
        """List the server's channel follows and the user's own direct-message follows, with their numbers."""
        await interaction.response.send_message(embed=follows_embed(await self._visible(interaction)),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _visible(self, interaction: discord.Interaction) -> list[Follow]:
        """The follows this user sees here: every channel's, and their own direct-message ones."""
        mine = user_target(interaction.user.id)
        return [follow for follow in await self.bot.library.follows.listed(scope_of(interaction.guild))
                if follow.target.startswith(CHANNEL) or follow.target == mine]

    @app_commands.command(name="remove", description="Stop following a topic")
    @app_commands.describe(follow="The topic's number in /follow list")
    async def remove(self, interaction: discord.Interaction, follow: int) -> None:
        """Unfollow a channel's topic (Manage Server) or one of the user's own."""
        found = next((f for f in await self._visible(interaction) if f.id == follow), None)
        if found is None:
            await reply(interaction, f"No followed topic #{follow} here: see /follow list.")
            return
        if found.target.startswith(CHANNEL) and not interaction.permissions.manage_guild:
            await reply(interaction, "You need the **Manage Server** permission to stop a channel's alerts.")
            return
        removed = await self.bot.library.follows.remove(found.id, scope_of(interaction.guild), found.target)
        text = f"Unfollowed **{escape_markdown(found.topic)}**." if removed else "That topic was just unfollowed."
        await reply(interaction, text)


async def setup(bot: NewsBot) -> None:
    """Register the /follow group."""
    bot.tree.add_command(FollowGroup(bot))
