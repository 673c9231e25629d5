"""Scopes: how a scope's articles are stored, and which articles a scope sees (as SQL fragments)."""

from __future__ import annotations

from index.ingest.fields import control_characters

# Joins a scope and an article's own id into its stored id. It is a control character, which neither a scope nor an
# article id may hold (index/ingest/fields.py), so the stored ids of two scopes, or of a scope and the global library
# (stored under their own ids), never meet: "111/a1" of the operator and "a1" of server 111 are two articles.
SEPARATOR = "\x1f"


def check_scope(scope: str | None) -> None:
    """Raise ValueError for a scope articles cannot be stored under."""
    if scope is not None and (not scope or control_characters(scope)):
        raise ValueError(f"a scope is a non-empty name without control characters, not {scope!r}")


def scoped_id(article_id: str, scope: str | None) -> str:
    """The id an article is stored under: its own in the global library, "<scope>\\x1f<id>" in a scope."""
    check_scope(scope)
    return article_id if scope is None else f"{scope}{SEPARATOR}{article_id}"


def unscoped_id(stored_id: str, scope: str | None) -> str:
    """An article's id as its users know it, from the id it is stored under in this scope (scoped_id undone)."""
    return stored_id if scope is None else stored_id[len(scope) + 1:]


def public_id(alias: str) -> str:
    """SQL for an article's id as its users know it: the stored id without its scope prefix."""
    return f"CASE WHEN {alias}.scope IS NULL THEN {alias}.id ELSE substr({alias}.id, length({alias}.scope) + 2) END"


# One article's rows in one scope: under its stored id, or an older version under its url (which a new version
# replaces). Bind (stored id, url, scope).
SAME_ARTICLE = "(id = ? OR (url IS NOT NULL AND url = ?)) AND scope IS ?"


def visible(alias: str) -> str:
    """SQL that is true for the articles a scope sees; bind visible_params(scope) in its place."""
    # A scope's own copy of a global article shadows it: one id never names two articles a scope sees.
    # Unary + keeps SQLite from driving the query by the scope index, which would scan every global article.
    return (f"(+{alias}.scope IS ? OR (+{alias}.scope IS NULL AND NOT EXISTS"
            f" (SELECT 1 FROM articles own WHERE own.id = ? || char({ord(SEPARATOR)}) || {alias}.id)))")


def visible_params(scope: str | None) -> tuple[str | None, str | None]:
    """The parameters of one visible() fragment."""
    return (scope, scope)
