"""Choose the sentences of a summary: central, informative, relevant and not repeated (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from index.errors import EngineError
from index.models import ArticleInfo, Candidate, Citation, SummaryEntry

MAX_LENGTH = 12  # sentences: more is no longer a summary, and would not fit one Discord embed


class SummaryError(EngineError, ValueError):
    """A summary cannot be made as asked (unknown article, length out of bounds, a timeline without a topic)."""


class UnknownArticle(SummaryError):
    """No article with this id in the scope; the front end says where ids are listed."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article with id {article_id!r}")
        self.article_id = article_id
_NUMBER = re.compile(r"\d")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
# Words of letters: a row of figures from a table ("Exports 5.70 6.50 7.37") is not a sentence to quote.
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class SummaryWeights:
    """How much each signal counts in a sentence's importance, and how repeats are judged."""

    centrality: float = 1.0
    position: float = 1.0
    information: float = 0.3
    relevance: float = 1.0
    diversity: float = 0.7  # MMR trade-off: 1.0 ignores redundancy, lower favours variety
    duplicate: float = 0.9  # cosine above which two sentences say the same thing (one outlet copying another)
    min_words: int = 6
    dated: float = 0.5  # timelines: a sentence naming its event's day places it in time


def centrality(vectors: np.ndarray, threshold: float = 0.1, damping: float = 0.85, rounds: int = 50) -> np.ndarray:
    """LexRank over cosine similarities: a sentence is central when sentences like it are central too."""
    count = len(vectors)
    if count == 0:
        return np.zeros(0)
    graph = vectors @ vectors.T
    graph[graph < threshold] = 0.0
    np.fill_diagonal(graph, 0.0)
    sums = graph.sum(axis=1, keepdims=True)
    transition = np.divide(graph, sums, out=np.full_like(graph, 1.0 / count), where=sums > 0)
    scores = np.full(count, 1.0 / count)
    for _ in range(rounds):
        updated = (1 - damping) / count + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-6:
            return updated
        scores = updated
    return scores


def information(text: str) -> float:
    """Between 0 and 1: how much a sentence carries numbers and names, the facts news readers want."""
    numbers = len(_NUMBER.findall(text))
    names = len(_NAME.findall(text))
    return min(1.0, 0.15 * min(numbers, 4) + 0.1 * min(names, 4))


def _scaled(values: np.ndarray) -> np.ndarray:
    """Values scaled to 0..1 (all equal: all 1)."""
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    return np.ones_like(values) if high - low < 1e-12 else (values - low) / (high - low)


def importance(texts: Sequence[str], vectors: np.ndarray, positions: Sequence[int], relevance: np.ndarray,
               weights: SummaryWeights) -> np.ndarray:
    """Each sentence's importance: centrality, closeness to the lead, facts, and relevance to the topic."""
    lead = 1.0 / (1.0 + np.asarray(positions, dtype=float))  # news puts what matters first
    facts = np.array([information(text) for text in texts])
    return (weights.centrality * _scaled(centrality(vectors)) + weights.position * lead
            + weights.information * facts + weights.relevance * relevance)


def select(texts: Sequence[str], vectors: np.ndarray, scores: np.ndarray, length: int,
           weights: SummaryWeights) -> list[int]:
    """Indices of up to `length` sentences by maximal marginal relevance, skipping near-duplicates."""
    chosen: list[int] = []
    eligible = [i for i, text in enumerate(texts) if len(_WORD.findall(text)) >= weights.min_words]
    scaled = _scaled(scores)
    while len(chosen) < length and eligible:
        overlap = (vectors[eligible] @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(eligible))
        gains = weights.diversity * scaled[eligible] - (1 - weights.diversity) * overlap
        best = int(np.argmax(gains))
        if overlap[best] < weights.duplicate:
            chosen.append(eligible[best])
        eligible.pop(best)
    return chosen


def check_length(length: int) -> int:
    """The number of sentences asked for, or SummaryError when it is not from 1 to MAX_LENGTH."""
    if not 1 <= length <= MAX_LENGTH:
        raise SummaryError(f"a summary is 1 to {MAX_LENGTH} sentences long, not {length}")
    return length


def choose(candidates: Sequence[Candidate], vectors: np.ndarray, length: int, weights: SummaryWeights,
           bonus: np.ndarray | None = None) -> list[tuple[float, Candidate]]:
    """Up to `length` (importance, sentence) pairs, most important first; a candidate's similarity is its relevance."""
    texts = [candidate.text for candidate in candidates]
    relevance = np.array([candidate.similarity for candidate in candidates])
    scores = importance(texts, vectors, [candidate.position for candidate in candidates], relevance, weights)
    if bonus is not None:
        scores = scores + bonus
    return [(float(scores[i]), candidates[i]) for i in select(texts, vectors, scores, length, weights)]


Dated = tuple[date | None, date | None, str | None]  # when an event happened (first, last day) and the words


def chronological(picked: Sequence[tuple[float, Candidate]], days: Sequence[Dated]) -> list[int]:
    """Indices of the picked sentences by the day of their event, undated last; same day: by article date."""
    def key(n: int) -> tuple:
        """Undated last, then event day, article date, article and position (a stable order for ties)."""
        day, candidate = days[n][0], picked[n][1]
        return day is None, day or date.min, candidate.published or date.min, candidate.article_id, candidate.position
    return sorted(range(len(picked)), key=key)


def cite_entries(picked: Sequence[tuple[float, Candidate]], articles: Mapping[str, ArticleInfo],
                 days: Sequence[Dated] | None = None) -> tuple[tuple[SummaryEntry, ...], tuple[Citation, ...]]:
    """The sentences in the order given, each pointing at its article's source, numbered by first quotation."""
    numbers = {stored: n for n, stored in enumerate(dict.fromkeys(c.article_id for _, c in picked), start=1)}
    sources = tuple(articles[stored].citation(n, articles[stored].also_reported) for stored, n in numbers.items())
    entries = tuple(
        # articles[...].id, not the stored id: a scope's article is stored as "<scope>/<id>" and shown as <id>.
        SummaryEntry(text=c.text, source=numbers[c.article_id], article_id=articles[c.article_id].id,
                     published=c.published, score=round(score, 4), sentence_id=c.sentence_id,
                     day=days[n][0] if days else None, last_day=days[n][1] if days else None,
                     wording=days[n][2] if days else None)
        for n, (score, c) in enumerate(picked))
    return entries, sources


def nothing_found(topic: str | None, since: date | None, until: date | None) -> str:
    """Why a summary is empty, in words: "nothing found for “grid” between 2022-12-29 and 2022-12-31"."""
    what = f"nothing found for “{topic}”" if topic else "no articles"
    if since and until:
        return f"{what} on {since}" if since == until else f"{what} between {since} and {until}"
    if since or until:
        return f"{what} since {since}" if since else f"{what} up to {until}"
    return what
