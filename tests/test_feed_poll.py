"""Following and polling feeds into a real library, from a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from index import EngineSettings, Library
from index.embedder import HashingEmbedder
from index.feeds.polling import FeedFollowError
from index.settings import FeedSettings, WebSettings
from tests.feed_site import DOWN, HITS, REPLIES, STORIES, build_feed_site
from tests.local_site import serve
from tests.pg import pg_library, pg_url, store_settings

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

SETTINGS = EngineSettings(batch_articles=2, web=WebSettings(allow_private_addresses=True, timeout_seconds=0.5),
                          feeds=FeedSettings(full_text_chars=100, poll_minutes=30.0))


@pytest.fixture
async def site() -> AsyncIterator[tuple[str, object]]:
    """The feed site: (base URL, app)."""
    app = build_feed_site()
    async with serve(app) as base:
        yield base, app


@pytest.fixture
async def library(tmp_path: Path, store_settings) -> AsyncIterator[Library]:
    """An empty library that may fetch from loopback."""
    opened = await Library.open(tmp_path, HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def test_full_text_items_are_stored_without_fetching_their_pages(site, library):
    base, app = site
    feed, parsed = await library.feeds.add(f"{base}/rss2.xml")
    assert feed.title == "Example Gazette" and len(parsed.items) == 4
    report = await library.feeds.poll()
    assert [(p.status, p.new) for p in report.feeds] == [("polled", 4)]
    assert not any(path.startswith("/story") for path in app[HITS])
    articles = {a.title: a for a in await library.articles()}
    crane = articles[STORIES[0][0]]
    assert crane.url == f"{base}/story/0" and crane.source == "Example Gazette"
    assert str(crane.published) == "2023-03-14" and crane.sentences == 2
    assert set(report.timings) >= {"fetch", "parse", "extract", "ingest"}


async def test_a_sites_page_that_names_its_feed_leads_to_the_feed(site, library):
    base, _ = site
    feed, parsed = await library.feeds.add(f"{base}/home/")
    assert (feed.url, feed.title, len(parsed.items)) == (f"{base}/atom.xml", "Atom Courier", 3)


async def test_teasers_are_read_from_their_pages_without_the_pages_clutter(site, library):
    base, app = site
    await library.feeds.add(f"{base}/teasers.xml")
    report = await library.feeds.poll()
    assert report.feeds[0].new == 6 and sum(app[HITS][f"/story/{n}"] for n in range(6)) == 6
    detail = await library.article(f"{base}/story/3")
    assert detail.lead == STORIES[3][1:]  # the page's menus, ads, related links and cookie banner are gone
    assert detail.info.title == STORIES[3][0] and str(detail.info.published) == "2023-03-23"


async def test_a_teaser_read_from_its_page_keeps_the_feeds_name_as_its_outlet(site, library):
    base, _ = site
    await library.feeds.add(f"{base}/teasers.xml")  # the pages name their site "Example Gazette"
    await library.feeds.poll()
    assert (await library.article(f"{base}/story/3")).info.source == "Teaser Daily"


async def test_atom_and_rss091_feeds(site, library):
    base, _ = site
    await library.feeds.add(f"{base}/atom.xml")
    await library.feeds.add(f"{base}/rss091.xml")
    report = await library.feeds.poll()
    assert [(p.feed.title, p.new) for p in report.feeds] == [("Atom Courier", 3), ("Old Times", 2)]
    assert (await library.article(f"{base}/story/2")).info.source == "Atom Courier"


async def test_polling_twice_stores_nothing_new_and_a_304_skips_the_feed(site, library):
    base, app = site
    await library.feeds.add(f"{base}/teasers.xml")
    await library.feeds.add(f"{base}/etag.xml")
    await library.feeds.poll()
    pages = sum(count for path, count in app[HITS].items() if path.startswith("/story"))
    again = await library.feeds.poll()
    assert [(p.status, p.new, p.updated) for p in again.feeds] == [("polled", 0, 0), ("not modified", 0, 0)]
    assert sum(count for path, count in app[HITS].items() if path.startswith("/story")) == pages
    assert (await library.stats()).articles == 6


async def test_a_failing_feed_backs_off_and_keeps_its_reason(site, library):
    base, app = site
    await library.feeds.add(f"{base}/rss2.xml")
    app[DOWN].add("/rss2.xml")
    waits = []
    for _ in range(2):
        report = await library.feeds.poll()
        assert report.feeds[0].status == "failed" and "HTTP 503" in report.feeds[0].errors[0]
        feed = (await library.feeds.list())[0]
        waits.append(datetime.fromisoformat(feed.next_check) - datetime.fromisoformat(feed.checked_at))
    assert feed.failures == 2 and "HTTP 503" in feed.last_error
    assert [round(wait.total_seconds() / 60) for wait in waits] == [60, 120]  # poll_minutes 30, doubled each time
    assert (await library.feeds.poll(due_only=True)).feeds == ()
    app[DOWN].clear()
    assert (await library.feeds.poll()).feeds[0].new == 4
    assert (await library.feeds.list())[0].failures == 0


def in_three_hours() -> str:
    """An HTTP date three hours from now, as a Retry-After header may give it."""
    return format_datetime(datetime.now(UTC) + timedelta(hours=3), usegmt=True)


@pytest.mark.parametrize("status, retry_after, minutes", [
    (429, "7200", 120),  # longer than the first backoff (60): the server's wait wins
    (503, in_three_hours, 180),  # an HTTP date
    (429, "60", 60),  # shorter than the backoff: the backoff wins
    (503, "999999999999", 24 * 60),  # capped at feeds.max_backoff_hours
    (500, "7200", 60),  # only 429 and 503 say when to come back
])
async def test_a_feed_that_asks_to_retry_later_is_not_polled_before_then(site, library, status, retry_after, minutes):
    base, app = site
    await library.feeds.add(f"{base}/rss2.xml")
    header = retry_after() if callable(retry_after) else retry_after
    app[REPLIES]["/rss2.xml"] = (status, {"Retry-After": header})
    report = await library.feeds.poll()
    assert report.feeds[0].status == "failed" and f"HTTP {status}" in report.feeds[0].errors[0]
    feed = (await library.feeds.list())[0]
    wait = datetime.fromisoformat(feed.next_check) - datetime.fromisoformat(feed.checked_at)
    assert round(wait.total_seconds() / 60) == minutes
    assert (await library.feeds.poll(due_only=True)).feeds == ()


async def test_a_gone_feed_is_marked_and_never_polled_again(site, library):
    base, app = site
    await library.feeds.add(f"{base}/rss2.xml")
    await library.feeds.add(f"{base}/atom.xml")
    app[REPLIES]["/rss2.xml"] = (410, {})
    report = await library.feeds.poll()
    assert [(p.feed.title, p.status) for p in report.feeds] == [("Example Gazette", "gone"), ("Atom Courier", "polled")]
    assert "HTTP 410 Gone" in report.feeds[0].errors[0]
    gone, kept = await library.feeds.list()
    assert gone.gone_at is not None and "HTTP 410" in gone.last_error and kept.gone_at is None
    hits = app[HITS]["/rss2.xml"]
    assert [p.feed.title for p in (await library.feeds.poll()).feeds] == ["Atom Courier"]
    assert app[HITS]["/rss2.xml"] == hits
    # The scheduler does not wake for it either: the gone feed's past due time no longer counts.
    await library.feeds.remove(kept.url)
    await library.feeds.wait_until_due(0)  # takes the wake-up the two `add`s left
    started = time.monotonic()
    await library.feeds.wait_until_due(0.3)
    assert time.monotonic() - started >= 0.25


async def test_near_duplicates_from_another_feed_are_counted_apart_from_new_articles(site, library):
    base, _ = site
    await library.feeds.add(f"{base}/rss2.xml")
    await library.feeds.poll()
    await library.feeds.add(f"{base}/wire.xml")
    report = await library.feeds.poll()
    wire = next(p for p in report.feeds if p.feed.title == "Wire Service")
    assert (wire.new, wire.updated, wire.duplicates, wire.failed) == (0, 0, 2, 0)
    crane = next(a for a in await library.articles() if a.title == STORIES[0][0])
    assert [(c.source, c.url) for c in crane.also_reported] == [("Wire Service", f"{base}/wire/0")]


async def test_a_feed_items_author_is_kept_unless_its_page_names_one(site, library):
    base, _ = site
    await library.feeds.add(f"{base}/rss2.xml")  # full text in the feed: the item's <author> names Mara Lint
    await library.feeds.poll()
    assert {a.author for a in await library.articles()} == {"Mara Lint"}
    await library.feeds.add(f"{base}/teasers.xml")  # pages read: their byline (Dana Reporter) wins over the feed's
    await library.feeds.poll()
    assert {a.author for a in await library.articles()} == {"Dana Reporter"}


async def test_a_slow_feed_times_out(site, library):
    base, _ = site
    with pytest.raises(FeedFollowError, match=r"slow.xml: no answer within 0.5 s"):
        await library.feeds.add(f"{base}/slow.xml")


async def test_item_pages_that_fail_are_tried_three_times_then_left(site, library):
    base, app = site
    await library.feeds.add(f"{base}/one-gone.xml")
    first = await library.feeds.poll()
    assert (first.feeds[0].new, first.feeds[0].failed) == (2, 1) and "HTTP 404" in first.feeds[0].errors[0]
    for _ in range(3):
        await library.feeds.poll()
    assert app[HITS]["/gone/1"] == 3 and app[HITS]["/story/0"] == 1


@pytest.mark.parametrize("path, message", [
    ("/bomb.xml", "declares entities"), ("/broken.xml", "not well-formed XML"), ("/story/1", "not an RSS or Atom feed"),
    ("/missing.xml", "HTTP 404"),
])
async def test_what_cannot_be_followed_is_one_clear_line(site, library, path, message):
    base, _ = site
    with pytest.raises(FeedFollowError, match=message) as error:
        await library.feeds.add(base + path)
    assert str(error.value).startswith(base + path) and await library.feeds.list() == []


async def test_private_addresses_are_refused_with_the_switch_off(site, tmp_path):
    base, _ = site
    guarded = await Library.open(tmp_path, HashingEmbedder(), replace(SETTINGS, web=WebSettings()))
    with pytest.raises(FeedFollowError, match=r"refusing to fetch from 127\.0\.0\.1, a loopback address"):
        await guarded.feeds.add(f"{base}/rss2.xml", scope="42")
    await guarded.close()


async def test_a_servers_feeds_and_articles_are_its_own(site, library):
    base, _ = site
    await library.feeds.add(f"{base}/rss2.xml", scope="42")
    await library.feeds.add(f"{base}/atom.xml")
    with pytest.raises(FeedFollowError, match="already followed"):
        await library.feeds.add(f"{base}/rss2.xml", scope="42")
    await library.feeds.poll()
    assert [f.url for f in await library.feeds.list(scope="42")] == [f"{base}/rss2.xml"]
    # The server sees its 4 and the operator's 3, two of which (stories 2 and 3) its own copies shadow.
    assert (await library.stats(scope="42")).articles == 5 and (await library.stats()).articles == 3
    assert await library.feeds.remove(f"{base}/rss2.xml") is None
    assert (await library.feeds.remove(f"{base}/rss2.xml", scope="42")).title == "Example Gazette"
    assert (await library.stats(scope="42")).articles == 5  # unfollowing keeps what was read


async def test_a_crash_mid_poll_loses_nothing_and_duplicates_nothing(site, tmp_path, monkeypatch):
    base, _ = site
    calls = []
    original = Library.ingest_articles

    async def crash_after_the_first_batch(self, articles, scope=None):
        calls.append(len(articles))
        report = await original(self, articles[:2], scope)
        if len(calls) == 1:
            raise RuntimeError("simulated crash: stored two articles, remembered no item")
        return report

    monkeypatch.setattr(Library, "ingest_articles", crash_after_the_first_batch)
    crashing = await Library.open(tmp_path, HashingEmbedder(), SETTINGS)
    await crashing.feeds.add(f"{base}/teasers.xml")
    with pytest.raises(RuntimeError, match="simulated crash"):
        await crashing.feeds.poll()
    await crashing.close()
    monkeypatch.setattr(Library, "ingest_articles", original)
    restarted = await Library.open(tmp_path, HashingEmbedder(), SETTINGS)
    report = await restarted.feeds.poll()
    assert (report.feeds[0].new, report.feeds[0].unchanged) == (4, 2)
    assert (await restarted.feeds.poll()).feeds[0].new == 0
    titles = [a.title for a in await restarted.articles()]
    assert sorted(titles) == sorted(story[0] for story in STORIES)
    assert (await restarted.feeds.list())[0].articles == 6
    await restarted.close()


async def test_a_feed_removed_during_its_poll_is_not_brought_back(site, library):
    base, _ = site
    feed, _ = await library.feeds.add(f"{base}/rss2.xml")
    original = library.feeds._ingest

    async def remove_then_store(articles, scope=None):
        await library.feeds.remove(feed.url)  # /feed remove, while the poll is reading the feed's items
        return await original(articles, scope)

    library.feeds._ingest = remove_then_store
    report = await library.feeds.poll()
    assert report.feeds[0].new == 4 and await library.feeds.list() == []
    assert (await library.stats()).articles == 4  # what was read stays, as after any /feed remove
