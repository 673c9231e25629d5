"""The rule that says a new article is about a followed topic, and the window that keeps old ones quiet (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.answers.ranking import stems
from index.answers.selection import close_enough
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
    title_stems: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Relevance:
    """The relevance rule's bars, as summaries apply them to a topic (AnswerPolicy's two similarities)."""

    min_similarity: float
    min_similarity_without_terms: float
    # On top of the summaries' rule: an alert is for a story about the topic, not one that mentions it in passing,
    # so the article's aboutness (0-1) must reach this bar (FollowSettings.min_aboutness).
    min_aboutness: float = 0.0


# How much an article is about a topic, from where and how closely it speaks of it: a logistic regression over the
# hand-labelled stories of the dev topics of benchmarks/follow_topics.jsonl (BBC + Reuters; the labels, not their
# text, are in the project), fitted by `python benchmarks/follow.py --fit`.
ABOUT_FEATURES = ("best sentence", "lead", "centroid", "best three", "words", "title words", "on-topic sentences")
ABOUT_WEIGHTS = np.array((0.403, 1.514, 0.249, 0.524, 0.610, 2.945, 0.741))
ABOUT_BIAS = -2.495


def topic_of(follow_id: int, topic: str, vector: np.ndarray) -> Topic:
    """A followed topic as the rule reads it: its embedding, and the stems of its content words."""
    return Topic(follow_id, vector, frozenset(stems(" ".join(query_terms(topic)))))


def article_text(sentences: Sequence[str], embeddings: np.ndarray, windows: Sequence[tuple[int, int]],
                 title: str) -> ArticleText:
    """An article's sentences as the rule reads them: their stems, their embeddings, its passages and title."""
    return ArticleText(tuple(frozenset(stems(sentence)) for sentence in sentences), embeddings, tuple(windows),
                       frozenset(stems(title)))


def _covered(topic: Topic, article: ArticleText, similarities: np.ndarray, on_topic: np.ndarray,
             bars: Relevance) -> bool:
    """Whether the article covers the topic, not one of its words: a sentence close in meaning on its own, or a
    passage that holds every word of the topic."""
    if bool(np.any(on_topic & (similarities >= bars.min_similarity_without_terms))):
        return True
    return any(topic.stems <= frozenset().union(*article.sentence_stems[first:last])
               for first, last in article.windows)


def about_features(topic: Topic, article: ArticleText, similarities: np.ndarray, on_topic: np.ndarray) -> np.ndarray:
    """ABOUT_FEATURES of one article for one topic."""
    centroid = article.embeddings.mean(axis=0)
    centroid_similarity = float(centroid @ topic.vector) / max(float(np.linalg.norm(centroid)), 1e-9)
    every_word = frozenset().union(*article.sentence_stems)
    return np.array([similarities.max(), similarities[:3].max(), centroid_similarity, np.sort(similarities)[-3:].mean(),
                     len(topic.stems & every_word) / len(topic.stems),
                     len(topic.stems & article.title_stems) / len(topic.stems), min(int(on_topic.sum()), 5) / 5])


def aboutness(features: np.ndarray) -> float:
    """How likely (0-1) an article with these features is about the topic."""
    return float(1.0 / (1.0 + np.exp(-(features @ ABOUT_WEIGHTS + ABOUT_BIAS))))


def judged(topic: Topic, article: ArticleText, bars: Relevance) -> tuple[int, np.ndarray] | None:
    """The best sentence on the topic and the article's features, when the summaries' rule finds it covered."""
    if not topic.stems or not len(article.sentence_stems):
        return None
    similarities = article.embeddings @ topic.vector
    shares_words = np.array([bool(topic.stems & stems) for stems in article.sentence_stems])
    on_topic = np.asarray(close_enough(similarities, shares_words, bars.min_similarity,
                                       bars.min_similarity_without_terms))
    if not on_topic.any() or not _covered(topic, article, similarities, on_topic, bars):
        return None
    best = int(np.argmax(np.where(on_topic, similarities, -np.inf)))
    return best, about_features(topic, article, similarities, on_topic)


def best_sentence(topic: Topic, article: ArticleText, bars: Relevance) -> int | None:
    """The position of the article's sentence most about the topic, or None when the article is not about it."""
    found = judged(topic, article, bars)
    if found is None or aboutness(found[1]) < bars.min_aboutness:
        return None
    return found[0]


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
