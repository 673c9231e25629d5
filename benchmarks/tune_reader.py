"""Choose how many candidates the pair reader reads (answer.reader_depth) and how much of the first stage's score a
read candidate keeps (index/answers/reading.py FIRST_STAGE_WEIGHT), on dev questions only.

Usage: python benchmarks/tune_reader.py [--quick]

The dev questions: SQuAD questions of the four tuning articles the reader never trained on (train_reader.py holds
them out), over the whole SQuAD library; the answerable news dev questions of benchmarks/questions over BBC +
Reuters (`--quick`: the first 2,000 articles of each outlet); WikiQA dev. Each question is ranked once by the
first stage with the reader reading its best MAX_DEPTH candidates; every depth and weight is then replayed from
those log-odds. Prints the first-place rate (MAP for WikiQA) of each, and the reader's time a question per depth.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from qa import QUICK_ARTICLES, cache_folder, cached_library
from qa_data import answerable_questions, load_squad, news_articles, wikiqa_questions
from qa_metrics import average_precision, mean
from qa_ranking import first_stage, read_best
from train_reader import held_out_titles

from index import AnswerPolicy, Embedder, load_embedder
from index.answers.reader import SHIPPED, PairReader
from index.answers.reading import Scored, reader_passages, rerank
from index.embedder import DEFAULT_MODEL
from index.models import Candidate

MAX_DEPTH = 30
DEPTHS = (2, 4, 6, 8, 12, 20, 30)
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0)


@dataclass(frozen=True)
class Read:
    """One dev question: the first stage's ranking, the reader's log-odds for its best, and which are right."""

    question: str
    first_stage: Scored
    logits: list[float]
    right: Callable[[Candidate], bool]
    titles: dict[str, str]


async def library_reads(folder: str, articles: list, questions: Sequence[tuple[str, Callable[[Candidate], bool]]],
                        embedder: Embedder) -> list[Read]:
    """Each question ranked by a cached library, its best MAX_DEPTH read."""
    policy = AnswerPolicy(reader_depth=MAX_DEPTH)
    library, _ = await cached_library(cache_folder(folder), articles, embedder, policy=policy)
    try:
        reads = []
        for question, right in questions:
            ranking = await library.rank(question)
            logits = [ranking.read[c.sentence_id] for _, c in ranking.first_stage[:MAX_DEPTH]]
            reads.append(Read(question, ranking.first_stage, logits, right, ranking.titles))
        return reads
    finally:
        await library.close()


async def squad_reads(embedder: Embedder) -> list[Read]:
    """The held-out SQuAD tuning articles' questions."""
    squad = load_squad()
    held_out = held_out_titles()
    questions = [(q.question, lambda c, q=q: c.article_id == q.paragraph_id and c.text == q.sentence)
                 for q in squad.questions if q.paragraph_id.rsplit("/", 1)[0] in held_out]
    return await library_reads("squad", squad.articles, questions, embedder)


async def news_reads(embedder: Embedder, quick: bool) -> list[Read]:
    """The answerable news dev questions whose article is in the library."""
    articles = news_articles(QUICK_ARTICLES if quick else None)
    known = {article.id for article in articles}
    questions = [(q.question, lambda c, q=q: c.article_id == q.article_id and q.answer in c.text)
                 for q in answerable_questions() if q.split == "dev" and q.article_id in known]
    return await library_reads("news-quick" if quick else "news", articles, questions, embedder)


def wikiqa_reads(embedder: Embedder, reader: PairReader) -> list[Read]:
    """WikiQA dev: each question's own candidates, ranked and read as qa.py does."""
    questions = wikiqa_questions("dev")
    texts = list(dict.fromkeys([q.question for q in questions] + [s for q in questions for s in q.sentences]))
    vectors = dict(zip(texts, embedder.embed(texts), strict=True))
    reads = []
    for question in questions:
        scored = first_stage(question, np.stack([vectors[s] for s in question.sentences]) @ vectors[question.question])
        logits = read_best(question, scored, reader, MAX_DEPTH).tolist()
        right = lambda c, q=question: bool(q.labels[c.sentence_id])  # noqa: E731
        reads.append(Read(question.question, scored, logits, right, {"": question.title}))
    return reads


def first_right(reads: Sequence[Read], depth: int, weight: float) -> float:
    """Share of questions whose first candidate, after the reader, is right."""
    return mean(r.right(rerank(r.first_stage, r.logits[:depth], weight)[0][1]) for r in reads)


def mean_precision(reads: Sequence[Read], depth: int, weight: float) -> float:
    """Mean average precision after the reader."""
    return mean(average_precision([int(r.right(c)) for _, c in rerank(r.first_stage, r.logits[:depth], weight)])
                for r in reads)


def reading_ms(reader: PairReader, reads: Sequence[Read], depth: int) -> float:
    """Median milliseconds the reader takes for a question's best `depth` (with titles; no previous sentences)."""
    times = []
    for r in reads[:60]:
        passages = reader_passages([c for _, c in r.first_stage[:depth]], r.titles, {})
        started = time.perf_counter()
        reader.read(r.question, passages)
        times.append(time.perf_counter() - started)
    return float(np.median(times)) * 1000


def main() -> None:
    """Read every dev set once, then print the table of depths and weights."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="news questions on the first 2,000 articles per outlet")
    quick = parser.parse_args().quick
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    reader = PairReader(SHIPPED)
    squad, news = asyncio.run(squad_reads(embedder)), asyncio.run(news_reads(embedder, quick))
    wikiqa = wikiqa_reads(embedder, reader)
    print(f"dev questions: SQuAD held-out {len(squad)}, news {len(news)}, WikiQA {len(wikiqa)}")
    print(f"first stage alone: SQuAD @1 {first_right(squad, 0, 0):.3f}, news @1 {first_right(news, 0, 0):.3f},"
          f" WikiQA MAP {mean_precision(wikiqa, 0, 0):.3f}\n")
    print("| depth | weight | SQuAD held-out @1 | news dev @1 | WikiQA dev MAP | reader ms (median) |")
    print("|---|---|---|---|---|---|")
    for depth in DEPTHS:
        milliseconds = reading_ms(reader, news, depth)
        for weight in WEIGHTS:
            print(f"| {depth} | {weight} | {first_right(squad, depth, weight):.3f}"
                  f" | {first_right(news, depth, weight):.3f} | {mean_precision(wikiqa, depth, weight):.3f}"
                  f" | {milliseconds:.0f} |")


if __name__ == "__main__":
    main()
