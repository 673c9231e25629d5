"""The store's feeds on PostgreSQL: which feeds each scope follows, their validators and backoff, the items seen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from index.models import Feed
from index.store.clock import after, timestamp
from index.store.feeds import FORGET_AFTER, MAX_ATTEMPTS
from index.store.postgres.database import Queries, moment, stamp

_COLUMNS = "id, url, title, scope, added_at, checked_at, next_check, failures, last_error, articles, gone_at"
_TIMES = ("added_at", "checked_at", "next_check", "gone_at")
# The due feeds, locked as they are read; those another poller holds are skipped, and one it has just claimed is
# re-read after its commit (no longer due), so two pollers claiming at once get disjoint sets.
_CLAIM = f"""
WITH due AS (SELECT id, next_check FROM feeds WHERE next_check <= $1 AND gone_at IS NULL
             ORDER BY next_check, id FOR UPDATE SKIP LOCKED),
claimed AS (UPDATE feeds SET next_check = $2 FROM due WHERE feeds.id = due.id
            RETURNING {", ".join(f"feeds.{column}" for column in _COLUMNS.split(", "))}, due.next_check AS due_at)
SELECT {_COLUMNS} FROM claimed ORDER BY due_at, id
"""


def _feed(row: Any) -> Feed:
    """A Feed from a row of _COLUMNS, its times as the SQLite store gives them."""
    return Feed(**{**dict(row), **{name: stamp(row[name]) for name in _TIMES}})


class FeedStore(Queries):
    """Feeds and their items, over the library's PostgreSQL pool."""

    async def add(self, url: str, title: str | None, scope: str | None) -> Feed | None:
        """Follow a feed in a scope, due for polling at once; None when the scope already follows it."""
        # A refused repeat uses up a number, as SQLite's INSERT OR IGNORE does, so feeds are numbered alike.
        row = await self._one("INSERT INTO feeds(scope, url, title, added_at, next_check) VALUES ($1, $2, $3, $4, $4)"
                              f" ON CONFLICT DO NOTHING RETURNING {_COLUMNS}", scope, url, title, moment(timestamp()))
        return _feed(row) if row else None

    async def remove(self, url_or_id: str, scope: str | None) -> Feed | None:
        """Stop following a feed of this scope (by URL or number); None when there is no such feed."""
        row = await self._one(
            "DELETE FROM feeds WHERE id = (SELECT id FROM feeds WHERE scope IS NOT DISTINCT FROM $1"
            f" AND (url = $2 OR id::text = $2) ORDER BY id LIMIT 1) RETURNING {_COLUMNS}", scope, url_or_id)
        return _feed(row) if row else None

    async def list_feeds(self, scope: str | None, every_scope: bool = False) -> list[Feed]:
        """The feeds a scope follows (or every scope's), in the order they were added."""
        if every_scope:
            rows = await self._all(f"SELECT {_COLUMNS} FROM feeds ORDER BY id")
        else:
            rows = await self._all(f"SELECT {_COLUMNS} FROM feeds WHERE scope IS NOT DISTINCT FROM $1::text"
                                   " ORDER BY id", scope)
        return [_feed(r) for r in rows]

    async def due(self, now: str | None = None) -> list[Feed]:
        """Every scope's feeds whose next poll is due."""
        rows = await self._all(f"SELECT {_COLUMNS} FROM feeds WHERE next_check <= $1 AND gone_at IS NULL"
                               " ORDER BY next_check, id", moment(now or timestamp()))
        return [_feed(r) for r in rows]

    async def claim_due(self, lease: timedelta, now: str | None = None) -> list[Feed]:
        """Take the due feeds for `lease`: no other poller gets them meanwhile, and they fall due again after it."""
        start = now or timestamp()
        return [_feed(r) for r in await self._all(_CLAIM, moment(start), moment(after(start, lease)))]

    async def next_due(self) -> str | None:
        """When the next feed is due, or None without feeds still polled."""
        return stamp(await self._value("SELECT min(next_check) FROM feeds WHERE gone_at IS NULL"))

    async def validators(self, feed_id: int) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified of the feed's last complete poll."""
        row = await self._one("SELECT etag, last_modified FROM feeds WHERE id = $1", feed_id)
        return (row["etag"], row["last_modified"]) if row else (None, None)

    async def done_keys(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Those of these items already read, or tried MAX_ATTEMPTS times; marks them all as still in the feed."""
        if not keys:
            return set()
        await self._execute("UPDATE feed_items SET last_seen = $1 WHERE feed_id = $2 AND key = ANY($3::text[])",
                            moment(timestamp()), feed_id, list(keys))
        rows = await self._all("SELECT key FROM feed_items WHERE feed_id = $1 AND key = ANY($2::text[])"
                               " AND (article_id IS NOT NULL OR attempts >= $3)", feed_id, list(keys), MAX_ATTEMPTS)
        return {r["key"] for r in rows}

    async def record_items(self, feed_id: int, stored: Mapping[str, str], failed: Iterable[str]) -> None:
        """Remember items read (key -> article id) and items that failed once more, in one transaction."""
        now = moment(timestamp())
        async with self._transaction():
            # Only while the feed is still followed: it may have been removed (/feed remove) during the poll. The
            # lock keeps a removal from slipping in before the items are written.
            if not await self._value("SELECT true FROM feeds WHERE id = $1 FOR KEY SHARE", feed_id):
                return
            await self._executemany(
                "INSERT INTO feed_items(feed_id, key, article_id, last_seen) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (feed_id, key) DO UPDATE SET article_id = excluded.article_id, last_seen = $4",
                [(feed_id, key, article_id, now) for key, article_id in stored.items()])
            await self._executemany(
                "INSERT INTO feed_items(feed_id, key, attempts, last_seen) VALUES ($1, $2, 1, $3)"
                " ON CONFLICT (feed_id, key) DO UPDATE SET attempts = feed_items.attempts + 1, last_seen = $3",
                [(feed_id, key, now) for key in failed])
            await self._execute("UPDATE feeds SET articles = articles + $1 WHERE id = $2", len(stored), feed_id)

    async def record_success(self, feed_id: int, next_check: str, etag: str | None = None,
                             last_modified: str | None = None, title: str | None = None,
                             not_modified: bool = False) -> None:
        """A complete poll: store its validators (only now, so a crash mid-poll re-reads the feed) and reset backoff."""
        async with self._transaction():
            if not not_modified:
                await self._execute("UPDATE feeds SET etag = $1, last_modified = $2, title = coalesce($3, title)"
                                    " WHERE id = $4", etag, last_modified, title, feed_id)
            await self._execute("UPDATE feeds SET checked_at = $1, next_check = $2, failures = 0, last_error = NULL"
                                " WHERE id = $3", moment(timestamp()), moment(next_check), feed_id)
            forget = datetime.now(UTC) - FORGET_AFTER
            await self._execute("DELETE FROM feed_items WHERE feed_id = $1 AND last_seen < $2", feed_id, forget)

    async def record_failure(self, feed_id: int, error: str, next_check: str) -> None:
        """A failed poll: count it and keep its reason."""
        await self._execute("UPDATE feeds SET checked_at = $1, next_check = $2, failures = failures + 1,"
                            " last_error = $3 WHERE id = $4", moment(timestamp()), moment(next_check), error, feed_id)

    async def record_gone(self, feed_id: int, error: str) -> None:
        """A feed whose server answered 410 Gone: kept, with its reason, until removed, and never polled again."""
        now = moment(timestamp())
        await self._execute("UPDATE feeds SET checked_at = $1, gone_at = $1, last_error = $2 WHERE id = $3",
                            now, error, feed_id)
