"""Search at library sizes of 100k, 300k and 1M sentences: build time, disk, RSS, ask latency and dense recall@50.

Usage: python benchmarks/scale.py [--sizes N ...] [--real-model-up-to N] [--reuse] [--cache DIR] [--out FILE]

Synthetic articles are made of real sentences, read from ../shared/data at run time and never copied into the
project: each joins about 15-30 sentences, a random half (in order) of each of 2-3 real articles of one pool (a BBC
category or a Reuters topic; more of the short Reuters articles), with a unique id, a title, an outlet and a date
from 2015-2024 (fixed seed); one newsbot's near-duplicate detector would call a copy is drawn again. One JSONL per
size is written into the cache folder (default ~/.cache/newsbot-bench/scale/<size>-<model>/) beside its library.
- build: `python -m bot ingest <file>` end to end, wall seconds; the real model (ONNX) up to --real-model-up-to
  sentences, "hashing-384" above; `--reuse` keeps a complete cached library and its recorded build time;
- measure, in a fresh process per size (this script with --measure): one Library with the real model loaded too
  (a bot's footprint), 5 warm-up questions, then `await library.ask(q)` timed over 200 questions (the
  answerable dev + test questions, topped up from article titles); RSS is VmRSS after them (VmHWM the peak);
- recall@50: the vector index's top 50 passages against exact top 50 by brute force over every chunk
  embedding in newsbot.db (ties at the 50th score count as hits).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from tables import print_rows

from index import Article, Embedder, EngineSettings, Library, StoreSettings, load_embedder
from index.ingest.duplicates import Signed, band_keys, is_copy, signed
from index.ingest.sentences import segment_article
from index.store.backends import DATABASE_FILE
from index.store.blobs import matrix_from_blobs

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
QUESTIONS = Path(__file__).resolve().parent / "questions" / "answerable.jsonl"
REAL_MODEL = "all-MiniLM-L6-v2"
HASHING = "hashing-384"
ASKED, WARM_UP, K = 200, 5, 50
Source = dict[str, list[tuple[str, list[str]]]]  # pool -> (title, sentences) of each article


def real_articles() -> Source:
    """Every real article as its title and sentences, pooled by BBC category and by Reuters first topic."""
    pools: dict[str, list[tuple[str, str]]] = {}
    with open(DATA / "bbc_news" / "articles.jsonl", encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            if record["duplicate_of"] is None:
                pools.setdefault(f"BBC/{record['category']}", []).append((record["title"], record["text"]))
    for split in ("test", "train"):
        path = DATA / "reuters21578" / f"reuters21578_{split}.jsonl"
        if path.exists():
            with path.open(encoding="utf-8") as lines:
                for record in map(json.loads, lines):
                    topic = (record["topics"] or ["none"])[0]
                    pools.setdefault(f"Reuters/{topic}", []).append((record["title"].title(), record["body"]))
    for pool in [pool for pool, articles in pools.items() if len(articles) < 50]:  # small topics together
        pools.setdefault("Reuters/other", []).extend(pools.pop(pool))
    return {pool: [(title, [s.text for s in segment_article(text)]) for title, text in articles]
            for pool, articles in pools.items()}


def synthetic_article(rng: random.Random, pools: Source, number: int) -> tuple[dict[str, str], int]:
    """About 15-30 real sentences: half of each of 2-3 articles of one pool (more of the short Reuters ones).

    Half of each, picked at random, keeps two articles drawn from the same sources mostly below the near-duplicate
    detector's thresholds; `Unique` skips the rare one it would still call a copy (MinHash estimates vary).
    """
    pool = rng.choices(sorted(pools), weights=[len(pools[name]) for name in sorted(pools)])[0]
    wanted, titles = rng.randint(15, 30), []
    parts: list[list[str]] = []
    used: set[int] = set()
    while sum(len(part) for part in parts) < wanted and len(used) < len(pools[pool]):
        drawn = rng.randrange(len(pools[pool]))
        if drawn in used:
            continue
        used.add(drawn)
        title, sentences = pools[pool][drawn]
        kept = sorted(rng.sample(range(len(sentences)), (len(sentences) + 1) // 2))
        parts.append([sentences[n] for n in kept])
        titles.append(title)
    published = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    record = {"id": f"scale/{number:07d}", "title": f"{titles[0]} ({number})",
              "text": "\n\n".join(" ".join(part) for part in parts if part),
              "source": "BBC News" if pool.startswith("BBC") else "Reuters", "published": published.isoformat()}
    return record, len(segment_article(record["text"]))  # as newsbot will split it


class Unique:
    """Articles newsbot's near-duplicate detector sees as distinct stories (its MinHash, bands and thresholds)."""

    def __init__(self) -> None:
        self.signed: list[Signed] = []
        self.bands: dict[int, list[int]] = {}

    def add(self, record: dict[str, str]) -> bool:
        """Keep the record unless it is a copy of one kept before; whether it was kept."""
        item = signed(Article(record["id"], record["title"], record["text"]))
        if item is None:
            return False
        keys = band_keys(item.signature)
        near = {n for key in keys for n in self.bands.get(key, ())}
        if any(is_copy(item, self.signed[n]) is not None for n in near):
            return False
        for key in keys:
            self.bands.setdefault(key, []).append(len(self.signed))
        self.signed.append(item)
        return True


