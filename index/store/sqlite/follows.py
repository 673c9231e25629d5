"""The store's follows: which topics each scope's targets follow, and the alerts made for them, told or not yet."""

from __future__ import annotations

from collections.abc import Sequence

from index.follows.records import Alert, Follow
from index.store.clock import timestamp
from index.store.scopes import public_id
from index.store.sqlite.database import Queries, parse_day, placeholders
from index.text import one_line

_FOLLOW = "id, topic, scope, target, created_at"
_ALERT = (f"alerts.id, follows.id, follows.topic, follows.target, follows.scope, {public_id('articles')}, "
          "articles.title, articles.url, articles.source, articles.published, alerts.text, alerts.created_at")
_ALERT_FROM = "alerts JOIN follows ON follows.id = alerts.follow_id JOIN articles ON articles.id = alerts.article_id"


def topic_key(topic: str) -> str:
    """A topic as compared for "already followed": case-folded, its spaces tidied."""
    return one_line(topic).casefold()


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
                cursor = await self._db.execute(
                    "INSERT OR IGNORE INTO alerts(follow_id, article_id, text, created_at) VALUES (?, ?, ?, ?)",
                    (follow_id, article_id, text, now))
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

    async def pending(self, target_prefix: str, limit: int = 500) -> list[Alert]:
        """Alerts not yet told to targets whose name starts with the prefix ("channel:", "user:"), oldest first."""
        rows = await self._all(
            f"SELECT {_ALERT} FROM {_ALERT_FROM} WHERE alerts.delivered_at IS NULL"
            " AND substr(follows.target, 1, ?) = ? ORDER BY alerts.id LIMIT ?",
            (len(target_prefix), target_prefix, limit))
        return [_alert(row) for row in rows]

    async def delivered(self, alert_ids: Sequence[int]) -> None:
        """Mark alerts as told, so they are not told again."""
        if alert_ids:
            async with self._transaction():
                marks = placeholders(len(alert_ids))
                await self._db.execute(f"UPDATE alerts SET delivered_at = ? WHERE id IN ({marks})",
                                       (timestamp(), *alert_ids))
