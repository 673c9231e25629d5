"""Word searches in PostgreSQL on FTS5's BM25 scale: every match ranked over the GIN index, the best scored exactly.

FTS5 scores every matching row with BM25, and the answer ranker was fitted on those values. Exact BM25 in SQL costs
about 14 µs a row, too slow for every match of a common word, so a search ranks its matches by idf-weighted ts_rank
(which saturates in term frequency as BM25 does, and is cheap over the index) and scores only the rows it keeps with
FTS5's formula, twice as many as asked for, to keep the best. Over those rows the values, and so the order, are
FTS5's.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from index.store.postgres.database import Database, Queries
from index.store.postgres.sql import visible
from index.store.postgres.text import fold, token_count
from index.store.terms import TermQuery

# FTS5's bm25(): k1 and b as fts5_aux.c has them, and the IDF it gives a word in more than half the rows.
K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6
# How many times `limit` rows the ranking hands to BM25, as the two order the last few differently: over 200k Zipf
# sentences, 30 searches found 93% of BM25's best 50 among the rank's best 50, 97% among its best 100 (0.5 ms more).
_RANKED = 2
# Document frequencies kept per process: a question's words, many questions long.
_KEPT_WORDS = 10_000


def idf(rows: int, matching: int) -> float:
    """FTS5's IDF: ln((N − n + 0.5) / (n + 0.5)), or 1e-6 where that is not positive (as fts5_aux.c floors it)."""
    value = math.log((rows - matching + 0.5) / (matching + 0.5))
    return value if value > 0.0 else IDF_FLOOR


def matches(column: str, words: TermQuery, param: int = 1) -> str:
    """`column` matches the search whose folded words are bound (a text[]) at $param: any of them, or every one.

    Each word is read as FTS5 reads a quoted one, as a phrase of plain words: phraseto_tsquery, on its own, so nothing
    anyone types is ever tsquery syntax.
    """
    if words.every and not all(token_count(word) for word in words.terms):
        # A word of no letters or digits is an empty phrase, which FTS5 finds nowhere (the words bound all the same).
        return f"(false AND ${param}::text[] IS NOT NULL)"
    joined = (" && " if words.every else " || ").join(_word(n, param) for n in range(1, len(words.terms) + 1))
    return f"({joined}) @@ {column}"


def rank(column: str, count: int) -> str:
    """Σ idf · ts_rank over the words bound at $1 (their IDFs at $2): ts_rank has no IDF of its own, and a search
    for any word needs one (a match on a rare name must outweigh one on "government"). Normalisation 1 divides by
    1 + log(length), standing in for BM25's length term."""
    return " + ".join(f"($2::float8[])[{n}] * ts_rank({column}, {_word(n)}, 1)" for n in range(1, count + 1))


def bm25(hits: str) -> str:
    """(id, score) of each row of `hits` (id, tokens, tsv): FTS5's BM25 against the words bound at $1, with their
    IDFs at $2 and the table's average length at $3, in fts5_aux.c's order of operations."""
    # tf: the occurrences of the word's lexeme. For the odd word that is a phrase of several, those of its rarest
    # lexeme: as many as the phrase's own occurrences where its lexemes come only together, as in a name.
    return (f"SELECT h.id, sum(t.idf * ((f.tf * {K1 + 1.0}::float8) / (f.tf + {K1}::float8 * ({1.0 - B}::float8"
            f" + {B}::float8 * h.tokens / $3::float8)))) AS score"
            f" FROM {hits} h CROSS JOIN unnest($1::text[], $2::float8[]) AS t(word, idf)"
            " CROSS JOIN LATERAL (SELECT coalesce(min(coalesce(cardinality(u.positions), 0)), 0) AS tf"
            " FROM unnest(tsvector_to_array(to_tsvector('newsbot', t.word))) AS l(lexeme)"
            " LEFT JOIN unnest(h.tsv) AS u ON u.lexeme = l.lexeme) f GROUP BY h.id")


def best(table: str, alias: str, words: TermQuery, where: str) -> str:
    """WITH `hits`, the rows of `table` (as `alias`, joined to their articles `a`, kept by `where`) best ranked
    against the search ($1, $2), and `scored`, the $4 of them with the best BM25 ($3). `where` binds from $5."""
    return (f"WITH hits AS (SELECT {alias}.id, {alias}.tokens, {alias}.tsv FROM {table} {alias}"
            f" JOIN articles a ON a.id = {alias}.article_id WHERE {matches(f'{alias}.tsv', words)}"
            f" AND {where} ORDER BY {rank(f'{alias}.tsv', len(words.terms))} DESC, {alias}.id"
            f" LIMIT {_RANKED} * $4),"
            f" scored AS ({bm25('hits')} ORDER BY score DESC, h.id LIMIT $4)")


def folded(words: TermQuery) -> list[str]:
    """The search's words as the stored text was indexed: case-folded, without diacritics."""
    return [fold(word) for word in words.terms]


def _word(n: int, param: int = 1) -> str:
    """The tsquery of the n-th word bound at $param."""
    return f"phraseto_tsquery('newsbot', (${param}::text[])[{n}])"


@dataclass(frozen=True)
class Weights:
    """A word search as the SQL above binds it: its folded words ($1), their IDFs ($2), the average length ($3)."""

    words: list[str]
    idfs: list[float]
    average: float

    def params(self) -> tuple[list[str], list[float], float]:
        """$1, $2 and $3."""
        return self.words, self.idfs, self.average


