"""Answer quality against published baselines, printed as one markdown table and kept in benchmarks/RESULTS.md.

Usage: python benchmarks/qa.py [--only squad,wikiqa,trecqa,abstention] [--quick] [--sample N] [--reader none]
                              [--postgres | --store-url postgresql://...]

- squad: every paragraph of SQuAD v1.1 dev is an article of one real library; a question scores @k when
  `Library.rank` puts the stored sentence holding its (first) answer in the first k. Dev = articles with even
  index in the file, test = odd; `--sample` questions (2,000) are drawn with a fixed seed.
- wikiqa, trecqa: each question's own candidate sentences ranked by the product (the learned first stage,
  `index.answers.ranking.score_candidates`: BM25 over just those candidates, passage 1.0, WikiQA page titles; then
  the pair reader over its best), by the first stage alone and by cosine alone.
- abstention: BBC + Reuters in one real library (`--quick`: the first 2,000 articles of each); unanswerable
  questions should abstain (counted by kind too), answerable ones quote their article's sentence holding the
  answer; with the latency of `Library.ask` (question log included) over the same questions.

Every part answers with the shipped pair reader unless `--reader none` (the learned first stage alone).

`--postgres` (a server of its own, through the pgserver package) or `--store-url` (a server's address) runs the parts
on the PostgreSQL backend: each cached library is copied into a fresh database, dropped afterwards, and WikiQA/TrecQA
candidates get the backend's BM25 in place of FTS5's. Those sections of RESULTS.md are written apart ("-postgresql").

The data is read from ../shared/data and the questions from benchmarks/questions at run time, never copied into
the project; the libraries built from it are cached (resumably) under ~/.cache/newsbot-bench.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import ExitStack, asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import get_args

from qa_answers import abstention_rows, latency_rows
from qa_data import (
    ANSWERABLE_FILE,
    BBC_FILE,
    REUTERS_FILE,
    SQUAD_FILE,
    TRECQA,
    UNANSWERABLE_FILE,
    WIKIQA,
    RankingQuestion,
    SquadQuestion,
    answerable_questions,
    load_squad,
    news_articles,
    trecqa_questions,
    unanswerable_questions,
    wikiqa_questions,
)
from qa_metrics import hit_at, mean
from qa_postgres import candidate_scores, copied_library, own_server
from qa_ranking import ranking_rows
from qa_report import PartResult, Row, markdown_table, notes_text, update_results

from index import Answer, AnswerPolicy, Article, Embedder, EngineSettings, Library, load_embedder
from index.answers.reader import open_reader
from index.embedder import DEFAULT_MODEL
from index.settings import PassageVectors, StoreSettings

CACHE = Path.home() / ".cache" / "newsbot-bench"
PASSAGES: PassageVectors = EngineSettings().passage_vectors
SEED = 4
QUICK_ARTICLES = 2_000
INGEST_SLICE = 256
SQUAD_BASELINES = {"@1": "dense 0.579 · BM25 0.611 · RRF 0.634 (all 2,000)", "@5": "RRF 0.839 (all 2,000)"}
SQUAD_TARGETS = {"@1": "≥ 0.75", "@3": "≥ 0.90"}

Part = Callable[[argparse.Namespace, Embedder], Coroutine[None, None, PartResult]]


def cache_folder(name: str, passages: PassageVectors = PASSAGES) -> Path:
    """Where a benchmark library is cached: one per way of making passage vectors, which its vectors depend on."""
    return CACHE / f"{name}-{passages}-passages"


async def cached_library(folder: Path, articles: Sequence[Article], embedder: Embedder,
                         passages: PassageVectors = PASSAGES,
                         policy: AnswerPolicy | None = None) -> tuple[Library, str]:
    """Open the library cached in `folder` (answering by `policy`), first ingesting whatever of `articles` it lacks
    (so it resumes)."""
    settings = EngineSettings(passage_vectors=passages, policy=policy or AnswerPolicy())
    library = await Library.open(folder, embedder, settings)
    started, added = time.monotonic(), 0
    try:
        for start in range(0, len(articles), INGEST_SLICE):
            report = await library.ingest_articles(articles[start:start + INGEST_SLICE])
            added += report.new + report.updated
            if added:
                done = min(start + INGEST_SLICE, len(articles))
                print(f"\r{folder.name}: {done:,}/{len(articles):,} articles in the library, {added:,} ingested"
                      f" in {time.monotonic() - started:,.0f}s", end="", file=sys.stderr, flush=True)
    except BaseException:
        await library.close()  # what was ingested stays: the next run resumes from it
        raise
    if not added:
        return library, f"library cache {folder} reused"
    minutes = (time.monotonic() - started) / 60
    print(file=sys.stderr)
    return library, f"library cache {folder} built: {added:,} articles ingested in {minutes:.1f} min"


@asynccontextmanager
async def benchmark_library(args: argparse.Namespace, name: str, articles: Sequence[Article],
                            embedder: Embedder) -> AsyncIterator[tuple[Library, list[str]]]:
    """The cached library `name` of `articles` (in a fresh PostgreSQL database when args.server names a server), with
    notes on how it was made; closed (and the database dropped) afterwards."""
    folder, policy = cache_folder(name, args.passage_vectors), AnswerPolicy(reader=args.reader)
    library, note = await cached_library(folder, articles, embedder, args.passage_vectors, policy)
    if not args.server:
        try:
            yield library, [note]
        finally:
            await library.close()
        return
    await library.close()
    async with copied_library(folder, args.server) as (url, copied):
        settings = EngineSettings(passage_vectors=args.passage_vectors, policy=policy, store=StoreSettings(url=url))
        library = await Library.open(folder, embedder, settings)
        try:
            yield library, [note, copied]
        finally:
            await library.close()


async def squad_part(args: argparse.Namespace, embedder: Embedder) -> PartResult:
    """Gold-sentence rank among everything `Library.rank` weighs, over a library of all SQuAD dev paragraphs."""
    squad = load_squad()
    picked = random.Random(SEED).sample(squad.questions, min(args.sample, len(squad.questions)))
    async with benchmark_library(args, "squad", squad.articles, embedder) as (library, notes):
        labels = [await squad_labels(library, question) for question in picked]
        sentences = (await library.stats()).sentences
    result = PartResult("squad", notes=[*notes, (
        f"{len(picked):,} questions drawn (seed {SEED}) from the {len(squad.questions):,} whose first answer lies in"
        f" one sentence; {squad.crossing} answers spanning two sentences left out")])
    part = f"SQuAD v1.1 dev, corpus-wide ({sentences:,} sentences)"
    for split in ("dev", "test", "all"):
        chosen = [found for question, found in zip(picked, labels, strict=True) if split in ("all", question.split)]
        for k in (1, 3, 5):
            result.rows.append(Row(part, split, len(chosen), f"@{k}", f"{mean(hit_at(x, k) for x in chosen):.3f}",
                                   SQUAD_BASELINES.get(f"@{k}", "") if split == "all" else "",
                                   SQUAD_TARGETS.get(f"@{k}", "")))
        result.rows.append(Row(part, split, len(chosen), "gold among candidates", f"{mean(map(any, chosen)):.3f}"))
    return result


async def squad_labels(library: Library, question: SquadQuestion) -> list[int]:
    """1 for the gold sentence, 0 for the others, in the order `Library.rank` puts the candidates."""
    ranked = (await library.rank(question.question)).scored
    return [int(c.article_id == question.paragraph_id and c.text == question.sentence) for _, c in ranked]


async def wikiqa_part(args: argparse.Namespace, embedder: Embedder) -> PartResult:
    """WikiQA answer sentence selection on the official filtered qrels."""
    splits = {split: wikiqa_questions(split) for split in ("dev", "test")}
    note = "official filtered qrels: questions with no correct or only correct candidates left out"
    return PartResult("wikiqa", rows=await selection_rows(args, "WikiQA", splits, embedder), notes=[note])


async def trecqa_part(args: argparse.Namespace, embedder: Embedder) -> PartResult:
    """TrecQA answer sentence selection on the clean splits (lower-cased, tokenized text)."""
    splits = {split: trecqa_questions(split) for split in ("clean-dev", "clean-test")}
    note = "the published figures are of models trained on TrecQA: for reference only"
    return PartResult("trecqa", rows=await selection_rows(args, "TrecQA", splits, embedder), notes=[note])


async def selection_rows(args: argparse.Namespace, name: str, splits: dict[str, list[RankingQuestion]],
                         embedder: Embedder) -> list[Row]:
    """An answer sentence selection part's rows, its candidates' BM25 from FTS5 or from the PostgreSQL backend."""
    reader = open_reader(args.reader)
    if not args.server:
        return ranking_rows(name, splits, embedder, reader)
    scores = await candidate_scores(args.server, [question for split in splits.values() for question in split])
    return ranking_rows(name, splits, embedder, reader, scores.__getitem__)


async def abstention_part(args: argparse.Namespace, embedder: Embedder) -> PartResult:
    """Abstain on unanswerable news questions, quote the right sentence for answerable ones; ask latency."""
    articles = news_articles(QUICK_ARTICLES if args.quick else None)
    known = {article.id for article in articles}
    every = answerable_questions()
    answerable = [question for question in every if question.article_id in known]
    unanswerable = unanswerable_questions()
    async with benchmark_library(args, "news-quick" if args.quick else "news", articles, embedder) as (library,
                                                                                                       notes):
        await library.warm_up()
        await library.ask("warm up", log=False)
        refused, refused_times = await ask_all(library, [question.question for question in unanswerable])
        answers, answer_times = await ask_all(library, [question.question for question in answerable])
        sentences = (await library.stats()).sentences
    result = PartResult("abstention", notes=notes)
    if args.quick:
        result.notes.append(f"--quick: first {QUICK_ARTICLES:,} articles of each outlet; {len(every) - len(answerable)}"
                            " answerable questions whose article is not among them left out")
    part = f"Abstention, BBC + Reuters ({sentences:,} sentences{', --quick' if args.quick else ''})"
    result.rows = abstention_rows(part, list(zip(unanswerable, refused, strict=True)),
                                  list(zip(answerable, answers, strict=True)))
    result.rows += latency_rows(f"`Library.ask` latency ({sentences:,} sentences)", refused_times + answer_times)
    return result


async def ask_all(library: Library, questions: Sequence[str]) -> tuple[list[Answer], list[float]]:
    """Each question's answer, and the seconds `Library.ask` took for it."""
    answers, seconds = [], []
    for question in questions:
        started = time.perf_counter()
        answers.append(await library.ask(question))
        seconds.append(time.perf_counter() - started)
    return answers, seconds


