"""`newsbot follow add|list|remove`: the operator's followed topics, alerted by the commands that store articles."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.render.alerts import CLI_TARGET, alert_json, alert_line, follow_json, follow_line, operator_alerts
from bot.session import Command, add_server_option, open_library, print_either, server_scope
from bot.wording import plural
from index import Alert, FollowError, Library


async def cmd_follow_add(args: argparse.Namespace, settings: Settings) -> int:
    """Follow a topic: articles about it stored from now on are printed as alerts by the command storing them."""
    async with open_library(settings) as library:
        try:
            follow = await library.follows.follow(args.topic, server_scope(args), CLI_TARGET)
        except FollowError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    print_either(args.json, follow_json(follow),
                 f'following "{follow.topic}" (#{follow.id}): `newsbot ingest`, `newsbot feed poll` and '
                 "`newsbot watch` print an alert for each new story about it")
    return 0


async def cmd_follow_list(args: argparse.Namespace, settings: Settings) -> int:
    """List the library's followed topics (or one server's, with --server), every target's."""
    async with open_library(settings) as library:
        follows = await library.follows.listed(server_scope(args))
    print_either(args.json, [follow_json(follow) for follow in follows],
                 "\n".join([*map(follow_line, follows), plural(len(follows), "followed topic")]))
    return 0


async def cmd_follow_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Stop following a topic, by the number `newsbot follow list` shows."""
    async with open_library(settings) as library:
        removed = await library.follows.remove(args.number, server_scope(args))
    if removed is None:
        where = f" among server {args.server}'s" if args.server else ""
        print(f"error: no followed topic #{args.number}{where} (see `newsbot follow list`)", file=sys.stderr)
        return 1
    print_either(args.json, follow_json(removed), f'unfollowed "{removed.topic}"')
    return 0


async def told(library: Library, alerts: tuple[Alert, ...]) -> list[Alert]:
    """The operator's alerts among those a command's articles made, marked as told (the caller prints them)."""
    mine = operator_alerts(alerts)
    await library.follows.delivered([alert.id for alert in mine])
    return mine


def alert_lines(alerts: list[Alert]) -> str:
    """One `alert:` line per alert, for after a command's summary."""
    return "\n".join(map(alert_line, alerts))


def alerts_json(alerts: list[Alert]) -> list[dict[str, object]]:
    """The `alerts` list of a command's --json."""
    return [alert_json(alert) for alert in alerts]


def add_follow_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `follow add|list|remove` on the CLI's subcommands."""
    follow = commands.add_parser("follow", parents=[common], help="follow topics across every outlet",
                                 description="Follow topics: each new story about one is printed as an alert, with "
                                 "the sentence that says what happened.")
    actions = follow.add_subparsers(dest="follow_command", metavar="ACTION", required=True)

    def action(name: str, function: Command, help_text: str) -> argparse.ArgumentParser:
        """One `follow` action with --json and --server."""
        sub = actions.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        add_server_option(sub, "a Discord server's followed topics, not the library's")
        sub.set_defaults(function=function)
        return sub

    action("add", cmd_follow_add, "follow a topic").add_argument("topic", metavar="TOPIC")
    action("list", cmd_follow_list, "the topics followed")
    action("remove", cmd_follow_remove, "stop following a topic").add_argument("number", type=int, metavar="N")
