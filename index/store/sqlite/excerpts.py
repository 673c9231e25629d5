"""The store's sentences as summaries read them: an article's, a period's newest, a topic's, with embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from index.models import Candidate
from index.store.blobs import matrix_from_blobs
from index.store.records import Excerpts
from index.store.scopes import scoped_id, visible, visible_params
from index.store.sqlite.database import Queries, parse_day, placeholders
from index.store.sqlite.fts import fts_match
from index.store.terms import TermQuery

# Sentences with their embeddings, in the order asked for; their scores are filled in by the reader.

_COLUMNS = "s.id, s.article_id, s.position, s.text, s.embedding, a.published"


def _period(since: date | None, until: date | None) -> tuple[str, list[str]]:
    """SQL limiting articles to a publication period (an undated article is in no period)."""
    sql, params = "", list[str]()
    if since is not None:
        sql, params = sql + " AND a.published >= ?", [*params, since.isoformat()]
    if until is not None:
        sql, params = sql + " AND a.published <= ?", [*params, until.isoformat()]
    return sql, params


def _excerpts(rows: Sequence[tuple], dimension: int) -> Excerpts:
    """Rows of _COLUMNS as unscored candidates and their embedding matrix."""
    candidates = [Candidate(sentence_id=row[0], article_id=row[1], position=row[2], text=row[3], similarity=0.0,
                            lexical=0.0, passage=0.0, published=parse_day(row[5])) for row in rows]
    return candidates, matrix_from_blobs([row[4] for row in rows], dimension)


class SentenceReader(Queries):
    """Read-only queries for summaries and timelines over the sentences a scope sees."""

    async def of_article(self, article_id: str, scope: str | None, dimension: int) -> Excerpts | None:
        """Every sentence of one article the scope sees (its own copy first), in order; None if it sees none."""
        row = await self._one(
            f"SELECT a.id FROM articles a WHERE a.id IN (?, ?) AND {visible('a')} ORDER BY a.scope IS NULL LIMIT 1",
            (scoped_id(article_id, scope), article_id, *visible_params(scope)),
        )
        if row is None:
            return None
        rows = await self._all(f"SELECT {_COLUMNS} FROM sentences s JOIN articles a ON a.id = s.article_id"
                               " WHERE s.article_id = ? ORDER BY s.position", (row[0],))
        return _excerpts(rows, dimension)

    async def by_id(self, sentence_ids: Sequence[int], dimension: int) -> Excerpts:
        """These sentences, in the order given."""
        rows = await self._all(f"SELECT {_COLUMNS} FROM sentences s JOIN articles a ON a.id = s.article_id"
                               f" WHERE s.id IN ({placeholders(len(sentence_ids))})", list(sentence_ids))
        order = {sentence_id: n for n, sentence_id in enumerate(sentence_ids)}
        return _excerpts(sorted(rows, key=lambda row: order[row[0]]), dimension)

    async def newest_day(self, scope: str | None) -> date | None:
        """The publication day of the scope's newest dated article."""
        row = await self._row(f"SELECT max(a.published) FROM articles a WHERE {visible('a')}", visible_params(scope))
        return parse_day(row[0])

    async def newest(self, scope: str | None, since: date | None, until: date | None, articles: int,
                     lead: int, dimension: int) -> Excerpts:
        """The first `lead` sentences of the `articles` newest articles of a period (no period: of all)."""
        period, params = _period(since, until)
        rows = await self._all(
            f"WITH recent AS (SELECT a.id FROM articles a WHERE {visible('a')}{period}"
            " ORDER BY a.published IS NULL, a.published DESC, a.ingested_at DESC, a.id LIMIT ?)"
            f" SELECT {_COLUMNS} FROM sentences s JOIN articles a ON a.id = s.article_id"
            " WHERE s.article_id IN (SELECT id FROM recent) AND s.position < ? ORDER BY s.article_id, s.position",
            [*visible_params(scope), *params, articles, lead],
        )
        return _excerpts(rows, dimension)

    async def matching(self, words: TermQuery, scope: str | None, since: date | None, until: date | None,
                       limit: int) -> list[tuple[int, float]]:
        """(sentence id, BM25) of the sentences of a period's articles that best match a word search, best first."""
        period, params = _period(since, until)
        rows = await self._all(
            "SELECT sentences_fts.rowid, bm25(sentences_fts) FROM sentences_fts"
            " JOIN sentences s ON s.id = sentences_fts.rowid JOIN articles a ON a.id = s.article_id"
            f" WHERE sentences_fts MATCH ? AND {visible('a')}{period} ORDER BY rank LIMIT ?",
            [fts_match(words), *visible_params(scope), *params, limit],
        )
        return [(row[0], -row[1]) for row in rows]

    async def passage_matches(self, words: TermQuery, scope: str | None, since: date | None,
                              until: date | None) -> bool:
        """Whether a passage of a period's articles the scope sees matches a word search."""
        period, params = _period(since, until)
        row = await self._one(
            "SELECT 1 FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN articles a ON a.id = c.article_id"
            f" WHERE chunks_fts MATCH ? AND {visible('a')}{period} LIMIT 1",
            [fts_match(words), *visible_params(scope), *params],
        )
        return row is not None
