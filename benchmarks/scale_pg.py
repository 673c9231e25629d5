"""PostgreSQL + pgvector beside SQLite + FAISS at the scale benchmark's sizes: copy, ask, recall, disk and ingest.

Usage: python benchmarks/scale_pg.py [--sizes NAME ...] [--store-url URL] [--work DIR] [--ingest N] [--out FILE]

The libraries are those benchmarks/scale.py built and cached (run it first: nothing is built here), named by their
cache folders (100000-all-MiniLM-L6-v2, 100000-hashing-384, 300000-hashing-384, 1000000-hashing-384); its questions,
warm-up, exact recall and measurement are reused.
- server: PostgreSQL 16 with pgvector from the pgserver package in --work (or the one --store-url names), a fresh
  database per library;
- copy: `python -m bot store copy --to URL` of the cached library, wall seconds (rows/s over every table); the
  moment its last table is in tells the rows' time from the HNSW build's;
- measure, in a fresh process each, as scale.py measures: SQLite + FAISS first (again in this run, for the ratio on
  a noisy machine), then the copy with [store] ef_search 100, and 200 too when recall@50 stays under 0.98; exact
  recall is over SQLite's blobs, the copy keeping every id; disk is pg_database_size; the server's memory (summed
  PSS of its processes, peak while the questions ran) is given apart from the bot process's RSS;
- ingest: the first --ingest articles (the same in every size's JSONL; hashing-384, so the store is timed rather
  than the model), and --ingest-model of them with MiniLM, by `python -m bot ingest` into a fresh SQLite data
  directory, a fresh database with one process, and a fresh database with two processes on the two halves at once
  (wall time of both, process start included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psutil  # type: ignore[import-untyped]
import scale
from tables import print_rows

from index import StoreSettings

ROOT = Path(__file__).resolve().parents[1]
SIZES = ["100000-all-MiniLM-L6-v2", "100000-hashing-384", "300000-hashing-384"]
RECALL_TARGET, EF_SEARCH, EF_MORE = 0.98, 100, 200
COPIED = re.compile(r"^(\w+): ([\d,]+) rows?$")  # `store copy` prints one such line per table, once it is copied


def database_url(server_url: str, name: str) -> str:
    """The address of another database on the same server."""
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


async def fresh_database(server_url: str, name: str) -> str:
    """An empty database of this name (dropped first if a run before left one), and its address."""
    server = await asyncpg.connect(server_url)
    try:
        await server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await server.execute(f"CREATE DATABASE {name}")
    finally:
        await server.close()
    return database_url(server_url, name)


async def database_value(url: str, sql: str) -> Any:
    """One value from the database."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


def environment(config: Path, url: str = "") -> dict[str, str]:
    """The environment of a `python -m bot` run on the config's library, in the database `url` when given."""
    env = {key: value for key, value in os.environ.items() if key not in ("NEWSBOT_DATA_DIR", "NEWSBOT_STORE_URL")}
    return env | {"NEWSBOT_CONFIG": str(config), "HF_HUB_OFFLINE": "1"} | ({"NEWSBOT_STORE_URL": url} if url else {})


def copy(folder: Path, url: str) -> dict[str, Any]:
    """`newsbot store copy` of the cached library into the database: wall seconds, and when the last row was in."""
    started = time.perf_counter()
    run = subprocess.Popen([sys.executable, "-m", "bot", "store", "copy", "--to", url], cwd=ROOT, text=True,
                           env=environment(folder / "config.toml"), stdout=subprocess.PIPE)
    rows, rows_s = {}, 0.0
    for line in run.stdout or ():
        if match := COPIED.match(line.strip()):
            rows[match[1]], rows_s = int(match[2].replace(",", "")), time.perf_counter() - started
    if run.wait():
        sys.exit(f"copying {folder} failed")
    return {"copy_s": time.perf_counter() - started, "rows_s": rows_s, "rows": sum(rows.values()),
            "copied_sentences": rows.get("sentences", 0)}


