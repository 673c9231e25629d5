"""The store's feeds: which feeds each scope follows, their HTTP validators and backoff, and the items seen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from index.models import Feed
from index.store.clock import after, timestamp
from index.store.feeds import FORGET_AFTER, MAX_ATTEMPTS
from index.store.sqlite.database import Queries, placeholders

_COLUMNS = "id, url, title, scope, added_at, checked_at, next_check, failures, last_error, articles, gone_at"


def _feed(row: tuple) -> Feed:
    """A Feed from a row of _COLUMNS."""
    return Feed(*row)


class FeedStore(Queries):
    """Feeds and their items, over the library's SQLite connection."""

    async def add(self, url: str, title: str | None, scope: str | None) -> Feed | None:
        """Follow a feed in a scope, due for polling at once; None when the scope already follows it."""
        now = timestamp()
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT OR IGNORE INTO feeds(scope, url, title, added_at, next_check) VALUES (?, ?, ?, ?, ?)",
                (scope, url, title, now, now))
            if cursor.rowcount == 0:
                return None
            return _feed(await self._row(f"SELECT {_COLUMNS} FROM feeds WHERE id = ?", (cursor.lastrowid,)))

    async def remove(self, url_or_id: str, scope: str | None) -> Feed | None:
        """Stop following a feed of this scope (by URL or number); None when there is no such feed."""
        row = await self._one(f"SELECT {_COLUMNS} FROM feeds WHERE scope IS ? AND (url = ? OR CAST(id AS TEXT) = ?)",
                              (scope, url_or_id, url_or_id))
        if row is None:
            return None
        async with self._transaction():
            await self._db.execute("DELETE FROM feeds WHERE id = ?", (row[0],))
        return _feed(row)

    async def list_feeds(self, scope: str | None, every_scope: bool = False) -> list[Feed]:
        """The feeds a scope follows (or every scope's), in the order they were added."""
        where, params = ("", ()) if every_scope else ("WHERE scope IS ?", (scope,))
        return [_feed(r) for r in await self._all(f"SELECT {_COLUMNS} FROM feeds {where} ORDER BY id", params)]

    async def due(self, now: str | None = None) -> list[Feed]:
        """Every scope's feeds whose next poll is due."""
        rows = await self._all(f"SELECT {_COLUMNS} FROM feeds WHERE next_check <= ? AND gone_at IS NULL"
                               " ORDER BY next_check, id", (now or timestamp(),))
        return [_feed(r) for r in rows]

    async def claim_due(self, lease: timedelta, now: str | None = None) -> list[Feed]:
        """Take the due feeds for `lease`: no other poller gets them meanwhile, and they fall due again after it."""
        start = now or timestamp()
        until = after(start, lease)
        due = "WHERE next_check <= ? AND gone_at IS NULL"
        # BEGIN IMMEDIATE holds the file's one write lock from the read to the update, so two processes' claims
        # are disjoint. Read first, as UPDATE ... RETURNING gives its rows in no order and without the old times.
        async with self._transaction():
            rows = await self._all(f"SELECT {_COLUMNS} FROM feeds {due} ORDER BY next_check, id", (start,))
            await self._db.execute(f"UPDATE feeds SET next_check = ? {due}", (until, start))
        return [replace(_feed(r), next_check=until) for r in rows]

    async def next_due(self) -> str | None:
        """When the next feed is due, or None without feeds still polled."""
        return (await self._row("SELECT min(next_check) FROM feeds WHERE gone_at IS NULL"))[0]

    async def validators(self, feed_id: int) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified of the feed's last complete poll."""
        row = await self._one("SELECT etag, last_modified FROM feeds WHERE id = ?", (feed_id,))
        return (row[0], row[1]) if row else (None, None)

    async def done_keys(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Those of these items already read, or tried MAX_ATTEMPTS times; marks them all as still in the feed."""
        if not keys:
            return set()
        async with self._transaction():
            await self._db.execute(f"UPDATE feed_items SET last_seen = ? WHERE feed_id = ? AND key IN"
                                   f" ({placeholders(len(keys))})", (timestamp(), feed_id, *keys))
        rows = await self._all(
            f"SELECT key FROM feed_items WHERE feed_id = ? AND key IN ({placeholders(len(keys))})"
            " AND (article_id IS NOT NULL OR attempts >= ?)", (feed_id, *keys, MAX_ATTEMPTS))
        return {r[0] for r in rows}

    async def record_items(self, feed_id: int, stored: Mapping[str, str], failed: Iterable[str]) -> None:
        """Remember items read (key -> article id) and items that failed once more, in one transaction."""
        now = timestamp()
        # Only while the feed is still followed: it may have been removed (/feed remove) during the poll.
        followed = "WHERE EXISTS (SELECT 1 FROM feeds WHERE id = ?)"
        async with self._transaction():
            await self._db.executemany(
                f"INSERT INTO feed_items(feed_id, key, article_id, last_seen) SELECT ?, ?, ?, ? {followed}"
                " ON CONFLICT(feed_id, key) DO UPDATE SET article_id = excluded.article_id, last_seen = ?",
                [(feed_id, key, article_id, now, feed_id, now) for key, article_id in stored.items()])
            await self._db.executemany(
                f"INSERT INTO feed_items(feed_id, key, attempts, last_seen) SELECT ?, ?, 1, ? {followed}"
                " ON CONFLICT(feed_id, key) DO UPDATE SET attempts = attempts + 1, last_seen = ?",
                [(feed_id, key, now, feed_id, now) for key in failed])
            await self._db.execute("UPDATE feeds SET articles = articles + ? WHERE id = ?", (len(stored), feed_id))

    async def record_success(self, feed_id: int, next_check: str, etag: str | None = None,
                             last_modified: str | None = None, title: str | None = None,
                             not_modified: bool = False) -> None:
        """A complete poll: store its validators (only now, so a crash mid-poll re-reads the feed) and reset backoff."""
        async with self._transaction():
            if not not_modified:
                await self._db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ?, title = coalesce(?, title) WHERE id = ?",
                    (etag, last_modified, title, feed_id))
            await self._db.execute(
                "UPDATE feeds SET checked_at = ?, next_check = ?, failures = 0, last_error = NULL WHERE id = ?",
                (timestamp(), next_check, feed_id))
            forget = (datetime.now(UTC) - FORGET_AFTER).isoformat(timespec="seconds")
            await self._db.execute("DELETE FROM feed_items WHERE feed_id = ? AND last_seen < ?", (feed_id, forget))

    async def record_failure(self, feed_id: int, error: str, next_check: str) -> None:
        """A failed poll: count it and keep its reason."""
        async with self._transaction():
            await self._db.execute(
                "UPDATE feeds SET checked_at = ?, next_check = ?, failures = failures + 1, last_error = ?"
                " WHERE id = ?", (timestamp(), next_check, error, feed_id))

    async def record_gone(self, feed_id: int, error: str) -> None:
        """A feed whose server answered 410 Gone: kept, with its reason, until removed, and never polled again."""
        now = timestamp()
        async with self._transaction():
            await self._db.execute("UPDATE feeds SET checked_at = ?, gone_at = ?, last_error = ? WHERE id = ?",
                                   (now, now, error, feed_id))
