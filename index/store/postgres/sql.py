"""PostgreSQL's SQL fragments with $n parameters: which articles a scope sees, one article's rows, a word search."""

from __future__ import annotations

from index.store.postgres.text import fold
from index.store.scopes import SEPARATOR
from index.store.terms import TermQuery

_JOIN = f"chr({ord(SEPARATOR)})"  # the separator of scoped ids


def same_article(first: int) -> str:
    """One article's rows in one scope: under its stored id, or an older version under its url (which a new version
    replaces). Binds $first (stored id), $first+1 (url) and $first+2 (scope)."""
    return (f"(id = ${first} OR (url IS NOT NULL AND url = ${first + 1}::text))"
            f" AND scope IS NOT DISTINCT FROM ${first + 2}::text")


def visible(alias: str, scope: int) -> str:
    """True for the articles the scope bound at $scope sees: its own, and the global ones it holds no copy of."""
    return (f"({alias}.scope IS NOT DISTINCT FROM ${scope}::text OR ({alias}.scope IS NULL AND NOT EXISTS"
            f" (SELECT 1 FROM articles own WHERE own.id = ${scope}::text || {_JOIN} || {alias}.id)))")


def any_or_every(words: TermQuery, first: int) -> tuple[str, list[str]]:
    """A tsquery expression finding any (||) or every (&&) of the words, and its parameters from $first on.

    Each word goes through plainto_tsquery as a parameter, folded as the stored text was, so no user text is ever
    read as tsquery syntax."""
    parts = [f"plainto_tsquery('newsbot', ${first + n}::text)" for n in range(len(words.terms))]
    return "(" + (" && " if words.every else " || ").join(parts) + ")", [fold(term) for term in words.terms]
