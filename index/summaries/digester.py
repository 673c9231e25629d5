"""Summaries and timelines, the I/O side: gather an article's, a topic's or a period's sentences, then choose."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from index.answers.selection import on_topic
from index.embedder import Embedder
from index.ingest.datewords import dated_event
from index.models import Candidate, Summary, SummaryKind
from index.search.queries import query_terms
from index.search.retrieval import Query, Retriever
from index.settings import EngineSettings
from index.store.protocols import StorePart, VectorsPart
from index.store.records import Excerpts
from index.store.terms import term_query
from index.summaries.choosing import (
    Dated,
    SummaryError,
    SummaryWeights,
    UnknownArticle,
    check_length,
    choose,
    chronological,
    cite_entries,
    nothing_found,
)
from index.text import one_line

DEFAULT_LENGTH = 5
TIMELINE_LENGTH = 8
LATEST_DAYS = 1  # the latest news: the newest day with articles and the day before it
PERIOD_ARTICLES = 40  # without a topic, a period's newest articles are read...
PERIOD_LEAD = 10  # ...each up to this many sentences: news puts what matters near the top
TOPIC_MATCHES = 100  # a topic's best BM25 sentences inside the period, beside the passages retrieval finds
SINGLE_WEIGHTS = SummaryWeights()
# Across articles the lead bonus would favour every article's first line: the topic counts for more.
TOPIC_WEIGHTS = SummaryWeights(position=0.5, relevance=2.0)
NO_ARTICLES = "the library has no articles yet"

Picked = list[tuple[float, Candidate]]


def _clean(topic: str | None) -> str | None:
    """The topic with its spaces tidied; None when there is none."""
    return one_line(topic) or None


def _within(day: date | None, since: date | None, until: date | None) -> bool:
    """Whether an article's date falls in the period (an undated article falls in no period)."""
    if since is None and until is None:
        return True
    return day is not None and (since is None or day >= since) and (until is None or day <= until)


def _pick_timeline(candidates: Sequence[Candidate], vectors: np.ndarray, length: int) -> tuple[Picked, list[Dated]]:
    """A timeline's sentences, preferring those that name their day, in the order their events happened."""
    dated = np.array([dated_event(c.text, c.published)[2] is not None for c in candidates], dtype=float)
    picked = choose(candidates, vectors, length, TOPIC_WEIGHTS, TOPIC_WEIGHTS.dated * dated)
    days = [dated_event(c.text, c.published) for _, c in picked]
    order = chronological(picked, days)
    return [picked[n] for n in order], [days[n] for n in order]


