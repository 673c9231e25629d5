"""Scopes, follow-up questions, the question log, feedback and usage, on each backend."""

import asyncio
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from index import AnswerPolicy, Article, EngineSettings, Library
from index.embedder import HashingEmbedder
from index.store.backends import DATABASE_FILE
from index.store.sqlite.schema import MIGRATIONS
from index.store.sqlite.store import Store
from tests.pg import pg_library, pg_url, store_settings
from tests.stored import id_list, stored_rows

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SETTINGS = EngineSettings(policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1, min_similarity_without_terms=0.5))
ZOO = Article(id="zoo-1", title="Zebra escapes from city zoo", source="Local Paper", published=date(2023, 1, 5),
              text="A zebra escaped from the city zoo on Monday. Keepers caught the zebra near the river. "
                   "The zoo said the animal was unhurt. Visitors were kept indoors for an hour.")
KYIV = Article(id="kyiv", title="Drone attack on Kyiv", source="Wire", published=date(2023, 1, 2),
               text="Russia launched 30 Shahed drones at Kyiv overnight. Air defences shot down 28 of them.")
LVIV = Article(id="lviv", title="Missile strike on Lviv", source="Wire", published=date(2023, 1, 3),
               text="Russia fired 12 cruise missiles at Lviv on Tuesday. Air defences shot down 9 of them.")


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def test_a_scope_sees_its_own_articles_and_the_global_ones_only(library):
    await library.ingest_files([EXAMPLES])
    report = await library.ingest_articles([ZOO], scope="111")
    assert report.new == 1
    global_count = len(list(EXAMPLES.glob("*.md")))
    assert await library.count_articles() == global_count
    assert await library.count_articles(scope="111") == global_count + 1
    assert await library.count_articles(scope="222") == global_count
    assert "zoo-1" in [a.id for a in await library.articles(scope="111")]
    assert "zoo-1" not in [a.id for a in await library.articles()]
    assert (await library.article("zoo-1", scope="111")).info.scope == "111"
    assert await library.article("zoo-1") is None and await library.article("zoo-1", scope="222") is None
    assert (await library.stats(scope="111")).articles == global_count + 1
    assert (await library.stats()).articles == global_count


async def test_answers_quote_only_what_the_scope_sees(library):
    await library.ingest_files([EXAMPLES])
    await library.ingest_articles([ZOO], scope="111")
    answer = await library.ask("Where did keepers catch the zebra?", scope="111")
    assert answer.quotes[0].text == "Keepers caught the zebra near the river."
    assert answer.quotes[0].article_id == "zoo-1" and answer.sources[0].article_id == "zoo-1"
    for scope in (None, "222"):
        other = await library.ask("Where did keepers catch the zebra?", scope=scope)
        assert all(q.article_id != "zoo-1" for q in other.quotes)
    global_answer = await library.ask("How many of the 69 missiles did Ukraine shoot down?", scope="111")
    assert "54 of the 69 missiles" in global_answer.quotes[0].text


async def test_a_scope_removes_only_its_own_articles(library):
    await library.ingest_files([EXAMPLES])
    await library.ingest_articles([ZOO], scope="111")
    global_id = (await library.articles())[0].id
    assert not await library.remove("zoo-1")
    assert not await library.remove("zoo-1", scope="222")
    assert not await library.remove(global_id, scope="111")
    assert await library.remove("zoo-1", scope="111")
    assert await library.article("zoo-1", scope="111") is None
    assert await library.article(global_id, scope="111") is not None
    stats = await library.stats()
    assert stats.vectors == stats.passages


async def test_one_article_in_two_scopes_and_globally_is_stored_three_times(library, tmp_path):
    for scope in (None, "111", "222"):
        assert (await library.ingest_articles([ZOO], scope=scope)).new == 1
    assert (await library.ingest_articles([ZOO], scope="111")).unchanged == 1
    stored = await stored_rows(library, "SELECT id, scope FROM articles ORDER BY id")
    assert stored == [("111\x1fzoo-1", "111"), ("222\x1fzoo-1", "222"), ("zoo-1", None)]
    # A scope's own copy shadows the global one: one id, one article, one citation.
    assert [a.scope for a in await library.articles(scope="111")] == ["111"]
    answer = await library.ask("Where did keepers catch the zebra?", scope="111")
    assert [s.article_id for s in answer.sources] == ["zoo-1"]
    assert await library.remove("zoo-1", scope="111")
    assert (await library.article("zoo-1", scope="111")).info.scope is None
    assert (await library.article("zoo-1", scope="222")).info.scope == "222"
    assert (await library.article("zoo-1")).info.scope is None
    stats = await library.stats()
    assert (stats.articles, stats.vectors) == (1, 2)


