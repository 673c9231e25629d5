"""Fit the abstention model (index/answers/ranking.py confidence weights, the [answer] bars) on dev questions.

Usage: python benchmarks/calibrate_abstention.py [--quick] [--reader none]

A logistic regression of "this question is answerable" on `confidence_signals` (the best candidate's cosine, the
share of the question its article leaves out, a year its article never names) and, with the reader on, the
reader's log-odds for the best candidate, over the dev halves of benchmarks/questions, asked of the BBC + Reuters
library that benchmarks/qa.py builds (`--quick`: its first 2,000 articles of each outlet). The bar is the
confidence that still answers 95% of the answerable dev questions. The test halves are never read here:
benchmarks/qa.py reports them.
"""

from __future__ import annotations

import argparse
import asyncio

import numpy as np
from qa import QUICK_ARTICLES, cache_folder, cached_library
from qa_data import answerable_questions, news_articles, unanswerable_questions
from sklearn.linear_model import LogisticRegression

from index import AnswerPolicy, Ranking, load_embedder
from index.answers import ranking as shipped
from index.answers.ranking import confidence_signals
from index.embedder import DEFAULT_MODEL

ANSWERED_SHARE = 0.95  # the bar: answer at least this share of the answerable dev questions


async def dev_rankings(quick: bool, reader: str) -> tuple[list[str], list[Ranking], np.ndarray]:
    """Each dev question, what the library ranks for it, and 1 when it is answerable."""
    articles = news_articles(QUICK_ARTICLES if quick else None)
    known = {article.id for article in articles}
    answerable = [q.question for q in answerable_questions() if q.split == "dev" and q.article_id in known]
    unanswerable = [q.question for q in unanswerable_questions() if q.split == "dev"]
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    library, _ = await cached_library(cache_folder("news-quick" if quick else "news"), articles, embedder,
                                      policy=AnswerPolicy(reader=reader))
    try:
        rankings = [await library.rank(question) for question in answerable + unanswerable]
    finally:
        await library.close()
    return answerable + unanswerable, rankings, np.array([1] * len(answerable) + [0] * len(unanswerable))


def signals(question: str, ranking: Ranking) -> np.ndarray:
    """The confidence signals of one question's ranking, the reader's log-odds last when it read the best."""
    found = confidence_signals(question, ranking.scored, ranking.titles)
    reading = ranking.best_reading()
    return found if reading is None else np.append(found, reading)


def fit(features: np.ndarray, answerable: np.ndarray) -> tuple[LogisticRegression, float]:
    """The logistic regression, and the highest bar that still answers ANSWERED_SHARE of the answerable."""
    model = LogisticRegression().fit(features, answerable)
    likelihood = model.predict_proba(features)[:, 1]
    # All but the floor(5%) least confident answerable questions.
    ranked = np.sort(likelihood[answerable == 1])
    return model, float(ranked[int(np.floor((1 - ANSWERED_SHARE) * len(ranked)))])


def main() -> None:
    """Fit, choose the bar, and print both beside the shipped ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the library of the first 2,000 articles per outlet")
    parser.add_argument("--reader", default="shipped", help='answer.reader: "shipped", "none" or a folder')
    args = parser.parse_args()
    questions, rankings, answerable = asyncio.run(dev_rankings(args.quick, args.reader))
    features = np.stack([signals(q, r) for q, r in zip(questions, rankings, strict=True)])
    model, bar = fit(features, answerable)
    likelihood = model.predict_proba(features)[:, 1]
    prefix, setting = ("", "min_confidence_without_reader") if args.reader == "none" else ("READER_", "min_confidence")
    print(f"{int(answerable.sum())} answerable and {int((1 - answerable).sum())} unanswerable dev questions")
    print(f"{prefix}CONFIDENCE_WEIGHTS = np.array((" + ", ".join(f"{w:.3f}" for w in model.coef_[0]) + "))"
          f"  # shipped: {getattr(shipped, prefix + 'CONFIDENCE_WEIGHTS').tolist()}")
    bias = getattr(shipped, prefix + "CONFIDENCE_BIAS")
    print(f"{prefix}CONFIDENCE_BIAS = {model.intercept_[0]:.3f}  # shipped: {bias}")
    answered, declined = np.mean(likelihood[answerable == 1] >= bar), np.mean(likelihood[answerable == 0] < bar)
    # Printed rounded down, so the question at the bar is still answered.
    print(f"{setting} = {np.floor(bar * 1000) / 1000:.3f}: answers {answered:.1%} of answerable,"
          f" declines {declined:.1%} of unanswerable dev questions")


if __name__ == "__main__":
    main()