class Digester:
    """Summaries and timelines over the articles a scope sees."""

    def __init__(self, store: StorePart, vectors: VectorsPart, embedder: Embedder, settings: EngineSettings) -> None:
        self._store = store
        self._vectors = vectors
        self._embedder = embedder
        self._policy = settings.policy
        # Deeper than for a question: a summary draws on many articles, not on the one passage that answers.
        deep = replace(settings, candidates=max(settings.candidates, 100), passages=max(settings.passages, 24))
        self._retriever = Retriever(store, vectors, deep)

    async def summarize(self, topic: str | None, since: date | None, until: date | None, article: str | None,
                        length: int, scope: str | None) -> Summary:
        """Key sentences of one article, a topic, a period, or (given none of them) the latest news."""
        check_length(length)
        topic = _clean(topic)
        if article is not None:
            if topic or since or until:
                raise SummaryError("an article's summary takes no topic, since or until")
            return await self._article(article.strip(), length, scope)
        latest = topic is None and since is None and until is None
        if latest:
            newest = await self._store.excerpts.newest_day(scope)
            since, until = (newest - timedelta(days=LATEST_DAYS), newest) if newest else (None, None)
        if await self._vectors.empty():
            return Summary("summary", topic, since, until, (), (), reason=NO_ARTICLES, latest=latest,
                           empty_library=True)
        candidates, vectors = await self._gather(topic, since, until, scope)
        weights = TOPIC_WEIGHTS if topic else SINGLE_WEIGHTS
        picked = await asyncio.to_thread(choose, candidates, vectors, length, weights)
        return await self._summary("summary", topic, since, until, picked, latest=latest)

    async def timeline(self, topic: str, since: date | None, until: date | None, length: int,
                       scope: str | None) -> Summary:
        """A topic's events in the order they happened, each with the day it names (else its article's date)."""
        check_length(length)
        cleaned = _clean(topic)
        if cleaned is None:
            raise SummaryError("a timeline needs a topic")
        topic = cleaned
        if await self._vectors.empty():
            return Summary("timeline", topic, since, until, (), (), reason=NO_ARTICLES, empty_library=True)
        candidates, vectors = await self._on_topic(topic, since, until, scope)
        picked, days = await asyncio.to_thread(_pick_timeline, candidates, vectors, length)
        return await self._summary("timeline", topic, since, until, picked, days)

    async def _article(self, article_id: str, length: int, scope: str | None) -> Summary:
        """One article's key sentences, in the article's own order."""
        found = await self._store.excerpts.of_article(article_id, scope, self._embedder.dimension)
        if found is None:
            raise UnknownArticle(article_id)
        picked = await asyncio.to_thread(choose, *found, length, SINGLE_WEIGHTS)
        picked.sort(key=lambda pair: pair[1].position)
        return await self._summary("summary", None, None, None, picked, article_id=article_id)

    async def _gather(self, topic: str | None, since: date | None, until: date | None, scope: str | None) -> Excerpts:
        """The sentences to choose from: on the topic, else the lead sentences of the period's newest articles."""
        if topic is not None:
            return await self._on_topic(topic, since, until, scope)
        return await self._store.excerpts.newest(scope, since, until, PERIOD_ARTICLES, PERIOD_LEAD,
                                                 self._embedder.dimension)

    async def _on_topic(self, topic: str, since: date | None, until: date | None, scope: str | None) -> Excerpts:
        """Sentences of the period's articles close enough to the topic to quote, with their embeddings."""
        vector = (await asyncio.to_thread(self._embedder.embed, [topic]))[0]
        terms = tuple(query_terms(topic))
        query = Query(vector=vector, terms=terms, sentence_vectors=vector[None, :], sentence_terms=terms)
        found = await self._retriever.lexical(terms, scope)
        words = self._retriever.term_query(terms, found.matches)
        lexical = {c.sentence_id: c.lexical for c in await self._retriever.candidates(query, scope, found)
                   if _within(c.published, since, until)}
        if words:  # retrieval ranks the whole library: a short period's matches may all lie below its cut
            for sentence_id, score in await self._store.excerpts.matching(words, scope, since, until, TOPIC_MATCHES):
                lexical.setdefault(sentence_id, score)
        candidates, vectors = await self._store.excerpts.by_id(list(lexical), self._embedder.dimension)
        similarities = await asyncio.to_thread(np.dot, vectors, vector)
        scored = [replace(c, similarity=float(s), lexical=lexical[c.sentence_id])
                  for c, s in zip(candidates, similarities, strict=True)]
        keep = [n for n, c in enumerate(scored)
                if on_topic(c, self._policy.min_similarity, self._policy.min_similarity_without_terms)]
        if not await self._covers(topic, [scored[n] for n in keep], since, until, scope):
            keep = []
        return [scored[n] for n in keep], vectors[keep]

    async def _covers(self, topic: str, relevant: Sequence[Candidate], since: date | None, until: date | None,
                      scope: str | None) -> bool:
        """Whether the period covers the topic, not just one of its words ("bitcoin mining" is not mining news).

        Covered: a sentence is as close to it as an answer quoted on meaning alone, or a passage (five sentences
        of one article) holds all its words.
        """
        if any(c.similarity >= self._policy.min_similarity_without_terms for c in relevant):
            return True
        every_word = term_query(query_terms(topic), every=True)
        return bool(relevant and every_word
                    and await self._store.excerpts.passage_matches(every_word, scope, since, until))

    async def _summary(self, kind: SummaryKind, topic: str | None, since: date | None, until: date | None,
                       picked: Picked, days: Sequence[Dated] | None = None, latest: bool = False,
                       article_id: str | None = None) -> Summary:
        """The picked sentences with their numbered sources; nothing picked: why, in words."""
        if not picked:
            return Summary(kind, topic, since, until, (), (), reason=nothing_found(topic, since, until),
                           latest=latest)
        articles = await self._store.catalog.articles_by_id(c.article_id for _, c in picked)
        entries, sources = cite_entries(picked, articles, days)
        return Summary(kind, topic, since, until, entries, sources, article_id=article_id, latest=latest)
