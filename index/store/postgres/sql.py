"""Scopes in PostgreSQL's SQL: which articles a scope sees, and one article's rows, as fragments with $n parameters."""

from __future__ import annotations

from index.store.scopes import SEPARATOR

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
