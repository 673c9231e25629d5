"""Scopes: how a scope's articles are stored, and which articles a scope sees (as SQL fragments)."""

from __future__ import annotations


def check_scope(scope: str | None) -> None:
    """Raise ValueError for a scope articles cannot be stored under."""
    # A "/" inside a scope would let "a/b" + "c" and "a" + "b/c" meet on one stored id.
    if scope is not None and (not scope or "/" in scope):
        raise ValueError(f"a scope is a non-empty name without '/', not {scope!r}")


def scoped_id(article_id: str, scope: str | None) -> str:
    """The id an article is stored under: its own in the global library, "<scope>/<id>" in a scope."""
    check_scope(scope)
    return article_id if scope is None else f"{scope}/{article_id}"


def public_id(alias: str) -> str:
    """SQL for an article's id as its users know it: the stored id without its scope prefix."""
    return f"CASE WHEN {alias}.scope IS NULL THEN {alias}.id ELSE substr({alias}.id, length({alias}.scope) + 2) END"


def visible(alias: str) -> str:
    """SQL that is true for the articles a scope sees; bind visible_params(scope) in its place."""
    # A scope's own copy of a global article shadows it: one id never names two articles a scope sees.
    # Unary + keeps SQLite from driving the query by the scope index, which would scan every global article.
    return (f"(+{alias}.scope IS ? OR (+{alias}.scope IS NULL AND NOT EXISTS"
            f" (SELECT 1 FROM articles own WHERE own.id = ? || '/' || {alias}.id)))")


def visible_params(scope: str | None) -> tuple[str | None, str | None]:
    """The parameters of one visible() fragment."""
    return (scope, scope)
