"""The rule that says a new article is about a followed topic, and the window that keeps old ones quiet (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.answers.ranking import stems
from index.search.queries import query_terms


@dataclass(frozen=True)
class Topic:
    """A followed topic as the rule reads it: its embedding and the stems of its content words."""

    follow_id: int
    vector: np.ndarray
    stems: frozenset[str]


@dataclass(frozen=True)
class ArticleText:
    """A new article as the rule reads it: each sentence's stems and embedding, and its passages' sentence spans."""

    sentence_stems: tuple[frozenset[str], ...]
    embeddings: np.ndarray  # one unit row per sentence
    windows: tuple[tuple[int, int], ...]  # [first, last) sentence of each passage


@dataclass(frozen=True)
class Relevance:
    """The relevance rule's bars, as summaries apply them to a topic (AnswerPolicy's two similarities)."""

    min_similarity: float
    min_similarity_without_terms: float
    # On top of the summaries' rule: an alert is for a story about the topic, not one that mentions it in passing,
    # so this many of its sentences must be on the topic (benchmarks/follow.py chose it).
    min_sentences: int = 1


def topic_of(follow_id: int, topic: str, vector: np.ndarray) -> Topic:
    """A followed topic as the rule reads it: its embedding, and the stems of its content words."""
    return Topic(follow_id, vector, frozenset(stems(" ".join(query_terms(topic)))))


def article_text(sentences: Sequence[str], embeddings: np.ndarray,
                 windows: Sequence[tuple[int, int]]) -> ArticleText:
    """An article's sentences as the rule reads them: their stems, their embeddings and its passages."""
    return ArticleText(tuple(frozenset(stems(sentence)) for sentence in sentences), embeddings, tuple(windows))


def _on_topic(similarities: np.ndarray, shares_words: np.ndarray, bars: Relevance) -> np.ndarray:
    """Which sentences are close enough to quote: the lower bar with a shared word, the higher one without."""
    return similarities >= np.where(shares_words, bars.min_similarity, bars.min_similarity_without_terms)


def _covered(topic: Topic, article: ArticleText, similarities: np.ndarray, on_topic: np.ndarray,
             bars: Relevance) -> bool:
    """Whether the article covers the topic, not one of its words: a sentence close in meaning on its own, or a
    passage that holds every word of the topic."""
    if bool(np.any(on_topic & (similarities >= bars.min_similarity_without_terms))):
        return True
    return any(topic.stems <= frozenset().union(*article.sentence_stems[first:last])
               for first, last in article.windows)


def best_sentence(topic: Topic, article: ArticleText, bars: Relevance) -> int | None:
    """The position of the article's sentence most about the topic, or None when the article is not about it."""
    if not topic.stems or not len(article.sentence_stems):
        return None
    similarities = article.embeddings @ topic.vector
    shares_words = np.array([bool(topic.stems & stems) for stems in article.sentence_stems])
    on_topic = _on_topic(similarities, shares_words, bars)
    if int(on_topic.sum()) < bars.min_sentences or not _covered(topic, article, similarities, on_topic, bars):
        return None
    return int(np.argmax(np.where(on_topic, similarities, -np.inf)))


def matches(topics: Sequence[Topic], article: ArticleText, bars: Relevance) -> list[tuple[int, int]]:
    """(follow id, sentence position) for each topic the article is about."""
    found = []
    for topic in topics:
        position = best_sentence(topic, article, bars)
        if position is not None:
            found.append((topic.follow_id, position))
    return found


def too_old(published: date | None, stored: date, max_age_days: float) -> bool:
    """Whether an article was published too long before it was stored to alert anyone (an archive import)."""
    return published is not None and (stored - published).days > max_age_days
