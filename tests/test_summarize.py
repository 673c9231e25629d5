"""The summary's sentence choice: centrality, facts, lead position, and no repeats."""

import numpy as np

from index.summarize import SummaryWeights, centrality, importance, information, select


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
