"""The summary's sentence choice: centrality, facts, lead position, no repeats; citations, order and bounds."""

from datetime import date

import numpy as np
import pytest

from index.answers.selection import on_topic
from index.models import ArticleInfo, Candidate
from index.summaries.choosing import (
    MAX_LENGTH,
    SummaryError,
    SummaryWeights,
    centrality,
    check_length,
    choose,
    chronological,
    cite_entries,
    importance,
    information,
    nothing_found,
    select,
)

D = date


def unit(*rows: list[float]) -> np.ndarray:
    matrix = np.array(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_the_sentence_most_like_the_others_is_most_central():
    vectors = unit([1, 0, 0], [0.7, 0.7, 0], [0, 1, 0], [0, 0, 1])
    scores = centrality(vectors)
    assert scores.argmax() == 1 and scores.argmin() == 3
    assert abs(scores.sum() - 1.0) < 1e-6


def test_centrality_of_nothing_and_of_strangers():
    assert centrality(np.zeros((0, 3))).size == 0
    assert np.allclose(centrality(unit([1, 0], [0, 1])), 0.5)


def test_numbers_and_names_are_informative():
    assert information("Russia fired 69 missiles at Kyiv and Lviv on 29 December.") > information("It was bad.")
    assert 0.0 <= information("1 2 3 4 5 6 7 8 Alpha Beta Gamma Delta Epsilon Zeta") <= 1.0


def test_near_duplicates_are_left_out_and_the_length_kept():
    texts = ["Ukraine shot down all sixteen drones overnight, officials said.",
             "Ukraine shot down all sixteen drones overnight, the army said.",
             "Power cuts continued across the country on Friday evening.",
             "Too short."]
    vectors = unit([1, 0, 0], [0.99, 0.05, 0], [0, 1, 0], [0, 0, 1])
    chosen = select(texts, vectors, np.array([1.0, 0.9, 0.5, 2.0]), 3, SummaryWeights())
    assert chosen == [0, 2]


def test_mmr_prefers_variety_over_a_second_similar_sentence():
    texts = [f"Sentence number {n} about the harbour storm damage." for n in range(3)]
    vectors = unit([1, 0], [0.8, 0.6], [0, 1])
    chosen = select(texts, vectors, np.array([1.0, 0.95, 0.9]), 2, SummaryWeights(diversity=0.5))
    assert chosen == [0, 2]


def test_importance_adds_lead_position_and_relevance():
    texts = ["First sentence with nothing special in it.", "Second sentence with nothing special in it."]
    vectors = unit([1, 0], [1, 0])
    lead = importance(texts, vectors, [0, 1], np.zeros(2), SummaryWeights())
    assert lead[0] > lead[1]
    relevant = importance(texts, vectors, [0, 1], np.array([0.0, 1.0]), SummaryWeights())
    assert relevant[1] > relevant[0]


def candidate(n: int, text: str, article: str = "a1", published: date | None = None, similarity: float = 0.0,
              lexical: float = 0.0, position: int = 0) -> Candidate:
    return Candidate(sentence_id=n, article_id=article, position=position, text=text, similarity=similarity,
                     lexical=lexical, passage=0.0, published=published)


def info(stored_id: str, title: str, published: date | None = None) -> ArticleInfo:
    # A scope's article is stored as "<scope>/<id>" and known to its users by <id>.
    return ArticleInfo(stored_id.split("/")[-1], title, None, "Wire", published, 3, "")


def test_a_row_of_figures_is_not_a_sentence_to_quote():
    texts = ["Exports 5.70 6.50 7.37 7.50 8.10 9.20", "Exports rose for the third month running in March."]
    assert select(texts, unit([1, 0], [0, 1]), np.array([1.0, 0.5]), 2, SummaryWeights()) == [1]


@pytest.mark.parametrize("length", [0, -1, MAX_LENGTH + 1])
def test_length_out_of_bounds_is_refused(length):
    with pytest.raises(SummaryError, match=f"1 to {MAX_LENGTH}"):
        check_length(length)


def test_length_within_bounds_is_kept():
    assert check_length(1) == 1 and check_length(MAX_LENGTH) == MAX_LENGTH


def test_on_topic_needs_a_closer_meaning_without_a_shared_word():
    assert on_topic(candidate(1, "x", similarity=0.4, lexical=3.0), 0.35, 0.55)
    assert not on_topic(candidate(1, "x", similarity=0.4, lexical=0.0), 0.35, 0.55)
    assert on_topic(candidate(1, "x", similarity=0.6, lexical=0.0), 0.35, 0.55)


def test_choose_uses_relevance_and_a_bonus():
    texts = ["The harbour council approved the new budget on Monday.",
             "The harbour storm flooded twelve streets near the docks."]
    pool = [candidate(1, texts[0], similarity=0.0), candidate(2, texts[1], similarity=0.9)]
    vectors = unit([1, 0], [0, 1])
    assert [c.sentence_id for _, c in choose(pool, vectors, 1, SummaryWeights())] == [2]
    boosted = choose(pool, vectors, 1, SummaryWeights(), bonus=np.array([5.0, 0.0]))
    assert [c.sentence_id for _, c in boosted] == [1]


def test_timeline_order_is_by_event_day_then_article_date_with_undated_last():
    picked = [(1.0, candidate(1, "c", published=D(2023, 1, 2))), (1.0, candidate(2, "a", published=D(2022, 12, 31))),
              (1.0, candidate(3, "u")), (1.0, candidate(4, "b", published=D(2022, 12, 30)))]
    days = [(D(2022, 12, 30), D(2022, 12, 30), "on Friday"), (D(2022, 12, 29), D(2022, 12, 29), "on Thursday"),
            (None, None, None), (D(2022, 12, 30), D(2022, 12, 30), None)]
    assert chronological(picked, days) == [1, 3, 0, 2]


def test_sources_are_numbered_by_first_quotation_with_public_ids():
    picked = [(2.0, candidate(7, "First.", "srv/b")), (1.5, candidate(8, "Second.", "a")),
              (1.0, candidate(9, "Third.", "srv/b"))]
    articles = {"srv/b": info("srv/b", "Bee"), "a": info("a", "Ay")}
    entries, sources = cite_entries(picked, articles)
    assert [(e.source, e.article_id, e.day) for e in entries] == [(1, "b", None), (2, "a", None), (1, "b", None)]
    assert [(c.n, c.article_id, c.title) for c in sources] == [(1, "b", "Bee"), (2, "a", "Ay")]
    dated, _ = cite_entries(picked[:1], articles, [(D(2022, 12, 26), D(2023, 1, 1), "this week")])
    assert (dated[0].day, dated[0].last_day, dated[0].wording) == (D(2022, 12, 26), D(2023, 1, 1), "this week")


@pytest.mark.parametrize(("topic", "since", "until", "expected"), [
    ("grid", D(2022, 12, 29), D(2022, 12, 31), "nothing found for “grid” between 2022-12-29 and 2022-12-31"),
    ("grid", D(2022, 12, 29), D(2022, 12, 29), "nothing found for “grid” on 2022-12-29"),
    ("grid", D(2022, 12, 29), None, "nothing found for “grid” since 2022-12-29"),
    ("grid", None, D(2022, 12, 31), "nothing found for “grid” up to 2022-12-31"),
    ("grid", None, None, "nothing found for “grid”"),
    (None, D(2022, 12, 29), D(2022, 12, 31), "no articles between 2022-12-29 and 2022-12-31"),
])
def test_nothing_found_says_for_what_and_when(topic, since, until, expected):
    assert nothing_found(topic, since, until) == expected
