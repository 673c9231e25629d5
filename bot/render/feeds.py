"""Feeds and their polls -> terminal text and JSON, for `newsbot feed` and `newsbot watch`."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.wording import plural
from index import Feed, PollReport


def feed_json(feed: Feed) -> dict[str, object]:
    """A feed as --json prints it."""
    return {"id": feed.id, "url": feed.url, "title": feed.title, "server": feed.scope, "articles": feed.articles,
            "checked_at": feed.checked_at, "next_check": feed.next_check, "failures": feed.failures,
            "last_error": feed.last_error, "gone_at": feed.gone_at}


def feed_line(feed: Feed) -> str:
    """A feed as `newsbot feed list` prints it."""
    where = f"server {feed.scope}" if feed.scope else "library"
    if feed.gone_at:
        state = gone_note(feed)
    elif feed.failures:
        state = f"failing ({feed.failures}x): {feed.last_error}"
    else:
        state = f"checked {feed.checked_at}" if feed.checked_at else "not polled yet"
    return f"{feed.id:>4}  {feed.url}  {feed.title or '-'}  [{where}, {plural(feed.articles, 'article')}, {state}]"


def report_json(report: PollReport) -> dict[str, object]:
    """A poll report as --json prints it."""
    return {"seconds": report.seconds, "timings": report.timings, "feeds": [
        {"url": p.feed.url, "status": p.status, "new": p.new, "updated": p.updated, "unchanged": p.unchanged,
         "also_reported": p.duplicates, "failed": p.failed, "errors": list(p.errors)} for p in report.feeds]}


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
    failed = len(_failed(report))
    lines.append(poll_totals(report) + (f" {failed} could not be polled." if failed else ""))
    return lines


def _failed(report: PollReport) -> list[str]:
    """The names of the feeds a poll could not read."""
    return [poll.feed.title or poll.feed.url for poll in report.feeds if poll.status in ("failed", "gone")]


def poll_totals(report: PollReport) -> str:
    """The totals of a poll: "Polled 2 feeds in 9.8s: 52 new articles; 3 near-duplicates kept as also reported."""
    new = sum(poll.new for poll in report.feeds)
    copies = sum(poll.duplicates for poll in report.feeds)
    also = f"; {_also_reported(copies)}" if copies else ""
    return f"Polled {plural(len(report.feeds), 'feed')} in {report.seconds:.1f}s: {plural(new, 'new article')}{also}."


def clock(moment: datetime) -> str:
    """A moment as the local time of day, "14:05"; not today's, with its date."""
    local = moment.astimezone()
    return local.strftime("%H:%M" if local.date() == datetime.now().astimezone().date() else "%Y-%m-%d %H:%M")


def next_poll(due: datetime | None) -> str:
    """"next poll at 14:05" (or "now"), for the lines `newsbot watch` prints."""
    if due is None:
        return "no feed to poll"
    return "next poll now" if due <= datetime.now(UTC) else f"next poll at {clock(due)}"


def watch_start_line(feeds: list[Feed], poll_minutes: float, due: datetime | None) -> str:
    """What `newsbot watch` prints when it starts: what it follows and when it polls, or how to add a feed."""
    if not feeds:
        return ("No feeds followed yet: add one with `newsbot feed add URL` (this watch polls it within a minute). "
                "Ctrl-C stops.")
    return (f"Watching {plural(len(feeds), 'feed')}, each polled every {poll_minutes:g} minutes; "
            f"{next_poll(due)}. Ctrl-C stops.")


def watch_poll_line(report: PollReport, due: datetime | None) -> str:
    """One line per poll of `newsbot watch`: the time, the totals, the feeds that failed, the next poll."""
    failed = _failed(report)
    trouble = f" Failed: {', '.join(failed)} (`newsbot feed list` says why)." if failed else ""
    return f"{clock(datetime.now(UTC))} {poll_totals(report)}{trouble} {next_poll(due).capitalize()}."
