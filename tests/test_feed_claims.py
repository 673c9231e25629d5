"""Each feed is polled by one poller at a time: the due feeds are claimed for a lease, on both backends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from index.feeds.polling import FeedPoller
from index.models import IngestReport
from index.settings import FeedSettings, WebSettings
from index.store.clock import after
from index.web.fetching import WebClient
from tests.feed_site import HITS, build_feed_site
from tests.feed_stores import feeds, library_at, open_feeds, pg_library, pg_url
from tests.local_site import serve

__all__ = ["feeds", "library_at", "open_feeds", "pg_library", "pg_url"]  # fixtures, used by name

LEASE = timedelta(minutes=15)
T = "2100-01-01T00:00:00+00:00"  # every feed added during the test is due by then


async def add_feeds(store, count: int) -> list[int]:
    """Follow `count` feeds; their numbers."""
    added = [await store.add(f"http://news{n}.example/feed.xml", None, None) for n in range(count)]
    return [feed.id for feed in added if feed is not None]


def minutes(start: str | None, end: str | None) -> float:
    """Minutes from one stored time to another."""
    assert start and end
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60


async def test_two_pollers_claiming_at_once_split_the_due_feeds(open_feeds):
    first, second = await open_feeds(), await open_feeds()
    ids = await add_feeds(first, 24)
    now = T
    for _ in range(6):  # each round every feed is due again: the last round's lease has just ended
        claims = await asyncio.gather(first.claim_due(LEASE, now), second.claim_due(LEASE, now),
                                      first.claim_due(LEASE, now))
        taken = [feed.id for claim in claims for feed in claim]
        assert sorted(taken) == ids  # all of them, none twice
        assert {feed.next_check for claim in claims for feed in claim} == {after(now, LEASE)}
        now = after(now, LEASE)


async def test_a_claimed_feed_is_due_again_only_when_its_lease_ends(feeds):
    await add_feeds(feeds, 2)
    await feeds.record_gone(2, "http://news1.example/feed.xml: HTTP 410")
    claimed = await feeds.claim_due(LEASE, T)
    assert [(f.id, f.next_check, f.checked_at, f.failures) for f in claimed] == [(1, after(T, LEASE), None, 0)]
    almost = after(T, LEASE - timedelta(seconds=1))
    assert await feeds.due(almost) == [] and await feeds.claim_due(LEASE, almost) == []
    assert await feeds.next_due() == after(T, LEASE)
    # The poller that took it stopped without a word: once the lease is over another takes it.
    assert [f.id for f in await feeds.claim_due(LEASE, after(T, LEASE))] == [1]


async def test_a_polled_feed_gets_its_real_next_check_back(feeds):
    await add_feeds(feeds, 3)
    assert [f.id for f in await feeds.claim_due(LEASE, T)] == [1, 2, 3]
    soon, later = after(T, timedelta(minutes=5)), after(T, timedelta(hours=2))
    await feeds.record_success(1, soon)
    await feeds.record_failure(2, "http://news1.example/feed.xml: timed out", later)
    assert [f.next_check for f in await feeds.list_feeds(None)] == [soon, later, after(T, LEASE)]
    assert [f.id for f in await feeds.claim_due(LEASE, soon)] == [1]


async def test_claims_come_in_the_order_the_feeds_fell_due(feeds):
    await add_feeds(feeds, 3)
    await feeds.record_failure(3, "timed out", after(T, -timedelta(days=2)))
    await feeds.record_success(1, after(T, -timedelta(days=1)))
    # Feed 2 has been due since it was added, today; then 3, due two days before T; then 1.
    assert [f.id for f in await feeds.claim_due(LEASE, T)] == [2, 3, 1]


async def test_two_watchers_of_one_library_poll_each_feed_once(open_feeds):
    app = build_feed_site()
    stored: list[str] = []

    async def ingest(articles, scope) -> IngestReport:
        stored.extend(f"{scope}:{a.id}" for a in articles)
        return IngestReport(new=len(articles))

    settings = FeedSettings(full_text_chars=100, poll_minutes=30.0)
    stores = [await open_feeds(), await open_feeds()]
    async with serve(app) as base, WebClient(WebSettings(allow_private_addresses=True)) as web:
        for server in range(8):
            await stores[0].add(f"{base}/rss2.xml", "Example Gazette", str(100 + server))
        pollers = [FeedPoller(store, web, ingest, settings) for store in stores]
        reports = await asyncio.gather(*(poller.poll(due_only=True) for poller in pollers))
        polled = sorted(p.feed.id for report in reports for p in report.feeds)
        assert polled == list(range(1, 9)) and app[HITS]["/rss2.xml"] == 8
        assert len(stored) == 8 * 4 == len(set(stored))
        # Polled: each is next due poll_minutes after its poll, not at the lease's end; none is due now.
        for feed in await stores[1].list_feeds(None, every_scope=True):
            assert minutes(feed.checked_at, feed.next_check) == pytest.approx(30, abs=0.02)  # stamps are to the second
        assert [r.feeds for r in await asyncio.gather(*(p.poll(due_only=True) for p in pollers))] == [(), ()]
        # `feed poll` (every feed) is not held back by the claims.
        assert len((await pollers[1].poll()).feeds) == 8


async def test_a_feed_being_polled_is_left_to_its_poller_for_the_configured_lease(open_feeds):
    app = build_feed_site()

    async def ingest(articles, scope) -> IngestReport:
        return IngestReport(new=len(articles))

    settings = FeedSettings(full_text_chars=100, poll_minutes=30.0, lease_minutes=7.0)
    stores = [await open_feeds(), await open_feeds()]
    async with serve(app) as base, WebClient(WebSettings(allow_private_addresses=True)) as web:
        await stores[0].add(f"{base}/slow.xml", None, None)  # answers after a second
        pollers = [FeedPoller(store, web, ingest, settings) for store in stores]
        polling = asyncio.create_task(pollers[0].poll(due_only=True))
        async with asyncio.timeout(10):
            while not app[HITS]["/slow.xml"]:  # the poller has taken the feed and is fetching it
                await asyncio.sleep(0.01)
        [feed] = await stores[1].list_feeds(None)
        assert 6.9 < minutes(datetime.now(UTC).isoformat(), feed.next_check) <= 7
        assert (await pollers[1].poll(due_only=True)).feeds == ()
        assert [p.status for p in (await polling).feeds] == ["polled"]
        [feed] = await stores[1].list_feeds(None)
        assert minutes(feed.checked_at, feed.next_check) == pytest.approx(30, abs=0.02)
        assert app[HITS]["/slow.xml"] == 1
