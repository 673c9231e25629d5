"""The store's feeds on PostgreSQL give what they give on SQLite: every test runs on both backends."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import UTC, datetime

from index.models import Feed
from index.store.postgres.database import Database
from index.store.postgres.feeds import FeedStore
from index.store.sqlite.store import Store
from tests.feed_stores import feeds, library_at, open_feeds, pg_library, pg_url

__all__ = ["feeds", "library_at", "open_feeds", "pg_library", "pg_url"]  # fixtures, used by name

GAZETTE, COURIER = "http://news.example/feed.xml", "http://courier.example/atom.xml"
PAST, LONG_AGO = "2001-02-03T04:05:06+00:00", "2000-01-01T00:00:00+00:00"
FUTURE = "2099-12-31T23:59:59+00:00"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def settled(feed: Feed | None) -> Feed | None:
    """The feed with each time stamped during the test (as the store writes it: UTC, to the second) as "now"."""
    if feed is None:
        return None
    times = {}
    for field in fields(feed):
        value = getattr(feed, field.name)
        if field.name.endswith(("_at", "_check")) and value is not None:
            assert STAMP.fullmatch(value), value
            ago = (datetime.now(UTC) - datetime.fromisoformat(value)).total_seconds()
            times[field.name] = "now" if 0 <= ago < 60 else value
    return replace(feed, **times)


def fresh(feed_id: int, url: str, title: str | None, scope: str | None) -> Feed:
    """A feed just added: due at once, never polled."""
    return Feed(id=feed_id, url=url, title=title, scope=scope, added_at="now", checked_at=None, next_check="now",
                failures=0, last_error=None, articles=0)


async def listed(store, scope=None, every_scope=False) -> list[Feed | None]:
    return [settled(feed) for feed in await store.list_feeds(scope, every_scope)]


async def test_a_feed_is_followed_once_per_scope_and_numbered_in_order(feeds):
    assert settled(await feeds.add(GAZETTE, "Gazette", None)) == fresh(1, GAZETTE, "Gazette", None)
    assert await feeds.add(GAZETTE, "Gazette again", None) is None
    assert settled(await feeds.add(GAZETTE, None, "42")) == fresh(3, GAZETTE, None, "42")
    assert await feeds.add(GAZETTE, None, "42") is None
    # Each refused repeat used up a number, on both backends.
    assert settled(await feeds.add(COURIER, "Courier", None)) == fresh(5, COURIER, "Courier", None)
    assert await listed(feeds) == [fresh(1, GAZETTE, "Gazette", None), fresh(5, COURIER, "Courier", None)]
    assert await listed(feeds, "42") == [fresh(3, GAZETTE, None, "42")]
    assert [f.id for f in await feeds.list_feeds(None, every_scope=True)] == [1, 3, 5]
    assert await feeds.list_feeds("7") == []


async def test_a_feed_is_removed_by_url_or_number_within_its_scope_only(feeds):
    await feeds.add(GAZETTE, "Gazette", None)
    await feeds.add(GAZETTE, None, "42")
    await feeds.add(COURIER, "Courier", "42")
    assert await feeds.remove(GAZETTE, "7") is None
    assert await feeds.remove("1", "42") is None  # feed 1 is the library's, not server 42's
    assert await feeds.remove("99", None) is None
    assert settled(await feeds.remove("1", None)) == fresh(1, GAZETTE, "Gazette", None)
    assert settled(await feeds.remove(COURIER, "42")) == fresh(3, COURIER, "Courier", "42")
    assert await feeds.remove(COURIER, "42") is None
    assert [f.id for f in await feeds.list_feeds(None, every_scope=True)] == [2]


async def test_due_feeds_come_oldest_first_and_a_gone_one_never(feeds):
    for url in (GAZETTE, COURIER, "http://third.example/rss"):
        await feeds.add(url, None, None)
    await feeds.record_success(1, FUTURE)
    await feeds.record_failure(3, "http://third.example/rss: HTTP 500", PAST)
    assert [f.id for f in await feeds.due()] == [3, 2]
    assert [f.id for f in await feeds.due(LONG_AGO)] == []
    assert [f.id for f in await feeds.due(FUTURE)] == [3, 2, 1]
    assert await feeds.next_due() == PAST
    await feeds.record_gone(3, "http://third.example/rss: HTTP 410")
    assert [f.id for f in await feeds.due(FUTURE)] == [2, 1]
    assert await feeds.next_due() == (await feeds.list_feeds(None))[1].next_check  # feed 2's, due since added
    for feed in await feeds.list_feeds(None):
        await feeds.record_gone(feed.id, "gone")
    assert (await feeds.next_due(), await feeds.due(FUTURE)) == (None, [])


async def test_failures_back_off_and_a_success_resets_them(feeds):
    await feeds.add(GAZETTE, "Gazette", None)
    await feeds.record_failure(1, f"{GAZETTE}: timed out", PAST)
    await feeds.record_failure(1, f"{GAZETTE}: HTTP 503", FUTURE)
    failing = replace(fresh(1, GAZETTE, "Gazette", None), checked_at="now", next_check=FUTURE, failures=2,
                      last_error=f"{GAZETTE}: HTTP 503")
    assert await listed(feeds) == [failing]
    await feeds.record_success(1, PAST)
    assert await listed(feeds) == [replace(failing, next_check=PAST, failures=0, last_error=None)]
    await feeds.record_gone(1, f"{GAZETTE}: HTTP 410")
    gone = replace(failing, next_check=PAST, failures=0, last_error=f"{GAZETTE}: HTTP 410", gone_at="now")
    assert await listed(feeds) == [gone]


async def test_validators_and_title_are_kept_from_the_last_complete_poll(feeds):
    await feeds.add(GAZETTE, "Gazette", None)
    assert await feeds.validators(1) == (None, None)
    await feeds.record_success(1, FUTURE, '"v1"', "Mon, 13 Mar 2023 10:00:00 GMT", "The Gazette")
    assert await feeds.validators(1) == ('"v1"', "Mon, 13 Mar 2023 10:00:00 GMT")
    await feeds.record_success(1, FUTURE, not_modified=True)  # a 304 keeps what it was asked with
    assert await feeds.validators(1) == ('"v1"', "Mon, 13 Mar 2023 10:00:00 GMT")
    await feeds.record_success(1, FUTURE, '"v2"', None, None)  # a feed without a title keeps the one it had
    assert await feeds.validators(1) == ('"v2"', None)
    assert [f.title for f in await feeds.list_feeds(None)] == ["The Gazette"]
    assert await feeds.validators(99) == (None, None)


async def test_items_read_are_done_and_failing_ones_after_three_tries(feeds):
    await feeds.add(GAZETTE, None, None)
    await feeds.add(COURIER, None, None)
    assert await feeds.done_keys(1, []) == set()
    await feeds.record_items(1, {"a": "http://news.example/a", "b": "http://news.example/b"}, ["c"])
    assert await feeds.done_keys(1, ["a", "b", "c", "d"]) == {"a", "b"}
    assert await feeds.done_keys(2, ["a", "b"]) == set()  # items belong to their feed
    await feeds.record_items(1, {}, ["c", "d"])
    assert await feeds.done_keys(1, ["c", "d"]) == set()
    await feeds.record_items(1, {}, ["c"])
    assert await feeds.done_keys(1, ["a", "b", "c", "d"]) == {"a", "b", "c"}
    await feeds.record_items(1, {"d": "http://news.example/d"}, [])  # read at its second try
    assert await feeds.done_keys(1, ["d"]) == {"d"}
    assert [f.articles for f in await feeds.list_feeds(None)] == [3, 0]


async def test_items_of_a_feed_removed_during_its_poll_are_not_kept(feeds):
    await feeds.add(GAZETTE, None, None)
    await feeds.record_items(1, {"a": "http://news.example/a"}, [])
    await feeds.remove(GAZETTE, None)
    await feeds.record_items(1, {"b": "http://news.example/b"}, ["c"])
    await feeds.add(GAZETTE, None, None)  # followed again: a new feed, which has seen nothing
    assert await feeds.done_keys(1, ["a", "b"]) == set() and await feeds.done_keys(2, ["a", "b", "c"]) == set()
    assert [f.articles for f in await feeds.list_feeds(None)] == [0]


async def test_both_backends_give_equal_records_for_the_same_calls(tmp_path, pg_library):
    """The tests above hold on each backend; this one compares a store of each directly."""
    sqlite = await Store.open(tmp_path / "newsbot.db")
    database = await Database.connect(pg_library, "test", 3)
    try:
        results = []
        for store in (sqlite.feeds, FeedStore(database)):
            added = [await store.add(GAZETTE, "Gazette", None), await store.add(COURIER, None, "42")]
            await store.record_failure(1, "timed out", PAST)
            await store.record_items(2, {"a": "http://news.example/a"}, ["b"])
            await store.record_success(2, FUTURE, '"v1"', None, "Courier")
            results.append(([settled(f) for f in added], await listed(store, every_scope=True),
                             [settled(f) for f in await store.due(FUTURE)], await store.next_due(),
                             await store.validators(2), await store.done_keys(2, ["a", "b"])))
        assert results[0] == results[1]
        assert results[0][3] == PAST and results[0][2][0].failures == 1
    finally:
        await sqlite.close()
        await database.close()
