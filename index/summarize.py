"""Choose the sentences of a summary: central, informative, relevant and not repeated (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_NUMBER = re.compile(r"\d")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_WORD = re.compile(r"\w+")


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
