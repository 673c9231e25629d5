"""Tests of the SQLite store: schema, replacement, FTS5 in step with the tables."""

import sqlite3
from datetime import date

import numpy as np
import pytest

from index.models import Article, PreparedArticle, Segment
from index.store.sqlite.database import id_ranges
from index.store.sqlite.schema import MIGRATIONS
from index.store.sqlite.store import Store, StoreError
from index.store.terms import TermQuery


def prepared(article_id: str, sentences: list[str], url: str | None = None, digest: str = "h1") -> PreparedArticle:
    article = Article(id=article_id, title=f"Title {article_id}", text=" ".join(sentences), url=url,
                      source="Wire", published=date(2022, 12, 30))
    segments = tuple(Segment(text=s, paragraph=0) for s in sentences)
    windows = ((0, len(sentences)),)
    return PreparedArticle(article, digest, segments, windows, np.ones((len(sentences), 4), dtype=np.float32),
                           np.ones((1, 4), dtype=np.float32))


@pytest.fixture
async def store(tmp_path):
    opened = await Store.open(tmp_path / "newsbot.db")
    await opened.set_meta("dimension", "4")  # as the vector store records before the first write
    yield opened
    await opened.close()


async def test_new_database_is_migrated_and_in_wal_mode(store, tmp_path):
    connection = sqlite3.connect(tmp_path / "newsbot.db")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_written_article_is_searchable_and_listed(store):
    _, added = await store.write_articles([prepared("a", ["Drones were shot down.", "The grid held."])])
    assert len(added) == 1
    assert [chunk for chunk, _ in await store.search_chunks(TermQuery(("drones",)), 10)] == added
    assert [chunk for chunk, _ in await store.search_sentence_chunks(TermQuery(("grid",)), 10)] == added
    listed = await store.catalog.list_articles()
    assert [(a.id, a.sentences, a.published) for a in listed] == [("a", 2, date(2022, 12, 30))]


async def test_porter_stemming_matches_word_forms(store):
    await store.write_articles([prepared("a", ["Russian shelling killed three civilians."])])
    assert await store.search_chunks(TermQuery(("shelled",)), 10)


async def test_replacing_an_article_removes_old_rows_and_fts_entries(store):
    _, first = await store.write_articles([prepared("a", ["Old text about drones."])])
    removed, second = await store.write_articles([prepared("a", ["New text about missiles."], digest="h2")])
    assert removed == first and second != first
    assert await store.search_chunks(TermQuery(("drones",)), 10) == []
    assert await store.search_sentence_chunks(TermQuery(("drones",)), 10) == []
    assert [c for c, _ in await store.search_chunks(TermQuery(("missiles",)), 10)] == second


async def test_same_url_under_a_new_id_replaces_the_old_version(store):
    await store.write_articles([prepared("sha1:old", ["First version."], url="https://example.com/x")])
    incoming = prepared("story-7", ["Second version."], url="https://example.com/x", digest="h2")
    assert await store.existing_hashes([incoming.article]) == {"story-7": "h1"}
    await store.write_articles([incoming])
    assert [a.id for a in await store.catalog.list_articles()] == ["story-7"]


async def test_row_ids_are_never_reused(store):
    _, first = await store.write_articles([prepared("a", ["One sentence."])])
    await store.remove_article("a")
    _, second = await store.write_articles([prepared("a", ["One sentence."])])
    assert second[0] > first[0]


async def test_failed_write_changes_nothing(store):
    await store.write_articles([prepared("a", ["Kept sentence."])])
    broken = prepared("b", ["Two sentences.", "But one vector."])
    broken = PreparedArticle(broken.article, "h", broken.segments, ((0, 1), (1, 2)), broken.sentence_embeddings,
                             broken.chunk_embeddings)
    with pytest.raises(ValueError):
        await store.write_articles([prepared("a", ["Replacement."], digest="h9"), broken])
    assert [a.id for a in await store.catalog.list_articles()] == ["a"]
    assert await store.search_chunks(TermQuery(("kept",)), 10)


async def test_remove_unknown_article_returns_none(store):
    assert await store.remove_article("nope") is None


async def test_embeddings_round_trip_for_rebuilds(store):
    _, added = await store.write_articles([prepared("a", ["S."]), prepared("b", ["T."])])
    ids, vectors = await store.chunk_embeddings(None)
    assert list(ids) == added and vectors.shape == (2, 4) and np.allclose(vectors, 1.0)
    assert list((await store.chunk_embeddings(None, [added[1]]))[0]) == [added[1]]
    assert (await store.chunk_ids()).keys() == {None}


async def test_database_from_a_newer_newsbot_is_refused(tmp_path):
    path = tmp_path / "newsbot.db"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer newsbot"):
        await Store.open(path)


async def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "newsbot.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"is damaged \(file is not a database\); restore it from a backup"):
        await Store.open(path)


async def test_closing_folds_the_write_ahead_log_back_into_the_database(tmp_path):
    opened = await Store.open(tmp_path / "newsbot.db")
    await opened.set_meta("dimension", "4")
    reader = sqlite3.connect(tmp_path / "newsbot.db")  # another process reading keeps SQLite from doing it itself
    reader.execute("SELECT count(*) FROM articles").fetchall()
    await opened.write_articles([prepared(f"a{n}", ["One sentence.", "Another one."]) for n in range(50)])
    assert (tmp_path / "newsbot.db-wal").stat().st_size > 0
    await opened.close()
    try:
        wal = tmp_path / "newsbot.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0
    finally:
        reader.close()


def test_id_ranges_join_consecutive_ids():
    assert id_ranges([7, 3, 4, 5, 9, 8, 20]) == [(3, 5), (7, 9), (20, 20)]
    assert id_ranges([]) == []


async def test_sentence_scores_are_those_of_the_listed_sentences_only(store):
    await store.write_articles([prepared("a", ["Kyiv was shelled.", "Kyiv is calm."]),
                                prepared("b", ["Kyiv again.", "Lviv too."])])
    rows = sqlite3.connect(store.path).execute("SELECT id, text FROM sentences ORDER BY id").fetchall()
    ids = {text: row_id for row_id, text in rows}
    listed = [ids["Kyiv was shelled."], ids["Kyiv again."], ids["Lviv too."]]
    scores = await store.sentence_scores(TermQuery(("kyiv",)), listed)
    assert set(scores) == {ids["Kyiv was shelled."], ids["Kyiv again."]} and all(v > 0 for v in scores.values())