# key -> (title, the part, the data it needs)
PARTS: dict[str, tuple[str, Part, list[Path]]] = {
    "squad": ("SQuAD v1.1 dev, corpus-wide sentence retrieval", squad_part, [SQUAD_FILE]),
    "wikiqa": ("WikiQA answer sentence selection", wikiqa_part,
               [WIKIQA / f"WikiQA-{s}{x}" for s in ("dev", "test") for x in (".tsv", "-filtered.ref")]),
    "trecqa": ("TrecQA answer sentence selection", trecqa_part, [TRECQA / "clean-dev", TRECQA / "clean-test"]),
    "abstention": ("Abstention and latency on BBC + Reuters", abstention_part,
                   [BBC_FILE, REUTERS_FILE, UNANSWERABLE_FILE, ANSWERABLE_FILE]),
}


async def run_part(key: str, args: argparse.Namespace, embedder: Embedder) -> PartResult:
    """Run one part, or skip it with a note when its data is missing."""
    title, part, needs = PARTS[key]
    missing = [path for path in needs if not path.exists()]
    if missing:
        return PartResult(key, title, notes=[f"skipped: {', '.join(map(str, missing))} not found"])
    started = time.monotonic()
    print(f"running {key}...", file=sys.stderr, flush=True)
    result = await part(args, embedder)
    result.title, result.seconds = title, time.monotonic() - started
    if args.server:  # its own sections of RESULTS.md, beside SQLite's
        result = replace(result, key=f"{key}-postgresql", title=f"{title} (PostgreSQL)")
    return result


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    parser.add_argument("--quick", action="store_true", help="abstention on the first 2,000 articles of each outlet")
    parser.add_argument("--sample", type=int, default=2_000, help="SQuAD questions to draw (default 2,000)")
    parser.add_argument("--reader", default="shipped",
                        help='answer.reader for every part: "shipped" (default), "none" (first stage only), a folder')
    parser.add_argument("--passage-vectors", choices=get_args(PassageVectors), default=PASSAGES,
                        help=f"how the libraries' passage vectors are made (default {PASSAGES}, the engine's)")
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--postgres", action="store_true",
                         help="on the PostgreSQL backend, on a server of its own (the pgserver package)")
    backend.add_argument("--store-url", default="", metavar="URL",
                         help="on the PostgreSQL backend, on this server (a fresh database per library, dropped after)")
    args = parser.parse_args()
    unknown = set(args.only.split(",")) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    return args


def main() -> None:
    """Run the chosen parts, print one table and update benchmarks/RESULTS.md."""
    args = parse_args()
    embedder = load_embedder(DEFAULT_MODEL, 64, "cpu", None)
    keys = [key for key in PARTS if key in args.only.split(",")]
    with ExitStack() as stack:
        args.server = stack.enter_context(own_server()) if args.postgres else args.store_url
        results = [asyncio.run(run_part(key, args, embedder)) for key in keys]
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    command = " ".join(["python benchmarks/qa.py", *sys.argv[1:]])
    print(f"{stamp} · model {DEFAULT_MODEL} · `{command}`\n")
    print(markdown_table([row for result in results for row in result.rows]))
    print(f"\n{notes_text(results)}")
    update_results(results, stamp, command)


if __name__ == "__main__":
    main()
