"""NewsBot: intents, cogs, command sync, and short logged errors; `newsbot run` starts it."""

from __future__ import annotations

import logging
import secrets
from typing import Any, Literal

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.cooldown import Cooldown
from bot.replies import log_failure, send_private
from bot.state import BotState
from index import Library, Shards

log = logging.getLogger("newsbot")
COGS = ("bot.cogs.ask", "bot.cogs.summary", "bot.cogs.articles", "bot.cogs.admin", "bot.cogs.feeds",
        "bot.cogs.follows", "bot.cogs.digests", "bot.cogs.alerts", "bot.cogs.polling")
MESSAGE_CONTENT_HELP = (
    "Discord refused the Message Content intent. Enable it for the bot in the Developer Portal "
    "(Bot > Privileged Gateway Intents), or set discord.ask_channels = false."
)


def use_api(api_url: str) -> str:
    """Point discord.py's REST calls at `api_url` when one is set; the address in use."""
    if api_url:
        discord.http.Route.BASE = api_url.rstrip("/")
    return discord.http.Route.BASE


def use_gateway(gateway_url: str) -> None:
    """Connect discord.py's shards to `gateway_url` when one is set (a gateway proxy), else to Discord's own."""
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def build_intents(settings: Settings) -> discord.Intents:
    """Only what the bot uses; message content (privileged) only when ask channels are configured."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.guild_reactions = True
    intents.message_content = settings.discord.ask_channels
    return intents


def error_text(error: app_commands.AppCommandError) -> tuple[str, bool]:
    """What to tell the user about a failed command, and whether it is a bug worth a logged reference."""
    if isinstance(error, app_commands.MissingPermissions):
        return "You need the **Manage Server** permission for this.", False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in servers only.", False
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", False
    return "Something went wrong on my side.", True


class NewsBot(commands.Bot):
    """The bot: services, cogs, command sync and error handling, over one connection (or shards, below)."""

    def __init__(self, settings: Settings, library: Library, state: BotState, **options: Any) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=build_intents(settings),
                         allowed_mentions=discord.AllowedMentions.none(), help_command=None, **options)
        self.settings, self.library, self.state = settings, library, state
        self.cooldown = Cooldown(settings.discord.cooldown_questions, settings.discord.cooldown_seconds)

    async def setup_hook(self) -> None:
        """Load the cogs and sync the slash commands (to the dev server only, when one is set)."""
        for cog in COGS:
            await self.load_extension(cog)
        self.tree.error(self.on_app_command_error)
        guild_id = self.settings.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("synced %d commands %s", len(synced), f"to server {guild_id}" if guild_id else "globally")

    async def on_ready(self) -> None:
        """Log who we are once connected."""
        log.info("ready as %s in %d servers", self.user, len(self.guilds))

    async def on_app_command_error(self, interaction: discord.Interaction,
                                   error: app_commands.AppCommandError) -> None:
        """A short ephemeral message; bugs are logged with a reference id, never shown as a traceback."""
        text, is_bug = error_text(error)
        if is_bug:
            text = log_failure(f"/{getattr(interaction.command, 'qualified_name', '?')}", error)
        try:
            await send_private(interaction, text)
        except discord.HTTPException:
            log.warning("could not report an error to the user")

    async def on_error(self, event: str, *args: object, **kwargs: object) -> None:
        """Errors in event handlers (on_message) are logged with a reference, never crash the bot."""
        log.exception("event %s failed (ref %s)", event, secrets.token_hex(4))


# commands.Bot adds nothing to the base they share, so this order puts the sharded client's connection
# logic under NewsBot's body without repeating it.
class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """The same bot over shards: as many as Discord recommends (`--shards auto`), or `--shard-ids` of a count."""


def bot_class(shards: Shards | Literal["auto"] | None) -> tuple[type[NewsBot], dict[str, Any]]:
    """The bot's class and discord.py's shard options for `newsbot run`'s way of connecting."""
    if shards is None:
        return NewsBot, {}
    if shards == "auto":
        return ShardedNewsBot, {}
    return ShardedNewsBot, {"shard_count": shards.count, "shard_ids": sorted(shards.ids)}


async def run_bot(settings: Settings, library: Library, token: str,
                  shards: Shards | Literal["auto"] | None = None) -> None:
    """Open the bot's state (bot.db, or the shared database `[store] url` names), load the model, connect, run until
    stopped."""
    use_api(settings.discord.api_url)
    use_gateway(settings.discord.gateway_url)
    state = await BotState.open(settings.data_dir, settings.engine.store.url)
    try:
        await library.warm_up()  # the model loads before the bot connects and says it is ready
        kind, options = bot_class(shards)
        async with kind(settings, library, state, **options) as bot:
            await bot.start(token)
    finally:
        await state.close()
