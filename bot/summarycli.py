"""`newsbot summary` and `newsbot timeline`: quoted, cited summaries of the news from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from bot import render
from bot.config import Settings
from bot.session import SEES, Command, add_server_option, open_library, print_either, server_scope
from index import DEFAULT_LENGTH, MAX_LENGTH, TIMELINE_LENGTH, SummaryError, UnknownArticle, read_period

# The CLI's way to register a command: (name, function, help) -> its parser.
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]


def _period(args: argparse.Namespace) -> tuple[date | None, date | None]:
    """--since and --until as days; an unreadable one is a SummaryError naming the forms accepted."""
    try:
        return read_period(args.since, args.until, date.today())
    except ValueError as error:
        raise SummaryError(str(error)) from None


async def cmd_summary(args: argparse.Namespace, settings: Settings) -> int:
    """Summarise a topic, a period or one article, or (given none) the latest news, with quoted sentences."""
    since, until, scope = *_period(args), server_scope(args)
    async with open_library(settings) as library:
        try:
            summary = await library.summarize(topic=args.topic, since=since, until=until, article=args.article,
                                              length=args.length, scope=scope)
        except UnknownArticle as error:
            if scope is None:
                raise
            print(f"error: {error} in server {scope}'s library (see `newsbot articles --server {scope}`)",
                  file=sys.stderr)
            return 2
    print_either(args.json, render.summary_json(summary, args.length),
                 render.summary_text(summary, asked=args.length))
    return 0


async def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """A topic's events in date order, each quoted with the day it names."""
    since, until = _period(args)
    async with open_library(settings) as library:
        timeline = await library.timeline(args.topic, since=since, until=until, length=args.length,
                                          scope=server_scope(args))
    print_either(args.json, render.summary_json(timeline, args.length),
                 render.summary_text(timeline, asked=args.length))
    return 0


def _length(value: str) -> int:
    """A --length value: a whole number of sentences from 1 to MAX_LENGTH."""
    if not value.isdigit() or not 1 <= int(value) <= MAX_LENGTH:
        raise argparse.ArgumentTypeError(f"give a whole number of sentences from 1 to {MAX_LENGTH}, not {value!r}")
    return int(value)


def _period_options(command: argparse.ArgumentParser, length: int) -> None:
    """--since, --until, --length (default `length`) and --server, as summary and timeline take them."""
    command.add_argument("--since", metavar="D", help="from this day: 2022-12-30, 7d, 24h, today, this week...")
    command.add_argument("--until", metavar="D", help="up to this day (same forms)")
    command.add_argument("--length", type=_length, default=length, metavar="N",
                         help=f"sentences, 1 to {MAX_LENGTH} (default {length})")
    add_server_option(command, SEES)


def add_summary_commands(add: AddCommand) -> None:
    """Register `summary` and `timeline` on the CLI."""
    summary = add("summary", cmd_summary, "the key sentences of a topic, a period, an article, or the latest news")
    summary.add_argument("--topic", metavar="T", help="what to summarise (default: everything in the period)")
    summary.add_argument("--article", metavar="ID", help="summarise one article (an id from `newsbot articles`)")
    _period_options(summary, DEFAULT_LENGTH)
    timeline = add("timeline", cmd_timeline, "a topic's events in the order they happened")
    timeline.add_argument("topic")
    _period_options(timeline, TIMELINE_LENGTH)
