"""How the bot replies on Discord: messages that ping no one, notes only the user sees, and failures logged."""

from __future__ import annotations

import logging
import secrets

import discord

from index import EngineError, FeedLimit, UnknownArticle

log = logging.getLogger("newsbot")
NO_MENTIONS = discord.AllowedMentions.none()
NO_ARTICLES_YET = "I have no articles yet: a server manager can add some with /ingest."


def error_reply(error: EngineError) -> str:
    """An engine error as Discord words it: /sources lists article ids, and a scope here is a server."""
    if isinstance(error, UnknownArticle):
        return f"{error} (see /sources)"
    if isinstance(error, FeedLimit):
        return f"this server already follows {error.count} feeds, the most allowed"
    return str(error)


async def send_private(interaction: discord.Interaction, text: str) -> None:
    """A message only the user sees, even after a public "thinking…" deferral (which is removed first)."""
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True)
        return
    # The first followup after a public defer would replace it publicly; delete it so the note stays private.
    await interaction.delete_original_response()
    await interaction.followup.send(text, ephemeral=True)


def log_failure(what: str, error: BaseException) -> str:
    """Log a failure with a fresh reference id and return the short text the user sees."""
    reference = secrets.token_hex(4)
    log.error("%s failed (ref %s)", what, reference, exc_info=error)
    return f"Something went wrong on my side (ref `{reference}`)."
