"""PostgreSQL's word searches and sentence reader against SQLite's FTS5 on the same small library.

The corpus is plain ASCII English whose words stem alike under FTS5's Porter and PostgreSQL's Porter2, so BM25's
numbers (rows, lengths, matches, occurrences) are the same on both sides and the scores must agree to rounding.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from index.models import Article, PreparedArticle, Segment
from index.store.postgres.lexical import IDF_FLOOR, idf
from index.store.postgres.store import Store as PgStore
from index.store.protocols import StorePart
from index.store.sqlite.store import Store as SqliteStore
from index.store.terms import TermQuery
from tests.pg import pg_library, pg_url

__all__ = ["pg_library", "pg_url"]  # the imported fixtures are used by name

DIMENSION = 4
EQUAL = 1e-9  # BM25 on both sides: the same formula over the same numbers, summed in another order at most

# (id, scope, published, sentences): two-sentence passages overlapping by one, so a sentence is in two passages.
CORPUS: list[tuple[str, str | None, date | None, list[str]]] = [
    ("harbour", None, date(2024, 3, 1), [
        "The harbour crane lifted steel beams onto the ship.", "Dockers said the crane broke twice this week.",
        "Steel prices rose after the strike.", "A crane crane crane driver waved."]),
    ("orchard", None, date(2024, 3, 5), [
        "Frost damaged the apple orchard overnight.", "Farmers expect a smaller apple harvest.",
        "The harvest festival was cancelled."]),
    ("concert", None, date(2024, 2, 20), [
        "Dvořák's symphony opened the concert.", "The orchestra played the symphony twice.",
        "Critics praised the strings and the DVORAK encore."]),
    ("budget", None, date(2024, 3, 3), [
        "The council budget cut library hours.", "Library staff protested the budget outside the hall.",
        "The mayor defended the council."]),
    ("panel", None, None, ["Options a b c were weighed by the panel.", "The panel chose option b in the end."]),
    ("budget", "g1", date(2024, 3, 4), [
        "The council budget restored library hours.", "Readers welcomed the decision."]),
    ("ferry", "g1", date(2024, 3, 2), ["The ferry crane was repaired.", "Ferry crews thanked the harbour staff."]),
    ("quarry", "g2", date(2024, 3, 6), ["The quarry crane fell on steel cables.", "Nobody was hurt."]),
]

SEARCHES = [TermQuery(("crane",)), TermQuery(("steel", "crane")), TermQuery(("apple", "harvest", "strike")),
            TermQuery(("budget", "library"), every=True), TermQuery(("library", "budget")), TermQuery(("the",)),
            TermQuery(("symphony", "the")), TermQuery(("crane", "cranes")), TermQuery(("nowhere",))]


def prepared(article_id: str, published: date | None, sentences: list[str], seed: int) -> PreparedArticle:
    """An article of these sentences, in overlapping two-sentence passages, with embeddings of its own."""
    article = Article(id=article_id, title=f"About {article_id}", text=" ".join(sentences), source="Wire",
                      published=published)
    windows = tuple((first, min(first + 2, len(sentences))) for first in range(len(sentences) - 1))
    vectors = np.random.default_rng(seed).normal(size=(len(sentences) + len(windows), DIMENSION)).astype(np.float32)
    return PreparedArticle(article, f"h{seed}", tuple(Segment(text, 0) for text in sentences), windows,
                           vectors[:len(sentences)], vectors[len(sentences):])


async def filled(store: StorePart) -> StorePart:
    """The store with the corpus written, one scope at a time."""
    await store.set_meta("dimension", str(DIMENSION))
    for seed, (article_id, scope, published, sentences) in enumerate(CORPUS):
        async with store.writing(scope):
            await store.write_articles([prepared(article_id, published, sentences, seed)], scope)
    return store


async def open_sqlite(tmp_path) -> StorePart:
    return await filled(await SqliteStore.open(tmp_path / "newsbot.db"))


async def open_postgres(url: str) -> StorePart:
    return await filled(await PgStore.open(url, statistics_seconds=0))  # fresh numbers after every write


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def database(request: pytest.FixtureRequest) -> str | None:
    """Each backend in turn: None for SQLite, else a PostgreSQL database's address."""
    return None if request.param == "sqlite" else request.getfixturevalue("pg_library")


@pytest.fixture
async def store(database: str | None, tmp_path) -> AsyncIterator[StorePart]:
    """The corpus in each backend in turn."""
    opened = await (open_sqlite(tmp_path) if database is None else open_postgres(database))
    yield opened
    await opened.close()


