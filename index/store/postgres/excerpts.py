"""The store's sentences as summaries read them, from PostgreSQL: an article's, a period's newest, a topic's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from index.models import Candidate
from index.store.blobs import matrix_from_blobs
from index.store.postgres.database import Database, Queries
from index.store.postgres.lexical import Statistics, best, folded, matches
from index.store.postgres.sql import visible
from index.store.records import Excerpts
from index.store.scopes import scoped_id
from index.store.terms import TermQuery

# Sentences with their embeddings, in the order asked for; their scores are filled in by the reader.
_COLUMNS = "s.id, s.article_id, s.position, s.text, s.embedding, a.published"


def _period(since: date | None, until: date | None, first: int) -> tuple[str, list[date]]:
    """SQL limiting articles to a publication period (an undated article is in no period), binding from $first."""
    sql, params = "", list[date]()
    if since is not None:
        sql, params = sql + f" AND a.published >= ${first + len(params)}::date", [*params, since]
    if until is not None:
        sql, params = sql + f" AND a.published <= ${first + len(params)}::date", [*params, until]
    return sql, params


def _excerpts(rows: Sequence[Any], dimension: int) -> Excerpts:
    """Rows of _COLUMNS as unscored candidates and their embedding matrix."""
    candidates = [Candidate(sentence_id=row[0], article_id=row[1], position=row[2], text=row[3], similarity=0.0,
                            lexical=0.0, passage=0.0, published=row[5]) for row in rows]
    return candidates, matrix_from_blobs([row[4] for row in rows], dimension)


class SentenceReader(Queries):
    """Read-only queries for summaries and timelines over the sentences a scope sees."""

    def __init__(self, db: Database, statistics: Statistics) -> None:
        super().__init__(db)
        self._statistics = statistics

    async def of_article(self, article_id: str, scope: str | None, dimension: int) -> Excerpts | None:
        """Every sentence of one article the scope sees (its own copy first), in order; None if it sees none."""
        stored_id = await self._value(
            f"SELECT a.id FROM articles a WHERE a.id IN ($1, $2) AND {visible('a', 3)} ORDER BY a.scope IS NULL"
            " LIMIT 1", scoped_id(article_id, scope), article_id, scope)
        if stored_id is None:
            return None
        rows = await self._all(f"SELECT {_COLUMNS} FROM sentences s JOIN articles a ON a.id = s.article_id"
                               " WHERE s.article_id = $1 ORDER BY s.position", stored_id)
        return _excerpts(rows, dimension)

    async def by_id(self, sentence_ids: Sequence[int], dimension: int) -> Excerpts:
        """These sentences, in the order given."""
        rows = await self._all(f"SELECT {_COLUMNS} FROM sentences s JOIN articles a ON a.id = s.article_id"
                               " WHERE s.id = ANY($1::bigint[])", list(sentence_ids))
        order = {sentence_id: n for n, sentence_id in enumerate(sentence_ids)}
        return _excerpts(sorted(rows, key=lambda row: order[row[0]]), dimension)

    async def newest_day(self, scope: str | None) -> date | None:
        """The publication day of the scope's newest dated article."""
        day: date | None = await self._value(f"SELECT max(a.published) FROM articles a WHERE {visible('a', 1)}", scope)
        return day

    async def newest(self, scope: str | None, since: date | None, until: date | None, articles: int,
                     lead: int, dimension: int) -> Excerpts:
        """The first `lead` sentences of the `articles` newest articles of a period (no period: of all)."""
        period, params = _period(since, until, 4)
        # Ids in code point order (COLLATE "C"), as SQLite compares them, whatever the database's collation.
        rows = await self._all(
            f"WITH recent AS (SELECT a.id FROM articles a WHERE {visible('a', 1)}{period}"
            ' ORDER BY a.published IS NULL, a.published DESC, a.ingested_at DESC, a.id COLLATE "C" LIMIT $2)'
            f" SELECT {_COLUMNS} FROM sentences s JOIN articles a ON a.id = s.article_id"
            ' WHERE s.article_id IN (SELECT id FROM recent) AND s.position < $3'
            ' ORDER BY s.article_id COLLATE "C", s.position', scope, articles, lead, *params)
        return _excerpts(rows, dimension)

    async def matching(self, words: TermQuery, scope: str | None, since: date | None, until: date | None,
                       limit: int) -> list[tuple[int, float]]:
        """(sentence id, BM25) of the sentences of a period's articles that best match a word search, best first."""
        weights = await self._statistics.weights("sentences", words)
        period, params = _period(since, until, 6)
        rows = await self._all(
            best("sentences", "s", words, visible("a", 5) + period)
            + " SELECT id, score FROM scored ORDER BY score DESC, id", *weights.params(), limit, scope, *params)
        return [(row[0], row[1]) for row in rows]

    async def passage_matches(self, words: TermQuery, scope: str | None, since: date | None,
                              until: date | None) -> bool:
        """Whether a passage of a period's articles the scope sees matches a word search."""
        period, params = _period(since, until, 3)
        found = await self._value(
            f"SELECT 1 FROM chunks c JOIN articles a ON a.id = c.article_id WHERE"
            f" {matches('c.tsv', words)} AND {visible('a', 2)}{period} LIMIT 1",
            folded(words), scope, *params)
        return found is not None
