"""Polling feeds on a schedule: `newsbot watch` (no Discord) and the same loop inside `newsbot run`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.wording import plural
from index import Library
from index.models import Feed, PollReport

log = logging.getLogger("newsbot.feeds")
# The longest nap between looks for due feeds (feeds added by another process are seen within it).
MAX_NAP_SECONDS = 60.0
OnReport = Callable[[PollReport], Awaitable[None]]


def gone_note(feed: Feed) -> str:
    """What a feed gone for good means, and how to unfollow it."""
    server = f" --server {feed.scope}" if feed.scope else ""
    return (f"gone: its server answered 410 Gone, so it is no longer polled"
            f" (`newsbot feed remove {feed.id}{server}` unfollows it)")


def _also_reported(copies: int) -> str:
    """"1 near-duplicate kept as also reported", as the ingest line says it."""
    return f"{plural(copies, 'near-duplicate')} kept as also reported"


def poll_lines(report: PollReport) -> list[str]:
    """One line per feed polled, then the totals."""
    lines = []
    for poll in report.feeds:
        name = poll.feed.title or poll.feed.url
        if poll.status == "polled":
            also = f", {_also_reported(poll.duplicates)}" if poll.duplicates else ""
            lines.append(f"{name}: {poll.new} new, {poll.updated} updated{also}, {poll.failed} failed")
        else:
            lines.append(f"{name}: {gone_note(poll.feed) if poll.status == 'gone' else poll.status}")
        lines += [f"  {error}" for error in poll.errors]
    new = sum(poll.new for poll in report.feeds)
    copies = sum(poll.duplicates for poll in report.feeds)
    failed = sum(poll.status in ("failed", "gone") for poll in report.feeds)
    count = len(report.feeds)
    also = f"; {_also_reported(copies)}" if copies else ""
    failures = f" {failed} could not be polled." if failed else ""
    polled = f"Polled {plural(count, 'feed')} in {report.seconds:.1f}s"
    lines.append(f"{polled}: {plural(new, 'new article')}{also}.{failures}")
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
