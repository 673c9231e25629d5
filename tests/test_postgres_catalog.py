"""The catalogue and the usage log on both backends: the same listings, filters, details, counts and votes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.ingest.duplicates import Copy, Links
from index.models import Article, ArticleInfo, PreparedArticle, Segment
from index.settings import StoreSettings
from index.store.postgres.store import Store as PgStore
from index.store.sqlite.store import Store as SqliteStore
from index.store.terms import TermQuery
from tests.pg import pg_library, pg_url, store_settings

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

MARCH = date(2024, 3, 7)


def piece(article_id: str, title: str, sentences: list[str], source: str | None = "Wire",
          published: date | None = MARCH, author: str | None = None) -> PreparedArticle:
    """An article ready to write: one passage over all its sentences, every vector the same."""
    article = Article(article_id, title, " ".join(sentences), f"https://example.com/{article_id}", source,
                      published, author=author)
    return PreparedArticle(article, f"hash-{article_id}", tuple(Segment(text, 0) for text in sentences),
                           ((0, len(sentences)),), np.ones((len(sentences), 4), dtype=np.float32),
                           np.ones((1, 4), dtype=np.float32))


def copy_of(original: str, article_id: str, source: str, published: date | None) -> Copy:
    """Another outlet's copy of a stored original."""
    article = Article(article_id, f"Copy {article_id}", "Copied text.", f"https://copies.example/{article_id}",
                      source, published)
    return Copy(article, original, 0.9, f"hash-{article_id}")


async def fill(store: Any) -> None:
    """The same library on either backend: global articles (one undated, two of one day), two servers' own."""
    await store.write_articles([
        piece("a", "Straße closed for repairs", ["Crews repaired the water main.", "Traffic moved to the ring road."],
              source="City Desk", published=date(2024, 3, 5), author="R. Ames"),
        piece("b", "apple harvest begins", ["Farmers picked early apples.", "Prices fell."], source="STRASSE Times"),
        # "Banana" before "apple": code point order, as SQLite compares, not a locale's.
        piece("c", "Banana shipments delayed", ["Repairs to the harbour continue.", "Ships waited."]),
        piece("d", "Undated notice", ["The council met."], source=None, published=None),
        piece("e", "Élan vital", ["A dancer's élan."], published=date(2024, 3, 1)),
    ])
    await store.write_articles([], links=Links(copies=(
        copy_of("a", "a2", "Coast Times", date(2024, 3, 6)), copy_of("a", "a3", "Undated Wire", None),
        copy_of("a", "a4", "Early Post", date(2024, 3, 5)))))
    await store.write_articles([piece("a", "Straße closed (server copy)", ["Server text about the water main."],
                                      published=date(2024, 3, 6)),
                                piece("z", "Local fair", ["The fair opened."], published=date(2024, 2, 1))], "g1")
    await store.write_articles([piece("y", "Other server story", ["Hidden from g1."])], "g2")


@pytest.fixture
async def store(store_settings: StoreSettings, tmp_path: Path) -> AsyncIterator[Any]:
    """An empty store of each backend in turn, its dimension recorded as the vectors would before a write."""
    if store_settings.url:
        opened: Any = await PgStore.open(store_settings.url)
    else:
        opened = await SqliteStore.open(tmp_path / "newsbot.db")
    await opened.set_meta("dimension", "4")
    yield opened
    await opened.close()


@pytest.fixture
async def filled(store: Any) -> Any:
    """The store with fill()'s library written."""
    await fill(store)
    return store


async def listed(store: Any, scope: str | None = None, text: str | None = None, words: TermQuery | None = None,
                 limit: int | None = None, offset: int = 0) -> list[str]:
    """The listing's ids, with the scope each comes from where it is not the global library."""
    infos = await store.catalog.list_articles(scope, text, words, limit, offset)
    return [info.id if info.scope is None else f"{info.scope}:{info.id}" for info in infos]


async def test_listing_is_newest_first_by_code_point_title_undated_last(filled):
    assert await listed(filled) == ["c", "b", "a", "e", "d"]
    assert await listed(filled, limit=2, offset=1) == ["b", "a"]
    assert await listed(filled, offset=4) == ["d"]
    assert await listed(filled, limit=0) == []
    assert await filled.catalog.count_articles() == 5



