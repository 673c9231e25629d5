"""Ids of different scopes never meet, and every copy, succession and removal stays within its scope."""

import contextlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from index import Article, Library
from index.embedder import HashingEmbedder
from index.store.backends import DATABASE_FILE
from index.store.sqlite.schema import MIGRATIONS
from tests.pg import pg_library, pg_url, store_settings
from tests.stored import stored_rows as rows_of
from tests.test_copies import COAST_STORY, DAILY_STORY, SETTINGS, WIRE, WIRE_STORY, ingest, write_jsonl
from tests.test_scopes import KYIV, LVIV, ZOO

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

SCOPES = (None, "111", "222")
# What each scope sees once the wire story and its copy are stored in all three: its own original, with its copy.
EACH_HOLDS_WIRE = {None: {"wire": (None, ("coast",))}, "111": {"wire": ("111", ("coast",))},
                   "222": {"wire": ("222", ("coast",))}}


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def views(library: Library) -> dict[str | None, dict[str, tuple[str | None, tuple[str, ...]]]]:
    """What every scope sees: each article's id, the scope it belongs to, and its copies."""
    return {scope: {a.id: (a.scope, tuple(c.id for c in a.also_reported)) for a in await library.articles(scope=scope)}
            for scope in SCOPES}


async def in_every_scope(library: Library, folder: Path, *records: dict) -> None:
    """The same records stored in the global library and in servers 111 and 222."""
    for scope in SCOPES:
        await ingest(library, folder, *records, scope=scope)


def stored_rows(data: Path, sql: str) -> list[tuple]:
    """Rows of a query on the library's database."""
    with contextlib.closing(sqlite3.connect(data / DATABASE_FILE)) as db:
        return db.execute(sql).fetchall()


async def test_the_operator_removing_a_servers_id_form_touches_no_servers_article(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY, scope="111")
    before = await views(library)
    assert not await library.remove("111/wire") and not await library.remove("111/coast")
    assert await views(library) == before and await library.articles() == []
    stats = await library.stats()
    assert (stats.articles, stats.copies) == (0, 0)


async def test_removing_an_original_hands_it_to_its_copy_in_its_own_scope_only(library, tmp_path):
    await in_every_scope(library, tmp_path, WIRE_STORY, COAST_STORY)
    assert await views(library) == EACH_HOLDS_WIRE
    assert await library.remove("wire", scope="111")
    assert await views(library) == EACH_HOLDS_WIRE | {"111": {"coast": ("111", ()), "wire": (None, ("coast",))}}
    assert await library.remove("wire")
    assert (await views(library))[None] == {"coast": (None, ())}
    assert (await views(library))["222"] == EACH_HOLDS_WIRE["222"] | {"coast": (None, ())}
    assert (await library.stats()).vectors == (await rows_of(library, "SELECT count(*) FROM chunks"))[0][0]


async def test_removing_a_copy_unlinks_it_in_its_own_scope_only(library, tmp_path):
    await in_every_scope(library, tmp_path, WIRE_STORY, COAST_STORY)
    assert await library.remove("coast", scope="222") and not await library.remove("coast", scope="222")
    assert await views(library) == EACH_HOLDS_WIRE | {"222": {"wire": ("222", ())}}


async def test_an_earlier_newcomer_demotes_the_stored_original_of_its_own_scope_only(library, tmp_path):
    await in_every_scope(library, tmp_path, DAILY_STORY)
    assert (await ingest(library, tmp_path, WIRE_STORY, scope="111")).new == 1
    assert await views(library) == {None: {"daily": (None, ())}, "111": {"wire": ("111", ("daily",)),
                                                                            "daily": (None, ())},
                                    "222": {"daily": ("222", ())}}


async def test_a_new_version_under_another_id_takes_the_copies_of_its_own_scope_only(library, tmp_path):
    await in_every_scope(library, tmp_path, WIRE_STORY, COAST_STORY)
    newer = {**WIRE_STORY, "id": "wire-v2", "text": WIRE + "\n\nThe authority will publish the schedule on Friday."}
    assert (await ingest(library, tmp_path, newer, scope="222")).updated == 1
    assert await views(library) == EACH_HOLDS_WIRE | {"222": {"wire-v2": ("222", ("coast",)),
                                                              "wire": (None, ("coast",))}}