async def test_a_new_version_in_a_scope_replaces_only_that_scopes_copy(library):
    await library.ingest_articles([ZOO])
    changed = Article(id="zoo-2", title=ZOO.title, text="The zebra was found asleep in the aviary.",
                      url=None, source=ZOO.source, published=ZOO.published)
    await library.ingest_articles([ZOO, changed], scope="111")
    replaced = Article(id="zoo-1", title=ZOO.title, text="The zebra never left its enclosure.")
    assert (await library.ingest_articles([replaced], scope="111")).updated == 1
    assert (await library.article("zoo-1", scope="111")).lead == ("The zebra never left its enclosure.",)
    assert (await library.article("zoo-1")).lead[0] == "A zebra escaped from the city zoo on Monday."


@pytest.mark.parametrize("scope", ["", "a\x1fb", "a\x00", "a\nb"])
async def test_a_bad_scope_is_refused_and_changes_nothing(library, scope):
    await library.ingest_articles([ZOO])
    with pytest.raises(ValueError, match="control characters"):
        await library.ingest_articles([KYIV], scope=scope)
    assert [a.id for a in await library.articles(scope="a")] == ["zoo-1"]
    assert (await library.stats()).articles == 1


async def test_articles_are_filtered_paged_and_shown_with_their_lead(library):
    undated = Article(id="undated", title="Notes", text="Nothing about zebras here. Only notes.")
    await library.ingest_articles([ZOO, KYIV, LVIV, undated])
    assert [a.id for a in await library.articles()] == ["zoo-1", "lviv", "kyiv", "undated"]
    assert [a.id for a in await library.articles(limit=2, offset=1)] == ["lviv", "kyiv"]
    assert [a.id for a in await library.articles(query="ZEBRA")] == ["zoo-1", "undated"]
    assert [a.id for a in await library.articles(query="local paper")] == ["zoo-1"]
    assert [a.id for a in await library.articles(query="cruise missiles")] == ["lviv"]
    assert await library.count_articles(query="shot down") == 2
    assert await library.count_articles(query="  ") == 4
    detail = await library.article("zoo-1")
    assert detail.info.title == ZOO.title and detail.info.sentences == 4
    assert detail.lead == ("A zebra escaped from the city zoo on Monday.", "Keepers caught the zebra near the river.",
                           "The zoo said the animal was unhurt.")


async def test_a_follow_up_is_read_with_the_question_before_it(library):
    await library.ingest_articles([ZOO, KYIV, LVIV])
    follow_up = "And how many were shot down?"
    lviv = await library.ask(follow_up, context="What did Russia fire at Lviv on Tuesday?")
    kyiv = await library.ask(follow_up, context="What did Russia launch at Kyiv overnight?")
    assert lviv.question == kyiv.question == follow_up
    assert lviv.sources[0].article_id == "lviv" and kyiv.sources[0].article_id == "kyiv"
    assert "9 of them" in " ".join(q.text for q in lviv.quotes)
    assert "28 of them" in " ".join(q.text for q in kyiv.quotes)
    alone = await library.ask("And how many?")
    assert alone.abstained
    helped = await library.ask("And how many?", context="How many cruise missiles were fired at Lviv?")
    assert helped.sources[0].article_id == "lviv"


async def test_questions_are_logged_with_the_quoted_sentence_ids(library, tmp_path):
    await library.ingest_articles([ZOO])
    await library.ingest_articles([KYIV], scope="111")
    answer = await library.ask("Where did keepers catch the zebra?", scope="111")
    abstention = await library.ask("Who won the World Cup final?")
    assert answer.question_id is not None and abstention.question_id == answer.question_id + 1
    assert await library.ask("Where did keepers catch the zebra?", log=False) is not None
    logged = await stored_rows(library, "SELECT id, scope, question, abstained, top_score, sentence_ids FROM questions"
                                                " ORDER BY id")
    assert len(logged) == 2
    first = logged[0]
    assert first[:4] == (answer.question_id, "111", "Where did keepers catch the zebra?", 0)
    assert first[4] == pytest.approx(answer.quotes[0].score, abs=1e-3)
    assert id_list(first[5]) == [q.sentence_id for q in answer.quotes]
    for quote in answer.quotes:
        assert await stored_rows(library, "SELECT text FROM sentences WHERE id = ?", quote.sentence_id) == [
            (quote.text,)]
    assert logged[1][1:4] == (None, "Who won the World Cup final?", 1) and id_list(logged[1][5]) == []


