"""Tests of the second ranking stage: features, the learned score, time bonuses and answer confidence."""

from datetime import date

import numpy as np
import pytest

from index.answers.ranking import (
    FEATURES,
    RANKER_WEIGHTS,
    answer_type_match,
    candidate_features,
    confidence,
    confidence_signals,
    score_candidates,
    stems,
)
from index.models import Candidate
from index.settings import AnswerPolicy

POLICY = AnswerPolicy()
TITLES = {"a": "Drones over Kyiv", "b": "Power grid repairs"}


def candidate(sentence_id: int, text: str, similarity: float = 0.5, lexical: float = 1.0, article_id: str = "a",
              position: int | None = None, published: date | None = None) -> Candidate:
    return Candidate(sentence_id=sentence_id, article_id=article_id,
                     position=sentence_id if position is None else position, text=text, similarity=similarity,
                     lexical=lexical, passage=1.0, published=published)


def column(name: str, rows: np.ndarray) -> list[float]:
    return rows[:, FEATURES.index(name)].round(3).tolist()


def test_one_learned_weight_per_feature():
    assert len(RANKER_WEIGHTS) == len(FEATURES)


def test_stems_join_inflections_and_drop_function_words():
    assert stems("How many drones did the Ukrainian army down?") == ["drone", "ukrai", "army", "down"]
    assert stems("Ukraine's drone") == ["ukrai", "drone"]


@pytest.mark.parametrize("question, sentence, expected", [
    ("How many drones were shot down?", "Air defences downed 16 drones.", 1.0),
    ("How many drones were shot down?", "Air defences downed the drones.", 0.0),
    ("How many of the 16 drones were shot down?", "All 16 drones came down.", 0.0),  # the question's own number
    ("When did the grid fail?", "The grid failed on Thursday.", 1.0),
    ("In what year did the grid fail?", "The grid failed in 2022.", 1.0),
    ("Where did the grid fail first?", "It failed in Kyiv in 2022.", 0.5),  # no cue for places
    ("What year did the grid fail?", "The grid failed in 2022.", 1.0),
    ("Who runs the grid operator?", "The operator is run by Volodymyr Kudrytskyi.", 1.0),
    ("Who runs the grid operator?", "the operator is run by the state.", 0.0),
    ("Why did the grid fail?", "Missiles hit substations.", 0.5),
])
def test_answer_type_cues(question, sentence, expected):
    assert answer_type_match(question, sentence) == expected


def test_coverage_weighs_rare_question_words_more_and_context_adds_neighbours_and_title():
    question = "How many drones did Ukraine shoot down over Kyiv?"
    rows = candidate_features(question, [
        candidate(1, "Ukraine said the drones came in waves.", article_id="a"),
        candidate(2, "Sixteen were destroyed.", article_id="a"),
        candidate(3, "Ukraine restored power to homes.", article_id="b"),
    ], TITLES)
    coverage, context = column("coverage", rows), column("context_coverage", rows)
    assert coverage[0] > coverage[2] > 0 and coverage[1] == 0
    # Sentence 2 is read with its neighbour (drones, Ukraine) and its title (Kyiv).
    assert context[1] > context[2] and context[1] == pytest.approx(context[0])


def test_neighbour_and_article_similarity():
    rows = candidate_features("q", [candidate(1, "One.", 0.2), candidate(2, "Two.", 0.6),
                                    candidate(9, "Far.", 0.4), candidate(3, "Other.", 0.9, article_id="b")], TITLES)
    assert column("neighbour_similarity", rows) == [0.6, 0.2, 0.0, 0.0]
    assert column("article_similarity", rows) == [0.6, 0.6, 0.6, 0.9]


def test_the_sentence_that_answers_beats_a_slightly_closer_one_that_does_not():
    answers = candidate(1, "Air defences shot down 16 drones over Kyiv.", similarity=0.60)
    talks = candidate(2, "Drones over Kyiv were discussed at length.", similarity=0.62, position=7)
    scored = score_candidates("How many drones were shot down over Kyiv?", [talks, answers], TITLES, POLICY)
    assert scored[0][1] is answers


def test_a_newer_article_wins_a_tie_and_undated_sentences_get_no_bonus():
    text = "The bridge reopened to traffic."
    older = candidate(1, text, published=date(2022, 11, 30), article_id="old", position=1)
    newer = candidate(2, text, published=date(2022, 12, 30), article_id="new", position=1)
    undated = candidate(3, text, article_id="none", position=1)
    scored = {c.sentence_id: score for score, c in score_candidates("bridge", [older, newer, undated], {}, POLICY)}
    assert scored[2] - scored[3] == pytest.approx(POLICY.recency_weight)
    assert scored[1] - scored[3] == pytest.approx(POLICY.recency_weight / 2)  # one half-life (30 days) older


def test_a_question_naming_a_time_prefers_articles_of_that_time():
    text = "Officials met to discuss the grid."
    december = candidate(1, text, published=date(2022, 12, 31), article_id="dec", position=1)
    march = candidate(2, text, published=date(2023, 3, 2), article_id="mar", position=1)
    plain = score_candidates("grid talks", [december, march], {}, POLICY)
    assert plain[0][1] is march  # newer wins the tie
    named = score_candidates("grid talks", [december, march], {}, POLICY,
                             period=(date(2022, 12, 1), date(2022, 12, 31)))
    assert named[0][1] is december
    alone = score_candidates("grid talks", [march], {}, POLICY)
    grace = score_candidates("grid talks", [march], {}, POLICY, period=(date(2023, 2, 1), date(2023, 2, 28)))
    assert grace[0][0] == pytest.approx(alone[0][0] + POLICY.period_weight)  # 2 March: within the grace days
    late = score_candidates("grid talks", [march], {}, POLICY, period=(date(2023, 1, 1), date(2023, 1, 31)))
    assert late[0][0] == pytest.approx(alone[0][0])


def test_confidence_is_high_when_the_best_article_covers_the_question_and_low_when_it_misses_its_subject():
    question = "How many drones did Ukraine shoot down over Kyiv?"
    covered = [(5.0, candidate(1, "Ukraine shot down 16 drones over Kyiv.", similarity=0.75, lexical=25.0))]
    missing = [(5.0, candidate(1, "Ukraine repaired power lines.", similarity=0.45, lexical=6.0, article_id="b"))]
    assert confidence(question, covered, TITLES) > POLICY.min_confidence > confidence(question, missing, TITLES)
    assert confidence(question, [], TITLES) == 0.0
    closer = [(5.0, candidate(1, "Ukraine repaired power lines.", similarity=0.65, lexical=6.0, article_id="b"))]
    assert confidence(question, closer, TITLES) > confidence(question, missing, TITLES)


def test_a_year_the_best_article_never_names_lowers_confidence():
    sentence = candidate(1, "The central bank raised interest rates to 4.75%.", similarity=0.7,
                         published=date(2004, 8, 5))
    assert confidence_signals("Why did the central bank raise interest rates in 2004?", [(5.0, sentence)], {})[2] == 0
    later = confidence_signals("Why did the central bank raise interest rates in 2008?", [(5.0, sentence)], {})
    assert later[2] == 1.0
    named = candidate(1, "In 2008 the central bank raised interest rates to 5%.", similarity=0.7)
    assert confidence_signals("Why did the central bank raise interest rates in 2008?", [(5.0, named)], {})[2] == 0
    assert confidence("Why did the central bank raise rates in 2008?", [(5.0, sentence)], {}) < confidence(
        "Why did the central bank raise rates in 2004?", [(5.0, sentence)], {})
