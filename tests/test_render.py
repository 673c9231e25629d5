"""Tests of the terminal and JSON renderings."""

from dataclasses import replace
from datetime import date

from bot.render import (
    answer_json,
    answer_text,
    articles_json,
    articles_text,
    describe_source,
    ingest_summary,
    stats_text,
)
from index import Answer, ArticleInfo, Citation, IngestReport, Quote, Stats

CITATION = Citation(n=1, article_id="a1", title="Drones downed", url="https://example.com/a1", source="Wire",
                    published=date(2022, 12, 30))
ANSWER = Answer(question="How many drones?", quotes=(Quote(text="All 16 drones were shot down.", source=1,
                                                            article_id="a1", score=1.25, sentence_id=7),),
                sources=(CITATION,), question_id=3)


def test_answer_text_quotes_the_sentence_and_lists_the_source():
    text = answer_text(ANSWER)
    assert "> All 16 drones were shot down. [1]" in text
    assert "[1] Drones downed · Wire · 2022-12-30 <https://example.com/a1>" in text


def test_abstention_text_says_why():
    answer = Answer(question="q", quotes=(), sources=(), reason="nothing relevant")
    assert answer_text(answer) == "I can't answer that from the articles I have: nothing relevant."


def test_answer_json_follows_the_contract():
    assert answer_json(ANSWER) == {
        "question": "How many drones?", "abstained": False, "reason": None, "question_id": 3,
        "answer": [{"text": "All 16 drones were shot down.", "source": 1, "article_id": "a1", "score": 1.25,
                    "sentence_id": 7, "context": None}],
        "sources": [{"n": 1, "article_id": "a1", "title": "Drones downed", "url": "https://example.com/a1",
                     "outlet": "Wire", "author": None, "published": "2022-12-30", "also_reported": []}],
        "nearest": [],
    }


def test_a_sources_author_is_named_in_the_source_line_and_the_json():
    signed = replace(CITATION, author="Dana Reporter")
    assert describe_source(signed) == "Drones downed · Wire · by Dana Reporter · 2022-12-30 <https://example.com/a1>"
    assert answer_json(replace(ANSWER, sources=(signed,)))["sources"][0]["author"] == "Dana Reporter"
    info = ArticleInfo(id="a1", title="Drones downed", url=None, source="Wire", published=None, sentences=3,
                       ingested_at="", author="Dana Reporter")
    assert [a["author"] for a in articles_json([info, replace(info, author=None)])] == ["Dana Reporter", None]


def test_a_quote_that_leans_on_its_previous_sentence_is_shown_after_it():
    quote = Quote(text="He said all 16 were shot down.", source=1, article_id="a1", score=1.0, sentence_id=8,
                  context="The air force spokesman spoke at noon.")
    answer = Answer(question="q", quotes=(quote,), sources=(CITATION,))
    assert "> The air force spokesman spoke at noon. He said all 16 were shot down. [1]" in answer_text(answer)
    assert answer_json(answer)["answer"][0]["text"] == "He said all 16 were shot down."
    assert answer_json(answer)["answer"][0]["context"] == "The air force spokesman spoke at noon."


def test_an_abstention_names_the_nearest_articles():
    answer = Answer(question="Who won the cup?", quotes=(), sources=(), reason="nothing close", nearest=(CITATION,))
    assert answer_text(answer).splitlines()[1:] == [
        "The nearest articles I have:", "  Drones downed · Wire · 2022-12-30 <https://example.com/a1>"]
    assert answer_json(answer)["nearest"][0]["title"] == "Drones downed"


def test_undated_source_without_url():
    citation = Citation(n=2, article_id="x", title="Notes", url=None, source=None, published=None)
    assert describe_source(citation) == "Notes · undated"


def test_articles_text_lists_ids_and_counts():
    articles = [ArticleInfo(id="story-1", title="Grid holds", url=None, source="Wire", published=None,
                            sentences=3, ingested_at="2022-12-31T00:00:00+00:00")]
    text = articles_text(articles)
    assert text.splitlines()[0].startswith("story-1  undated")
    assert text.endswith("1 article")
    assert "newsbot ingest" in articles_text([])


def test_stats_and_ingest_lines():
    stats = Stats(articles=2, sentences=10, passages=3, vectors=3, embedding_model="m", dimension=8,
                  oldest=date(2022, 12, 29), newest=date(2022, 12, 30), database_bytes=2_000_000, vectors_bytes=0)
    assert "2022-12-29 to 2022-12-30" in stats_text(stats)
    report = IngestReport(files=3, new=2, updated=0, unchanged=1, failed=0, seconds=1.25)
    assert ingest_summary(report) == "Read 3 files in 1.2s: 2 new, 0 updated, 1 unchanged, 0 failed."
