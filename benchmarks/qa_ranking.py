"""Answer sentence selection (WikiQA, TrecQA): each question's own candidates ranked by the product's scorer."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing

import numpy as np
from qa_data import RankingQuestion
from qa_metrics import average_precision, mean, precision_at, ranked_labels, reciprocal_rank
from qa_report import Row

from index import AnswerPolicy, Embedder
from index.answers.ranking import score_candidates
from index.answers.reader import Reader
from index.answers.reading import FIRST_STAGE_WEIGHT, reader_passages, rerank
from index.models import Candidate
from index.search.queries import query_terms
from index.store.sqlite.fts import fts_match
from index.store.sqlite.schema import _TOKENIZER as PRODUCT_TOKENIZER  # the library's own FTS5 tokenizer, kept in step
from index.store.terms import term_query

METRICS = {"MAP": average_precision, "MRR": reciprocal_rank, "P@1": lambda labels: precision_at(labels, 1)}
# (part, split, ranker, metric) -> published figures; WikiQA's are on the filtered test qrels (SOURCE.md).
BASELINES = {
    ("WikiQA", "test", "cosine", "MAP"): "this model's cosine 0.715 (measured earlier)",
    ("WikiQA", "test", "cosine", "MRR"): "this model's cosine 0.729 (measured earlier)",
    ("WikiQA", "test", "scorer", "MAP"): "CNN-Cnt 0.652 · ABCNN 0.692 · Compare-Aggregate 0.733 · TANDA 0.920",
    ("WikiQA", "test", "scorer", "MRR"): "CNN-Cnt 0.665 · ABCNN 0.711 · Compare-Aggregate 0.748 · TANDA 0.933",
    ("TrecQA", "clean-test", "scorer", "MAP"): "for reference: Compare-Aggregate-style ~0.82-0.87 · TANDA 0.943",
    ("TrecQA", "clean-test", "scorer", "MRR"): "for reference: TANDA 0.974",
}
TARGETS = {("WikiQA", "test", "scorer", "MAP"): "≥ 0.78", ("WikiQA", "test", "scorer", "MRR"): "≥ 0.80"}
# Each candidate's BM25 against its question (0: no match): FTS5's, or a backend's measured in its place.
Lexical = Callable[[RankingQuestion], list[float]]


def bm25_scores(question: str, sentences: Sequence[str]) -> list[float]:
    """Each sentence's BM25 against the question's FTS5 query, in a table of just these sentences (0: no match)."""
    words = term_query(query_terms(question))
    query = fts_match(words) if words else None
    scores = [0.0] * len(sentences)
    if query is None:
        return scores
    with closing(sqlite3.connect(":memory:")) as db:
        db.execute(f"CREATE VIRTUAL TABLE candidates USING fts5(text, tokenize='{PRODUCT_TOKENIZER}')")
        db.executemany("INSERT INTO candidates(rowid, text) VALUES (?, ?)", enumerate(sentences))
        for rowid, score in db.execute("SELECT rowid, -bm25(candidates) FROM candidates WHERE candidates MATCH ?",
                                       (query,)):
            scores[rowid] = score
    return scores


def fts5_scores(question: RankingQuestion) -> list[float]:
    """The candidates' BM25 as the SQLite library's FTS5 gives it."""
    return bm25_scores(question.question, question.sentences)


def first_stage(question: RankingQuestion, similarities: np.ndarray,
                scores: Lexical = fts5_scores) -> list[tuple[float, Candidate]]:
    """The question's own candidates scored by the learned first stage, best first."""
    lexical = scores(question)
    # Out-of-order candidates (TrecQA) are each their own "article": no false neighbours.
    candidates = [Candidate(sentence_id=i, article_id="" if question.in_order else str(i), position=i, text=text,
                            similarity=float(similarities[i]), lexical=lexical[i], passage=1.0)
                  for i, text in enumerate(question.sentences)]
    return score_candidates(question.question, candidates, {"": question.title}, AnswerPolicy())


def read_best(question: RankingQuestion, scored: list[tuple[float, Candidate]], reader: Reader,
              depth: int) -> np.ndarray:
    """The reader's log-odds for the first `depth` scored candidates, each with its title and (in order) the
    sentence before it."""
    best = [c for _, c in scored[:depth]]
    previous = {c.sentence_id: question.sentences[c.position - 1] for c in best if question.in_order and c.position}
    titles = {c.article_id: question.title for c in best}
    return reader.read(question.question, reader_passages(best, titles, previous))


def rank_split(questions: Sequence[RankingQuestion], embedder: Embedder, reader: Reader | None,
               lexical: Lexical = fts5_scores) -> dict[str, list[list[int]]]:
    """Each question's labels in the order of the product (first stage, then the reader), of the first stage
    alone, and of plain cosine."""
    texts = list(dict.fromkeys([q.question for q in questions] + [s for q in questions for s in q.sentences]))
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    ranked: dict[str, list[list[int]]] = {"scorer": [], "first stage": [], "cosine": []}
    depth = AnswerPolicy().reader_depth
    for question in questions:
        similarities = np.stack([vectors[s] for s in question.sentences]) @ vectors[question.question]
        scored = first_stage(question, similarities, lexical)
        ranked["first stage"].append([question.labels[c.sentence_id] for _, c in scored])
        if reader is not None:
            scored = rerank(scored, read_best(question, scored, reader, depth).tolist(), FIRST_STAGE_WEIGHT)
        ranked["scorer"].append([question.labels[c.sentence_id] for _, c in scored])
        ranked["cosine"].append(ranked_labels(similarities.tolist(), question.labels))
    return ranked


def ranking_rows(name: str, splits: dict[str, list[RankingQuestion]], embedder: Embedder,
                 reader: Reader | None, lexical: Lexical = fts5_scores) -> list[Row]:
    """MAP, MRR and P@1 of the product's ranking, its first stage and cosine alone, per split, with the published
    figures."""
    rows = []
    labels_of = {"scorer": "newsbot", "first stage": "first stage only", "cosine": "cosine only"}
    for split, questions in splits.items():
        for ranker, labels in rank_split(questions, embedder, reader, lexical).items():
            if reader is None and ranker == "first stage":
                continue  # the same as the product's ranking
            label = labels_of[ranker]
            for metric, measure in METRICS.items():
                key = (name, split, ranker, metric)
                rows.append(Row(f"{name} ({label})", split, len(questions), metric,
                                f"{mean(map(measure, labels)):.3f}", BASELINES.get(key, ""), TARGETS.get(key, "")))
    return rows