@pytest.mark.pg
async def test_listing_order_does_not_follow_a_servers_locale(pg_library):
    store = await PgStore.open(pg_library)
    try:
        await store.set_meta("dimension", "4")
        # As on a server whose default collation is a language's, where "apple" would come before "Banana" (a build
        # without ICU refuses to compare by this one at all: either way the listing must not use it).
        async with store.database.connection() as connection:
            await connection.execute('ALTER TABLE articles ALTER COLUMN title TYPE text COLLATE "unicode"')
        await fill(store)
        assert await listed(store) == ["c", "b", "a", "e", "d"]
    finally:
        await store.close()

async def test_text_filter_folds_case_as_python_does_in_titles_and_outlets(filled):
    # "ß" casefolds to "ss": a lower() would leave it, and "STRASSE" would miss the title.
    for text in ("STRASSE", "straße", "Strasse"):
        assert await listed(filled, text=text) == ["b", "a"]
        assert await filled.catalog.count_articles(text=text) == 2
    assert await listed(filled, text="ÉLAN") == ["e"]
    assert await listed(filled, text="times") == ["b"]  # the outlet, not only the title
    assert await listed(filled, text="closed\x1fcity") == []  # not across title and outlet
    assert await listed(filled, text="nowhere") == []


async def test_words_filter_finds_any_or_every_word_in_one_sentence(filled):
    any_word = TermQuery(("repairs", "harbour"))
    assert await listed(filled, text="nowhere", words=any_word) == ["c", "a"]  # stemmed: "repaired" is found
    every_word = TermQuery(("repairs", "harbour"), every=True)
    assert await listed(filled, text="nowhere", words=every_word) == ["c"]
    assert await filled.catalog.count_articles(text="nowhere", words=every_word) == 1
    # Every word in one sentence: "farmers" and "prices" are in two of b's.
    assert await listed(filled, text="nowhere", words=TermQuery(("farmers", "prices"), every=True)) == []
    assert await listed(filled, text="apple", words=TermQuery(("council",))) == ["b", "d"]  # title or words
    assert await listed(filled, text="nowhere", words=TermQuery(("elan",))) == ["e"]  # diacritics folded


async def test_query_syntax_in_a_word_is_only_text(filled):
    for word in ("repairs & !", "repairs' | (", '"(repairs)*"', "repairs:*", "!repairs"):
        assert await listed(filled, text="nowhere", words=TermQuery((word,))) == ["c", "a"]
    assert await listed(filled, text="nowhere", words=TermQuery(("!|&",))) == []


async def test_a_scope_sees_its_own_articles_and_its_copy_shadows_the_global_one(filled):
    assert await listed(filled, "g1") == ["c", "b", "g1:a", "e", "g1:z", "d"]
    assert await filled.catalog.count_articles("g1") == 6
    assert await listed(filled, "g1", text="strasse") == ["b", "g1:a"]
    assert await listed(filled, "g2") == ["c", "g2:y", "b", "a", "e", "d"]  # "Other" between "Banana" and "apple"
    assert await listed(filled, "g3", text="server") == []


async def test_article_detail_has_its_lead_and_copies_earliest_first(filled):
    detail = await filled.catalog.article("a")
    assert detail.lead == ("Crews repaired the water main.", "Traffic moved to the ring road.")
    info = detail.info
    assert (info.id, info.title, info.source, info.published, info.sentences, info.scope, info.author) == (
        "a", "Straße closed for repairs", "City Desk", date(2024, 3, 5), 2, None, "R. Ames")
    assert [(c.id, c.source, c.published) for c in info.also_reported] == [
        ("a4", "Early Post", date(2024, 3, 5)), ("a2", "Coast Times", date(2024, 3, 6)), ("a3", "Undated Wire", None)]
    assert info.also_reported[0].url == "https://copies.example/a4"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", info.ingested_at)
    assert (await filled.catalog.article("a", lead=1)).lead == ("Crews repaired the water main.",)
    own = await filled.catalog.article("a", "g1")
    assert (own.info.title, own.info.scope, own.lead, own.info.also_reported) == (
        "Straße closed (server copy)", "g1", ("Server text about the water main.",), ())
    assert await filled.catalog.article("y", "g1") is None
    assert await filled.catalog.article("y") is None
    assert (await filled.catalog.article("y", "g2")).info.scope == "g2"
    assert await filled.catalog.article("missing") is None


