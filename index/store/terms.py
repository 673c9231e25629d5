"""Word searches as they cross into the store: the words, and whether any or every one must be found (pure).

No query syntax crosses the store's edge: each backend writes its own (index/store/sqlite/fts.py for SQLite's FTS5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TermQuery:
    """Words to find in sentences or passages: any of them, or every one; the store quotes and stems them."""

    terms: tuple[str, ...]  # lower-cased content words, as query_terms makes them
    every: bool = False


def term_query(terms: Sequence[str], every: bool = False) -> TermQuery | None:
    """A search for these words (blank ones left out), or None when none is left."""
    kept = tuple(term for term in terms if term)
    return TermQuery(kept, every) if kept else None
