"""`newsbot store copy`: the library in the data directory copied into a PostgreSQL database, ids and all."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Settings
from bot.session import print_json
from bot.wording import plural
from index import CopyProgress, CopyReport, TableCopy, copy_library


async def cmd_store_copy(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the library (not the bot's own bot.db) into the database at --to; --resume finishes an interrupted copy."""

    def say(progress: CopyProgress) -> None:
        """One line per table, once it is copied (the JSON form says it all at the end)."""
        if progress.copied == progress.rows and not args.json:
            print(f"{progress.table}: {plural(progress.rows, 'row')}", flush=True)

    try:
        report = await copy_library(settings.data_dir, args.to, args.resume, say)
    except asyncio.CancelledError:  # Ctrl-C: the batches committed stay in the database
        print("interrupted: what was copied is kept; run the same command with --resume to finish", file=sys.stderr)
        raise
    if args.json:
        print_json(report_json(report))
    else:
        print("\n".join(report_lines(report)))
    if not report.equal:
        print(f"error: {report.target} does not hold every row of the library; run the copy again with --resume",
              file=sys.stderr)
        return 1
    return 0


def report_lines(report: CopyReport) -> list[str]:
    """Every table's rows on both sides, and what the copy means for the operator."""
    width = max(len(table.table) for table in report.tables)
    lines = [f"{'table':<{width}}  {'sqlite':>10}  {'postgresql':>10}"]
    lines += [_count_line(table, width) for table in report.tables]
    if report.equal:
        vectors = f"; {report.dimension}-dimensional vectors indexed" if report.dimension else ""
        lines += [f"copied {report.source} into {report.target}: every table holds as many rows on both sides{vectors}",
                  "to use it, set [store] url (or NEWSBOT_STORE_URL) to the database's address"]
    return lines


def _count_line(table: TableCopy, width: int) -> str:
    """A table's two counts, marked when they differ, and the SQLite columns the database has no place for."""
    line = f"{table.table:<{width}}  {table.sqlite:>10,}  {table.postgresql:>10,}"
    if table.sqlite != table.postgresql:
        line += "  differ"
    if table.left_out:
        line += f"  (not copied: {', '.join(table.left_out)})"
    return line


def report_json(report: CopyReport) -> dict[str, object]:
    """The copy as --json prints it."""
    return {"source": str(report.source), "target": report.target, "equal": report.equal,
            "dimension": report.dimension,
            "tables": [{"table": table.table, "sqlite": table.sqlite, "postgresql": table.postgresql,
                        "left_out": list(table.left_out)} for table in report.tables]}


def add_store_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `store copy` on the CLI's subcommands."""
    store = commands.add_parser("store", parents=[common], help="move the library to another storage",
                                description="Where the library is kept: the data directory (SQLite and FAISS) or a "
                                "PostgreSQL database ([store] url).")
    actions = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    help_text = ("copy the library in the data directory (articles, passages and their vectors, the question log, "
                 "feeds, follows and alerts) into an empty PostgreSQL database, ids kept; the Discord bot's own "
                 "bot.db is not copied")
    copy = actions.add_parser("copy", parents=[common], help=help_text, description=help_text)
    copy.add_argument("--to", required=True, metavar="URL", help="the database: postgresql://user@host/name")
    copy.add_argument("--resume", action="store_true",
                      help="finish a copy that was interrupted: rows already in the database are kept, not doubled")
    copy.add_argument("--json", action="store_true", help="print JSON instead of text")
    copy.set_defaults(function=cmd_store_copy)
