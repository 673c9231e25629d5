"""SQLite FTS5 query strings, written from the store's word searches (pure)."""

from __future__ import annotations

from index.store.terms import TermQuery


def fts_match(query: TermQuery) -> str:
    """An FTS5 MATCH string for any (OR) or every (AND) term, each quoted so that no word is syntax."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in query.terms]
    return f" {'AND' if query.every else 'OR'} ".join(quoted)
