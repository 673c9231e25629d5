"""The PostgreSQL store's catalogue: articles as a scope sees them, listed, filtered, counted and shown (read only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from index.models import AlsoReported, ArticleDetail, ArticleInfo
from index.store.postgres.database import Queries, stamp
from index.store.postgres.sql import any_or_every, visible
from index.store.records import Counts
from index.store.scopes import SEPARATOR, public_id, scoped_id
from index.store.terms import TermQuery

_INFO_COLUMNS = (
    f"a.id, {public_id('a')}, a.title, a.url, a.source, a.published, a.ingested_at,"
    " (SELECT count(*) FROM sentences s WHERE s.article_id = a.id), a.scope, a.author"
)
# SQLite compares text by code point; so does the "C" collation, whatever the database's own.
_NEWEST_FIRST = 'a.published IS NULL, a.published DESC, a.title COLLATE "C", a.id COLLATE "C"'


def _info(row: Any) -> ArticleInfo:
    """An ArticleInfo from a row of _INFO_COLUMNS (its stored id left out)."""
    return ArticleInfo(id=row[1], title=row[2], url=row[3], source=row[4], published=row[5],
                       ingested_at=stamp(row[6]) or "", sentences=row[7], scope=row[8], author=row[9])


def _where(scope: str | None, text: str | None, words: TermQuery | None) -> tuple[str, list[object]]:
    """WHERE and parameters: seen by the scope; with `text`, in its title or outlet, or `words` in a sentence."""
    sql, params = f"WHERE {visible('a', 1)}", list[object]([scope])
    if text:
        # search_key is the title and the outlet, case-folded, joined by the separator, which neither holds (they are
        # one-line fields): a text holding it would match across the two, where SQLite's filter finds nothing.
        matches = [f"(strpos(a.search_key, $2::text) > 0 AND strpos($2::text, chr({ord(SEPARATOR)})) = 0)"]
        params.append(text.casefold())
        if words:
            query, terms = any_or_every(words, 3)
            matches.append(f"a.id IN (SELECT s.article_id FROM sentences s WHERE s.tsv @@ {query})")
            params += terms
        sql += f" AND ({' OR '.join(matches)})"
    return sql, params


class Catalog(Queries):
    """Read-only queries over the articles a scope sees."""

    async def list_articles(self, scope: str | None = None, text: str | None = None, words: TermQuery | None = None,
                            limit: int | None = None, offset: int = 0) -> list[ArticleInfo]:
        """The articles the scope sees, newest first, undated last; with `text`, only those matching (see _where)."""
        where, params = _where(scope, text, words)
        first = len(params) + 1
        async with self._transaction(read_only=True):
            rows = await self._all(
                f"SELECT {_INFO_COLUMNS} FROM articles a {where} ORDER BY {_NEWEST_FIRST}"
                f" LIMIT ${first}::bigint OFFSET ${first + 1}::bigint", *params, limit, offset)
            return list((await self._with_copies({row[0]: _info(row) for row in rows})).values())

    async def _with_copies(self, infos: dict[str, ArticleInfo]) -> dict[str, ArticleInfo]:
        """These articles (by stored id) with the copies of each, earliest first, as "also reported by"."""
        if not infos:
            return infos
        rows = await self._all(
            f"SELECT original_id, {public_id('c')}, title, url, source, published FROM copies c"
            " WHERE original_id = ANY($1::text[])"
            ' ORDER BY published IS NULL, published, ingested_at, id COLLATE "C"', list(infos))
        copies: dict[str, list[AlsoReported]] = {}
        for original, copy_id, title, url, source, published in rows:
            copies.setdefault(original, []).append(AlsoReported(copy_id, title, url, source, published))
        return {stored_id: replace(info, also_reported=tuple(copies.get(stored_id, ())))
                for stored_id, info in infos.items()}

    async def count_articles(self, scope: str | None = None, text: str | None = None,
                             words: TermQuery | None = None) -> int:
        """How many articles list_articles would return without a limit."""
        where, params = _where(scope, text, words)
        return int(await self._value(f"SELECT count(*) FROM articles a {where}", *params))

    async def article(self, article_id: str, scope: str | None = None, lead: int = 3) -> ArticleDetail | None:
        """One article the scope sees (its own copy before the global one) with its first `lead` sentences."""
        async with self._transaction(read_only=True):
            row = await self._one(
                f"SELECT {_INFO_COLUMNS} FROM articles a WHERE a.id IN ($2::text, $3::text) AND {visible('a', 1)}",
                scope, scoped_id(article_id, scope), article_id)
            if row is None:
                return None
            sentences = await self._all(
                "SELECT text FROM sentences WHERE article_id = $1 ORDER BY position LIMIT $2", row[0], lead)
            info = (await self._with_copies({row[0]: _info(row)}))[row[0]]
        return ArticleDetail(info=info, lead=tuple(r[0] for r in sentences))

    async def articles_by_id(self, stored_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        """Citation details of these articles, by stored id (the ids in them are the public ones)."""
        wanted = list(dict.fromkeys(stored_ids))
        if not wanted:
            return {}
        async with self._transaction(read_only=True):
            rows = await self._all(f"SELECT {_INFO_COLUMNS} FROM articles a WHERE a.id = ANY($1::text[])", wanted)
            return await self._with_copies({row[0]: _info(row) for row in rows})

    async def counts(self, scope: str | None = None) -> Counts:
        """Counts of the articles a scope sees, their sentences, passages and copies, and their date range."""
        # One statement: the counts are of one snapshot.
        [row] = await self._all(
            f"WITH seen AS (SELECT a.id, a.published FROM articles a WHERE {visible('a', 1)})"
            " SELECT (SELECT count(*) FROM seen), (SELECT min(published) FROM seen),"
            " (SELECT max(published) FROM seen),"
            " (SELECT count(*) FROM sentences s JOIN seen ON seen.id = s.article_id),"
            " (SELECT count(*) FROM chunks c JOIN seen ON seen.id = c.article_id),"
            " (SELECT count(*) FROM copies c JOIN seen ON seen.id = c.original_id)", scope)
        return {"articles": row[0], "sentences": row[3], "chunks": row[4], "copies": row[5],
                "oldest": row[1], "newest": row[2]}
