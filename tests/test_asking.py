"""The answering path end to end (on each backend, with the deterministic embedder): context, time, abstention."""

from dataclasses import replace
from datetime import date

import pytest

from index import AnswerPolicy, Article, EngineSettings, Library
from index.answers.asker import named_period
from index.embedder import HashingEmbedder
from tests.pg import pg_library, pg_url, store_settings

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

OPEN = EngineSettings(policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1, min_similarity_without_terms=0.5))

GRID_TALKS = ("Energy ministers from four countries met in Warsaw to discuss the damaged grid. "
              "They agreed to send 300 transformers to the eastern regions. "
              "Officials said deliveries would start within weeks.")
# Different words, so duplicate detection keeps both as separate stories.
SPRING_TALKS = ("Energy ministers met again in Vilnius for grid talks and agreed to fund 120 mobile substations. "
                "The first units are due in the spring.")


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(OPEN, store=store_settings))
    yield opened
    await opened.close()


async def test_a_quote_naming_no_speaker_brings_the_sentence_before_it(library):
    text = ("The harbour master of Port Halden addressed reporters on Tuesday morning. "
            "He said the storm surge had flooded 40 warehouses along the quay. "
            "Insurers expect claims to rise.")
    await library.ingest_articles([Article(id="surge", title="Storm surge floods the quay", text=text)])
    answer = await library.ask("How many warehouses did the storm surge flood along the quay?")
    assert answer.quotes[0].text == "He said the storm surge had flooded 40 warehouses along the quay."
    assert answer.quotes[0].context == "The harbour master of Port Halden addressed reporters on Tuesday morning."


async def test_a_quote_that_stands_alone_has_no_context(library):
    text = "Port Halden's harbour master opened the quay. The storm surge flooded 40 warehouses along the quay."
    await library.ingest_articles([Article(id="surge", title="Storm surge", text=text)])
    answer = await library.ask("How many warehouses did the storm surge flood along the quay?")
    assert answer.quotes[0].context is None


async def test_a_question_naming_a_month_prefers_that_months_article(library):
    await library.ingest_articles([
        Article(id="dec", title="Grid talks", text=GRID_TALKS, published=date(2022, 12, 20)),
        Article(id="mar", title="Grid talks", text=SPRING_TALKS, published=date(2023, 3, 2)),
    ])
    later = await library.ask("What did energy ministers agree at the grid talks?", today=date(2023, 3, 10))
    assert later.sources[0].article_id == "mar"  # the newer article wins a tie
    named = await library.ask("What did energy ministers agree at the grid talks in December 2022?",
                              today=date(2023, 3, 10))
    assert named.sources[0].article_id == "dec"


async def test_with_the_shipped_confidence_bar_an_unrelated_question_is_declined_with_the_nearest_articles(tmp_path):
    library = await Library.open(tmp_path / "data", HashingEmbedder(), EngineSettings())
    try:
        await library.ingest_articles([Article(id="talks", title="Grid talks", text=GRID_TALKS,
                                               published=date(2022, 12, 20))])
        answer = await library.ask("Which horse won the Kentucky Derby this year?")
        assert answer.abstained and answer.quotes == ()
        assert [c.article_id for c in answer.nearest] == ["talks"]
    finally:
        await library.close()


@pytest.mark.parametrize("question, expected", [
    ("What happened last week?", (date(2023, 3, 6), date(2023, 3, 12))),
    ("What did they agree in December 2022?", (date(2022, 12, 1), date(2022, 12, 31))),
    ("What was agreed yesterday?", (date(2023, 3, 14), date(2023, 3, 14))),
    ("What did energy ministers agree?", None),
])
def test_the_period_a_question_names_is_counted_from_today(question, expected):
    assert named_period(question, date(2023, 3, 15)) == expected
