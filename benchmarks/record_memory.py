"""Peak memory of `newsbot ingest` on one huge synthetic JSONL record, printed as a markdown table.

Usage: python benchmarks/record_memory.py [--mb 1 4] [--model hashing] [--limit-gb 8] [--max-article-chars N]
                                         [--records prose word] [--source DIR]

Each case writes one record (prose: sentences of made-up words; word: one letter repeated) to a JSONL file and
ingests it with `python -m bot ingest` (the newsbot command) in a child process whose address space is capped at
--limit-gb, so a case that would take the machine down fails with MemoryError instead. The figure is the child's
peak resident memory; "bytes per input byte" divides what it takes beyond a 1 KB record's ingest by the record's
size. --source runs the newsbot of another checkout (e.g. `git archive` of an older commit), for before/after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from tables import print_rows

ROOT = Path(__file__).resolve().parent.parent
SYLLABLES = ("ka", "lo", "mi", "ter", "an", "su", "vel", "dor", "is", "pra", "ne", "gul", "ro", "fen", "ti", "bo")


def prose(size: int) -> str:
    """About `size` characters of sentences of made-up words, varied like real text (few repeated word runs)."""
    chooser = random.Random(0)
    vocabulary = ["".join(chooser.choices(SYLLABLES, k=chooser.randint(1, 4))) for _ in range(20_000)]
    sentences, length = [], 0
    while length < size:
        words = chooser.choices(vocabulary, k=chooser.randint(8, 25))
        sentence = " ".join(words).capitalize() + ". "
        sentences.append(sentence)
        length += len(sentence)
    return "".join(sentences)[:size]


def record_text(kind: str, size: int) -> str:
    """`size` characters of prose or of one long word."""
    return prose(size) if kind == "prose" else "a" * size  # "word"


def peak_rss_mb(command: list[str], env: dict[str, str], limit_gb: float, cwd: Path) -> tuple[float, int, str]:
    """Run a command under an address-space cap; its peak RSS in MB, exit status and last stderr line."""
    cap = int(limit_gb * 1024**3)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    process = subprocess.Popen(command, env=env, cwd=cwd, preexec_fn=limit, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    err = process.stderr.read()
    # wait4, not wait: it gives this child's own resource usage, not the largest of all children so far.
    _, status, usage = os.wait4(process.pid, 0)
    lines = err.strip().splitlines()
    return usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), lines[-1][:90] if lines else ""


def measure(kind: str, mb: float, model: str, limit_gb: float, max_chars: int | None, source: Path,
            baseline: float = 0.0) -> dict[str, str]:
    """Ingest one record of `mb` MB in a fresh library and return the figures (memory beyond `baseline`)."""
    size = int(mb * 1024 * 1024)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        records = base / "big.jsonl"
        records.write_text(json.dumps({"id": "big", "title": "Big", "text": record_text(kind, size)}) + "\n")
        setting = f"max_article_chars = {max_chars}\n" if max_chars else ""
        (base / "config.toml").write_text(f'[embedding]\nmodel = "{model}"\n[ingest]\n{setting}')
        env = {**os.environ, "NEWSBOT_CONFIG": str(base / "config.toml"), "NEWSBOT_DATA_DIR": str(base / "data"),
               "HF_HUB_OFFLINE": "1"}
        # `python -m` puts the working directory first on the path: the checkout run is the one it starts in.
        peak, status, last = peak_rss_mb([sys.executable, "-m", "bot", "ingest", str(records)], env, limit_gb, source)
    return {"record": kind, "MB": f"{mb:g}", "peak RSS MB": f"{peak:,.0f}",
            "bytes per input byte": f"{(peak - baseline) * 1024 * 1024 / size:,.0f}", "exit": str(status),
            "last line": last}


def main() -> None:
    """Run every case and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[1, 4])
    parser.add_argument("--model", default="hashing")
    parser.add_argument("--limit-gb", type=float, default=8.0)
    parser.add_argument("--max-article-chars", type=int, help="sets [ingest] max_article_chars (newer newsbot)")
    parser.add_argument("--records", nargs="+", choices=["prose", "word"], default=["prose", "word"])
    parser.add_argument("--source", type=Path, default=ROOT, help="the newsbot checkout to run (default: this one)")
    args = parser.parse_args()
    source = args.source.resolve()
    # A record of one short sentence: the command's own memory (Python, the model), taken off the figures below.
    baseline = float(measure("prose", 0.001, args.model, args.limit_gb, None, source)["peak RSS MB"].replace(",", ""))
    rows = [measure(kind, mb, args.model, args.limit_gb, args.max_article_chars, source, baseline)
            for mb in sorted(args.mb) for kind in args.records]
    print(f"model: {args.model}; baseline (a 1 KB record): {baseline:,.0f} MB\n")
    print_rows(rows)


if __name__ == "__main__":
    main()
