"""Polling feeds on a schedule: `newsbot watch` (no Discord) and the same loop inside `newsbot run`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.render.feeds import poll_lines
from index import Library, PollReport

log = logging.getLogger("newsbot.feeds")
# The longest nap between looks for due feeds (feeds added by another process are seen within it).
MAX_NAP_SECONDS = 60.0
OnReport = Callable[[PollReport], Awaitable[None]]


async def poll_forever(library: Library, on_report: OnReport | None = None) -> None:
    """Poll the feeds that are due, again and again, until cancelled; a failed round is logged, not fatal."""
    while True:
        try:
            report = await library.feeds.poll(due_only=True)
            if report.feeds:
                for line in poll_lines(report):
                    log.info("%s", line)
            if on_report is not None:
                await on_report(report)
        except Exception:  # the loop outlives any one bad round (a full disk, a bug in a digest)
            log.exception("feed poll failed")
        await library.feeds.wait_until_due(MAX_NAP_SECONDS)