@pytest.fixture
async def both(tmp_path, pg_library) -> AsyncIterator[tuple[StorePart, StorePart]]:
    """The corpus in SQLite and in PostgreSQL."""
    sqlite, postgres = await open_sqlite(tmp_path), await open_postgres(pg_library)
    yield sqlite, postgres
    await sqlite.close()
    await postgres.close()


async def sentence_keys(store: StorePart, hits: Sequence[tuple[int, float]]) -> list[tuple[str, int, float]]:
    """Sentence hits as (stored article id, position, score): ids are each backend's own."""
    candidates, _ = await store.excerpts.by_id([sentence_id for sentence_id, _ in hits], DIMENSION)
    where = {c.sentence_id: (c.article_id, c.position) for c in candidates}
    return [(*where[sentence_id], score) for sentence_id, score in hits]


async def passage_keys(store: StorePart, hits: Sequence[tuple[int, float]]) -> list[tuple[str, int, float]]:
    """Passage hits as (stored article id, first sentence's position, score)."""
    sentences = await store.sentences_in_chunks([chunk_id for chunk_id, _ in hits])
    return [(sentences[chunk_id][0].article_id, sentences[chunk_id][0].position, score) for chunk_id, score in hits]


def assert_same(found: list[tuple[str, int, float]], expected: list[tuple[str, int, float]]) -> None:
    """The same rows in the same order, with scores equal to rounding."""
    assert [row[:2] for row in found] == [row[:2] for row in expected]
    assert all(abs(a[2] - b[2]) < EQUAL for a, b in zip(found, expected, strict=True))


async def articles_found(store: StorePart, words: TermQuery, scope: str | None = None) -> set[str]:
    """The stored ids of the articles whose passages match."""
    return {key[0] for key in await passage_keys(store, await store.search_chunks(words, 50, scope))}


def test_idf_is_fts5s_floored_at_a_millionth():
    assert idf(10, 1) == math.log(9.5 / 1.5)
    assert idf(6, 3) == IDF_FLOOR  # ln(1) = 0: FTS5 floors zero too, not only negatives
    assert idf(6, 5) == IDF_FLOOR


@pytest.mark.pg
@pytest.mark.parametrize("words", SEARCHES, ids=lambda words: "+".join(words.terms) + ("/all" if words.every else ""))
async def test_sentence_scores_are_fts5s_bm25(both, words):
    scored = []
    for store in both:
        candidates, _ = await store.excerpts.newest(None, None, None, 100, 100, DIMENSION)
        ids = [c.sentence_id for c in candidates]
        scores = await store.sentence_scores(words, ids)
        scored.append(sorted(await sentence_keys(store, list(scores.items()))))
    assert_same(scored[1], scored[0])
    assert bool(scored[0]) == (words.terms != ("nowhere",))


@pytest.mark.pg
@pytest.mark.parametrize("words", SEARCHES, ids=lambda words: "+".join(words.terms) + ("/all" if words.every else ""))
@pytest.mark.parametrize("scope", [None, "g1"])
async def test_searches_rank_and_score_as_fts5(both, words, scope):
    sqlite, postgres = both
    for limit in (50, 3):  # every match, and only the best (ranked over the index, then scored)
        for search, keys in (("search_chunks", passage_keys), ("search_sentence_chunks", passage_keys)):
            expected = await keys(sqlite, await getattr(sqlite, search)(words, limit, scope))
            found = await keys(postgres, await getattr(postgres, search)(words, limit, scope))
            assert_same(found, expected)


async def test_term_matches_count_sentences_of_every_scope_up_to_the_cap(store):
    queries = [TermQuery(("crane",)), TermQuery(("steel",)), TermQuery(("nowhere",)),
               TermQuery(("budget", "library"), every=True), TermQuery(("ferry", "apple"))]
    assert await store.term_matches(queries, 100) == [5, 3, 0, 3, 4]
    assert await store.term_matches(queries, 3) == [3, 3, 0, 3, 3]
    assert await store.term_matches([], 3) == []


async def test_a_scope_sees_its_own_and_global_articles_its_own_copy_first(store):
    crane = TermQuery(("crane",))
    assert await articles_found(store, crane) == {"harbour"}
    assert await articles_found(store, crane, "g1") == {"harbour", "g1\x1fferry"}
    assert await articles_found(store, crane, "g2") == {"harbour", "g2\x1fquarry"}
    budget = TermQuery(("budget",))
    assert await articles_found(store, budget) == {"budget"}
    assert await articles_found(store, budget, "g1") == {"g1\x1fbudget"}  # shadows the global one
    assert await articles_found(store, budget, "g2") == {"budget"}
    sentences = await passage_keys(store, await store.search_sentence_chunks(budget, 50, "g1"))
    assert {key[0] for key in sentences} == {"g1\x1fbudget"}


