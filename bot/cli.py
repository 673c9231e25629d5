"""The `newsbot` command line: one function per command, output as text or --json."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import Literal

from bot import render
from bot.askcli import cmd_ask, cmd_chat
from bot.config import TOKEN_VARIABLE, ConfigError, Settings, load_settings
from bot.feedcli import add_feed_commands, cmd_feed_add, cmd_watch
from bot.followcli import add_follow_commands, cmd_follow_add
from bot.ingestcli import cmd_ingest
from bot.session import SEES, Command, add_server_option, in_server, open_library, print_either, server_scope
from bot.storecli import add_store_commands
from bot.summarycli import add_summary_commands
from index import EngineError, Library, Shards

# Every engine error a user can cause or fix derives from EngineError: one line each, never a traceback.
_USER_ERRORS = (ConfigError, EngineError)


async def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    """List the stored articles with the ids other commands take (with --server, those a server sees)."""
    scope = server_scope(args)
    async with open_library(settings) as library:
        articles = await library.articles(scope)
    print_either(args.json, render.articles_json(articles), render.articles_text(articles, scope))
    return 0


async def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove articles by id: the operator's, or with --server those of one Discord server's own library."""
    # An id is only ever looked up in one scope: "111/a1" is an id of the operator's, never server 111's "a1".
    scope = server_scope(args)
    where = in_server(scope)
    hint = "" if scope else " (see `newsbot articles`; a Discord server's own: `newsbot remove --server ID`)"
    status = 0
    async with open_library(settings) as library:
        for article_id in args.ids:
            if await library.remove(article_id, scope=scope):
                print(f"removed {article_id}" + (f" from server {scope}'s library" if scope else ""))
            else:
                print(f"error: no article with id {article_id!r}{where}{hint}", file=sys.stderr)
                status = 1
    return status


async def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Print the library's sizes."""
    async with open_library(settings) as library:
        stats = await library.stats()
    print_either(args.json, render.stats_json(stats), render.stats_text(stats))
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Discord bot until stopped; the token and the way to Discord are checked before the model loads."""
    try:
        shards = sharding(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        print(f"error: set {TOKEN_VARIABLE} to your bot's token (README: Running on Discord)", file=sys.stderr)
        return 2
    from bot.client import run_bot  # only this command needs Discord
    from bot.discordcheck import DISCORD_ERRORS, DiscordUnavailable, check_login, explain

    options = settings.discord
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        await check_login(token, options.api_url, options.connect_timeout_seconds)
        async with open_library(settings) as library:
            await run_bot(settings, library, token, shards)
    except DiscordUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except DISCORD_ERRORS as error:
        print(f"error: {explain(error, options.api_url, options.connect_timeout_seconds)}", file=sys.stderr)
        return 2
    return 0


def sharding(args: argparse.Namespace) -> Shards | Literal["auto"] | None:
    """How `newsbot run` connects (--shards, --shard-count, --shard-ids); ValueError saying what is wrong, in a line."""
    count, ids = getattr(args, "shard_count", None), getattr(args, "shard_ids", None)
    if args.shards == "auto":
        if count is not None or ids is not None:
            raise ValueError("--shards auto lets Discord choose the shards: leave out --shard-count and --shard-ids")
        return "auto"
    if count is None:
        if ids is not None:
            raise ValueError("--shard-ids needs --shard-count, the number of shards of all the bot's processes")
        return None
    return Shards(frozenset(range(count)) if ids is None else ids, count)


def _shard_ids(text: str) -> frozenset[int]:
    """--shard-ids: shard numbers separated by commas."""
    try:
        return frozenset(int(number) for number in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"shard numbers separated by commas, such as 0,2, not {text!r}") from None


def _common_options(default: object) -> argparse.ArgumentParser:
    """--config and --data-dir, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=default, help="config file (default: $NEWSBOT_CONFIG, ./config.toml)")
    common.add_argument("--data-dir", default=default,
                        help="library directory (default: $NEWSBOT_DATA_DIR, ~/.local/share/newsbot)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(prog="newsbot", parents=[_common_options(None)],
                                     description="Answers questions about the news with quoted, cited sentences.")
    # SUPPRESS: a subcommand's unset option must not overwrite the same option given before the command.
    common = _common_options(argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, function: Command, help_text: str, json_flag: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        if json_flag:
            sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        sub.set_defaults(function=function)
        return sub

    ingest = add("ingest", cmd_ingest, "add article files, folders and web pages (http://, https://)")
    ingest.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    add_server_option(ingest, "into a Discord server's own articles, not the library's")
    ask = add("ask", cmd_ask, "answer a question with quoted, cited sentences")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--batch", metavar="FILE", help="answer one question per line of FILE (- for stdin)")
    add_server_option(ask, SEES)
    add_summary_commands(add)
    add_server_option(add("articles", cmd_articles, "list stored articles and their ids"), SEES)
    remove = add("remove", cmd_remove, "remove articles by id", json_flag=False)
    remove.add_argument("ids", nargs="+", metavar="ID")
    add_server_option(remove, "a Discord server's own articles, not the library's")
    add("stats", cmd_stats, "sizes of the library")
    add("chat", cmd_chat, "ask questions in the terminal", json_flag=False)
    run = add("run", cmd_run, f"run the Discord bot (token from ${TOKEN_VARIABLE})", json_flag=False)
    run.add_argument("--shards", choices=["auto"], help="auto: shard as Discord recommends, for large bots")
    run.add_argument("--shard-count", type=int, metavar="N",
                     help="the bot's shards across all its processes; this one runs --shard-ids (default: all)")
    run.add_argument("--shard-ids", type=_shard_ids, metavar="0,2", help="the shards this process runs")
    add_feed_commands(commands, common)
    add_follow_commands(commands, common)
    add_store_commands(commands, common)
    return parser


# Commands that make a library where there is none; the others need one and say so instead of making it.
_CREATES_LIBRARY: tuple[Command, ...] = (cmd_ingest, cmd_run, cmd_feed_add, cmd_watch, cmd_follow_add)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit status."""
    args = build_parser().parse_args(argv)
    default = cmd_run if os.environ.get(TOKEN_VARIABLE) else cmd_chat
    function: Command = getattr(args, "function", default)
    if not hasattr(args, "shards"):
        args.shards = None
    if not hasattr(args, "json"):
        args.json = False
    try:
        settings = load_settings(args.config, args.data_dir)
        if problem := data_dir_problem(settings, creates=function in _CREATES_LIBRARY):
            print(f"error: {problem}", file=sys.stderr)
            return 2
        status = asyncio.run(function(args, settings))
        sys.stdout.flush()  # here, not at exit, so that a reader gone away (`| head`) is caught below
        return status
    except _USER_ERRORS as error:
        print(f"error: {render.error_text(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) has what it wanted: stop quietly, as other tools do, and point stdout at
        # /dev/null so that Python's own flush at exit does not complain about the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool stopped the same way


def data_dir_problem(settings: Settings, creates: bool) -> str | None:
    """Why the library directory cannot be used by a command (one line), or None."""
    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        return f"the data directory {data_dir} is a file, not a folder (check --data-dir or NEWSBOT_DATA_DIR)"
    if not creates and not Library.exists(data_dir, settings.engine):
        return (f"no library in {data_dir} yet: add articles with `newsbot ingest PATH` first "
                "(or check --data-dir, NEWSBOT_DATA_DIR and data_dir in the config)")
    return None
