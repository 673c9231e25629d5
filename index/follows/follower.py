"""Follows, the I/O side: topics followed and removed, new articles checked against them, alerts recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np

from index.answers.ranking import stems
from index.embedder import Embedder
from index.errors import EngineError
from index.follows.matching import Relevance, Topic, article_text, matches, too_old, topic_of
from index.follows.records import Alert, Follow, Shards
from index.models import PreparedArticle
from index.settings import AnswerPolicy, FollowSettings
from index.store.protocols import StorePart
from index.store.scopes import scoped_id
from index.text import one_line


class FollowError(EngineError):
    """A topic that cannot be followed (empty, too long, only common words, or already followed)."""


def today_utc() -> date:
    """Today in UTC, the day stored articles are compared with."""
    return datetime.now(UTC).date()


class Follower:
    """Topics followed in each scope, and the check of every newly stored article against those that can see it."""

    def __init__(self, store: StorePart, embedder: Embedder, policy: AnswerPolicy, settings: FollowSettings,
                 today: Callable[[], date] = today_utc) -> None:
        self._store = store
        self._embedder = embedder
        self._settings = settings
        self._bars = Relevance(policy.min_similarity, policy.min_similarity_without_terms, settings.min_aboutness)
        self._today = today
        self._vectors: dict[str, np.ndarray] = {}  # topic -> embedding: a topic is embedded once per process

    async def follow(self, topic: str, scope: str | None, target: str) -> Follow:
        """Follow a topic for a target; FollowError saying why it cannot be followed."""
        text = one_line(topic)
        if not text:
            raise FollowError("a topic needs some words")
        if len(text) > self._settings.max_topic_chars:
            raise FollowError(f"a topic has at most {self._settings.max_topic_chars} characters")
        if not stems(text):
            raise FollowError(f'"{text}" has only common words: name what the stories are about')
        added = await self._store.follows.add(text, scope, target)
        if added is None:
            raise FollowError(f'"{text}" is already followed there')
        return added

    async def listed(self, scope: str | None, target: str | None = None) -> list[Follow]:
        """A scope's follows, or one target's of them, oldest first."""
        return await self._store.follows.listed(scope, target)

    async def remove(self, follow_id: int, scope: str | None, target: str | None = None) -> Follow | None:
        """Stop a follow of this scope (of this target, when given); None when it has no such follow."""
        return await self._store.follows.remove(follow_id, scope, target)

    async def pending(self, target_prefix: str, limit: int = 500, shards: Shards | None = None,
                      lease: timedelta | None = None) -> list[Alert]:
        """Alerts not yet told to the prefix's targets, oldest first (`shards`, `lease`: FollowsPart.pending)."""
        return await self._store.follows.pending(target_prefix, limit, shards, lease)

    async def release(self, alert_ids: Sequence[int]) -> None:
        """Let go of alerts taken with a lease, told or not: the next round takes those still pending at once."""
        await self._store.follows.release(alert_ids)

    async def delivered(self, alert_ids: Sequence[int]) -> None:
        """Mark alerts as told."""
        await self._store.follows.delivered(alert_ids)

    async def check(self, prepared: Sequence[PreparedArticle], scope: str | None) -> list[Alert]:
        """Record an alert for each follow that can see a just-stored article about its topic; the new alerts."""
        today = self._today()
        fresh = [item for item in prepared if not too_old(item.article.published, today, self._settings.max_age_days)]
        follows = await self._store.follows.watching(scope) if fresh else []
        if not follows:
            return []
        topics = await self._topics(follows)
        found = await asyncio.to_thread(self._match, topics, fresh, scope)
        return await self._store.follows.record(found)

    def _match(self, topics: list[Topic], articles: Sequence[PreparedArticle],
               scope: str | None) -> list[tuple[int, str, str]]:
        """(follow id, stored article id, sentence) for each article and each topic it is about (CPU: a thread)."""
        found = []
        for item in articles:
            text = article_text([segment.text for segment in item.segments], item.sentence_embeddings, item.windows,
                                item.article.title)
            for follow_id, position in matches(topics, text, self._bars):
                found.append((follow_id, scoped_id(item.article.id, scope), item.segments[position].text))
        return found

    async def _topics(self, follows: Sequence[Follow]) -> list[Topic]:
        """The follows as the rule reads them, topics not seen before embedded in a worker thread."""
        missing = list(dict.fromkeys(f.topic for f in follows if f.topic not in self._vectors))
        if missing:
            vectors = await asyncio.to_thread(self._embedder.embed, missing)
            self._vectors.update(zip(missing, vectors, strict=True))
        return [topic_of(f.id, f.topic, self._vectors[f.topic]) for f in follows]
