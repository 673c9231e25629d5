"""Polling feeds on a schedule: `newsbot watch` (no Discord) and the same loop inside `newsbot run`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from index import Library
from index.models import PollReport

log = logging.getLogger("newsbot.feeds")
# The longest nap between looks for due feeds (feeds added by another process are seen within it).
MAX_NAP_SECONDS = 60.0
OnReport = Callable[[PollReport], Awaitable[None]]


def poll_lines(report: PollReport) -> list[str]:
    """One line per feed polled, then the totals."""
    lines = []
    for poll in report.feeds:
        name = poll.feed.title or poll.feed.url
        if poll.status == "polled":
            lines.append(f"{name}: {poll.new} new, {poll.updated} updated, {poll.failed} failed")
        else:
            lines.append(f"{name}: {poll.status}")
        lines += [f"  {error}" for error in poll.errors]
    new = sum(poll.new for poll in report.feeds)
    failed = sum(poll.status == "failed" for poll in report.feeds)
    count = len(report.feeds)
    failures = f" {failed} could not be polled." if failed else ""
    feeds = f"{count} feed{'' if count == 1 else 's'}"
    lines.append(f"Polled {feeds} in {report.seconds:.1f}s: {new} new articles.{failures}")
    return lines


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
