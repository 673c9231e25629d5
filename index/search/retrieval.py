"""Hybrid retrieval within a scope: the passages nearest a question, then their sentences as candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.models import Candidate
from index.search.queries import fuse_rankings, within_budget
from index.settings import EngineSettings
from index.store.protocols import StorePart, VectorsPart
from index.store.records import StoredSentence
from index.store.terms import TermQuery, term_query

Hits = list[tuple[int, float]]  # (chunk id, score), best first


@dataclass(frozen=True)
class Lexical:
    """A question's BM25 rankings of passages, and how many sentences hold each of its words (up to the budget)."""

    chunks: Hits  # passages by their own BM25
    sentences: Hits  # passages by their sentences' BM25
    matches: dict[str, int]  # so the sentences' own BM25 counts no word twice


@dataclass(frozen=True)
class Query:
    """A question as retrieval reads it: the conversation says where to look, the question what to quote."""

    vector: np.ndarray  # the conversation's embedding, for finding passages
    terms: tuple[str, ...]  # the conversation's words, for finding passages by BM25
    sentence_vectors: np.ndarray  # rows (question, conversation): a sentence is as close as its closest row
    sentence_terms: tuple[str, ...]  # the question's own words when it has any, for the sentences' BM25


class Retriever:
    """Finds the sentences worth scoring for a question among the articles a scope sees."""

    def __init__(self, store: StorePart, vectors: VectorsPart, settings: EngineSettings) -> None:
        self._store = store
        self._vectors = vectors
        self._settings = settings

    async def candidates(self, query: Query, scope: str | None, lexical: Lexical | None = None) -> list[Candidate]:
        """Every sentence of the best passages the scope sees, with its similarity, BM25 and passage score.

        `lexical`: the BM25 rankings of query.terms, when the caller searched them already (while embedding).
        """
        if lexical is None:
            lexical = await self.lexical(query.terms, scope)
        passages = await self._passages(query.vector, lexical, scope)
        matches = await self.matches(query.sentence_terms, lexical.matches)
        return await self._sentences(passages, query.sentence_vectors, self.term_query(query.sentence_terms, matches))

    async def matches(self, terms: Sequence[str], known: dict[str, int] | None = None) -> dict[str, int]:
        """How many sentences hold each word, counted up to [search] lexical_budget; `known` ones not again."""
        known = known or {}
        new = [term for term in terms if term not in known]
        queries = [TermQuery((term,)) for term in new]
        return known | dict(zip(new, await self._store.term_matches(queries, self._settings.lexical_budget),
                                strict=True))

    def term_query(self, terms: Sequence[str], matches: dict[str, int]) -> TermQuery | None:
        """A search for any of these words, less the commonest once they match over [search] lexical_budget."""
        counts = [matches[term] for term in terms]
        return term_query(within_budget(terms, counts, self._settings.lexical_budget))

    async def lexical(self, terms: Sequence[str], scope: str | None) -> Lexical:
        """The passages best matching the words of a question by BM25: over passages, and over their sentences."""
        matches = await self.matches(terms)
        words = self.term_query(terms, matches)
        if words is None:
            return Lexical([], [], matches)
        limit = self._settings.candidates
        return Lexical(await self._store.search_chunks(words, limit, scope),
                       await self._store.search_sentence_chunks(words, limit, scope), matches)

    async def _dense(self, query_vector: np.ndarray, scope: str | None) -> list[tuple[int, float]]:
        """The passages nearest in meaning that the scope sees (the vector store searches only those)."""
        return await self._vectors.search(query_vector, self._settings.candidates, scope)

    async def _passages(self, query_vector: np.ndarray, lexical: Lexical,
                        scope: str | None) -> list[tuple[int, float]]:
        """The best passages by dense and BM25 retrieval, fused by rank."""
        dense = await self._dense(query_vector, scope)
        fused = fuse_rankings([
            (dense, self._settings.dense_weight),
            (lexical.chunks, self._settings.lexical_weight),
            (lexical.sentences, self._settings.lexical_weight),
        ])
        return fused[: self._settings.passages]

    async def _sentences(self, passages: Sequence[tuple[int, float]], query_vectors: np.ndarray,
                         words: TermQuery | None) -> list[Candidate]:
        """Every sentence of the chosen passages, with its similarity, BM25 and passage score."""
        if not passages:
            return []
        top = passages[0][1]
        by_chunk = await self._store.sentences_in_chunks([chunk_id for chunk_id, _ in passages])
        sentences: dict[int, tuple[StoredSentence, float]] = {}
        for chunk_id, score in passages:
            for sentence in by_chunk.get(chunk_id, []):
                if sentence.id not in sentences:  # overlapping chunks: keep the better passage's score
                    sentences[sentence.id] = (sentence, score / top)
        ordered = list(sentences.values())
        # Stored sentence embeddings: a few dozen dot products, cheap enough for the event loop.
        similarities = (np.stack([s.embedding for s, _ in ordered]) @ query_vectors.T).max(axis=1)
        lexical = await self._store.sentence_scores(words, list(sentences)) if words else {}
        return [
            Candidate(sentence_id=s.id, article_id=s.article_id, position=s.position, text=s.text,
                      similarity=float(sim), lexical=lexical.get(s.id, 0.0), passage=passage,
                      published=s.published)
            for (s, passage), sim in zip(ordered, similarities, strict=True)
        ]
