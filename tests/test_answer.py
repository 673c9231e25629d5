"""Tests of answer selection: which sentences are quoted, how they are cited, when it abstains, what context."""

from datetime import date

import pytest

from index.answers.selection import (
    AnswerPolicy,
    QuestionError,
    build_answer,
    check_question,
    needs_context,
    with_context,
)
from index.models import ArticleInfo, Candidate

POLICY = AnswerPolicy()
SURE = 0.9  # a confidence above POLICY.min_confidence


def info(article_id: str, title: str) -> ArticleInfo:
    return ArticleInfo(id=article_id, title=title, url=f"https://example.com/{article_id}", source="Wire",
                       published=date(2022, 12, 30), sentences=5, ingested_at="2022-12-31T00:00:00+00:00")


ARTICLES = {"a": info("a", "Drones downed"), "b": info("b", "Grid holds")}


def candidate(sentence_id: int, text: str, similarity: float = 0.7, lexical: float = 1.0,
              article_id: str = "a") -> Candidate:
    return Candidate(sentence_id=sentence_id, article_id=article_id, position=sentence_id, text=text,
                     similarity=similarity, lexical=lexical, passage=1.0)


def test_best_sentence_is_quoted_verbatim_with_its_source():
    answer = build_answer("How many drones?", [
        (9.0, candidate(1, "Ukraine shot down all 16 drones.", 0.8, lexical=5.0)),
        (2.0, candidate(2, "It was cold in Kyiv.", 0.4)),
    ], SURE, ARTICLES, POLICY)
    assert not answer.abstained
    assert [q.text for q in answer.quotes] == ["Ukraine shot down all 16 drones."]
    assert answer.quotes[0].score == 9.0
    assert answer.sources[0].n == 1 and answer.sources[0].title == "Drones downed"


def test_nearly_as_likely_runners_up_are_quoted_too_and_sources_numbered_by_first_use():
    answer = build_answer("q", [
        (5.0, candidate(1, "Sentence one about the grid.", article_id="b")),
        (4.8, candidate(2, "Another sentence about drones.")),
        (4.5, candidate(3, "A third sentence on the same grid.", article_id="b")),
        (4.4, candidate(4, "A fourth, as likely but over the limit.")),
    ], SURE, ARTICLES, POLICY)
    assert len(answer.quotes) == 3
    assert [q.source for q in answer.quotes] == [1, 2, 1]
    assert [s.article_id for s in answer.sources] == ["b", "a"]


def test_a_much_less_likely_runner_up_is_left_out():
    # exp(-2) = 0.14 of the best one's likelihood: under companion_likelihood (0.25).
    answer = build_answer("q", [(6.0, candidate(1, "A strong answer sentence.")),
                                (4.0, candidate(2, "A weaker neighbour sentence."))], SURE, ARTICLES, POLICY)
    assert len(answer.quotes) == 1


def test_near_repeats_are_quoted_once():
    answer = build_answer("q", [
        (5.0, candidate(1, "Ukraine shot down all 16 Russian drones overnight.")),
        (4.9, candidate(2, "Ukraine shot down all 16 Russian drones overnight, officials said.")),
    ], SURE, ARTICLES, POLICY)
    assert len(answer.quotes) == 1


def test_abstains_below_the_confidence_bar_and_says_why():
    scored = [(5.0, candidate(1, "The grid held."))]
    answer = build_answer("Who won the cup final?", scored, POLICY.min_confidence - 0.01, ARTICLES, POLICY, read=True)
    assert answer.abstained and answer.quotes == () and answer.sources == ()
    assert "do not answer" in answer.reason
    assert not build_answer("Who won?", scored, POLICY.min_confidence, ARTICLES, POLICY, read=True).abstained


def test_a_sentence_sharing_no_word_needs_more_similarity():
    lone = candidate(1, "Power cuts went on.", 0.45, lexical=0.0)
    assert build_answer("q", [(5.0, lone)], SURE, ARTICLES, POLICY).abstained
    close = candidate(1, "Power cuts went on.", 0.6, lexical=0.0)
    assert not build_answer("q", [(5.0, close)], SURE, ARTICLES, POLICY).abstained


def test_abstains_without_candidates():
    answer = build_answer("q", [], 0.0, ARTICLES, POLICY)
    assert answer.abstained and "no article" in answer.reason


@pytest.mark.parametrize("question, reason", [
    ("", "empty"), ("   \n ", "empty"), ("?!?! ... ---", "no words"), ("x" * 10_000, "limit is 1,000"),
])
def test_questions_that_cannot_be_asked(question, reason):
    with pytest.raises(QuestionError, match=reason):
        check_question(question, 1000)


def test_question_whitespace_is_normalised():
    assert check_question("  How   many\ndrones? ", 1000) == "How many drones?"


@pytest.mark.parametrize("text, leans", [
    ("He also claimed that the attack had failed.", True),
    ("\u201cWe will not give up,\u201d she said.", True),
    ("But the power came back by morning.", True),
    ("This was the largest strike since October.", True),
    ("It fell 3% in early trading.", True),
    ("The army said it shot down 16 drones.", False),
    ("Zelenskiy said the grid held overnight.", False),
    ("Theresa May visited the plant.", False),  # "The..." and "May" are not pronouns
    ("Heathrow reopened on Friday.", False),
])
def test_which_sentences_need_the_one_before(text, leans):
    assert needs_context(text) is leans


def test_context_is_the_previous_sentence_verbatim_and_only_where_needed():
    answer = build_answer("q", [(5.0, candidate(1, "He also claimed victory.")),
                                (4.9, candidate(2, "Kyiv restored power by noon."))], SURE, ARTICLES, POLICY)
    previous = {1: "The commander spoke on television.", 2: "Crews worked all night."}
    quotes = with_context(answer, previous).quotes
    assert quotes[0].context == "The commander spoke on television." and quotes[0].text == "He also claimed victory."
    assert quotes[1].context is None


def test_no_context_when_the_previous_sentence_is_quoted_already_or_missing():
    answer = build_answer("q", [(5.0, candidate(1, "The commander spoke on television.")),
                                (4.9, candidate(2, "He also claimed victory."))], SURE, ARTICLES, POLICY)
    assert [q.context for q in with_context(answer, {2: "The commander spoke on television."}).quotes] == [None, None]
    assert [q.context for q in with_context(answer, {}).quotes] == [None, None]
