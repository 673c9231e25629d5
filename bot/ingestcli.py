"""`newsbot ingest`: files, folders and web pages into the library, with a progress bar and one closing line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from bot import render
from bot.config import Settings
from bot.followcli import alerts_json, told
from bot.render.alerts import alert_line
from bot.session import open_library, print_json, server_scope
from bot.wording import plural
from index import WEB_SCHEMES, Alert, IngestProgress, IngestReport, url_scheme

# A bar appears only for an ingest still running after this long, so quick ones print just their closing line.
BAR_DELAY_SECONDS = 1.0


class ProgressBar:
    """A tqdm bar on stderr counting articles read, with files done and sentences embedded per second beside it."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, progress: IngestProgress) -> None:
        """Move the bar to where the ingest has got."""
        if self._bar is None:
            from tqdm import tqdm  # imported only when an ingest runs

            self._bar = tqdm(unit="article", delay=BAR_DELAY_SECONDS, disable=not sys.stderr.isatty())
        rate = progress.sentences / progress.seconds if progress.seconds > 0 else 0.0
        postfix = {"files": f"{progress.files_done}/{progress.files}"} if progress.files > 1 else {}
        self._bar.set_postfix(postfix | {"sentences/s": f"{rate:.0f}"}, refresh=False)
        self._bar.update(progress.articles - self._bar.n)

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
    """Add files, folders and web pages (http(s) URLs) to the library, or with --server to a server's own."""
    if refused := [reason for given in args.paths if (reason := not_fetched(given))]:
        for reason in refused:
            print(f"error: {reason}", file=sys.stderr)
        return 2
    urls = [given for given in args.paths if url_scheme(given)]
    paths = [Path(given) for given in args.paths if not url_scheme(given)]
    scope = server_scope(args)
    async with open_library(settings) as library:
        before = await library.count_articles(scope)  # one count: Ctrl-C says how many the run stored
        try:
            report = (await _with_bar(library.ingest_files, paths, scope)
                      + await _with_bar(library.ingest_urls, urls, scope))
        except asyncio.CancelledError:  # Ctrl-C: what is committed stays, and a rerun skips it as unchanged
            _say_interrupted(await library.count_articles(scope) - before)
            raise
        alerts = await told(library, report.alerts)
    _print_report(report, args.json, scope, alerts)
    return 1 if report.failed else 0


def _say_interrupted(stored: int) -> None:
    """One line after Ctrl-C: how many new articles were stored, and that running again resumes."""
    print(f"interrupted: {plural(stored, 'new article')} stored; run the same command again to resume "
          "(what is stored is not read again)", file=sys.stderr)


def _print_report(report: IngestReport, as_json: bool, scope: str | None, alerts: list[Alert]) -> None:
    """The skipped sources on stderr, then the closing line and an `alert:` line per alert (or the JSON report)."""
    for error in report.errors:
        print(f"skipped {error}", file=sys.stderr)
    for feed in report.feeds:
        print(f"skipped {feed}: an RSS or Atom feed, not an article: follow it with `newsbot feed add {feed}`",
              file=sys.stderr)
    if as_json:
        print_json({"files": report.files, "new": report.new, "updated": report.updated,
                    "unchanged": report.unchanged, "duplicates": report.duplicates, "failed": report.failed,
                    "failed_files": report.failed_files, "errors": list(report.errors),
                    "feeds": list(report.feeds), "seconds": report.seconds, "server": scope,
                    "alerts": alerts_json(alerts)})
    else:
        print("\n".join([render.ingest_summary(report, scope), *map(alert_line, alerts)]))


async def _with_bar(ingest: Callable[..., Awaitable[IngestReport]], sources: list,
                    scope: str | None) -> IngestReport:
    """Run one of the library's ingests into a scope, with a progress bar of its own."""
    bar = ProgressBar()
    try:
        return await ingest(sources, progress=bar, scope=scope)
    finally:
        bar.close()
