"""The store's catalogue: articles as a scope sees them, listed, filtered, counted and shown (read only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from index.models import AlsoReported, ArticleDetail, ArticleInfo
from index.store.records import Counts
from index.store.scopes import public_id, scoped_id, visible, visible_params
from index.store.sqlite.database import Queries, parse_day, placeholders
from index.store.sqlite.fts import fts_match
from index.store.terms import TermQuery

_INFO_COLUMNS = (
    f"{public_id('a')}, a.title, a.url, a.source, a.published, a.ingested_at,"
    " (SELECT count(*) FROM sentences s WHERE s.article_id = a.id), a.scope, a.author"
)


def _info(row: tuple) -> ArticleInfo:
    """An ArticleInfo from a row of _INFO_COLUMNS."""
    return ArticleInfo(id=row[0], title=row[1], url=row[2], source=row[3], published=parse_day(row[4]),
                       ingested_at=row[5], sentences=row[6], scope=row[7], author=row[8])


def _where(scope: str | None, text: str | None, words: TermQuery | None) -> tuple[str, list[object]]:
    """WHERE and parameters: seen by the scope; with `text`, in its title or outlet, or `words` in a sentence."""
    sql, params = f"WHERE {visible('a')}", list[object](visible_params(scope))
    if text:
        matches = ["instr(casefold(a.title), ?) > 0", "instr(casefold(a.source), ?) > 0"]
        params += [text.casefold(), text.casefold()]
        if words:
            matches.append("a.id IN (SELECT s.article_id FROM sentences_fts"
                           " JOIN sentences s ON s.id = sentences_fts.rowid WHERE sentences_fts MATCH ?)")
            params.append(fts_match(words))
        sql += f" AND ({' OR '.join(matches)})"
    return sql, params


class Catalog(Queries):
    """Read-only queries over the articles a scope sees."""

    async def list_articles(self, scope: str | None = None, text: str | None = None, words: TermQuery | None = None,
                            limit: int | None = None, offset: int = 0) -> list[ArticleInfo]:
        """The articles the scope sees, newest first, undated last; with `text`, only those matching (see _where)."""
        where, params = _where(scope, text, words)
        rows = await self._all(
            f"SELECT a.id, {_INFO_COLUMNS} FROM articles a {where}"
            " ORDER BY a.published IS NULL, a.published DESC, a.title, a.id LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset],
        )
        return list((await self._with_copies({row[0]: _info(row[1:]) for row in rows})).values())

    async def _with_copies(self, infos: dict[str, ArticleInfo]) -> dict[str, ArticleInfo]:
        """These articles (by stored id) with the copies of each, earliest first, as "also reported by"."""
        if not infos:
            return infos
        rows = await self._all(
            f"SELECT original_id, {public_id('c')}, title, url, source, published FROM copies c"
            f" WHERE original_id IN ({placeholders(len(infos))})"
            " ORDER BY published IS NULL, published, ingested_at, id", list(infos))
        copies: dict[str, list[AlsoReported]] = {}
        for original, copy_id, title, url, source, published in rows:
            copies.setdefault(original, []).append(AlsoReported(copy_id, title, url, source, parse_day(published)))
        return {stored_id: replace(info, also_reported=tuple(copies.get(stored_id, ())))
                for stored_id, info in infos.items()}

    async def count_articles(self, scope: str | None = None, text: str | None = None,
                             words: TermQuery | None = None) -> int:
        """How many articles list_articles would return without a limit."""
        where, params = _where(scope, text, words)
        return (await self._row(f"SELECT count(*) FROM articles a {where}", params))[0]

    async def article(self, article_id: str, scope: str | None = None, lead: int = 3) -> ArticleDetail | None:
        """One article the scope sees (its own copy before the global one) with its first `lead` sentences."""
        row = await self._one(
            f"SELECT a.id, {_INFO_COLUMNS} FROM articles a WHERE a.id IN (?, ?) AND {visible('a')}",
            (scoped_id(article_id, scope), article_id, *visible_params(scope)),
        )
        if row is None:
            return None
        sentences = await self._all("SELECT text FROM sentences WHERE article_id = ? ORDER BY position LIMIT ?",
                                    (row[0], lead))
        info = (await self._with_copies({row[0]: _info(row[1:])}))[row[0]]
        return ArticleDetail(info=info, lead=tuple(r[0] for r in sentences))

    async def articles_by_id(self, stored_ids: Iterable[str]) -> dict[str, ArticleInfo]:
        """Citation details of these articles, by stored id (the ids in them are the public ones)."""
        wanted = list(dict.fromkeys(stored_ids))
        if not wanted:
            return {}
        rows = await self._all(
            f"SELECT a.id, {_INFO_COLUMNS} FROM articles a WHERE a.id IN ({placeholders(len(wanted))})", wanted
        )
        return await self._with_copies({row[0]: _info(row[1:]) for row in rows})

    async def counts(self, scope: str | None = None) -> Counts:
        """Counts of the articles a scope sees, their sentences, passages and copies, and their date range."""
        where, params = f"WHERE {visible('a')}", visible_params(scope)
        articles, oldest, newest = await self._row(
            f"SELECT count(*), min(a.published), max(a.published) FROM articles a {where}", params)
        sentences = (await self._row(
            f"SELECT count(*) FROM sentences s JOIN articles a ON a.id = s.article_id {where}", params))[0]
        chunks = (await self._row(
            f"SELECT count(*) FROM chunks c JOIN articles a ON a.id = c.article_id {where}", params))[0]
        copies = (await self._row(
            f"SELECT count(*) FROM copies c JOIN articles a ON a.id = c.original_id {where}", params))[0]
        return {"articles": articles, "sentences": sentences, "chunks": chunks, "copies": copies,
                "oldest": parse_day(oldest), "newest": parse_day(newest)}
