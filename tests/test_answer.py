"""Tests of answer selection: which sentences are quoted, how they are cited, when it abstains."""

from datetime import date

import pytest

from index.answer import AnswerPolicy, QuestionError, build_answer, check_question, score_candidates
from index.models import ArticleInfo, Candidate

POLICY = AnswerPolicy()


def info(article_id: str, title: str) -> ArticleInfo:
    return ArticleInfo(id=article_id, title=title, url=f"https://example.com/{article_id}", source="Wire",
                       published=date(2022, 12, 30), sentences=5, ingested_at="2022-12-31T00:00:00+00:00")


ARTICLES = {"a": info("a", "Drones downed"), "b": info("b", "Grid holds")}


def candidate(sentence_id: int, text: str, similarity: float, lexical: float = 1.0, passage: float = 1.0,
              article_id: str = "a") -> Candidate:
    return Candidate(sentence_id=sentence_id, article_id=article_id, position=sentence_id, text=text,
                     similarity=similarity, lexical=lexical, passage=passage)


def test_best_sentence_is_quoted_verbatim_with_its_source():
    answer = build_answer("How many drones?", [
        candidate(1, "Ukraine shot down all 16 drones.", 0.8, lexical=5.0),
        candidate(2, "It was cold in Kyiv.", 0.2, lexical=0.0),
    ], ARTICLES, POLICY)
    assert not answer.abstained
    assert [q.text for q in answer.quotes] == ["Ukraine shot down all 16 drones."]
    assert answer.sources[0].n == 1 and answer.sources[0].title == "Drones downed"


def test_close_runners_up_are_quoted_too_and_sources_numbered_by_first_use():
    answer = build_answer("q", [
        candidate(1, "Sentence one about the grid.", 0.80, article_id="b"),
        candidate(2, "Another sentence about drones.", 0.78),
        candidate(3, "A third sentence on the same grid.", 0.77, article_id="b"),
        candidate(4, "A fourth, close but over the limit.", 0.76),
    ], ARTICLES, POLICY)
    assert len(answer.quotes) == 3
    assert [q.source for q in answer.quotes] == [1, 2, 1]
    assert [s.article_id for s in answer.sources] == ["b", "a"]


def test_a_weak_runner_up_is_left_out():
    answer = build_answer("q", [
        candidate(1, "A strong answer sentence.", 0.9, lexical=5.0),
        candidate(2, "A weak neighbour sentence.", 0.36, lexical=0.5, passage=0.3),
    ], ARTICLES, POLICY)
    assert len(answer.quotes) == 1


def test_near_repeats_are_quoted_once():
    answer = build_answer("q", [
        candidate(1, "Ukraine shot down all 16 Russian drones overnight.", 0.8),
        candidate(2, "Ukraine shot down all 16 Russian drones overnight, officials said.", 0.79),
    ], ARTICLES, POLICY)
    assert len(answer.quotes) == 1


def test_abstains_when_nothing_is_close_enough():
    answer = build_answer("Who won the cup final?", [candidate(1, "The grid held.", 0.1, lexical=0.0)],
                          ARTICLES, POLICY)
    assert answer.abstained and answer.quotes == () and answer.sources == ()
    assert "do not answer" in answer.reason


def test_a_sentence_sharing_no_word_needs_more_similarity():
    lone = candidate(1, "Power cuts went on.", 0.45, lexical=0.0)
    assert build_answer("q", [lone], ARTICLES, POLICY).abstained
    close = candidate(1, "Power cuts went on.", 0.6, lexical=0.0)
    assert not build_answer("q", [close], ARTICLES, POLICY).abstained


def test_abstains_without_candidates():
    answer = build_answer("q", [], ARTICLES, POLICY)
    assert answer.abstained and answer.reason


def test_scores_are_rounded_floats_best_first():
    answer = build_answer("q", [candidate(1, "One.", 0.7), candidate(2, "Two two.", 0.69)], ARTICLES, POLICY)
    scores = [q.score for q in answer.quotes]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("question, reason", [
    ("", "empty"), ("   \n ", "empty"), ("?!?! ... ---", "no words"), ("x" * 10_000, "limit is 1,000"),
])
def test_questions_that_cannot_be_asked(question, reason):
    with pytest.raises(QuestionError, match=reason):
        check_question(question, 1000)


def test_question_whitespace_is_normalised():
    assert check_question("  How   many\ndrones? ", 1000) == "How many drones?"


def test_a_newer_article_wins_a_near_tie_and_undated_sentences_get_no_bonus():
    older = Candidate(1, "a", 1, "The bridge reopened to traffic.", 0.70, 1.0, 1.0, published=date(2022, 11, 30))
    newer = Candidate(2, "b", 1, "Traffic crossed the bridge again.", 0.69, 1.0, 1.0, published=date(2022, 12, 30))
    undated = Candidate(3, "a", 2, "Crossing the bridge was allowed.", 0.695, 1.0, 1.0)
    scored = score_candidates([older, newer, undated], POLICY)
    assert [c.sentence_id for _, c in scored] == [2, 1, 3]
    bonus = {c.sentence_id: score - c.similarity - 0.5 * 1.0 / 10 - 0.4 for score, c in scored}
    assert bonus[2] == pytest.approx(0.05) and bonus[1] == pytest.approx(0.025) and bonus[3] == pytest.approx(0.0)
    far_better = Candidate(4, "a", 3, "The bridge reopened on Monday.", 0.80, 1.0, 1.0, published=date(2020, 1, 1))
    assert score_candidates([newer, far_better], POLICY)[0][1].sentence_id == 4
