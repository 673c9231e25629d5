"""Polling feeds: conditional GET, only unseen items, teasers read from their pages, backoff on errors."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TypeVar

from index.errors import EngineError
from index.feeds.parsing import FeedError, FeedItem, ParsedFeed, feed_links, parse_feed
from index.ingest.files import SourceError, article_from_html, canonical_url
from index.models import Article, Feed, FeedPoll, IngestReport, PollReport
from index.settings import FeedSettings
from index.store.clock import later
from index.store.protocols import FeedsPart
from index.store.scopes import check_scope
from index.text import MB
from index.web.fetching import PAGE_TYPES as PAGE_CONTENT_TYPES
from index.web.fetching import Fetched, FetchError, WebClient, read_page

FEED_TYPES = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_TYPES = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
# Stores articles in a scope (the library's ingest_articles: it splits, embeds, stores, and skips the unchanged).
Ingest = Callable[[Sequence[Article], str | None], Awaitable[IngestReport]]
T = TypeVar("T")


class FeedFollowError(EngineError):
    """A feed that cannot be followed; the message is one line for the person who asked."""


class FeedLimit(FeedFollowError):
    """The scope already follows as many feeds as it may; the front end names the scope its own way."""

    def __init__(self, count: int) -> None:
        super().__init__(f"this scope already follows {count} feeds, the most allowed")
        self.count = count


class _Clock:
    """Seconds spent working in each stage of a poll (not waiting for a turn), summed over concurrent tasks."""

    def __init__(self) -> None:
        self.timings: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()  # worker threads add their times too

    @contextmanager
    def measure(self, stage: str) -> Iterator[None]:
        """Add the time the block takes to `stage`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self.timings[stage] += time.perf_counter() - started

    def timed(self, stage: str, function: Callable[..., T], *args: object) -> T:
        """Call `function` (in a worker thread), adding the time it takes to `stage`."""
        with self.measure(stage):
            return function(*args)


