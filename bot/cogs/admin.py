"""Server managers' commands: /ingest, /settings and /stats (Manage Server only)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import ManagerGroup, channel_or_here, guild_id, managers_only, scope_of
from bot.embeds import ingest_message, stats_embed
from bot.replies import NO_MENTIONS
from index import web_url

if TYPE_CHECKING:
    from bot.client import NewsBot

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
NOT_A_WEB_ADDRESS = "`url` takes the address of a web page, starting with http:// or https://."


def safe_filename(name: str) -> str:
    """An attachment's name reduced to a plain file name (no folders, no hidden files)."""
    stem = Path(name).name.lstrip(".") or "upload"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in stem)


@managers_only
class SettingsGroup(ManagerGroup, name="settings", description="How newsbot behaves in this server"):
    """/settings ask-channel ... and /settings reply-in-thread."""

    ask_channel = app_commands.Group(name="ask-channel", description="Channels where every message is a question")

    @ask_channel.command(name="add", description="Answer every message in a channel")
    @app_commands.describe(channel="The channel (default: this one)")
    async def add(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        """Make a channel an ask channel."""
        if not self.bot.settings.discord.ask_channels:
            await interaction.response.send_message(
                "Ask channels need Discord's Message Content intent. The bot's operator can turn it on "
                "(config `discord.ask_channels = true`, and the intent in the Developer Portal). "
                "Until then, mention me or use /ask.", ephemeral=True)
            return
        target = channel_or_here(interaction, channel)
        added = await self.bot.state.set_ask_channel(guild_id(interaction), target.id, True)
        text = f"I'll answer every message in {target.mention}." if added else f"{target.mention} already is one."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @ask_channel.command(name="remove", description="Stop answering every message in a channel")
    @app_commands.describe(channel="The channel (default: this one)")
    async def remove(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        """Make a channel an ordinary channel again."""
        target = channel_or_here(interaction, channel)
        removed = await self.bot.state.set_ask_channel(guild_id(interaction), target.id, False)
        text = f"{target.mention} is no longer an ask channel." if removed else f"{target.mention} wasn't one."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @ask_channel.command(name="list", description="The channels where every message is a question")
    async def list(self, interaction: discord.Interaction) -> None:
        """List the ask channels."""
        channels = sorted(await self.bot.state.ask_channels(guild_id(interaction)))
        text = ", ".join(f"<#{c}>" for c in channels) or "No ask channels: mention me or use /ask."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="reply-in-thread", description="Answer messages in a new thread")
    @app_commands.describe(mode="on: each answer opens a thread where follow-ups continue; off: reply in place")
    async def reply_in_thread(self, interaction: discord.Interaction, mode: Literal["on", "off"]) -> None:
        """Turn answer threads on or off."""
        await self.bot.state.set_reply_in_thread(guild_id(interaction), mode == "on")
        await interaction.response.send_message(f"Answer threads are {mode}.", ephemeral=True)


class AdminCog(commands.Cog):
    """Commands that change what the bot knows or how it behaves."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="ingest", description="Add an article to this server's library from a web page or "
                                                     "a file")
    @app_commands.describe(url="The address of a news article (https://...)",
                           file="An article file (.txt .md .html) or a JSON/JSONL file of articles")
    @managers_only
    async def ingest(self, interaction: discord.Interaction, url: str | None = None,
                     file: discord.Attachment | None = None) -> None:
        """Read a web page or an attached file into this server's library."""
        if (url is None) == (file is None):
            await interaction.response.send_message("Give either a `url` or a `file`.", ephemeral=True)
            return
        if file is not None and file.size > MAX_ATTACHMENT_BYTES:
            await interaction.response.send_message("That file is over 10 MB; split it up.", ephemeral=True)
            return
        address = web_url(url) if url is not None else None
        if url is not None and address is None:
            # Checked before anything is opened, and the reply names nothing of the host: Discord never names a file.
            await interaction.response.send_message(NOT_A_WEB_ADDRESS, ephemeral=True)
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        scope = scope_of(interaction.guild)
        if address is not None:
            # Private addresses are refused unless the operator set web.allow_private_addresses (an intranet).
            report = await self.bot.library.ingest_urls([address], scope=scope)
            await interaction.followup.send(ingest_message(report), ephemeral=True)
            return
        assert file is not None  # given either a url or a file, and not the url
        name = safe_filename(file.filename)  # the title of a file that gives none comes from its name, as from a file's
        report = await self.bot.library.ingest_upload(name, await file.read(), scope=scope)
        await interaction.followup.send(ingest_message(report).replace(name, file.filename), ephemeral=True)

    @app_commands.command(name="stats", description="What I know and how my answers are doing in this server")
    @managers_only
    async def stats(self, interaction: discord.Interaction) -> None:
        """Articles, questions, abstention rate, feedback and coverage gaps."""
        scope = scope_of(interaction.guild)
        stats = await self.bot.library.stats(scope=scope)
        usage = await self.bot.library.usage(scope=scope)
        await interaction.response.send_message(embed=stats_embed(stats, usage), ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


async def setup(bot: NewsBot) -> None:
    """Load the cog and the /settings group."""
    await bot.add_cog(AdminCog(bot))
    bot.tree.add_command(SettingsGroup(bot))
