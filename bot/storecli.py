"""`newsbot store copy`: the library in the data directory, and the bot's own bot.db, copied into a PostgreSQL
database, ids and all."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.config import Settings
from bot.session import print_json
from bot.state import MIGRATIONS, STATE_NAME
from bot.wording import plural
from index import CopyProgress, CopyReport, TableCopy, copy_library, copy_side_database


async def cmd_store_copy(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the library, then the bot's bot.db if there is one (its settings and the salt of its user hashes, into
    the schema the bot keeps them in with [store] url), into the database at --to; --resume finishes a copy."""

    def say(progress: CopyProgress) -> None:
        """One line per table, once it is copied (the JSON form says it all at the end)."""
        if progress.copied == progress.rows and not args.json:
            print(f"{progress.table}: {plural(progress.rows, 'row')}", flush=True)

    try:
        library = await copy_library(settings.data_dir, args.to, args.resume, say)
        state = await copy_side_database(settings.data_dir, args.to, STATE_NAME, MIGRATIONS, args.resume, say)
    except asyncio.CancelledError:  # Ctrl-C: the batches committed stay in the database
        print("interrupted: what was copied is kept; run the same command with --resume to finish", file=sys.stderr)
        raise
    reports = [library] + ([state] if state else [])
    if args.json:
        print_json(report_json(library, state))
    else:
        print("\n".join(report_lines(reports)))
    if not all(report.equal for report in reports):
        print(f"error: {library.target} does not hold every row copied; run the copy again with --resume",
              file=sys.stderr)
        return 1
    return 0


def report_lines(reports: Sequence[CopyReport]) -> list[str]:
    """Every table's rows on both sides (the library's, then bot.db's), and what the copy means for the operator."""
    tables = [table for report in reports for table in report.tables]
    width = max(len(table.table) for table in tables)
    lines = [f"{'table':<{width}}  {'sqlite':>10}  {'postgresql':>10}"]
    lines += [_count_line(table, width) for table in tables]
    if all(report.equal for report in reports):
        sources = " and ".join(str(report.source) for report in reports)
        vectors = f"; {reports[0].dimension}-dimensional vectors indexed" if reports[0].dimension else ""
        lines += [f"copied {sources} into {reports[0].target}: every table holds as many rows on both sides{vectors}",
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


def report_json(library: CopyReport, state: CopyReport | None) -> dict[str, object]:
    """The copy as --json prints it: the library's, with bot.db's under "bot" (null when there is none)."""
    bot = None if state is None else {"source": str(state.source), "equal": state.equal, "tables": _tables(state)}
    return {"source": str(library.source), "target": library.target,
            "equal": library.equal and (state is None or state.equal), "dimension": library.dimension,
            "tables": _tables(library), "bot": bot}


def _tables(report: CopyReport) -> list[dict[str, object]]:
    """Every table's counts, as JSON."""
    return [{"table": table.table, "sqlite": table.sqlite, "postgresql": table.postgresql,
             "left_out": list(table.left_out)} for table in report.tables]


def add_store_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register `store copy` on the CLI's subcommands."""
    store = commands.add_parser("store", parents=[common], help="move the library to another storage",
                                description="Where the library is kept: the data directory (SQLite and FAISS) or a "
                                "PostgreSQL database ([store] url).")
    actions = store.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    help_text = ("copy the library in the data directory (articles, passages and their vectors, the question log, "
                 "feeds, follows and alerts) into an empty PostgreSQL database, ids kept, and the Discord bot's own "
                 "bot.db (server settings, digests, alert hours, the salt of user hashes) into its schema bot")
    copy = actions.add_parser("copy", parents=[common], help=help_text, description=help_text)
    copy.add_argument("--to", required=True, metavar="URL", help="the database: postgresql://user@host/name")
    copy.add_argument("--resume", action="store_true",
                      help="finish a copy that was interrupted: rows already in the database are kept, not doubled")
    copy.add_argument("--json", action="store_true", help="print JSON instead of text")
    copy.set_defaults(function=cmd_store_copy)
