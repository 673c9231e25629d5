"""Fit the abstention bar (index/answers/ranking.py CONFIDENCE_WEIGHTS, AnswerPolicy.min_confidence) on dev questions.

Usage: python benchmarks/calibrate_abstention.py [--quick]

A logistic regression of "this question is answerable" on `confidence_signals` (the best candidate's cosine and
the share of the question its article leaves out) over the dev halves of benchmarks/questions, asked of the
BBC + Reuters library that benchmarks/qa.py builds (`--quick`: its first 2,000 articles of each outlet). The bar
is the confidence that still answers 95% of the answerable dev questions. The test halves are never read here:
benchmarks/qa.py reports them.
"""

from __future__ import annotations

import argparse
import asyncio

import numpy as np
from qa import QUICK_ARTICLES, cache_folder, cached_library
from qa_data import answerable_questions, news_articles, unanswerable_questions
from sklearn.linear_model import LogisticRegression

from index import Library, load_embedder
from index.answers.ranking import CONFIDENCE_BIAS, CONFIDENCE_WEIGHTS, confidence_signals
from index.embedder import DEFAULT_MODEL

ANSWERED_SHARE = 0.95  # the bar: answer at least this share of the answerable dev questions


async def dev_signals(quick: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each dev question's confidence signals, and 1 when it is answerable."""
    articles = news_articles(QUICK_ARTICLES if quick else None)
    known = {article.id for article in articles}
    answerable = [q.question for q in answerable_questions() if q.split == "dev" and q.article_id in known]
    unanswerable = [question for question, split in unanswerable_questions() if split == "dev"]
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    library, _ = await cached_library(cache_folder("news-quick" if quick else "news"), articles, embedder)
    try:
        titles = {info.id: info.title for info in await library.articles()}
        rows = [await signals(library, question, titles) for question in answerable + unanswerable]
    finally:
        await library.close()
    return np.stack(rows), np.array([1] * len(answerable) + [0] * len(unanswerable))


async def signals(library: Library, question: str, titles: dict[str, str]) -> np.ndarray:
    """The confidence signals of one question's ranked candidates."""
    return confidence_signals(question, await library.rank(question), titles)


def main() -> None:
    """Fit, choose the bar, and print both beside the shipped ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the library of the first 2,000 articles per outlet")
    features, answerable = asyncio.run(dev_signals(parser.parse_args().quick))
    model = LogisticRegression().fit(features, answerable)
    likelihood = model.predict_proba(features)[:, 1]
    # The highest bar that still answers ANSWERED_SHARE of them: all but the floor(5%) least confident.
    ranked = np.sort(likelihood[answerable == 1])
    bar = float(ranked[int(np.floor((1 - ANSWERED_SHARE) * len(ranked)))])
    print(f"{int(answerable.sum())} answerable and {int((1 - answerable).sum())} unanswerable dev questions")
    print("CONFIDENCE_WEIGHTS = np.array((" + ", ".join(f"{w:.3f}" for w in model.coef_[0]) + "))"
          f"  # shipped: {CONFIDENCE_WEIGHTS.tolist()}")
    print(f"CONFIDENCE_BIAS = {model.intercept_[0]:.3f}  # shipped: {CONFIDENCE_BIAS}")
    answered, declined = np.mean(likelihood[answerable == 1] >= bar), np.mean(likelihood[answerable == 0] < bar)
    # Printed rounded down, so the question at the bar is still answered.
    print(f"min_confidence = {np.floor(bar * 1000) / 1000:.3f}: answers {answered:.1%} of answerable,"
          f" declines {declined:.1%} of unanswerable dev questions")


if __name__ == "__main__":
    main()
