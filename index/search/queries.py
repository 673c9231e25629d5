"""Hybrid retrieval logic: question terms, word searches and rank fusion (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence

from index.store.terms import TermQuery, term_query
from index.text import QUERY_STOPWORDS, one_line, words


def query_terms(question: str) -> list[str]:
    """The question's content words, lower-cased, in order, without repeats."""
    lowered = [w.lower() for w in words(question)]
    content = [w for w in lowered if w not in QUERY_STOPWORDS and w != "_"]
    return list(dict.fromkeys(content))


def within_budget(terms: Sequence[str], matches: Sequence[int], budget: int) -> list[str]:
    """The rarest terms whose matching rows add up to at most `budget` (always the rarest one), in question order.

    BM25 scores every row a query matches, so a common word ("government") in a million sentences costs tens of
    milliseconds while adding little to the ranking: its IDF is low.
    """
    chosen: set[str] = set()
    total = 0
    for count, term in sorted(zip(matches, terms, strict=True)):
        if chosen and total + count > budget:
            break
        chosen.add(term)
        total += count
    return [term for term in terms if term in chosen]


def article_filter(query: str | None) -> tuple[str | None, TermQuery | None]:
    """A listing filter as (text to find in titles and outlets, the words a sentence must hold every one of)."""
    text = one_line(query)
    if not text:
        return None, None
    return text, term_query(query_terms(text), every=True)


def fuse_rankings(
    rankings: Sequence[tuple[Sequence[tuple[int, float]], float]], smoothing: float = 60.0
) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion of (ranking, weight) pairs; best first.

    Ranks, not raw scores, are fused: BM25 and cosine live on scales that no fixed mix reconciles.
    """
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        for rank, (item, _score) in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + weight / (smoothing + rank + 1)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
