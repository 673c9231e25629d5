"""`newsbot feed add|list|remove|poll` and `newsbot watch`: following feeds from the command line."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import Settings
from bot.followcli import alerts_json, told
from bot.render import error_text
from bot.render.alerts import alert_line
from bot.render.feeds import feed_json, feed_line, poll_lines, report_json, watch_poll_line, watch_start_line
from bot.session import Command, open_library, print_either
from bot.watch import poll_forever
from bot.wording import plural
from index import Feed, FeedFollowError, PollReport


def _scope(args: argparse.Namespace) -> str | None:
    """The Discord server (--server ID) whose feeds a command is about; None: the operator's library."""
    return str(args.server) if args.server else None


async def cmd_feed_add(args: argparse.Namespace, settings: Settings) -> int:
    """Follow a feed (checked by fetching it once)."""
    async with open_library(settings) as library:
        try:
            feed, parsed = await library.feeds.add(args.url, scope=_scope(args))
        except FeedFollowError as error:
            print(f"error: {error_text(error)}", file=sys.stderr)
            return 1
    print_either(args.json, feed_json(feed),
                 f"following {feed.title or feed.url} ({plural(len(parsed.items), 'item')}): `newsbot feed poll` "
                 "reads them now, `newsbot run` or `newsbot watch` on schedule")
    return 0


async def cmd_feed_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the feeds followed: the library's and every server's (or one server's, with --server)."""
    async with open_library(settings) as library:
        feeds = await library.feeds.list(scope=_scope(args), every_scope=not args.server)
    print_either(args.json, [feed_json(feed) for feed in feeds],
                 "\n".join([*map(feed_line, feeds), plural(len(feeds), 'feed')]))
    return 0


async def cmd_feed_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Stop following feeds, by URL or by the number `newsbot feed list` shows (their articles stay)."""
    removed: list[Feed] = []
    errors: list[str] = []
    async with open_library(settings) as library:
        feeds = await library.feeds.list(every_scope=True)
        for key in args.feeds:
            scope = _scope(args) if args.server else _scope_of(key.strip(), feeds)
            if feed := await library.feeds.remove(key, scope=scope):
                removed.append(feed)
            else:
                errors.append(_not_followed(key.strip(), _scope(args), feeds))
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    print_either(args.json, {"removed": [feed_json(feed) for feed in removed], "errors": errors},
                 "\n".join(f"unfollowed {feed.url}" for feed in removed))
    return 1 if errors else 0


def _scope_of(number: str, feeds: list[Feed]) -> str | None:
    """The scope of the feed `newsbot feed list` shows with this number (the operator's for a URL)."""
    return next((feed.scope for feed in feeds if str(feed.id) == number), None)


def _not_followed(key: str, scope: str | None, feeds: list[Feed]) -> str:
    """Why no feed was removed for `key`, and what to type when another library follows that URL."""
    where = f" among server {scope}'s feeds" if scope else ""
    owner = next((feed.scope for feed in feeds if feed.url == key and feed.scope != scope), "")
    if owner == "":
        return f"no feed {key!r}{where} (see `newsbot feed list`)"
    if owner is None:
        return f"no feed {key!r}{where}; the library follows it: leave out --server"
    return f"no feed {key!r}{where}; server {owner} follows it: add --server {owner}"


async def cmd_feed_poll(args: argparse.Namespace, settings: Settings) -> int:
    """Poll every feed once, now."""
    async with open_library(settings) as library:
        report = await library.feeds.poll()
        alerts = await told(library, tuple(alert for poll in report.feeds for alert in poll.alerts))
    print_either(args.json, report_json(report) | {"alerts": alerts_json(alerts)},
                 "\n".join([*poll_lines(report), *map(alert_line, alerts)]))
    return 1 if any(poll.status in ("failed", "gone") for poll in report.feeds) else 0


async def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    """Poll the feeds on their schedule until stopped, without Discord."""
    if settings.engine.feeds.poll_minutes <= 0:
        print("error: set feeds.poll_minutes above 0 for `newsbot watch`", file=sys.stderr)
        return 2
    # Warnings only: the poll lines are printed below, one per poll, instead of logged per feed.
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    async with open_library(settings) as library:
        feeds = await library.feeds.list(every_scope=True)
        due = await library.feeds.next_due()
        print(watch_start_line(feeds, settings.engine.feeds.poll_minutes, due), flush=True)

        async def say(report: PollReport) -> None:
            """Print one line for a poll that read feeds (a look that found none due prints nothing)."""
            if report.feeds:
                alerts = await told(library, tuple(alert for poll in report.feeds for alert in poll.alerts))
                print("\n".join([watch_poll_line(report, await library.feeds.next_due()), *map(alert_line, alerts)]),
                      flush=True)

        await poll_forever(library, say)
    return 0


def add_feed_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `feed add|list|remove|poll` and `watch` on the CLI's subcommands."""
    feed = commands.add_parser("feed", parents=[common], help="follow RSS and Atom feeds",
                               description="Follow RSS and Atom feeds: their new articles are read on every poll.")
    actions = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)

    def action(name: str, function: Command, help_text: str, server: bool = True) -> argparse.ArgumentParser:
        """One `feed` action with --json (and --server, for those that act on one scope)."""
        sub = actions.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        if server:
            sub.add_argument("--server", type=int, metavar="ID", help="a Discord server's feeds, not the library's")
        sub.set_defaults(function=function)
        return sub

    action("add", cmd_feed_add, "follow a feed (RSS 0.9x/2.0 or Atom)").add_argument("url", metavar="URL")
    action("list", cmd_feed_list, "the feeds followed and how their polls went")
    action("remove", cmd_feed_remove, "stop following feeds (their articles stay)").add_argument(
        "feeds", nargs="+", metavar="URL_OR_NUMBER")
    action("poll", cmd_feed_poll, "poll every feed (the library's and every server's) once, now", server=False)
    watch = commands.add_parser("watch", parents=[common], help="poll the feeds on schedule, without Discord",
                                description="Poll the feeds every feeds.poll_minutes until stopped (Ctrl-C).")
    watch.set_defaults(function=cmd_watch)
