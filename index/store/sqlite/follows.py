"""The store's follows: which topics each scope's targets follow, and the alerts made for them, told or not yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from index.follows.records import Alert, Follow, Shards, topic_key
from index.store.clock import after, timestamp
from index.store.scopes import public_id
from index.store.sqlite.database import Queries, parse_day, placeholders
from index.text import one_line

_FOLLOW = "id, topic, scope, target, created_at"
_ALERT = (f"alerts.id, follows.id, follows.topic, follows.target, follows.scope, {public_id('articles')}, "
          "articles.title, articles.url, articles.source, articles.published, alerts.text, alerts.created_at")
_ALERT_FROM = "alerts JOIN follows ON follows.id = alerts.follow_id JOIN articles ON articles.id = alerts.article_id"
# The shard of a follow's guild, by Discord's rule (bind the shard count); NULL when the scope is no guild id. A scope
# of 19 digits past 2^63 - 1 is read as 2^63 - 1 (CAST's way), as the PostgreSQL twin reads it.
_SHARD = ("CASE WHEN length(follows.scope) BETWEEN 1 AND 19 AND follows.scope NOT GLOB '*[^0-9]*'"
          " THEN (CAST(follows.scope AS INTEGER) >> 22) % ? END")


def _alert(row: tuple) -> Alert:
    """An Alert from a row of _ALERT."""
    alert_id, follow_id, topic, target, scope, article_id, title, url, outlet, published, text, created = row
    return Alert(alert_id, follow_id, topic, target, scope, article_id, title, url, outlet, parse_day(published),
                 text, created)


class FollowStore(Queries):
    """Follows and alerts, over the library's SQLite connection."""

    async def add(self, topic: str, scope: str | None, target: str) -> Follow | None:
        """Follow a topic for a target in a scope; None when that target already follows it there."""
        async with self._transaction():
            cursor = await self._db.execute(
                "INSERT OR IGNORE INTO follows(scope, target, topic, key, created_at) VALUES (?, ?, ?, ?, ?)",
                (scope, target, one_line(topic), topic_key(topic), timestamp()))
            if cursor.rowcount == 0:
                return None
            return Follow(*await self._row(f"SELECT {_FOLLOW} FROM follows WHERE id = ?", (cursor.lastrowid,)))

    async def listed(self, scope: str | None, target: str | None = None) -> list[Follow]:
        """A scope's follows, or one target's of them, oldest first."""
        sql, params = f"SELECT {_FOLLOW} FROM follows WHERE scope IS ?", [scope]
        if target is not None:
            sql, params = sql + " AND target = ?", [*params, target]
        return [Follow(*row) for row in await self._all(sql + " ORDER BY id", params)]

    async def watching(self, scope: str | None) -> list[Follow]:
        """The follows an article stored in this scope may alert: a global article, every scope's; else the scope's."""
        if scope is None:
            return [Follow(*row) for row in await self._all(f"SELECT {_FOLLOW} FROM follows ORDER BY id")]
        return await self.listed(scope)

    async def remove(self, follow_id: int, scope: str | None, target: str | None = None) -> Follow | None:
        """Stop a follow of this scope (of this target, when given) and drop its alerts; None if there is none."""
        found = [f for f in await self.listed(scope, target) if f.id == follow_id]
        if not found:
            return None
        async with self._transaction():
            await self._db.execute("DELETE FROM follows WHERE id = ?", (follow_id,))
        return found[0]

    async def record(self, found: Sequence[tuple[int, str, str]]) -> list[Alert]:
        """Store (follow id, stored article id, sentence) alerts, each pair once; the new ones, as alerts."""
        now, made = timestamp(), []
        async with self._transaction():
            for follow_id, article_id, text in found:
                # A follow removed since the article was checked against it gets nothing.
                cursor = await self._db.execute(
                    "INSERT OR IGNORE INTO alerts(follow_id, article_id, text, created_at) SELECT ?, ?, ?, ?"
                    " WHERE EXISTS (SELECT 1 FROM follows WHERE id = ?)", (follow_id, article_id, text, now, follow_id))
                if cursor.rowcount:
                    made.append(cursor.lastrowid)
        return await self._alerts(made)

    async def _alerts(self, ids: Sequence[int | None]) -> list[Alert]:
        """Alerts by id, in id order."""
        if not ids:
            return []
        rows = await self._all(f"SELECT {_ALERT} FROM {_ALERT_FROM} WHERE alerts.id IN ({placeholders(len(ids))})"
                               " ORDER BY alerts.id", list(ids))
        return [_alert(row) for row in rows]

    async def pending(self, target_prefix: str, limit: int = 500, shards: Shards | None = None,
                      lease: timedelta | None = None, now: str | None = None) -> list[Alert]:
        """Alerts not yet told to the prefix's targets ("channel:", "user:"), oldest first; `shards`, `lease`: below."""
        # With shards, only follows whose scope is a guild on them. With a lease, only alerts no one holds, then held
        # by the caller until now + lease: another bot process of the same shards skips them meanwhile.
        where, params = _pending_where(target_prefix, shards)
        if lease is None:  # a listing: held or not
            rows = await self._all(f"SELECT {_ALERT} FROM {_ALERT_FROM} WHERE {where} ORDER BY alerts.id LIMIT ?",
                                   [*params, limit])
            return [_alert(row) for row in rows]
        start = now or timestamp()
        async with self._transaction():
            taken = await self._all(
                f"UPDATE alerts SET claimed_until = ? WHERE id IN (SELECT alerts.id FROM {_ALERT_FROM} WHERE {where}"
                " AND (alerts.claimed_until IS NULL OR alerts.claimed_until <= ?) ORDER BY alerts.id LIMIT ?)"
                " RETURNING id", [after(start, lease), *params, start, limit])
            return await self._alerts([row[0] for row in taken])

    async def release(self, alert_ids: Sequence[int]) -> None:
        """End the hold on alerts a round took, so that the next round, this process's or another's, takes them."""
        if alert_ids:
            async with self._transaction():
                await self._db.execute(
                    f"UPDATE alerts SET claimed_until = NULL WHERE id IN ({placeholders(len(alert_ids))})", alert_ids)

    async def delivered(self, alert_ids: Sequence[int]) -> None:
        """Mark alerts as told, so they are not told again."""
        if alert_ids:
            async with self._transaction():
                marks = placeholders(len(alert_ids))
                await self._db.execute(f"UPDATE alerts SET delivered_at = ? WHERE id IN ({marks})",
                                       (timestamp(), *alert_ids))


def _pending_where(target_prefix: str, shards: Shards | None) -> tuple[str, list[object]]:
    """The pending alerts of the prefix's targets; with `shards`, only of follows whose scope is a guild on them."""
    where = "alerts.delivered_at IS NULL AND substr(follows.target, 1, ?) = ?"
    params: list[object] = [len(target_prefix), target_prefix]
    if shards is None:
        return where, params
    return (f"{where} AND {_SHARD} IN ({placeholders(len(shards.ids))})",
            [*params, shards.count, *sorted(shards.ids)])
