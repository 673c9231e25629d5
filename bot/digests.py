"""Channel digests: a short, quoted and cited summary of the news since the last digest, posted on schedule."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.embeds import DIGEST_HEADING, summary_embed

if TYPE_CHECKING:
    from bot.client import NewsBot

log = logging.getLogger("newsbot.digests")
DIGEST_SENTENCES = 5


def is_due(last_sent: str | None, hours: int, now: datetime) -> bool:
    """Whether a digest last sent then is due again (a first digest is due at once)."""
    return last_sent is None or datetime.fromisoformat(last_sent) + timedelta(hours=hours) <= now


async def post_due_digests(bot: NewsBot, now: datetime | None = None) -> int:
    """Post every digest that is due and has something new to say; return how many were posted."""
    now = now or datetime.now(UTC)
    posted = 0
    for guild_id, channel_id, hours, last_sent in await bot.state.digests():
        channel = bot.get_channel(channel_id)
        if not is_due(last_sent, hours, now) or not isinstance(channel, discord.abc.Messageable):
            continue
        # The news published since the day of the last digest; the first digest is the latest news.
        since = datetime.fromisoformat(last_sent).date() if last_sent else None
        summary = await bot.library.summarize(since=since, length=DIGEST_SENTENCES, scope=str(guild_id))
        if summary.empty:
            continue  # nothing new: the next round tries again, still since the same day
        try:
            await channel.send(DIGEST_HEADING, embed=summary_embed(summary),
                               allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.warning("could not post the digest in channel %s", channel_id)
            continue
        await bot.state.digest_sent(channel_id, now.isoformat(timespec="seconds"))
        posted += 1
    return posted
