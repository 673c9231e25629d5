"""Follows and alerts -> Discord messages: one story's sentence quoted and cited, the hour's held stories gathered,
and the list of follows."""

from __future__ import annotations

from collections.abc import Sequence

import discord
from discord.utils import escape_markdown

from bot.embeds import ANSWER_COLOUR, MESSAGE_LIMIT, blockquote, fit_lines, linked_title, shorten, split_message
from bot.wording import plural, shown_day
from index import Alert, Follow

THREAD_NAME_LIMIT = 100  # Discord's longest thread (forum post) name
# A gathered line longer than this loses its link rather than crowd the message (a link can be very long).
GATHERED_LINE_LIMIT = 600


def citation(alert: Alert, link: bool = True) -> str:
    """`[title](<url>) · outlet · date`: the angle brackets stop Discord's link preview."""
    outlet = f" · {escape_markdown(alert.outlet)}" if alert.outlet else ""
    return f"{linked_title(alert.title, alert.url if link else None)}{outlet} · {shown_day(alert.published)}"


def alert_message(alert: Alert) -> str:
    """One alert: the topic, the article's sentence most about it quoted word for word, then its citation."""
    heading = f"New story on **{escape_markdown(shorten(alert.topic, 200))}**:"
    cited = citation(alert)
    room = MESSAGE_LIMIT - len(heading) - len(cited) - 2
    return "\n".join([heading, shorten(blockquote(alert.text), room), cited])


def post_name(alert: Alert) -> str:
    """A forum post's name for one alert: the article's title."""
    return shorten(alert.title, THREAD_NAME_LIMIT)


def gathered_line(alert: Alert) -> str:
    """One held story in the gathered message: its citation and the topic it is about."""
    topic = escape_markdown(shorten(alert.topic, 200))
    line = f"- {citation(alert)} · on **{topic}**"
    return line if len(line) <= GATHERED_LINE_LIMIT else f"- {citation(alert, link=False)} · on **{topic}**"


def gathered_name(count: int) -> str:
    """A forum post's name for the hour's held stories."""
    return f"{plural(count, 'more story', 'more stories')} this hour"


def gathered_messages(alerts: Sequence[Alert], cap: int) -> list[str]:
    """The stories held back past the hourly cap, listed in one message (split where Discord's limit makes it)."""
    heading = (f"**{gathered_name(len(alerts))}** on followed topics (past the "
               f"{plural(cap, 'story', 'stories')} an hour posted one by one):")
    return split_message("\n".join([heading, *map(gathered_line, alerts)]))


def follow_line(follow: Follow) -> str:
    """One follow in /follow list: its number (what /follow remove takes), topic, and where its alerts go."""
    kind, _, number = follow.target.partition(":")
    where = f"<#{number}>" if kind == "channel" else "your direct messages"
    return f"`#{follow.id}` **{escape_markdown(shorten(follow.topic, 200))}** → {where}"


def follows_embed(follows: Sequence[Follow]) -> discord.Embed:
    """/follow list: the server's channel follows and the user's own, numbered as /follow remove takes them."""
    return discord.Embed(title="Topics followed here", colour=ANSWER_COLOUR,
                         description=fit_lines([follow_line(f) for f in follows], 4000)
                         or "None yet: follow one with /follow add.")
