"""The `newsbot` command line: one function per command, output as text or --json."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from bot import render
from bot.config import TOKEN_VARIABLE, ConfigError, Settings, load_settings
from bot.feedcli import add_feed_commands
from bot.session import Command, open_library, print_either, print_json
from bot.summarycli import add_summary_commands
from index import EmbedderError, IngestReport, Library, LibraryError, QuestionError, StoreError
from index.summarize import SummaryError
from index.web import WEB_SCHEMES, url_scheme

_USER_ERRORS = (ConfigError, EmbedderError, LibraryError, StoreError, SummaryError)


class _ProgressBar:
    """A tqdm bar on stderr for long ingests, shown only on a terminal."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int, articles: int) -> None:
        """Advance the bar to `done` of `total` files."""
        if self._bar is None:
            from tqdm import tqdm  # imported only when an ingest runs

            self._bar = tqdm(total=total, unit="file", disable=not sys.stderr.isatty() or total < 2)
        self._bar.set_postfix(articles=articles, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Take the bar off the screen."""
        if self._bar is not None:
            self._bar.close()


def not_fetched(given: str) -> str | None:
    """Why an argument written as a URL that is not http(s) is refused (one line), or None for any other."""
    scheme = url_scheme(given)
    if scheme is None or scheme in WEB_SCHEMES:
        return None
    given = given.strip()
    reason = f"{given}: only http:// and https:// URLs are fetched"
    if scheme == "file":  # the operator meant a file of their own: say how to name it
        return f"{reason}; a file: URL is not read, give the path instead ({url2pathname(urlsplit(given).path)})"
    return reason


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Add files, folders and web pages (http(s) URLs) to the library."""
    if refused := [reason for given in args.paths if (reason := not_fetched(given))]:
        for reason in refused:
            print(f"error: {reason}", file=sys.stderr)
        return 2
    urls = [given for given in args.paths if url_scheme(given)]
    paths = [Path(given) for given in args.paths if not url_scheme(given)]
    async with open_library(settings) as library:
        report = await _with_bar(library.ingest_files, paths) + await _with_bar(library.ingest_urls, urls)
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    for feed in report.feeds:
        print(f"skipped {feed}: an RSS or Atom feed, not an article: follow it with `newsbot feed add {feed}`",
              file=sys.stderr)
    if args.json:
        print_json({"files": report.files, "new": report.new, "updated": report.updated,
                     "unchanged": report.unchanged, "duplicates": report.duplicates, "failed": report.failed,
                     "errors": list(report.errors), "feeds": list(report.feeds), "seconds": report.seconds})
    else:
        print(render.ingest_summary(report))
    return 1 if report.failed else 0


async def _with_bar(ingest: Callable[..., Awaitable[IngestReport]], sources: list) -> IngestReport:
    """Run one of the library's ingests with a progress bar of its own."""
    bar = _ProgressBar()
    try:
        return await ingest(sources, progress=bar)
    finally:
        bar.close()


def _batch_questions(source: str) -> Iterator[str]:
    """Questions from a file (or - for stdin), one per line; a JSON line with a "q" key works too."""
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        for line in stream:
            line = line.strip()
            if line.startswith("{"):
                line = str(json.loads(line).get("q", ""))
            if line:
                yield line
    finally:
        if stream is not sys.stdin:
            stream.close()


async def _answer_one(library: Library, question: str, as_json: bool) -> int:
    """Answer one question and print it; a question that cannot be asked is an error line."""
    try:
        answer = await library.ask(question)
    except QuestionError as error:
        if as_json:
            print_json({"question": question, "error": str(error)})
        else:
            print(f"error: {error}", file=sys.stderr)
        return 2
    print_either(as_json, render.answer_json(answer), render.answer_text(answer))
    return 0


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer a question (or a file of them) with quoted, cited sentences."""
    if (args.question is None) == (args.batch is None):
        print("error: give a question, or --batch FILE", file=sys.stderr)
        return 2
    async with open_library(settings) as library:
        if args.batch is None:
            return await _answer_one(library, args.question, args.json)
        status = 0
        for number, question in enumerate(_batch_questions(args.batch)):
            if number and not args.json:
                print()
            status = max(status, await _answer_one(library, question, args.json))
        return status


async def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    """List the stored articles with the ids other commands take."""
    async with open_library(settings) as library:
        articles = await library.articles()
    print_either(args.json, render.articles_json(articles), render.articles_text(articles))
    return 0


async def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Remove articles by id: the operator's, or with --server those of one Discord server's own library."""
    # An id is only ever looked up in one scope: "111/a1" is an id of the operator's, never server 111's "a1".
    scope = str(args.server) if args.server is not None else None
    where = f" in server {scope}'s library" if scope else ""
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


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Ask questions in the terminal until an empty line, `quit` or end of input."""
    async with open_library(settings) as library:
        print("Ask about the news (an empty line or Ctrl-D ends).", file=sys.stderr)
        while True:
            try:
                question = await asyncio.to_thread(input, "? ")
            except EOFError:
                break
            if question.strip().lower() in {"", "quit", "exit"}:
                break
            await _answer_one(library, question, as_json=False)
            print()
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Discord bot until stopped; the token and the way to Discord are checked before the model loads."""
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
            await run_bot(settings, library, token, sharded=args.shards == "auto")
    except DiscordUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except DISCORD_ERRORS as error:
        print(f"error: {explain(error, options.api_url, options.connect_timeout_seconds)}", file=sys.stderr)
        return 2
    return 0


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
    ask = add("ask", cmd_ask, "answer a question with quoted, cited sentences")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--batch", metavar="FILE", help="answer one question per line of FILE (- for stdin)")
    add_summary_commands(add)
    add("articles", cmd_articles, "list stored articles and their ids")
    remove = add("remove", cmd_remove, "remove articles by id", json_flag=False)
    remove.add_argument("ids", nargs="+", metavar="ID")
    remove.add_argument("--server", type=int, metavar="ID", help="a Discord server's own articles, not the library's")
    add("stats", cmd_stats, "sizes of the library")
    add("chat", cmd_chat, "ask questions in the terminal", json_flag=False)
    run = add("run", cmd_run, f"run the Discord bot (token from ${TOKEN_VARIABLE})", json_flag=False)
    run.add_argument("--shards", choices=["auto"], help="auto: shard as Discord recommends, for large bots")
    add_feed_commands(commands, common)
    return parser


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
        return asyncio.run(function(args, settings))
    except _USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
