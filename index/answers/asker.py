"""Answering, the I/O side: retrieve candidates, rank them, quote or abstain, and bring needed context along."""

from __future__ import annotations

import asyncio
from datetime import date

from index.answers.ranking import confidence, in_period, score_candidates
from index.answers.reader import Reader
from index.answers.reading import FIRST_STAGE_WEIGHT, Ranking, reader_passages, rerank
from index.answers.selection import build_answer, needs_context, with_context
from index.embedder import Embedder
from index.ingest.datewords import find_dates
from index.models import Answer, Candidate
from index.search.queries import query_terms
from index.search.retrieval import Query, Retriever
from index.settings import AnswerPolicy
from index.store.protocols import StorePart
from index.text import one_line


def named_period(question: str, today: date) -> tuple[date, date] | None:
    """The days a question names ("last week", "in December 2022", "on Friday"), counted from today."""
    mentions = find_dates(question, today)
    return (mentions[0].first, mentions[0].last) if mentions else None


class Asker:
    """Turns a question into an answer of quoted, cited sentences from what a scope sees."""

    def __init__(self, store: StorePart, embedder: Embedder, retriever: Retriever, policy: AnswerPolicy,
                 reader: Reader | None) -> None:
        self._store = store
        self._embedder = embedder
        self._retriever = retriever
        self._policy = policy
        self._reader = reader

    def warm_up(self) -> None:
        """Load the embedding model and the reader (blocking: call it in a worker thread)."""
        self._embedder.embed(["warm up"])
        if self._reader is not None:
            self._reader.read("warm up", ["warm up"])

    async def candidates(self, question: str, scope: str | None, context: str | None) -> list[Candidate]:
        """The sentences retrieval finds for the question."""
        conversation = one_line(f"{context or ''} {question}")
        terms = tuple(query_terms(conversation))
        # SQLite's BM25 searches run in their thread while the model embeds the question in another.
        lexical = asyncio.ensure_future(self._retriever.lexical(terms, scope))
        try:
            query = await self._query(question, conversation, terms)
        except BaseException:
            lexical.cancel()
            raise
        return await self._retriever.candidates(query, scope, await lexical)

    async def rank(self, question: str, candidates: list[Candidate], today: date | None = None,
                   context: str | None = None) -> Ranking:
        """The candidates scored best first (the best of them read by the reader), with their articles."""
        articles = await self._store.catalog.articles_by_id(c.article_id for c in candidates)
        titles = {stored_id: info.title for stored_id, info in articles.items()}
        period = named_period(question, today or date.today())
        # A few milliseconds of Python per question: off the event loop, which serves Discord meanwhile.
        scored = await asyncio.to_thread(score_candidates, question, candidates, titles, self._policy, period)
        if self._reader is None or not scored:
            return Ranking(scored, scored, articles, titles)
        best = [candidate for _, candidate in scored[:self._policy.reader_depth]]
        leaning = [c.sentence_id for c in best if needs_context(c.text)]
        previous = await self._store.previous_sentences(leaning) if leaning else {}
        # A follow-up ("and how many were shot down?") is read after the question it follows, which says of what.
        asked = one_line(f"{context} {question}") if context else question
        logits = await asyncio.to_thread(self._reader.read, asked, reader_passages(best, titles, previous))
        read = {c.sentence_id: float(logit) for c, logit in zip(best, logits, strict=True)}
        # The reader sees no dates: a period the question names counts again at its scale, so a sure reading of
        # another month's article does not outvote the article of the month asked about.
        grace = self._policy.period_grace_days
        boosts = [self._policy.period_weight * in_period(c.published, period, grace) for c in best]
        return Ranking(rerank(scored, logits.tolist(), FIRST_STAGE_WEIGHT, boosts), scored, articles, titles, read)

    async def answer(self, question: str, candidates: list[Candidate], today: date | None = None,
                     context: str | None = None) -> tuple[Answer, float | None]:
        """The answer, and the best candidate's score (quoted or not) for the question log."""
        ranking = await self.rank(question, candidates, today, context)
        reading = ranking.best_reading()
        sureness = await asyncio.to_thread(confidence, question, ranking.scored, ranking.titles, reading)
        answer = build_answer(question, ranking.scored, sureness, ranking.articles, self._policy, reading is not None)
        leaning = [quote.sentence_id for quote in answer.quotes if needs_context(quote.text)]
        if leaning:
            answer = with_context(answer, await self._store.previous_sentences(leaning))
        return answer, (ranking.scored[0][0] if ranking.scored else None)

    async def _query(self, question: str, conversation: str, terms: tuple[str, ...]) -> Query:
        """The question as retrieval reads it, with the earlier question of a conversation if there is one."""
        # A follow-up ("and how many were shot down?") says what to quote; only the conversation says where.
        texts = [question] if conversation == question else [question, conversation]
        vectors = await asyncio.to_thread(self._embedder.embed, texts)
        return Query(vector=vectors[-1], terms=terms, sentence_vectors=vectors,
                     sentence_terms=tuple(query_terms(question)) or terms)
