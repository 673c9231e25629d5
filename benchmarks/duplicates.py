"""Near-duplicate articles on real news (BBC + Reuters from ../shared/data): what the check finds and what it costs.

Usage: python benchmarks/duplicates.py [--step 1000] [--batch 32]

The articles are read from ../shared/data at run time and never copied into the project. Every BBC article
(the corpus holds 133 exact repeats, labelled) and every Reuters story with a body is ingested into one library,
in corpus order, with the hashing embedder: the duplicate check does not depend on the model.
- found: how many articles the ingest kept as copies, how close they were, and how many labelled BBC repeats
  it caught;
- LSH recall: every pair compared exhaustively against the pairs that share an LSH band (the only ones the
  check compares);
- cost: before each step of `--step` articles, the time to check a batch of `--batch` articles not yet stored
  (signatures, the band lookup in SQLite and the plan) against the library as it is, per article.
Results replace the `duplicates` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from qa_report import RESULTS_FILE, PartResult, Row, machine, markdown_table, notes_text

from index import Article, EngineSettings, Library
from index.embedder import HashingEmbedder
from index.ingest.duplicates import MIN_SHINGLES, Signed, band_keys, is_copy, plan_duplicates, signed
from index.ingest.files import article_from_record
from index.store.backends import DATABASE_FILE
from index.store.sqlite.store import Store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def corpus() -> tuple[list[Article], dict[str, str]]:
    """BBC articles (undated) then Reuters stories (dated), and the labelled BBC repeats (id -> earlier id)."""
    with open(DATA / "bbc_news" / "articles.jsonl", encoding="utf-8") as lines:
        bbc = [json.loads(line) for line in lines]
    with open(DATA / "reuters21578" / "reuters21578_test.jsonl", encoding="utf-8") as lines:
        reuters = [json.loads(line) for line in lines]
    articles = [article_from_record({"id": f"bbc/{r['id']}", "title": r["title"], "text": r["text"],
                                     "source": "BBC News"}, "bbc") for r in bbc]
    articles += [article_from_record({"id": f"reuters/{r['newid']}", "title": r["title"].title(), "text": r["body"],
                                      "published": r["date"].split("#")[0], "source": "Reuters"}, "reuters")
                 for r in reuters if r["body"].strip()]
    repeats = {f"bbc/{r['id']}": f"bbc/{r['duplicate_of']}" for r in bbc if r["duplicate_of"]}
    return articles, repeats


async def check_cost(store: Store, batch: list[Article]) -> float:
    """Seconds per article to check a batch against the library: sign, look up shared bands, plan."""
    started = time.perf_counter()
    incoming = [item for item in map(signed, batch) if item is not None]
    plan_duplicates(incoming, await store.copies.candidates(incoming, None))
    return (time.perf_counter() - started) / len(batch)


async def ingest_all(articles: list[Article], step: int, batch: int, folder: Path) -> tuple[list[Row], list[str]]:
    """Ingest the corpus step by step, timing the check before each step; rows for the cost table."""
    library = await Library.open(folder, HashingEmbedder(), EngineSettings())
    store = await Store.open(folder / DATABASE_FILE)  # a second connection, as the ingest's check reads it
    rows, notes, duplicates, started = [], [], 0, time.perf_counter()
    try:
        for start in range(0, len(articles), step):
            if start:
                cost = statistics.median([await check_cost(store, articles[start:start + batch])
                                          for _ in range(5)])
                rows.append(Row("cost", "BBC + Reuters", start, "check per article (median of 5 batches)",
                                f"{cost * 1000:.2f} ms"))
            report = await library.ingest_articles(articles[start:start + step])
            duplicates += report.duplicates
        stats = await library.stats()
    finally:
        await store.close()
        await library.close()
    notes.append(f"ingested {len(articles):,} articles in {time.perf_counter() - started:.0f} s (hashing embedder):"
                 f" {stats.articles:,} originals, {stats.copies:,} copies ({duplicates:,} newcomers that repeated"
                 f" a stored article; stored originals that became copies of an earlier-dated newcomer:"
                 f" {stats.copies - duplicates:,})")
    notes.append("cost: 2 cores shared with other work; the check is signing, one indexed band lookup per batch"
                 " and the plan, with no scan of stored texts or signatures")
    return rows, notes


def found_rows(db_path: Path, repeats: dict[str, str], total: int) -> list[Row]:
    """What the ingest kept as copies: how many, how close, and the labelled BBC repeats caught."""
    with sqlite3.connect(db_path) as db:
        copies = db.execute("SELECT id, original_id, similarity FROM copies").fetchall()
    original = {copy: first for copy, first, _ in copies}
    group = {article: original.get(article, article) for pair in repeats.items() for article in pair}
    caught = sum(group[a] == group[b] for a, b in repeats.items())
    scores = np.array([score for *_, score in copies])
    rows = [Row("found", "BBC + Reuters", total, "articles kept as copies", f"{len(copies):,}")]
    for outlet in ("bbc", "reuters"):
        count = sum(copy.startswith(outlet) for copy, *_ in copies)
        rows.append(Row("found", outlet, total, "of which", f"{count:,}"))
    rows += [Row("found", "BBC + Reuters", len(copies), "similarity 1.0 (same text)", f"{(scores >= 1).sum():,}"),
             Row("found", "BBC + Reuters", len(copies), "similarity 0.45-1 (edited)",
                 f"{((scores >= 0.45) & (scores < 1)).sum():,}"),
             Row("found", "BBC + Reuters", len(copies), "similarity < 0.45 (contained: cut short)",
                 f"{(scores < 0.45).sum():,}"),
             Row("found", "BBC labelled repeats", len(repeats), "caught (same group)", f"{caught:,}",
                 target=f"{len(repeats):,}")]
    return rows


def lsh_rows(articles: list[Article]) -> list[Row]:
    """Pairs that are copies by exhaustive comparison, and the share of them sharing an LSH band."""
    started = time.perf_counter()
    items: list[Signed] = [item for item in map(signed, articles) if item is not None]
    signing = (time.perf_counter() - started) / len(articles)
    matrix = np.stack([item.signature for item in items])
    keys = [set(band_keys(item.signature)) for item in items]
    pairs = shared = 0
    for i, item in enumerate(items):
        equal = (matrix[i + 1:] == matrix[i]).mean(axis=1)
        for j in np.nonzero(equal >= 0.2)[0] + i + 1:  # below 0.2 nothing is a copy (duplicates.py)
            if is_copy(item, items[j]) is not None:
                pairs += 1
                shared += bool(keys[i] & keys[j])
    short = sum(item.size < MIN_SHINGLES for item in items)
    return [Row("LSH", "BBC + Reuters", len(items), "copy pairs by exhaustive comparison", f"{pairs:,}"),
            Row("LSH", "BBC + Reuters", pairs, "of which share a band (found)", f"{shared / max(pairs, 1):.1%}",
                target="100%"),
            Row("LSH", "BBC + Reuters", len(items), f"short texts (< {MIN_SHINGLES} shingles, 0.8 bar)",
                f"{short:,}"),
            Row("cost", "BBC + Reuters", len(articles), "signature per article (of the check below)",
                f"{signing * 1000:.2f} ms")]


def write_section(result: PartResult, command: str) -> None:
    """Replace (or add, at the end) this benchmark's section of RESULTS.md, leaving the other sections as they are."""
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    begin, end = f"<!-- part: {result.key} -->", f"<!-- end: {result.key} -->"
    section = (f"{begin}\n## {result.title}\n\n{stamp} · {machine()} · `{command}`\n\n"
               f"{markdown_table(result.rows)}\n\n{notes_text([result])}\n{end}\n")
    old = RESULTS_FILE.read_text(encoding="utf-8")
    if begin in old:
        new = old[:old.index(begin)] + section + old[old.index(end) + len(end) + 1:]
    else:
        new = f"{old.rstrip()}\n\n{section}"
    RESULTS_FILE.write_text(new, encoding="utf-8")


def main() -> None:
    """Run, print the table and update benchmarks/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, default=1000, help="articles ingested between cost checks (1000)")
    parser.add_argument("--batch", type=int, default=32, help="articles per checked batch (32, as ingest does)")
    args = parser.parse_args()
    articles, repeats = corpus()
    result = PartResult("duplicates", "duplicates: near-duplicate articles in BBC + Reuters")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        cost, notes = asyncio.run(ingest_all(articles, args.step, args.batch, Path(folder)))
        found = found_rows(Path(folder) / DATABASE_FILE, repeats, len(articles))
    result.rows = found + lsh_rows(articles) + cost
    result.notes = notes
    result.seconds = time.monotonic() - started
    print(markdown_table(result.rows))
    print(f"\n{notes_text([result])}")
    write_section(result, " ".join(["python benchmarks/duplicates.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
