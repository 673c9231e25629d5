"""The store's follows on PostgreSQL: which topics each scope's targets follow, and the alerts made for them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from index.follows.records import Alert, Follow, Shards, topic_key
from index.store.clock import after, timestamp
from index.store.postgres.database import Queries, moment, stamp
from index.store.scopes import public_id
from index.text import one_line

_FOLLOW = "id, topic, scope, target, created_at"
_ALERT = (f"alerts.id, follows.id, follows.topic, follows.target, follows.scope, {public_id('articles')}, "
          "articles.title, articles.url, articles.source, articles.published, alerts.text, alerts.created_at")
_ALERT_FROM = "alerts JOIN follows ON follows.id = alerts.follow_id JOIN articles ON articles.id = alerts.article_id"
# Untold alerts of the targets starting with $1; when $3 (the shard count) is given, only those of follows whose scope
# is a guild on one of the shards $4, by Discord's rule. A scope of 19 digits past 2^63 - 1 is read as 2^63 - 1, as
# SQLite's CAST reads it; CASE keeps the cast away from scopes that are not numbers.
_PENDING = """alerts.delivered_at IS NULL AND starts_with(follows.target, $1::text)
    AND ($3::int IS NULL OR CASE WHEN follows.scope ~ '^[0-9]{1,19}$'
         THEN (least(follows.scope::numeric, 9223372036854775807)::bigint >> 22) % $3 END = ANY($4::int[]))"""
# Taken for a lease ($5 now, $6 its end): rows another taker has locked are skipped, and one it has just taken is
# re-read after its commit (held, so no longer taken here): two processes taking at once get disjoint alerts.
_TAKE = f"""
WITH taken AS (
    UPDATE alerts SET claimed_until = $6 WHERE id IN (
        SELECT alerts.id FROM {_ALERT_FROM} WHERE {_PENDING}
            AND (alerts.claimed_until IS NULL OR alerts.claimed_until <= $5)
        ORDER BY alerts.id LIMIT $2 FOR UPDATE OF alerts SKIP LOCKED)
    RETURNING id)
SELECT {_ALERT} FROM {_ALERT_FROM} WHERE alerts.id IN (SELECT id FROM taken) ORDER BY alerts.id
"""


def _follow(row: Any) -> Follow:
    """A Follow from a row of _FOLLOW, its time as the SQLite store gives it."""
    return Follow(row["id"], row["topic"], row["scope"], row["target"], stamp(row["created_at"]) or "")


def _alert(row: Any) -> Alert:
    """An Alert from a row of _ALERT."""
    alert_id, follow_id, topic, target, scope, article_id, title, url, outlet, published, text, created = row
    return Alert(alert_id, follow_id, topic, target, scope, article_id, title, url, outlet, published, text,
                 stamp(created) or "")


class FollowStore(Queries):
    """Follows and alerts, over the library's PostgreSQL pool."""

    async def add(self, topic: str, scope: str | None, target: str) -> Follow | None:
        """Follow a topic for a target in a scope; None when that target already follows it there."""
        # A repeat spends an identity number, as it spends one of SQLite's AUTOINCREMENT: follow numbers run alike.
        row = await self._one(
            "INSERT INTO follows(scope, target, topic, key, created_at) VALUES ($1, $2, $3, $4, $5)"
            f" ON CONFLICT DO NOTHING RETURNING {_FOLLOW}",
            scope, target, one_line(topic), topic_key(topic), moment(timestamp()))
        return _follow(row) if row else None

    async def listed(self, scope: str | None, target: str | None = None) -> list[Follow]:
        """A scope's follows, or one target's of them, oldest first."""
        rows = await self._all(f"SELECT {_FOLLOW} FROM follows WHERE scope IS NOT DISTINCT FROM $1::text"
                               " AND ($2::text IS NULL OR target = $2) ORDER BY id", scope, target)
        return [_follow(row) for row in rows]

    async def watching(self, scope: str | None) -> list[Follow]:
        """The follows an article stored in this scope may alert: a global article, every scope's; else the scope's."""
        if scope is None:
            return [_follow(row) for row in await self._all(f"SELECT {_FOLLOW} FROM follows ORDER BY id")]
        return await self.listed(scope)

    async def remove(self, follow_id: int, scope: str | None, target: str | None = None) -> Follow | None:
        """Stop a follow of this scope (of this target, when given) and drop its alerts; None if there is none."""
        row = await self._one(f"DELETE FROM follows WHERE id = $1 AND scope IS NOT DISTINCT FROM $2::text"
                              f" AND ($3::text IS NULL OR target = $3) RETURNING {_FOLLOW}", follow_id, scope, target)
        return _follow(row) if row else None

    async def record(self, found: Sequence[tuple[int, str, str]]) -> list[Alert]:
        """Store (follow id, stored article id, sentence) alerts, each pair once; the new ones, as alerts."""
        if not found:
            return []
        # Each pair once whichever worker stores the article; a repeat spends a number, as with SQLite's INSERT OR
        # IGNORE. A follow removed since the article was checked against it gets nothing.
        rows = await self._all(
            "INSERT INTO alerts(follow_id, article_id, text, created_at)"
            " SELECT f, a, t, $4::timestamptz FROM unnest($1::bigint[], $2::text[], $3::text[])"
            " WITH ORDINALITY AS new(f, a, t, n) WHERE EXISTS (SELECT 1 FROM follows WHERE id = f) ORDER BY n"
            " ON CONFLICT (follow_id, article_id) DO NOTHING RETURNING id",
            [f for f, _, _ in found], [a for _, a, _ in found], [t for _, _, t in found], moment(timestamp()))
        return await self._alerts([row["id"] for row in rows])

    async def _alerts(self, ids: Sequence[int]) -> list[Alert]:
        """Alerts by id, in id order."""
        if not ids:
            return []
        rows = await self._all(f"SELECT {_ALERT} FROM {_ALERT_FROM} WHERE alerts.id = ANY($1::bigint[])"
                               " ORDER BY alerts.id", list(ids))
        return [_alert(row) for row in rows]

    async def pending(self, target_prefix: str, limit: int = 500, shards: Shards | None = None,
                      lease: timedelta | None = None, now: str | None = None) -> list[Alert]:
        """Alerts not yet told to the prefix's targets ("channel:", "user:"), oldest first; `shards`, `lease`: below."""
        # With shards, only follows whose scope is a guild on them. With a lease, only alerts no one holds, then held
        # by the caller until now + lease: another bot process of the same shards skips them meanwhile.
        params = (target_prefix, limit, shards.count if shards else None, sorted(shards.ids) if shards else None)
        if lease is None:  # a listing: held or not
            rows = await self._all(f"SELECT {_ALERT} FROM {_ALERT_FROM} WHERE {_PENDING} ORDER BY alerts.id LIMIT $2",
                                   *params)
        else:
            start = now or timestamp()
            rows = await self._all(_TAKE, *params, moment(start), moment(after(start, lease)))
        return [_alert(row) for row in rows]

    async def release(self, alert_ids: Sequence[int]) -> None:
        """End the hold on alerts a round took, so that the next round, this process's or another's, takes them."""
        if alert_ids:
            await self._execute("UPDATE alerts SET claimed_until = NULL WHERE id = ANY($1::bigint[])", list(alert_ids))

    async def delivered(self, alert_ids: Sequence[int]) -> None:
        """Mark alerts as told, so they are not told again."""
        if alert_ids:
            await self._execute("UPDATE alerts SET delivered_at = $1 WHERE id = ANY($2::bigint[])",
                                moment(timestamp()), list(alert_ids))
