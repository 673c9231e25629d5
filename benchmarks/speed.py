"""Ingest and question speed on real news (BBC + Reuters from ../shared/data), printed as a markdown table.

Usage: python benchmarks/speed.py [--articles N] [--questions N] [--model NAME]

The articles are read from ../shared/data at run time and never copied into the project.
Each question is an article's headline; "own article cited" counts answers that cite that article,
a rough check that retrieval still finds the right story as the library grows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import tempfile
import time
from itertools import islice
from pathlib import Path

from tables import print_rows

from index import Article, EngineSettings, Library, load_embedder
from index.ingest.files import article_from_record

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def bbc_articles() -> list[Article]:
    """BBC articles (no dates or URLs in this corpus), without the exact duplicates."""
    with open(DATA / "bbc_news" / "articles.jsonl", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [article_from_record({"id": f"bbc/{r['id']}", "title": r["title"], "text": r["text"],
                                 "source": "BBC News"}, "bbc")
            for r in records if not r["duplicate_of"]]


def reuters_articles() -> list[Article]:
    """Dated Reuters wire stories from 1987."""
    with open(DATA / "reuters21578" / "reuters21578_test.jsonl", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [article_from_record({"id": f"reuters/{r['newid']}", "title": r["title"].title(), "text": r["body"],
                                 "published": r["date"].split("#")[0], "source": "Reuters"}, "reuters")
            for r in records if len(r["body"]) > 200]


def interleave(*groups: list[Article]) -> list[Article]:
    """Mix the outlets so any prefix holds both."""
    mixed = []
    for items in zip(*groups, strict=False):
        mixed.extend(items)
    return mixed


async def measure(articles: list[Article], questions: int, model: str) -> dict[str, str]:
    """Ingest the articles, ask headline questions, and return the figures."""
    embedder = load_embedder(model, 64, "cpu", None)
    embedder.embed(["warm up"])  # model loading is not ingest time
    with tempfile.TemporaryDirectory() as folder:
        library = await Library.open(Path(folder), embedder, EngineSettings())
        started = time.perf_counter()
        report = await library.ingest_articles(articles)
        ingest_seconds = time.perf_counter() - started
        stats = await library.stats()
        latencies, cited = [], 0
        for article in islice(articles, 0, len(articles), max(1, len(articles) // questions)):
            started = time.perf_counter()
            answer = await library.ask(article.title)
            latencies.append(time.perf_counter() - started)
            cited += any(source.article_id == article.id for source in answer.sources)
        await library.close()
    latencies.sort()
    return {
        "articles": f"{report.new:,}", "sentences": f"{stats.sentences:,}", "passages": f"{stats.passages:,}",
        "ingest s": f"{ingest_seconds:.1f}", "sentences/s": f"{stats.sentences / ingest_seconds:,.0f}",
        "ask p50 ms": f"{1000 * statistics.median(latencies):.0f}",
        "ask p95 ms": f"{1000 * latencies[int(0.95 * (len(latencies) - 1))]:.0f}",
        "own article cited": f"{cited}/{len(latencies)}",
        "db MB": f"{stats.database_bytes / 1e6:.1f}", "faiss MB": f"{stats.vectors_bytes / 1e6:.1f}",
        "peak RSS MB": f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
    }


def main() -> None:
    """Run the benchmark at each requested size and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    args = parser.parse_args()
    pool = interleave(bbc_articles(), reuters_articles())
    rows = [asyncio.run(measure(pool[:size], args.questions, args.model)) for size in args.articles]
    print(f"model: {args.model}\n")
    print_rows(rows)


if __name__ == "__main__":
    main()
