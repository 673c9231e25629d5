"""The answer-quality benchmark's metrics and parsers on tiny hand-made inputs (no data files, no model)."""

import importlib.util
import math
from pathlib import Path

import pytest

from index.ingest.sentences import segment_article


def _load_metrics():
    """benchmarks/qa_metrics.py by path: pysbd installs a package of its own named `benchmarks`."""
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "qa_metrics.py"
    spec = importlib.util.spec_from_file_location("qa_metrics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


qa = _load_metrics()


def test_ranked_labels_follow_falling_scores_and_keep_ties_in_order():
    assert qa.ranked_labels([0.2, 0.9, 0.5, 0.9], [0, 1, 0, 0]) == [1, 0, 0, 0]
    assert qa.ranked_labels([0.5, 0.5, 0.5], [0, 0, 1]) == [0, 0, 1]
    assert qa.ranked_labels([], []) == []


@pytest.mark.parametrize(("labels", "expected"), [
    ([1, 0, 0], 1.0),
    ([0, 1, 0, 1], (1 / 2 + 2 / 4) / 2),
    ([0, 0, 1], 1 / 3),
    ([1, 1, 0], 1.0),
    ([0, 0, 0], 0.0),
])
def test_average_precision(labels, expected):
    assert qa.average_precision(labels) == pytest.approx(expected)


@pytest.mark.parametrize(("labels", "expected"), [([1, 0], 1.0), ([0, 0, 1, 1], 1 / 3), ([0, 0], 0.0), ([], 0.0)])
def test_reciprocal_rank(labels, expected):
    assert qa.reciprocal_rank(labels) == pytest.approx(expected)


def test_precision_and_hits_at_k():
    assert qa.precision_at([0, 1, 1, 0], 1) == 0.0
    assert qa.precision_at([0, 1, 1, 0], 3) == pytest.approx(2 / 3)
    assert qa.precision_at([1], 3) == pytest.approx(1 / 3)  # a short list counts its missing ranks as misses
    assert not qa.hit_at([0, 0, 1], 2)
    assert qa.hit_at([0, 0, 1], 3)
    assert not qa.hit_at([], 1)


def test_mean_and_nearest_rank_percentile():
    assert qa.mean([True, False, True, True]) == 0.75
    assert math.isnan(qa.mean([]))
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert (qa.percentile(values, 0.5), qa.percentile(values, 0.95), qa.percentile(values, 0.0)) == (3.0, 5.0, 1.0)
    assert qa.percentile([10.0, 20.0, 30.0, 40.0], 0.5) == 20.0
    assert math.isnan(qa.percentile([], 0.5))


def test_parse_qrels_groups_by_question_in_file_order():
    lines = ["2 0 0 0\n", "2 0 1 1\n", "\n", "10 0 0 1\n", "1 0 3 0\n"]
    qrels = qa.parse_qrels(lines)
    assert qrels == {"2": {0: 0, 1: 1}, "10": {0: 1}, "1": {3: 0}}
    assert list(qrels) == ["2", "10", "1"]


def test_sentence_spans_locate_each_split_sentence_in_the_raw_text():
    text = "The  zebra\u200b escaped on Monday. Keepers caught it\u00a0later.\n\nNo one was hurt."
    sentences = [segment.text for segment in segment_article(text)]
    assert sentences == ["The zebra escaped on Monday.", "Keepers caught it later.", "No one was hurt."]
    spans = qa.sentence_spans(text, sentences)
    assert [text[a:b] for a, b in spans] == [
        "The  zebra\u200b escaped on Monday.", "Keepers caught it\u00a0later.", "No one was hurt."]


def test_sentence_spans_match_composed_and_decomposed_accents():
    text = "Zu\u0308rich is big. Bern is not."
    assert qa.sentence_spans(text, ["Z\u00fcrich is big.", "Bern is not."]) == [(0, 15), (16, 28)]


def test_sentence_spans_go_in_order_and_refuse_a_missing_sentence():
    assert qa.sentence_spans("Yes. No. Yes.", ["Yes.", "Yes."]) == [(0, 4), (9, 13)]
    with pytest.raises(ValueError, match="not found"):
        qa.sentence_spans("One. Two.", ["Two.", "One."])


def test_sentence_containing_an_answer_span():
    spans = [(0, 10), (11, 25), (26, 40)]
    assert qa.sentence_containing(spans, 0, 3) == 0
    assert qa.sentence_containing(spans, 12, 25) == 1
    assert qa.sentence_containing(spans, 20, 30) is None  # across two sentences
    assert qa.sentence_containing(spans, 10, 11) is None  # the space between them
    assert qa.sentence_containing(spans, 45, 50) is None
