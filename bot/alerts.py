"""Followed topics' alerts posted on Discord: in channels (a forum gets a post per story) and in direct messages,
one message per story up to the hourly cap, the rest gathered into one message when the hour ends."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.alerting import HOUR, TargetPlan, Window, hour_of, plan
from bot.alertmessages import alert_message, gathered_messages, gathered_name, post_name
from bot.replies import NO_MENTIONS
from index import Alert, Shards

if TYPE_CHECKING:
    from bot.client import NewsBot

log = logging.getLogger("newsbot.follows")
CHANNEL, USER = "channel:", "user:"
# Alerts read per round and kind of target; held ones stay pending until their hour ends, so this is generous.
PENDING_LIMIT = 2000
# How long a round holds the alerts it took: a process running the same shards meanwhile (a restart overlapping the
# old process) leaves them alone. A round lets go of them when it ends, told or not.
LEASE = timedelta(minutes=2)
Destination = discord.TextChannel | discord.ForumChannel | discord.DMChannel


def utc_now() -> datetime:
    """The time the hourly cap counts by."""
    return datetime.now(UTC)


def channel_target(channel_id: int) -> str:
    """The follow target of a channel's alerts."""
    return f"{CHANNEL}{channel_id}"


def user_target(user_id: int) -> str:
    """The follow target of a user's direct-message alerts."""
    return f"{USER}{user_id}"


async def destination(bot: NewsBot, target: str) -> Destination | None:
    """Where a target's alerts go: its text or forum channel, or the user's DM channel; None if there is none."""
    kind, _, number = target.partition(":")
    if not number.isdigit():
        return None
    if f"{kind}:" == CHANNEL:
        channel = bot.get_channel(int(number))
        return channel if isinstance(channel, discord.TextChannel | discord.ForumChannel) else None
    try:
        return await bot.create_dm(discord.Object(int(number)))
    except discord.HTTPException:  # no such user, or not one the bot can reach
        return None


async def post(where: discord.abc.Messageable | discord.ForumChannel, parts: list[str], name: str) -> None:
    """Post a message's parts in order; in a forum, as a new post called `name` that opens with the first part."""
    if isinstance(where, discord.ForumChannel):
        created = await where.create_thread(name=name, content=parts[0], allowed_mentions=NO_MENTIONS)
        await post(created.thread, parts[1:], name)
        return
    for part in parts:
        await where.send(part, allowed_mentions=NO_MENTIONS)


async def deliver(where: Destination, planned: TargetPlan[Alert], cap: int) -> tuple[list[int], Window | None]:
    """Post one target's round; the alerts told, and its window to keep (None: retry the whole round later)."""
    if planned.gathered:
        try:
            await post(where, gathered_messages(planned.gathered, cap), gathered_name(len(planned.gathered)))
        except discord.HTTPException as error:
            if isinstance(error, discord.NotFound | discord.Forbidden):
                raise
            log.warning("could not post the gathered alerts to %s (%s): trying again next round", where, error)
            return [], None
    told = [alert.id for alert in planned.gathered]
    for position, alert in enumerate(planned.singles):
        try:
            await post(where, [alert_message(alert)], post_name(alert))
        except discord.HTTPException as error:
            if isinstance(error, discord.NotFound | discord.Forbidden):
                raise
            log.warning("could not post an alert to %s (%s): trying again next round", where, error)
            # Only the messages that went out count against the hour.
            unsent = len(planned.singles) - position
            return told, replace(planned.window, sent=planned.window.sent - unsent)
        told.append(alert.id)
    return told, planned.window


def process_shards(bot: NewsBot) -> Shards | None:
    """The shards whose guilds this process serves; None when it serves every guild the bot is in."""
    ids, count = getattr(bot, "shard_ids", None), bot.shard_count  # shard_ids: only a sharded bot's, when given
    if not ids or not count or set(range(count)) <= set(ids):
        return None
    return Shards(frozenset(ids), count)


def out_of_sight(bot: NewsBot, target: str, alerts: list[Alert]) -> bool:
    """Whether a channel's alerts are another process's to tell: their guild is on none of this process's shards."""
    shards = process_shards(bot)
    return shards is not None and target.startswith(CHANNEL) and not all(
        alert.scope is not None and alert.scope.isascii() and alert.scope.isdigit() and shards.holds(int(alert.scope))
        for alert in alerts)


async def post_target(bot: NewsBot, target: str, planned: TargetPlan[Alert],
                      cap: int) -> tuple[list[int], Window | None]:
    """Post one target's round; a target that is gone or cannot be messaged has its alerts dropped, with a warning."""
    where = await destination(bot, target)
    alerts = [*planned.gathered, *planned.singles]
    try:
        if where is not None:
            return await deliver(where, planned, cap)
    except (discord.NotFound, discord.Forbidden) as error:
        log.warning("alerts for %s dropped: %s", target, error)
    else:
        # A channel this process cannot see is gone only if its guild is on this process's shards.
        if out_of_sight(bot, target, alerts):
            return [], None
        log.warning("alerts for %s dropped: no such text or forum channel, or user, to message", target)
    return [alert.id for alert in alerts], planned.window


async def take_alerts(bot: NewsBot) -> list[Alert]:
    """The pending alerts this process tells, held for the lease: its shards' channels', and users' on shard 0."""
    follows, shards = bot.library.follows, process_shards(bot)
    alerts = await follows.pending(CHANNEL, PENDING_LIMIT, shards, LEASE)
    # A direct message needs no guild: the process running shard 0 sends them all, so that each is sent once and a
    # user's hourly cap is counted in one place, whichever servers they followed topics in.
    if shards is None or 0 in shards.ids:
        alerts += await follows.pending(USER, PENDING_LIMIT, lease=LEASE)
    return alerts


async def post_alerts(bot: NewsBot, now: datetime, hour: timedelta = HOUR) -> int:
    """Post this process's pending alerts of channels and users, within the hourly cap; how many alerts were told."""
    alerts = await take_alerts(bot)
    try:
        return await post_round(bot, alerts, now, hour)
    finally:
        await bot.library.follows.release([alert.id for alert in alerts])


async def post_round(bot: NewsBot, alerts: list[Alert], now: datetime, hour: timedelta) -> int:
    """Post the alerts taken, within the hourly cap; how many were told."""
    if not alerts:
        return 0
    follows, cap = bot.library.follows, bot.settings.engine.follow.max_per_hour
    windows = await bot.state.alert_windows(alert.target for alert in alerts)
    told_count = 0
    for target, planned in plan(alerts, windows, cap, hour_of(now, hour)).items():
        told, window = await post_target(bot, target, planned, cap)
        await follows.delivered(told)
        if window is not None:
            await bot.state.save_alert_windows({target: window})
        told_count += len(told)
    return told_count
