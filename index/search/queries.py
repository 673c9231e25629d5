"""Hybrid retrieval logic: question terms, FTS5 queries and rank fusion (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Function words and question words: matching them says nothing about relevance.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom whose why will with would you your yours yourself
    yourselves s t d ll m re ve tell say said says know please many much
    """.split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(question: str) -> list[str]:
    """The question's content words, lower-cased, in order, without repeats."""
    words = [w.lower() for w in _WORD.findall(question)]
    content = [w for w in words if w not in STOPWORDS and w != "_"]
    return list(dict.fromkeys(content))


def build_fts_query(terms: Sequence[str], operator: str = "OR") -> str | None:
    """An FTS5 query matching any (operator "OR") or all ("AND") of `terms`, each quoted so no word is syntax."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms if term]
    return f" {operator} ".join(quoted) if quoted else None


def article_filter(query: str | None) -> tuple[str | None, str | None]:
    """A listing filter as (text to find in titles and outlets, FTS5 query for sentences holding all its words)."""
    text = " ".join((query or "").split())
    if not text:
        return None, None
    return text, build_fts_query(query_terms(text), operator="AND")


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