class Statistics(Queries):
    """BM25's numbers over a whole table (every scope, as FTS5 counts them): rows, average length, and how many rows
    hold each word. They move slowly, so a process keeps them for `lifetime` seconds."""

    def __init__(self, db: Database, lifetime: float) -> None:
        super().__init__(db)
        self._lifetime = lifetime
        self._sizes: dict[str, tuple[float, int, float]] = {}  # table → (when, rows, average tokens)
        self._counts: OrderedDict[tuple[str, str], tuple[float, int]] = OrderedDict()  # (table, word) → (when, n)

    async def weights(self, table: str, words: TermQuery) -> Weights:
        """The search's folded words with their IDFs in `table`, and its average length."""
        rows, average = await self._size(table)
        found = folded(words)
        counts = await self._matching(table, found)
        return Weights(found, [idf(rows, counts[word]) for word in found], average)

    def remember(self, table: str, word: str, matching: int) -> None:
        """How many rows of `table` hold the folded word, counted by someone else."""
        self._counts[(table, word)] = (time.monotonic(), matching)
        self._counts.move_to_end((table, word))
        while len(self._counts) > _KEPT_WORDS:
            self._counts.popitem(last=False)

    def _fresh(self, when: float) -> bool:
        """Whether a number taken at `when` may still be used."""
        return time.monotonic() - when < self._lifetime

    async def _size(self, table: str) -> tuple[int, float]:
        """The rows of `table` and their average length in words."""
        kept = self._sizes.get(table)
        if kept is None or not self._fresh(kept[0]):
            (row,) = await self._all(f"SELECT count(*), coalesce(sum(tokens), 0) FROM {table}")
            rows, tokens = int(row[0]), int(row[1])
            kept = self._sizes[table] = (time.monotonic(), rows, tokens / rows if rows else 1.0)
        return kept[1], kept[2]

    async def _matching(self, table: str, words: Sequence[str]) -> dict[str, int]:
        """How many rows of `table` hold each folded word (counted in full: the rarest word may be over the cap)."""
        found: dict[str, int] = {}
        for word in words:
            kept = self._counts.get((table, word))
            if kept is not None and self._fresh(kept[0]):
                found[word] = kept[1]
                self._counts.move_to_end((table, word))
        missing = sorted(set(words) - set(found))
        if missing:
            rows = await self._all(f"SELECT w, (SELECT count(*) FROM {table} WHERE phraseto_tsquery('newsbot', w)"
                                   " @@ tsv) FROM unnest($1::text[]) AS w", missing)
            for word, matching in rows:
                self.remember(table, word, matching)
                found[word] = matching
        return found


class WordSearch(Queries):
    """The store's word searches: match counts, passages and sentences ranked, sentences scored."""

    def __init__(self, db: Database, statistics: Statistics) -> None:
        super().__init__(db)
        self._statistics = statistics

    async def term_matches(self, queries: Sequence[TermQuery], cap: int) -> list[int]:
        """How many sentences match each word search, counting no further than `cap` (cheap: no ranking)."""
        if not queries:
            return []
        # One statement for all the queries (a round trip each would cost more than the counting), the n-th's words
        # bound at $n+2.
        counts = [f"(SELECT count(*) FROM (SELECT 1 FROM sentences WHERE"
                  f" {matches('tsv', query, n + 2)} LIMIT $1) hits)"
                  for n, query in enumerate(queries)]
        (row,) = await self._all("SELECT " + ", ".join(counts), cap, *[folded(query) for query in queries])
        found = [int(value) for value in row]
        for query, matching in zip(queries, found, strict=True):
            if len(query.terms) == 1 and matching < cap:  # below the cap the count is exact: BM25's n
                self._statistics.remember("sentences", fold(query.terms[0]), matching)
        return found

    async def search_chunks(self, words: TermQuery, limit: int, scope: str | None = None) -> list[tuple[int, float]]:
        """Passages the scope sees matching a word search, best BM25 first (score: higher is better)."""
        weights = await self._statistics.weights("chunks", words)
        rows = await self._all(
            best("chunks", "c", words, visible("a", 5))
            + " SELECT id, score FROM scored ORDER BY score DESC, id", *weights.params(), limit, scope)
        return [(row[0], row[1]) for row in rows]

    async def search_sentence_chunks(self, words: TermQuery, limit: int,
                                     scope: str | None = None) -> list[tuple[int, float]]:
        """Passages holding the sentences (of articles the scope sees) that best match a word search, best first."""
        weights = await self._statistics.weights("sentences", words)
        rows = await self._all(
            best("sentences", "s", words, visible("a", 5))
            + " SELECT c.id, max(h.score) FROM scored h JOIN sentences s ON s.id = h.id"
            " JOIN chunks c ON c.article_id = s.article_id AND s.position >= c.first AND s.position < c.last"
            " GROUP BY c.id ORDER BY max(h.score) DESC, c.id", *weights.params(), limit, scope)
        return [(row[0], row[1]) for row in rows]

    async def sentence_scores(self, words: TermQuery, sentence_ids: Sequence[int]) -> dict[int, float]:
        """BM25 of each listed sentence against a word search (absent: no match)."""
        weights = await self._statistics.weights("sentences", words)
        rows = await self._all(
            "WITH hits AS (SELECT s.id, s.tokens, s.tsv FROM sentences s WHERE s.id = ANY($4::bigint[])"
            f" AND {matches('s.tsv', words)}) {bm25('hits')}",
            *weights.params(), list(sentence_ids))
        return {row[0]: row[1] for row in rows}
