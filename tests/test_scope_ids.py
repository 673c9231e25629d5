"""Every copy, succession and removal stays within its scope."""

import contextlib
import sqlite3
from pathlib import Path

import pytest

from index import Library
from index.embedder import HashingEmbedder
from index.service import DATABASE_FILE
from tests.test_copies import COAST_STORY, DAILY_STORY, SETTINGS, WIRE, WIRE_STORY, ingest

SCOPES = (None, "111", "222")
# What each scope sees once the wire story and its copy are stored in all three: its own original, with its copy.
EACH_HOLDS_WIRE = {None: {"wire": (None, ("coast",))}, "111": {"wire": ("111", ("coast",))},
                   "222": {"wire": ("222", ("coast",))}}


@pytest.fixture
async def library(tmp_path):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), SETTINGS)
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
    assert (await library.stats()).vectors == stored_rows(tmp_path / "data", "SELECT count(*) FROM chunks")[0][0]


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
