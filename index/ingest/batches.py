"""Ingest's bookkeeping: batches bounded in articles and characters, the one batch being written, and the tally."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field

from index.follows.records import Alert
from index.ingest.files import SourceError
from index.models import Article, IngestProgress, IngestReport
from index.settings import EngineSettings


@dataclass
class Tally:
    """Counts of one ingest run as it goes."""

    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)
    failed_files: int = 0
    feeds: list[str] = field(default_factory=list)
    files_done: int = 0
    sentences: int = 0  # of the new and updated articles committed
    alerts: list[Alert] = field(default_factory=list)

    @property
    def articles(self) -> int:
        """Articles read so far, whatever became of them."""
        return self.new + self.updated + self.unchanged + self.duplicates

    def progress(self, started: float) -> IngestProgress:
        """How far the run has got, for a progress bar."""
        return IngestProgress(files_done=self.files_done, files=self.files, articles=self.articles, new=self.new,
                              sentences=self.sentences, seconds=time.monotonic() - started)

    def report(self, started: float) -> IngestReport:
        """Freeze the counts into a report."""
        return IngestReport(files=self.files, new=self.new, updated=self.updated, unchanged=self.unchanged,
                            failed=len(self.errors) + len(self.feeds), errors=tuple(self.errors),
                            seconds=round(time.monotonic() - started, 2), duplicates=self.duplicates,
                            feeds=tuple(self.feeds), failed_files=self.failed_files + len(self.feeds),
                            alerts=tuple(self.alerts))


def too_long(article: Article, limit: int) -> str | None:
    """Why an article's text is refused as too long to split and embed at a bounded cost, or None."""
    if len(article.text) <= limit:
        return None
    return (f"{article.origin or article.id}: the text is {len(article.text):,} characters, over the {limit:,} "
            "limit for one article (ingest.max_article_chars)")


def is_full(count: int, chars: int, settings: EngineSettings) -> bool:
    """A batch is batch_articles articles, or fewer long ones holding max_article_chars characters of text."""
    # Bounded in characters too, so the memory splitting and embedding take stays bounded however long articles are.
    return count >= settings.batch_articles or chars >= settings.max_article_chars


@dataclass
class Batch:
    """Articles waiting to be written together, and the characters of text they hold."""

    articles: list[Article] = field(default_factory=list)
    chars: int = 0

    def add(self, article: Article) -> None:
        """Queue one article."""
        self.articles.append(article)
        self.chars += len(article.text)

    def full(self, settings: EngineSettings) -> bool:
        """Whether to write it now."""
        return is_full(len(self.articles), self.chars, settings)

    def take(self) -> list[Article]:
        """The queued articles, leaving the batch empty."""
        articles, self.articles, self.chars = self.articles, [], 0
        return articles


def next_items(records: Iterator[Article | SourceError], settings: EngineSettings) -> list[Article | SourceError]:
    """The next items of a file, up to a batch's worth; a whole-file error ends the file as its last item."""
    items: list[Article | SourceError] = []
    chars = 0
    try:
        for item in records:
            items.append(item)
            chars += len(item.text) if isinstance(item, Article) else 0
            if is_full(len(items), chars, settings):
                break
    except SourceError as error:  # a JSONL file can fail part-way: keep the lines read before
        items.append(error)
    return items


class InFlight:
    """The one batch being written while the next is read and split: writes stay in order, memory two batches."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self, write: Coroutine[object, object, None]) -> None:
        """Start writing a batch (after wait(): one at a time)."""
        assert self._task is None, "wait for the batch in flight first"
        self._task = asyncio.ensure_future(write)

    async def wait(self) -> None:
        """Until the batch in flight is committed; its error, if it failed, is raised here."""
        task, self._task = self._task, None
        if task is not None:
            await task

    async def abandon(self) -> None:
        """Stop the batch in flight (Ctrl-C, or an error reading the next): what it committed stays."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.wait([task])
        if not task.cancelled():
            task.exception()  # retrieved and dropped: the error that brought us here is the one to report
