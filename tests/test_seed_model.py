"""The real model on the seed article: the right sentence is quoted, unrelated questions are declined."""

from pathlib import Path

import pytest
import pytest_asyncio

from index import Library

SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed_article.txt"

pytestmark = [
    pytest.mark.model,
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(not SEED.exists(), reason=(
        "needs ../shared/corpus/seed_article.txt, evaluation text kept beside the repository and never shipped "
        "with it; a clone alone skips these")),
]

ANSWERED = [
    # Once a strict xfail: "Ukrainian"/"Ukraine" share no BM25 stem; the second stage's stems and coverage fixed it.
    ("How many drones did Ukraine shoot down?", "all 16 explosive"),
    ("How many civilians did Russian shelling kill on Friday?", "three civilians"),
    ("How many of the long-range rockets did Ukraine's air defences down?", "54 of 69"),
    ("What did Zelenskiy say about the missile strikes?", "dead end"),
    ("What did Ukrenergo say about the deficit in the power grid?", "deficit in the power grid"),
    ("Who is the spokesman of the Russian defence ministry?", "Igor Konashenkov"),
    ("When did Putin hope Xi would pay a state visit to Moscow?", "next spring"),
    ("What position will China hold on the Ukraine crisis?", "objective and impartial"),
]
UNANSWERED = [
    "Who won the football World Cup final?",
    "What is the capital of Australia?",
    "How much does a new iPhone cost?",
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seed_library(tmp_path_factory, real_embedder):
    library = await Library.open(tmp_path_factory.mktemp("seed"), real_embedder)
    report = await library.ingest_files([SEED])
    assert report.new == 1
    yield library
    await library.close()


@pytest.mark.parametrize("question, expected", ANSWERED)
async def test_the_answering_sentence_is_quoted_first(seed_library, question, expected):
    answer = await seed_library.ask(question)
    assert not answer.abstained, answer.reason
    assert expected in answer.quotes[0].text
    seed_text = SEED.read_text(encoding="utf-8")
    assert all(quote.text in seed_text for quote in answer.quotes)


@pytest.mark.parametrize("question", UNANSWERED)
async def test_unrelated_questions_are_declined(seed_library, question):
    answer = await seed_library.ask(question)
    assert answer.abstained and answer.quotes == ()