class FeedPoller:
    """Follows feeds per scope and polls them into the library."""

    def __init__(self, feeds: FeedsPart, web: WebClient, ingest: Ingest, settings: FeedSettings) -> None:
        self._feeds = feeds
        self._web = web
        self._ingest = ingest
        self.settings = settings
        # One limit for every fetch (feeds and pages), never held across two, so no poll can starve another.
        self._gate = asyncio.Semaphore(settings.concurrency)
        # Feeds' articles are stored one feed at a time (the library writes one batch at a time anyway).
        self._ingest_lock = asyncio.Lock()
        self._added = asyncio.Event()  # wakes a scheduled poller: a new feed is read at once, not next round

    async def add(self, url: str, scope: str | None = None) -> tuple[Feed, ParsedFeed]:
        """Fetch the URL once to check it is a feed (or a page naming one), then follow it in the scope, due at once."""
        check_scope(scope)
        given = url.strip()
        known = await self._feeds.list_feeds(scope)
        if scope is not None and len(known) >= self.settings.max_per_server:
            raise FeedLimit(len(known))
        try:
            url, parsed = await self._check_feed(given)
        except (ValueError, SourceError) as error:
            raise FeedFollowError(str(error) if str(error).startswith(given) else f"{given}: {error}") from None
        if any(feed.url == url for feed in known):
            raise FeedFollowError(f"{url}: already followed")
        feed = await self._feeds.add(url, parsed.title, scope)
        if feed is None:  # added by another task since the check above
            raise FeedFollowError(f"{url}: already followed")
        self._added.set()
        return feed, parsed

    async def _check_feed(self, url: str) -> tuple[str, ParsedFeed]:
        """Fetch and parse a feed once; a web page that names its feed (<link rel="alternate">) leads to it."""
        canonical_url(url)
        fetched = await self._fetch(url, FEED_TYPES, self.settings.max_feed_mb, _Clock())
        if fetched.content_type in PAGE_CONTENT_TYPES and (links := feed_links(fetched.text(), fetched.url)):
            url = links[0]
            fetched = await self._fetch(url, FEED_TYPES, self.settings.max_feed_mb, _Clock())
        return url, await asyncio.to_thread(self._parse, fetched.body, fetched.url, fetched.content_type)

    async def remove(self, url_or_id: str, scope: str | None = None) -> Feed | None:
        """Stop following a feed of the scope (its articles stay); None when it follows no such feed."""
        return await self._feeds.remove(url_or_id.strip(), scope)

    async def list(self, scope: str | None = None, every_scope: bool = False) -> list[Feed]:
        """The feeds a scope follows, or every scope's."""
        return await self._feeds.list_feeds(scope, every_scope)

    async def next_due(self) -> datetime | None:
        """When the next feed is due for its poll (UTC), or None when no feed is polled."""
        next_due = await self._feeds.next_due()
        return datetime.fromisoformat(next_due) if next_due else None

    async def wait_until_due(self, longest: float) -> None:
        """Return when a feed is due for its scheduled poll, one is added, or `longest` seconds have passed."""
        next_due = await self._feeds.next_due()
        wait = longest if next_due is None else (datetime.fromisoformat(next_due) - datetime.now(UTC)).total_seconds()
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that arrives as the
        # event is set, and `newsbot watch` (or a test stopping it) would then never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(longest, max(wait, 0.0))):
                await self._added.wait()
        self._added.clear()

    async def poll(self, due_only: bool = False) -> PollReport:
        """Poll every feed of every scope, or only those due (taken for a lease: other pollers skip them)."""
        if due_only:
            feeds = await self._feeds.claim_due(timedelta(minutes=self.settings.lease_minutes))
        else:
            feeds = await self._feeds.list_feeds(None, every_scope=True)
        feeds = [feed for feed in feeds if feed.gone_at is None]  # a feed its server called gone stays unpolled
        clock = _Clock()
        started = time.perf_counter()
        results = await asyncio.gather(*(self._poll_feed(feed, clock) for feed in feeds))
        return PollReport(feeds=tuple(results), seconds=round(time.perf_counter() - started, 3),
                          timings={stage: round(seconds, 3) for stage, seconds in clock.timings.items()})

    async def _poll_feed(self, feed: Feed, clock: _Clock) -> FeedPoll:
        """Poll one feed; a failure of the feed itself is recorded and backs it off."""
        etag, modified = await self._feeds.validators(feed.id)
        try:
            fetched = await self._fetch(feed.url, FEED_TYPES, self.settings.max_feed_mb, clock, etag, modified)
            if fetched.status == 304:
                await self._feeds.record_success(feed.id, self._next_poll(), not_modified=True)
                return FeedPoll(feed=feed, status="not modified")
            parsed = await asyncio.to_thread(clock.timed, "parse", self._parse, fetched.body, fetched.url,
                                             fetched.content_type)
        except (FeedError, SourceError) as error:
            return await self._failed(feed, error)
        poll = await self._read_items(feed, parsed, clock)
        # Validators last: a crash before this line re-reads the whole feed, and the seen items skip the rest.
        await self._feeds.record_success(feed.id, self._next_poll(), fetched.etag, fetched.last_modified,
                                         parsed.title)
        return poll

    async def _failed(self, feed: Feed, error: FeedError | SourceError) -> FeedPoll:
        """Record a failed poll: a feed gone for good (HTTP 410) is never polled again, any other backs off."""
        reason = str(error) if str(error).startswith(feed.url) else f"{feed.url}: {error}"
        status = error.status if isinstance(error, FetchError) else None
        if status == 410:
            await self._feeds.record_gone(feed.id, reason)
            return FeedPoll(feed=feed, status="gone", errors=(reason,))
        # An overloaded (503) or rate-limiting (429) server may say when to come back; capped like any backoff.
        asked = error.retry_after if isinstance(error, FetchError) and status in (429, 503) else None
        await self._feeds.record_failure(feed.id, reason, self._backoff(feed, asked))
        return FeedPoll(feed=feed, status="failed", errors=(reason,))

    async def _read_items(self, feed: Feed, parsed: ParsedFeed, clock: _Clock) -> FeedPoll:
        """Read the feed's unseen items into articles, store them, then remember them as seen."""
        done = await self._feeds.done_keys(feed.id, [item.key for item in parsed.items])
        fresh = list({item.key: item for item in parsed.items if item.key not in done}.values())
        outcomes = await asyncio.gather(*(self._article(feed, parsed, item, clock) for item in fresh))
        articles = {item.key: o for item, o in zip(fresh, outcomes, strict=True) if isinstance(o, Article)}
        errors = [str(o) for o in outcomes if isinstance(o, SourceError)]
        report = IngestReport()
        if articles:
            async with self._ingest_lock:
                with clock.measure("ingest"):
                    report = await self._ingest(list(articles.values()), feed.scope)
        # Stored first, remembered second: a crash between the two re-reads the items, which are then unchanged.
        failed = [item.key for item, o in zip(fresh, outcomes, strict=True) if isinstance(o, SourceError)]
        await self._feeds.record_items(feed.id, {key: a.id for key, a in articles.items()}, failed)
        return FeedPoll(feed=feed, status="polled", new=report.new, updated=report.updated,
                        unchanged=report.unchanged, duplicates=report.duplicates, failed=len(errors) + report.failed,
                        errors=(*errors, *report.errors), article_ids=tuple(a.id for a in articles.values()),
                        alerts=report.alerts)

    async def _article(self, feed: Feed, parsed: ParsedFeed, item: FeedItem, clock: _Clock) -> Article | SourceError:
        """The item's article: from the feed when it carries the whole text, else from the linked page."""
        try:
            link = canonical_url(item.link) if item.link else None
            if item.full:
                article = await asyncio.to_thread(clock.timed, "extract", _article_from_item, item, link, feed.url)
            elif item.link is None:
                return SourceError(f"{feed.url}: item {item.title!r} has only a summary and no link to read")
            else:
                page = await self._fetch(item.link, PAGE_TYPES, None, clock)
                article = await asyncio.to_thread(clock.timed, "extract", read_page, item.link, page)
        except ValueError as error:
            return SourceError(f"{item.link}: {error}")
        except SourceError as error:
            return error
        # The outlet is the feed's name, as the README promises, even when the page names its site otherwise.
        return replace(article, title=item.title or article.title, published=item.published or article.published,
                       source=parsed.title or article.source, author=article.author or item.author, origin=feed.url)

    async def _fetch(self, url: str, accept: str, max_mb: float | None, clock: _Clock, etag: str | None = None,
                     modified: str | None = None) -> Fetched:
        """One fetch under the shared concurrency limit."""
        limit = int(max_mb * MB) if max_mb is not None else None
        async with self._gate:
            with clock.measure("fetch"):
                return await self._web.fetch(url, accept=accept, max_bytes=limit, etag=etag, last_modified=modified)

    def _parse(self, body: bytes, url: str, content_type: str | None) -> ParsedFeed:
        """Parse a feed document with this poller's caps."""
        return parse_feed(body, url, content_type, self.settings.max_items, self.settings.full_text_chars)

    def _next_poll(self) -> str:
        """When a feed that answered is polled next."""
        return later(timedelta(minutes=self.settings.poll_minutes))

    def _backoff(self, feed: Feed, asked: timedelta | None = None) -> str:
        """When a failing feed is tried next: twice the wait per failure in a row, or longer if the server asked."""
        wait = max(timedelta(minutes=self.settings.poll_minutes * 2 ** (feed.failures + 1)), asked or timedelta(0))
        return later(min(wait, timedelta(hours=self.settings.max_backoff_hours)))


def _article_from_item(item: FeedItem, link: str | None, feed_url: str) -> Article:
    """The article a feed item carries in full, read like a page (trafilatura turns its HTML into paragraphs)."""
    page = (f"<html><head><title>{escape(item.title)}</title></head>"
            f"<body><article>{item.html}</article></body></html>")
    return article_from_html(page, link or feed_url, item.title, link)