def server_pss(pid: int) -> float:
    """The server's memory in MB: proportional set size summed over the postmaster and its children."""
    try:
        postmaster = psutil.Process(pid)
        processes = [postmaster, *postmaster.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_full_info().pss
        except psutil.NoSuchProcess:  # a backend that ended meanwhile
            continue
    return total / 1e6


class ServerMemory(threading.Thread):
    """The peak of the server's memory, sampled every second while the questions run."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0.0, threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.stopped.wait(1.0):
            self.peak = max(self.peak, server_pss(self.pid))


async def measure_pg(folder: Path, url: str, ef_search: int, server_pid: int) -> dict[str, Any]:
    """scale.py's measurement of the copy in the database, with its size on disk and the server's memory."""
    sampler = ServerMemory(server_pid) if server_pid else None
    if sampler:
        sampler.start()
    measured = await scale.measure(folder, StoreSettings(url=url, ef_search=ef_search))
    if sampler:
        sampler.stopped.set()
    disk = int(await database_value(url, "SELECT pg_database_size(current_database())"))
    return measured | {"disk_mb": disk / 1e6, "server_mb": sampler.peak if sampler else None}


def measured_pg_apart(folder: Path, url: str, ef_search: int, server_pid: int) -> dict[str, Any]:
    """The measurement of the copy in a fresh process of this script (its RSS is the bot's alone)."""
    run = subprocess.run([sys.executable, __file__, "--measure", str(folder), "--store-url", url, "--ef-search",
                          str(ef_search), "--server-pid", str(server_pid)], capture_output=True, text=True,
                         cwd=ROOT, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    if run.returncode:
        sys.exit(f"measuring {folder} on PostgreSQL failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def ingest_files(cache: Path, work: Path, articles: int) -> tuple[Path, Path, Path]:
    """The first `articles` of the cached JSONL, and its two halves, as files of their own."""
    with (cache / SIZES[1] / "articles.jsonl").open(encoding="utf-8") as lines:
        head = [line for _, line in zip(range(articles), lines, strict=False)]
    files = work / f"ingest-{articles}.jsonl", work / f"ingest-{articles}-a.jsonl", work / f"ingest-{articles}-b.jsonl"
    for path, part in zip(files, (head, head[: articles // 2], head[articles // 2:]), strict=True):
        path.write_text("".join(part), encoding="utf-8")
    return files


def ingested(config: Path, files: list[Path], url: str = "") -> float:
    """Wall seconds of one `newsbot ingest` process per file, all at once, on the config's library (or `url`)."""
    started = time.perf_counter()
    runs = [subprocess.Popen([sys.executable, "-m", "bot", "ingest", str(path)], cwd=ROOT, stdout=subprocess.DEVNULL,
                             env=environment(config, url)) for path in files]
    if any(run.wait() for run in runs):
        sys.exit(f"ingesting {files} failed")
    return time.perf_counter() - started


async def ingest_rows(server_url: str, cache: Path, work: Path, model: str, articles: int) -> list[dict[str, str]]:
    """Ingest throughput of SQLite, PostgreSQL with one process and with two, for one embedder."""
    whole, first, second = ingest_files(cache, work, articles)
    rows = []
    for backend, files in (("SQLite + FAISS", [whole]), ("PostgreSQL", [whole]), ("PostgreSQL", [first, second])):
        folder = work / f"ingest-{model}-{backend[:6]}-{len(files)}"
        (folder / "data").mkdir(parents=True, exist_ok=True)
        config = folder / "config.toml"
        config.write_text(f'data_dir = "{folder / "data"}"\n\n[embedding]\nmodel = "{model}"\n')
        url = await fresh_database(server_url, f"ingest_{len(files)}") if backend == "PostgreSQL" else ""
        if not url:
            for path in (folder / "data").iterdir():
                path.unlink()
        load = os.getloadavg()[0]
        wall = ingested(config, files, url)
        sentences = (int(await database_value(url, "SELECT count(*) FROM sentences")) if url
                     else int(scale.sqlite3.connect(folder / "data" / scale.DATABASE_FILE)
                              .execute("SELECT count(*) FROM sentences").fetchone()[0]))
        rows.append({"embedder": model, "backend": backend, "processes": str(len(files)),
                     "articles": f"{articles:,}", "sentences": f"{sentences:,}", "wall s": f"{wall:,.1f}",
                     "sentences/s": f"{sentences / wall:,.0f}",
                     "load before / after": f"{load:.1f} / {os.getloadavg()[0]:.1f}"})
        print(f"ingest: {rows[-1]}", file=sys.stderr, flush=True)
    one, two = (float(row["sentences/s"].replace(",", "")) for row in rows[1:])
    rows[2]["sentences/s"] += f" (× {two / one:.2f} of 1 process)"
    return rows


def size_rows(name: str, sqlite: dict[str, Any], copied: dict[str, Any],
              pgs: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One library's rows: SQLite + FAISS, then its copy at each ef_search measured."""
    rows = []
    wall, rows_s = copied["copy_s"], copied["rows_s"]
    copy_line = f"{wall:,.0f} ({rows_s:,.0f} rows, {wall - rows_s:,.0f} HNSW)"
    for measured, copy_text in [(sqlite, ""), *[(pg, copy_line) for pg in pgs]]:
        server = measured.get("server_mb")
        rows.append({
            "library": name, "backend": "PostgreSQL" if copy_text else "SQLite + FAISS",
            "sentences": f"{measured['sentences']:,}", "passages": f"{measured['passages']:,}",
            "copy s (rows, HNSW)": copy_text or "-",
            "copy rows/s": f"{copied['rows'] / copied['copy_s']:,.0f}" if copy_text else "-",
            "disk MB": f"{measured['disk_mb']:,.0f}",
            "bot RSS MB (peak)": f"{measured['rss_mb']:,.0f} ({measured['hwm_mb']:,.0f})",
            "server MB": f"{server:,.0f}" if server else "-",
            "ask p50 / p95 / p99 ms": f"{measured['p50']:,.0f} / {measured['p95']:,.0f} / {measured['p99']:,.0f}",
            "p50 × SQLite": f"{measured['p50'] / sqlite['p50']:.2f}",
            "index": measured["index"], f"recall@{scale.K}": f"{measured['recall']:.3f}",
            "dense p50 ms": f"{measured['dense_p50']:.1f}"})
    return rows


async def run_size(server_url: str, server_pid: int, folder: Path) -> list[dict[str, str]]:
    """Measure SQLite, copy into a fresh database, measure the copy (at a larger ef_search too if recall is short)."""
    sqlite = scale.measured_apart(folder)  # first: opening it brings an older cached library up to this schema
    print(f"{folder.name} SQLite: {sqlite}", file=sys.stderr, flush=True)
    url = await fresh_database(server_url, "scale_" + folder.name.split("-")[0] + "_" + folder.name.split("-")[1])
    copied = copy(folder, url)
    print(f"{folder.name} copy: {copied}", file=sys.stderr, flush=True)
    pgs = [measured_pg_apart(folder, url, EF_SEARCH, server_pid)]
    if pgs[0]["recall"] < RECALL_TARGET:
        pgs.append(measured_pg_apart(folder, url, EF_MORE, server_pid))
    print(f"{folder.name} PostgreSQL: {pgs}", file=sys.stderr, flush=True)
    return size_rows(folder.name, sqlite, copied, pgs)


def start_server(work: Path) -> tuple[str, int]:
    """A PostgreSQL server of this benchmark's own in work/server (left running for the next run), and its pid."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(work))  # pgserver asks for one on import
    import pgserver

    server = pgserver.get_server(work / "server", cleanup_mode=None)
    pid = int((work / "server" / "postmaster.pid").read_text().split()[0])
    return server.get_uri(), pid


def parse() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=SIZES, help="cached libraries of scale.py, by folder name")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "newsbot-bench" / "scale")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-pg"), help="the server's and ingests' folder")
    parser.add_argument("--store-url", default="", help="a server (and database) to use instead of starting one")
    parser.add_argument("--ingest", type=int, default=2000, help="articles ingested with hashing-384 (0: none)")
    parser.add_argument("--ingest-model", type=int, default=200, help=f"articles ingested with {scale.REAL_MODEL}")
    parser.add_argument("--out", type=Path, help="also write the tables as Markdown to this file")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ef-search", type=int, default=EF_SEARCH, help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


async def run(args: argparse.Namespace) -> str:
    """Every size, then the ingests; the tables as Markdown."""
    args.work.mkdir(parents=True, exist_ok=True)
    server_url, server_pid = (args.store_url, 0) if args.store_url else start_server(args.work)
    before, rows, ingests = scale.header(), [], []
    for name in args.sizes:
        rows += await run_size(server_url, server_pid, args.cache / name)
    if args.ingest:
        ingests += await ingest_rows(server_url, args.cache, args.work, scale.HASHING, args.ingest)
    if args.ingest_model:
        ingests += await ingest_rows(server_url, args.cache, args.work, scale.REAL_MODEL, args.ingest_model)
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        print(f"Before: {before}. After: {scale.header()}.\n")
        if rows:
            print_rows(rows)
        if rows and ingests:
            print()
        if ingests:
            print_rows(ingests)
    return table.getvalue()


def main() -> None:
    """Measure one copy (--measure, in a process of its own), or run the benchmark and print its tables."""
    args = parse()
    if args.measure:
        print(json.dumps(asyncio.run(measure_pg(args.measure, args.store_url, args.ef_search, args.server_pid))))
        return
    tables = asyncio.run(run(args))
    print(tables, end="")
    if args.out:
        args.out.write_text(tables, encoding="utf-8")


if __name__ == "__main__":
    main()
