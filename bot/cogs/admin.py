"""Server managers' commands: /ingest, /feed, /settings and /stats (Manage Server only)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.ask import NO_MENTIONS, scope_of
from bot.embeds import ANSWER_COLOUR, fit_lines, linked_title, shorten
from bot.render import ingest_summary
from bot.wording import plural
from index import IngestReport
from index.feedpoll import FeedFollowError
from index.models import Feed
from index.web import web_url

if TYPE_CHECKING:
    from bot.client import NewsBot

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
NOT_A_WEB_ADDRESS = "`url` takes the address of a web page, starting with http:// or https://."


def safe_filename(name: str) -> str:
    """An attachment's name reduced to a plain file name (no folders, no hidden files)."""
    stem = Path(name).name.lstrip(".") or "upload"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in stem)


def ingest_message(report: IngestReport) -> str:
    """The closing line of an ingest and the first few problems."""
    lines = [ingest_summary(report)]
    lines += [f"- {shorten(feed, 150)} is an RSS or Atom feed, not an article: follow it with `/feed add`"
              for feed in report.feeds]
    lines += [f"- {shorten(error, 180)}" for error in report.errors[:5]]
    if len(report.errors) > 5:
        lines.append(f"- and {len(report.errors) - 5} more")
    return fit_lines(lines, 1900)


def feed_line(number: int, feed: Feed) -> str:
    """One followed feed in /feed list: its linked title, articles read, and any trouble."""
    if feed.gone_at:
        state = "**gone**: the site answered 410 Gone, so it is no longer read (`/feed remove` unfollows it)"
    elif feed.failures:
        state = f"failing: {shorten(feed.last_error or '', 150)}"
    else:
        state = "checked" if feed.checked_at else "not polled yet"
    return f"`{number}` {linked_title(feed.title or feed.url, feed.url, 80)} · {feed.articles} articles · {state}"


class ManagerGroup(app_commands.Group):
    """A command group for server managers."""

    def __init__(self, bot: NewsBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Default permissions can be overridden by a server; check Manage Server on every use too."""
        if interaction.permissions.manage_guild:
            return True
        raise app_commands.MissingPermissions(["manage_guild"])


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
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
        target = channel or interaction.channel
        added = await self.bot.state.set_ask_channel(interaction.guild_id, target.id, True)
        text = f"I'll answer every message in {target.mention}." if added else f"{target.mention} already is one."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @ask_channel.command(name="remove", description="Stop answering every message in a channel")
    @app_commands.describe(channel="The channel (default: this one)")
    async def remove(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None) -> None:
        """Make a channel an ordinary channel again."""
        target = channel or interaction.channel
        removed = await self.bot.state.set_ask_channel(interaction.guild_id, target.id, False)
        text = f"{target.mention} is no longer an ask channel." if removed else f"{target.mention} wasn't one."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @ask_channel.command(name="list", description="The channels where every message is a question")
    async def list(self, interaction: discord.Interaction) -> None:
        """List the ask channels."""
        channels = sorted(await self.bot.state.ask_channels(interaction.guild_id))
        text = ", ".join(f"<#{c}>" for c in channels) or "No ask channels: mention me or use /ask."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="reply-in-thread", description="Answer messages in a new thread")
    @app_commands.describe(mode="on: each answer opens a thread where follow-ups continue; off: reply in place")
    async def reply_in_thread(self, interaction: discord.Interaction, mode: Literal["on", "off"]) -> None:
        """Turn answer threads on or off."""
        await self.bot.state.set_reply_in_thread(interaction.guild_id, mode == "on")
        await interaction.response.send_message(f"Answer threads are {mode}.", ephemeral=True)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
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
            await interaction.followup.send(shorten(str(error), 1900), ephemeral=True)
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
        lines = [feed_line(n, feed) for n, feed in enumerate(feeds, start=1)]
        embed = discord.Embed(title="Feeds this server follows", colour=ANSWER_COLOUR,
                              description=fit_lines(lines, 4000) or "None yet: add one with /feed add.")
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="digest", description="Post a short cited summary of the news in a channel")
    @app_commands.describe(channel="The channel (default: this one)",
                           every_hours="Hours between digests (default 24); 0 stops them")
    async def digest(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
                     every_hours: app_commands.Range[int, 0, 168] = 24) -> None:
        """Turn a channel's digest on (every so many hours) or off."""
        target = channel or interaction.channel
        await self.bot.state.set_digest(interaction.guild_id, target.id, every_hours)
        if every_hours:
            text = f"I'll post a digest of the news in {target.mention} every {every_hours} hours, starting soon."
        else:
            text = f"No more digests in {target.mention}."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


class AdminCog(commands.Cog):
    """Commands that change what the bot knows or how it behaves."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="ingest", description="Add an article to this server's library from a web page or "
                                                     "a file")
    @app_commands.describe(url="The address of a news article (https://...)",
                           file="An article file (.txt .md .html) or a JSON/JSONL file of articles")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
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
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / safe_filename(file.filename)
            path.write_bytes(await file.read())
            report = await self.bot.library.ingest_files([path], scope=scope)
        await interaction.followup.send(ingest_message(report).replace(str(path), file.filename), ephemeral=True)

    @app_commands.command(name="stats", description="What I know and how my answers are doing in this server")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stats(self, interaction: discord.Interaction) -> None:
        """Articles, questions, abstention rate, feedback and coverage gaps."""
        scope = scope_of(interaction.guild)
        stats = await self.bot.library.stats(scope=scope)
        usage = await self.bot.library.usage(scope=scope)
        rate = f"{usage.abstained / usage.questions:.0%}" if usage.questions else "-"
        embed = discord.Embed(title="newsbot in this server", colour=ANSWER_COLOUR)
        embed.add_field(name="Articles", value=f"{stats.articles:,}")
        embed.add_field(name="Sentences", value=f"{stats.sentences:,}")
        embed.add_field(name="Questions", value=f"{usage.questions:,}")
        embed.add_field(name="Not answered", value=rate)
        embed.add_field(name="Feedback", value=f"👍 {usage.helpful} · 👎 {usage.unhelpful}")
        gaps = [f"- {discord.utils.escape_markdown(shorten(q, 150))}" for q in usage.gaps]
        embed.add_field(name="Recent questions I couldn't answer", value=fit_lines(gaps, 1024) or "None",
                        inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: NewsBot) -> None:
    """Load the cog and the /settings group."""
    await bot.add_cog(AdminCog(bot))
    bot.tree.add_command(SettingsGroup(bot))
    bot.tree.add_command(FeedGroup(bot))
