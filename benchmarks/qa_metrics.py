"""Answer-quality metrics and the small parsers they rest on (pure functions; tests/test_qa_metrics.py)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence


def ranked_labels(scores: Sequence[float], labels: Sequence[int]) -> list[int]:
    """The labels in order of falling score; ties keep their given order."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return [labels[i] for i in order]


def average_precision(labels: Sequence[int]) -> float:
    """Mean of the precision at each relevant item of a ranked list of 0/1 labels (0 when none is relevant)."""
    hits, total = 0, 0.0
    for rank, label in enumerate(labels, start=1):
        if label > 0:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def reciprocal_rank(labels: Sequence[int]) -> float:
    """1 / the rank of the first relevant item (0 when none is relevant)."""
    return next((1 / rank for rank, label in enumerate(labels, start=1) if label > 0), 0.0)


def precision_at(labels: Sequence[int], k: int) -> float:
    """Share of the first k ranks that hold a relevant item."""
    return sum(1 for label in labels[:k] if label > 0) / k


def hit_at(labels: Sequence[int], k: int) -> bool:
    """True when a relevant item is ranked within the first k."""
    return any(label > 0 for label in labels[:k])


def mean(values: Iterable[float]) -> float:
    """The arithmetic mean (NaN for no values)."""
    values = list(values)
    return sum(values) / len(values) if values else math.nan


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the least value with `share` of the values at or below it (NaN if none)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else math.nan


def parse_qrels(lines: Iterable[str]) -> dict[str, dict[int, int]]:
    """TREC qrels lines `qid 0 docno label` -> {qid: {docno: label}}, questions in file order."""
    qrels: dict[str, dict[int, int]] = {}
    for line in lines:
        if line.strip():
            qid, _, docno, label = line.split()
            qrels.setdefault(qid, {})[int(docno)] = int(label)
    return qrels


def _comparable(text: str) -> tuple[str, list[int]]:
    """The text decomposed (NFD) without spaces or invisible characters, with each kept character's offset."""
    kept, offsets = [], []
    for offset, char in enumerate(text):
        for part in unicodedata.normalize("NFD", char):
            if part.isprintable() and not part.isspace():
                kept.append(part)
                offsets.append(offset)
    return "".join(kept), offsets


def sentence_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) offsets in `text` of each sentence split from it, in order, despite cleaned whitespace."""
    haystack, offsets = _comparable(text)
    spans, position = [], 0
    for sentence in sentences:
        needle = _comparable(sentence)[0]
        found = haystack.find(needle, position)
        if not needle or found < 0:
            raise ValueError(f"sentence not found in order in the text: {sentence[:60]!r}")
        position = found + len(needle)
        spans.append((offsets[found], offsets[position - 1] + 1))
    return spans


def sentence_containing(spans: Sequence[tuple[int, int]], start: int, end: int) -> int | None:
    """The index of the span holding all of [start, end); None when it crosses a sentence boundary or none holds it."""
    for index, (first, last) in enumerate(spans):
        if first <= start < last:
            return index if end <= last else None
    return None