async def test_any_word_or_every_word(store):
    assert await articles_found(store, TermQuery(("apple", "symphony"))) == {"orchard", "concert"}
    assert await articles_found(store, TermQuery(("apple", "symphony"), every=True)) == set()
    assert await articles_found(store, TermQuery(("apple", "harvest"), every=True)) == {"orchard"}


# A word is a phrase of plain words, as FTS5 reads a quoted one: "a b c" holds "a & b | !c:*" but not "a <-> c".
SYNTAX = {"a & b | !c:*": 1, "b:*": 2, "a <-> c": 0, "!": 0, "(": 0, "'": 0, "\\": 0, "a_c": 0, "c b": 0}


@pytest.mark.parametrize("term", SYNTAX)
async def test_query_syntax_in_a_word_is_only_words(store, term):
    assert await store.term_matches([TermQuery((term,))], 10) == [SYNTAX[term]]
    assert await articles_found(store, TermQuery((term,))) == ({"panel"} if SYNTAX[term] else set())
    scores = await store.sentence_scores(TermQuery((term,)), list(range(1, 100)))
    assert len(scores) == SYNTAX[term]


async def test_a_word_without_letters_matches_nothing_when_every_word_must(store):
    assert await store.term_matches([TermQuery(("b", "!")), TermQuery(("b", "!"), every=True)], 10) == [2, 0]
    assert await articles_found(store, TermQuery(("b", "!"), every=True)) == set()


@pytest.mark.parametrize("term", ["dvorak", "Dvořák", "DVORAK", "dvořák"])
async def test_case_and_diacritics_are_folded(store, term):
    words = TermQuery((term,))
    assert await articles_found(store, words) == {"concert"}
    assert await store.term_matches([words], 10) == [2]


@pytest.mark.pg
async def test_statistics_are_kept_for_their_lifetime(both, pg_library):
    sqlite, postgres = both
    kept = await PgStore.open(pg_library, statistics_seconds=3600)
    try:
        words = TermQuery(("crane",))
        ids = [sentence_id for sentence_id, _ in await postgres.excerpts.matching(words, None, None, None, 1)]
        before = await kept.sentence_scores(words, ids)
        for store in (sqlite, postgres):
            await store.write_articles([prepared("more", None, ["A crane.", "Another crane here."], 99)])
        assert await kept.sentence_scores(words, ids) == before  # the rows and matches it counted an hour ago
        fresh = await postgres.sentence_scores(words, ids)
        assert fresh != before
        assert abs(fresh[ids[0]] - (await sqlite.sentence_scores(words, ids))[ids[0]]) < EQUAL
    finally:
        await kept.close()


PERIODS = [(None, None), (date(2024, 3, 2), None), (None, date(2024, 3, 3)), (date(2024, 3, 3), date(2024, 3, 5))]


def unnumbered(excerpts) -> tuple[list, list[list[float]]]:
    """Excerpts without their backend's sentence ids, as comparable values."""
    candidates, matrix = excerpts
    return [replace(c, sentence_id=0) for c in candidates], np.asarray(matrix).tolist()


@pytest.mark.pg
@pytest.mark.parametrize("scope", [None, "g1", "g2"])
async def test_the_sentence_readers_agree(both, scope):
    sqlite, postgres = both
    for article_id in ("harbour", "budget", "ferry", "quarry", "absent"):
        read = [await store.excerpts.of_article(article_id, scope, DIMENSION) for store in both]
        assert (read[0] is None) == (read[1] is None)
        if read[0] is not None:
            assert unnumbered(read[1]) == unnumbered(read[0])
    assert await postgres.excerpts.newest_day(scope) == await sqlite.excerpts.newest_day(scope)
    for since, until in PERIODS:
        for articles, lead in ((10, 10), (2, 1)):
            newest = [await store.excerpts.newest(scope, since, until, articles, lead, DIMENSION) for store in both]
            assert unnumbered(newest[1]) == unnumbered(newest[0])
        for words in SEARCHES:
            for limit in (100, 2):
                found = [await sentence_keys(store, await store.excerpts.matching(words, scope, since, until, limit))
                         for store in both]
                assert_same(found[1], found[0])
            passages = [await store.excerpts.passage_matches(words, scope, since, until) for store in both]
            assert passages[1] == passages[0]


@pytest.mark.pg
async def test_sentences_by_id_come_in_the_order_asked(both):
    read = []
    for store in both:
        candidates, _ = await store.excerpts.newest(None, None, None, 100, 100, DIMENSION)
        ids = [c.sentence_id for c in reversed(candidates)][::2]
        read.append(unnumbered(await store.excerpts.by_id(ids, DIMENSION)))
    assert read[1] == read[0]
    assert len(read[0][0]) > 3