async def test_counts_are_of_what_the_scope_sees(filled):
    assert await filled.catalog.counts() == {"articles": 5, "sentences": 8, "chunks": 5, "copies": 3,
                                             "oldest": date(2024, 3, 1), "newest": MARCH}
    # g1's own "a" hides the global one, and with it the global one's copies.
    assert await filled.catalog.counts("g1") == {"articles": 6, "sentences": 8, "chunks": 6, "copies": 0,
                                                 "oldest": date(2024, 2, 1), "newest": MARCH}
    assert (await filled.catalog.counts("g2"))["articles"] == 6


async def test_articles_by_stored_id_carry_public_ids_and_copies(filled):
    found = await filled.catalog.articles_by_id(["a", "g1\x1fa", "missing", "a"])
    assert sorted(found) == ["a", "g1\x1fa"]
    assert (found["g1\x1fa"].id, found["g1\x1fa"].scope) == ("a", "g1")
    assert [c.id for c in found["a"].also_reported] == ["a4", "a2", "a3"]
    assert await filled.catalog.articles_by_id([]) == {}


async def test_usage_counts_votes_and_groups_gaps_regardless_of_case(store):
    usage = store.usage
    first = await usage.record_question("Who won the STRASSE race?", None, True, 0.1, [])
    await usage.record_question("Other?", None, True, None, [])
    answered = await usage.record_question("Answered", None, False, 0.9, [3, 5])
    await usage.record_question("who won the straße race?", None, True, 0.2, [])
    theirs = await usage.record_question("Server question", "g1", True, None, [])
    assert first < answered < theirs
    report = await usage.usage()
    assert (report.questions, report.abstained, report.gaps) == (4, 3, ("who won the straße race?", "Other?"))
    assert (await usage.usage(gaps=1)).gaps == ("who won the straße race?",)
    assert await usage.record_feedback(answered, "u1", 1, None)
    assert await usage.record_feedback(answered, "u2", 1, None)
    assert await usage.record_feedback(answered, "u1", -1, None)  # replaces u1's first vote
    assert not await usage.record_feedback(theirs, "u1", 1, None)  # another scope's question
    assert not await usage.record_feedback(10_000, "u1", 1, None)
    report = await usage.usage()
    assert (report.helpful, report.unhelpful) == (1, 1)
    server = await usage.usage("g1")
    assert (server.questions, server.abstained, server.helpful, server.unhelpful, server.gaps) == (
        1, 1, 0, 0, ("Server question",))
    for vote in (0, 2, True):
        with pytest.raises(ValueError, match="a vote is"):
            await usage.record_feedback(answered, "u3", vote, None)


@pytest.mark.pg
async def test_both_backends_give_equal_records(tmp_path, pg_library):
    sqlite = await SqliteStore.open(tmp_path / "newsbot.db")
    postgres = await PgStore.open(pg_library)
    try:
        answers = []
        for store in (sqlite, postgres):
            await store.set_meta("dimension", "4")
            await fill(store)
            answers.append(await everything(store))
        assert answers[0] == answers[1]
    finally:
        await sqlite.close()
        await postgres.close()


async def everything(store: Any) -> list[object]:
    """What the catalogue answers about fill()'s library, its write times left out."""
    catalog = store.catalog
    found: list[object] = []
    for scope in (None, "g1", "g2"):
        found += [[same_time(info) for info in await catalog.list_articles(scope, text)]
                  for text in (None, "strasse", "WIRE")]
        found += [await catalog.counts(scope), await catalog.count_articles(scope, "e")]
        for article_id in ("a", "b", "d", "y", "z"):
            detail = await catalog.article(article_id, scope)
            found.append(detail and replace(detail, info=same_time(detail.info)))
    by_id = await catalog.articles_by_id(["a", "d", "g1\x1fz", "g2\x1fy"])
    return [*found, {key: same_time(info) for key, info in by_id.items()}]


def same_time(info: ArticleInfo) -> ArticleInfo:
    """The record with its write time (which differs between the two writes) blanked."""
    return replace(info, ingested_at="")