@pytest.mark.parametrize("operator_first", [True, False])
async def test_an_operator_id_in_a_servers_form_and_that_servers_own_article_are_two(library, tmp_path,
                                                                                    operator_first):
    operator_file = write_jsonl(tmp_path / "operator.jsonl", *(
        {"id": article.id, "title": article.title, "text": article.text} for article in (KYIV, LVIV)),
        {"id": "111/zoo-1", "title": "Operator's note on the zoo", "text": "The zoo opens at nine every day."})
    stored = []
    for operator in (operator_first, not operator_first):
        report = (await library.ingest_files([operator_file]) if operator
                  else await library.ingest_articles([ZOO], scope="111"))
        stored.append((report.new, report.failed))
    assert stored == ([(3, 0), (1, 0)] if operator_first else [(1, 0), (3, 0)])
    assert {a.id: a.title for a in await library.articles()}["111/zoo-1"] == "Operator's note on the zoo"
    assert {a.id: a.scope for a in await library.articles(scope="111")} == {
        "zoo-1": "111", "111/zoo-1": None, "kyiv": None, "lviv": None}
    assert await library.remove("111/zoo-1")
    assert (await library.article("zoo-1", scope="111")).info.title == ZOO.title
    assert await library.remove("zoo-1", scope="111") and not await library.remove("zoo-1", scope="111")


async def test_an_id_with_control_characters_costs_its_record_not_its_file(library, tmp_path):
    await library.ingest_articles([ZOO], scope="111")
    records = [{"id": "kyiv", "title": KYIV.title, "text": KYIV.text},
               {"id": "111\u001fzoo-1", "title": "Forged", "text": "Keepers said the zebra was never missing."},
               {"id": "lviv\u0000", "title": LVIV.title, "text": LVIV.text},
               {"id": "zoo-2", "title": ZOO.title, "text": "The zoo reopened on Tuesday."}]
    path = write_jsonl(tmp_path / "ids.jsonl", *records)
    report = await library.ingest_files([path])
    assert (report.new, report.failed) == (2, 2)
    assert report.errors == (f'{path}:2: the id "111\\x1fzoo-1" holds control characters',
                             f'{path}:3: the id "lviv\\x00" holds control characters')
    assert sorted(a.id for a in await library.articles()) == ["kyiv", "zoo-2"]
    assert (await library.article("zoo-1", scope="111")).lead[0] == "A zebra escaped from the city zoo on Monday."
    served = await library.ingest_articles([Article("a\u0085b", "Title", "Some text of the story.")], scope="111")
    assert (served.new, served.failed) == (0, 1)


async def test_a_library_storing_scoped_ids_the_old_way_is_migrated(tmp_path):
    data = tmp_path / "data"
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY)
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY, scope="111")
    await library.ingest_articles([ZOO], scope="111")
    await library.close()
    with contextlib.closing(sqlite3.connect(data / DATABASE_FILE)) as db, db:
        for table, column in (("articles", "id"), ("sentences", "article_id"), ("chunks", "article_id"),
                              ("signatures", "article_id"), ("signature_bands", "article_id"), ("copies", "id"),
                              ("copies", "original_id")):
            db.execute(f"UPDATE {table} SET {column} = replace({column}, char(31), '/')")
        # As a library made before the scope-id migration: without it, and without the migrations after it.
        scope_ids = next(n for n, script in enumerate(MIGRATIONS) if "CREATE TEMP TABLE renamed" in script)
        db.executescript("DROP TABLE alerts; DROP TABLE follows;")
        db.execute(f"PRAGMA user_version = {scope_ids}")
    assert stored_rows(data, "SELECT id FROM articles ORDER BY id") == [("111/wire",), ("111/zoo-1",), ("wire",)]
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    try:
        assert stored_rows(data, "SELECT id FROM articles ORDER BY id") == [
            ("111\x1fwire",), ("111\x1fzoo-1",), ("wire",)]
        assert stored_rows(data, "SELECT id, original_id FROM copies ORDER BY id") == [
            ("111\x1fcoast", "111\x1fwire"), ("coast", "wire")]
        assert stored_rows(data, "PRAGMA foreign_key_check") == []
        assert (await views(library))["111"] == {"wire": ("111", ("coast",)), "zoo-1": ("111", ())}
        answer = await library.ask("Where did keepers catch the zebra?", scope="111")
        assert answer.quotes[0].text == "Keepers caught the zebra near the river."
        assert await library.remove("wire", scope="111")
        assert (await views(library))["111"] == {"coast": ("111", ()), "wire": (None, ("coast",)),
                                                 "zoo-1": ("111", ())}
    finally:
        await library.close()