def write_articles(path: Path, target: int, seed: int = 13) -> int:
    """Synthetic articles until they hold `target` sentences, as one JSONL file; how many articles were written."""
    pools = real_articles()
    rng = random.Random(seed)
    written = sentences = 0
    unique = Unique()
    with path.open("w", encoding="utf-8") as out:
        while sentences < target:
            record, count = synthetic_article(rng, pools, written)
            if count and unique.add(record):
                out.write(json.dumps(record) + "\n")
                written, sentences = written + 1, sentences + count
    return written


def build(folder: Path, size: int, model: str, reuse: bool) -> dict[str, Any]:
    """The library for one size in folder/data, built by `newsbot ingest` unless a complete one is reused."""
    record = folder / "build.json"
    if reuse and record.exists() and (folder / "data" / DATABASE_FILE).exists():
        return {**json.loads(record.read_text()), "reused": True}
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    archive = folder / "articles.jsonl"
    written = write_articles(archive, size)
    config = folder / "config.toml"
    config.write_text(f'data_dir = "{folder / "data"}"\n\n[embedding]\nmodel = "{model}"\n')
    env = {key: value for key, value in os.environ.items() if key != "NEWSBOT_DATA_DIR"}
    env |= {"NEWSBOT_CONFIG": str(config), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "ingest", str(archive)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    result = {"size": size, "model": model, "written": written, "build_s": time.perf_counter() - started}
    record.write_text(json.dumps(result))
    return {**result, "reused": False}


def questions(library_db: Path) -> list[str]:
    """The answerable dev and test questions, topped up to ASKED with questions made of article titles."""
    with QUESTIONS.open(encoding="utf-8") as lines:
        asked = [r["q"] for r in map(json.loads, lines) if r["split"] in ("dev", "test")][:ASKED]
    with sqlite3.connect(library_db) as db:
        titles = [row[0] for row in db.execute("SELECT title FROM articles WHERE scope IS NULL ORDER BY id"
                                               " LIMIT ?", (ASKED * 4,))]
    extra = random.Random(7).sample(titles, min(len(titles), ASKED - len(asked)))
    return asked + [f"What happened in {title.rsplit(' (', 1)[0]}?" for title in extra]


def exact_matrix(library_db: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every chunk id of the operator's library and its embedding (float32 or float16 blobs, by length)."""
    with sqlite3.connect(library_db) as db:
        dimension = int(db.execute("SELECT value FROM meta WHERE key = 'dimension'").fetchone()[0])
        rows = db.execute("SELECT c.id, c.embedding FROM chunks c JOIN articles a ON a.id = c.article_id"
                          " WHERE a.scope IS NULL ORDER BY c.id").fetchall()
    return np.array([row[0] for row in rows], dtype=np.int64), matrix_from_blobs([row[1] for row in rows], dimension)


async def recall(library: Library, asked: list[str], library_db: Path) -> tuple[float, list[float]]:
    """Mean share of the exact top K passages the vector index finds (a tie with the K-th exact score counts), and
    the seconds each of those vector searches took."""
    ids, matrix = exact_matrix(library_db)
    row_of = {int(chunk): n for n, chunk in enumerate(ids)}
    shares, seconds = [], []
    for question in asked:
        vector = library._embedder.embed([question])[0]
        scores = matrix @ vector
        k = min(K, len(ids))
        exact = np.argpartition(-scores, k - 1)[:k]
        floor = scores[exact].min() - 1e-5
        started = time.perf_counter()
        hits = await library._vectors.search(vector, K)
        seconds.append(time.perf_counter() - started)
        found = [row_of.get(chunk) for chunk, _ in hits]
        shares.append(sum(1 for n in found if n is not None and scores[n] >= floor) / k)
    return statistics.fmean(shares), seconds


def model_seconds(model: Embedder, asked: list[str]) -> list[float]:
    """The seconds the real model takes to embed each question alone (in `ask` when the library was built with it)."""
    seconds = []
    for question in asked:
        started = time.perf_counter()
        model.embed([question])
        seconds.append(time.perf_counter() - started)
    return seconds


def memory() -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of this process, in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM")}


async def measure(folder: Path, store: StoreSettings | None = None) -> dict[str, Any]:
    """Open the size's library (or its copy in the database `store` names) with the real model in memory too, time
    the questions, then recall@K (disk is the data directory's: a database's is for the caller to ask)."""
    model = json.loads((folder / "build.json").read_text())["model"]
    data = folder / "data"
    store = store or StoreSettings()
    embedder = load_embedder(model, 64, "cpu", None)
    bot_model = embedder if model == REAL_MODEL else load_embedder(REAL_MODEL, 64, "cpu", None)
    bot_model.embed(["warm up"])
    library = await Library.open(data, embedder, EngineSettings(store=store))
    try:
        await library.warm_up()
        stats = await library.stats()
        asked = questions(data / DATABASE_FILE)
        for question in asked[:WARM_UP]:
            await library.ask(question)
        seconds = []
        for question in asked:
            started = time.perf_counter()
            await library.ask(question)
            seconds.append(time.perf_counter() - started)
        rss = memory()
        found, dense = await recall(library, asked, data / DATABASE_FILE)  # a copy keeps SQLite's ids
        index = f"HNSW, ef_search {store.ef_search}" if store.url else faiss_index(library)
    finally:
        await library.close()
    disk = 0 if store.url else sum(path.stat().st_size for path in data.rglob("*") if path.is_file())  # log folded
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100)
    return {"sentences": stats.sentences, "passages": stats.passages, "articles": stats.articles,
            "disk_mb": disk / 1e6, "rss_mb": rss["VmRSS"], "hwm_mb": rss["VmHWM"], "asked": len(seconds),
            "p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "recall": found,
            "index": index,
            "dense_p50": statistics.median(dense) * 1000,
            "model_p50": statistics.median(model_seconds(bot_model, asked)) * 1000}


def faiss_index(library: Library) -> str:
    """The kind of the library's FAISS index: exact, or IVF and its lists."""
    index = library._vectors._indexes[None]  # type: ignore[attr-defined]
    return "exact" if index.exact else f"IVF, {index._index.nlist:,} lists"


def row(built: dict[str, Any], measured: dict[str, Any]) -> dict[str, str]:
    """One size's table row."""
    wall = built["build_s"]
    return {
        "embedder": built["model"], "sentences": f"{measured['sentences']:,}",
        "passages": f"{measured['passages']:,}",
        "articles (written)": f"{measured['articles']:,} ({built['written']:,})",
        "build s": f"{wall:,.0f}" + (" (reused)" if built["reused"] else ""),
        "sentences/s": f"{measured['sentences'] / wall:,.0f}", "disk MB": f"{measured['disk_mb']:,.0f}",
        "RSS MB (peak)": f"{measured['rss_mb']:,.0f} ({measured['hwm_mb']:,.0f})",
        "ask p50 / p95 / p99 ms": f"{measured['p50']:,.0f} / {measured['p95']:,.0f} / {measured['p99']:,.0f}",
        "index": measured["index"], f"recall@{K}": f"{measured['recall']:.3f}",
        "dense p50 ms": f"{measured['dense_p50']:.1f}",
        f"{REAL_MODEL} p50 ms": f"{measured['model_p50']:.1f}" + (" (in ask)" if built["model"] == REAL_MODEL
                                                                   else " (not in ask)"),
    }


def measured_apart(folder: Path) -> dict[str, Any]:
    """The measurement of one size, in a fresh process of this script (its RSS is that size's alone)."""
    run = subprocess.run([sys.executable, __file__, "--measure", str(folder)], capture_output=True, text=True,
                         env=os.environ | {"HF_HUB_OFFLINE": "1"})
    if run.returncode:
        sys.exit(f"measuring {folder} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def header() -> str:
    """The machine the table was measured on: load averages and cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min), {os.cpu_count()} cores"


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--real-model-up-to", type=int, default=100_000,
                        help=f"sizes up to this use {REAL_MODEL}, larger ones {HASHING}")
    parser.add_argument("--reuse", action="store_true", help="keep a complete cached library of the size")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "newsbot-bench" / "scale")
    parser.add_argument("--out", type=Path, help="also write the table as Markdown to this file")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    """Build (or reuse) each size's library, measure it in a process of its own, print the table."""
    args = parse()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure))))
        return
    before = header()
    rows = []
    for size in args.sizes:
        model = REAL_MODEL if size <= args.real_model_up_to else HASHING
        folder = args.cache / f"{size}-{model}"
        built = build(folder, size, model, args.reuse)
        measured = measured_apart(folder)
        if measured["articles"] != built["written"]:
            print(f"warning: {size:,}: {built['written']:,} articles written, {measured['articles']:,} stored",
                  file=sys.stderr)
        rows.append(row(built, measured))
        print(f"{size:,} done: {rows[-1]}", file=sys.stderr, flush=True)
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        print(f"Before: {before}. After: {header()}.\n")
        print_rows(rows)
        print(f"\nRSS is VmRSS after the {ASKED} questions (VmHWM, the peak, in brackets), with {REAL_MODEL} loaded;"
              f" libraries in {args.cache}.")
    print(table.getvalue(), end="")
    if args.out:
        args.out.write_text(table.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