async def test_questions_asked_during_an_ingest_are_all_logged(library, tmp_path):
    await library.ingest_articles([ZOO])
    briefs = [Article(id=f"b{n}", title=f"Brief {n}", text=f"Council meeting {n} approved budget {n}.")
              for n in range(200)]
    results = await asyncio.gather(
        library.ingest_articles(briefs, scope="111"),
        *(library.ask("Where did keepers catch the zebra?", scope="111") for _ in range(10)),
    )
    assert results[0].new == 200
    assert len({answer.question_id for answer in results[1:]}) == 10
    assert await stored_rows(library, "SELECT count(*) FROM questions") == [(10,)]


async def test_feedback_is_one_vote_per_user_and_question(library):
    await library.ingest_articles([ZOO])
    answer = await library.ask("Where did keepers catch the zebra?", scope="111")
    assert await library.record_feedback(answer.question_id, "user-a", 1, scope="111")
    assert await library.record_feedback(answer.question_id, "user-b", 1, scope="111")
    assert await library.record_feedback(answer.question_id, "user-a", -1, scope="111")
    usage = await library.usage(scope="111")
    assert (usage.helpful, usage.unhelpful) == (1, 1)
    assert not await library.record_feedback(answer.question_id + 100, "user-a", 1, scope="111")
    for vote in (0, 2, True):
        with pytest.raises(ValueError):
            await library.record_feedback(answer.question_id, "user-b", vote, scope="111")
    assert await library.usage(scope="111") == usage


async def test_feedback_counts_only_for_a_question_of_the_scope_it_comes_from(library):
    await library.ingest_articles([ZOO])
    asked = await library.ask("Where did keepers catch the zebra?", scope="111")
    for scope in ("222", None):
        assert not await library.record_feedback(asked.question_id, "user-a", -1, scope=scope)
    for scope in ("111", "222", None):
        usage = await library.usage(scope=scope)
        assert (usage.helpful, usage.unhelpful) == (0, 0)


async def test_usage_counts_the_scopes_questions_and_its_recent_gaps(library):
    await library.ingest_articles([ZOO])
    for question in ("Who won the World Cup final?", "Where did keepers catch the zebra?",
                     "What is the price of gold?", "who won the world cup final?", "Is it raining in Oslo?"):
        await library.ask(question, scope="111")
    await library.ask("What is the capital of Peru?")
    usage = await library.usage(scope="111", gaps=2)
    assert (usage.questions, usage.abstained, usage.helpful, usage.unhelpful) == (5, 4, 0, 0)
    assert usage.gaps == ("Is it raining in Oslo?", "who won the world cup final?")
    assert (await library.usage(scope="111")).gaps == (
        "Is it raining in Oslo?", "who won the world cup final?", "What is the price of gold?")
    assert (await library.usage()).gaps == ("What is the capital of Peru?",)
    assert (await library.usage(scope="222")).questions == 0


async def test_a_version_1_database_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / DATABASE_FILE
    with sqlite3.connect(path) as connection:
        connection.executescript(MIGRATIONS[0])
        connection.execute("INSERT INTO articles(id, title, content_hash, ingested_at, published)"
                           " VALUES ('old-1', 'Old story', 'h', '2022-12-31T00:00:00+00:00', '2022-12-30')")
        connection.execute("PRAGMA user_version = 1")
    store = await Store.open(path)
    listed = await store.catalog.list_articles()
    await store.close()
    assert [(a.id, a.title, a.published, a.scope) for a in listed] == [("old-1", "Old story", date(2022, 12, 30),
                                                                         None)]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert connection.execute("SELECT scope FROM articles").fetchall() == [(None,)]
        assert connection.execute("SELECT count(*) FROM questions").fetchone() == (0,)
