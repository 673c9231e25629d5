"""Who sees what: the library scope of a server, and the Manage Server rule for managers' commands."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.client import NewsBot

Managed = TypeVar("Managed")


def scope_of(guild: discord.abc.Snowflake | None) -> str | None:
    """The library scope of a server: its articles plus the operator's; None (operator's only) in DMs."""
    return str(guild.id) if guild else None


def guild_id(interaction: discord.Interaction) -> int:
    """The server a command for servers only (managers_only) was used in."""
    assert interaction.guild_id is not None  # guild_only: Discord offers the command nowhere else
    return interaction.guild_id


def channel_or_here(interaction: discord.Interaction,
                    channel: discord.TextChannel | None) -> discord.abc.GuildChannel | discord.Thread:
    """The channel a command for servers only names, else the server channel (or thread) it was used in."""
    target = channel or interaction.channel
    assert isinstance(target, discord.abc.GuildChannel | discord.Thread)  # guild_only: never a DM
    return target


def require_manager(interaction: discord.Interaction) -> bool:
    """Pass a server manager (Manage Server); refuse anyone else with the error the bot explains."""
    if interaction.permissions.manage_guild:
        return True
    raise app_commands.MissingPermissions(["manage_guild"])


def managers_only(command: Managed) -> Managed:
    """A command (below `app_commands.command`) or ManagerGroup for servers only, offered to managers by default."""
    # A server can override the default permissions, so every use is checked too (groups check in ManagerGroup).
    if not isinstance(command, type):
        command = app_commands.check(require_manager)(command)
    return app_commands.guild_only(app_commands.default_permissions(manage_guild=True)(command))


class ManagerGroup(app_commands.Group):
    """A command group for server managers: every command in it checks `require_manager`."""

    def __init__(self, bot: NewsBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The same rule as the managers' top-level commands."""
        return require_manager(interaction)
