"""Fit the second-stage ranker's weights (index/answers/ranking.py RANKER_WEIGHTS) on SQuAD v1.1 dev, CPU only.

Usage: python benchmarks/train_ranker.py [--questions 3000]

Only SQuAD (CC BY-SA 4.0) trains the shipped weights: WikiQA, TrecQA, BBC and Reuters are research-only. The
questions come from the SQuAD articles held out for tuning (even index in the file; benchmarks/qa.py reports the
odd ones as test). Each question's candidates are what the real library retrieves for it, so the ranker learns
on the mistakes retrieval actually makes. The model is a listwise logistic regression: a softmax over each
question's candidates, fitted by L-BFGS with a small L2 penalty. It takes a few minutes, most of it retrieval.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Sequence

import numpy as np
from qa import SEED, cache_folder, cached_library
from qa_data import load_squad
from scipy.optimize import minimize

from index import AnswerPolicy, load_embedder
from index.answers.ranking import FEATURES, RANKER_WEIGHTS, candidate_features
from index.embedder import DEFAULT_MODEL

Group = tuple[np.ndarray, np.ndarray]  # (features of each candidate, 1 for the gold sentence else 0)
L2 = 1e-3


async def training_groups(count: int) -> list[Group]:
    """Features and gold labels of the candidates retrieved for `count` SQuAD questions of the tuning articles."""
    squad = load_squad()
    questions = [q for q in squad.questions if q.split == "dev"]
    random.Random(SEED).shuffle(questions)
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    library, _ = await cached_library(cache_folder("squad"), squad.articles, embedder,
                                      policy=AnswerPolicy(reader="none"))
    try:
        titles = {info.id: info.title for info in await library.articles()}
        groups = []
        for question in questions[:count]:
            candidates = [c for _, c in (await library.rank(question.question)).scored]
            labels = [int(c.article_id == question.paragraph_id and c.text == question.sentence) for c in candidates]
            if any(labels):  # a question whose gold sentence was not retrieved teaches the ranker nothing
                groups.append((candidate_features(question.question, candidates, titles), np.array(labels)))
        return groups
    finally:
        await library.close()


def listwise_loss(weights: np.ndarray, groups: Sequence[Group]) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of each question's softmax over its candidates, with its gradient (plus L2)."""
    loss, gradient = 0.0, np.zeros_like(weights)
    for features, labels in groups:
        scores = features @ weights
        likelihood = np.exp(scores - scores.max())
        likelihood /= likelihood.sum()
        target = labels / labels.sum()
        loss -= float(target @ np.log(likelihood + 1e-12))
        gradient -= features.T @ (target - likelihood)
    return loss / len(groups) + L2 * float(weights @ weights), gradient / len(groups) + 2 * L2 * weights


def top1(weights: np.ndarray, groups: Sequence[Group]) -> float:
    """Share of questions whose gold sentence the weights put first."""
    return float(np.mean([labels[int(np.argmax(features @ weights))] for features, labels in groups]))


def main() -> None:
    """Retrieve, fit, and print the weights beside the shipped ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=3_000, help="SQuAD tuning questions to train on")
    groups = asyncio.run(training_groups(parser.parse_args().questions))
    start = np.zeros(len(FEATURES))
    start[FEATURES.index("similarity")] = 1.0
    fitted = minimize(listwise_loss, start, args=(groups,), jac=True, method="L-BFGS-B").x
    print(f"{len(groups):,} questions with the gold sentence among the candidates\n")
    print("| feature | fitted | shipped |\n|---|---|---|")
    for name, new, shipped in zip(FEATURES, fitted, RANKER_WEIGHTS, strict=True):
        print(f"| {name} | {new:.3f} | {shipped:.3f} |")
    print(f"\nsentence@1 on these questions: fitted {top1(fitted, groups):.3f},"
          f" shipped {top1(RANKER_WEIGHTS, groups):.3f}")
    print("RANKER_WEIGHTS = np.array((" + ", ".join(f"{w:.3f}" for w in fitted) + "))")


if __name__ == "__main__":
    main()
