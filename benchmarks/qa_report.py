"""Benchmark tables: rows, markdown, and benchmarks/RESULTS.md kept with one section per part."""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass, field
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = ("part", "split", "n", "metric", "newsbot", "published baseline", "target")
_SECTION = re.compile(r"<!-- part: ([\w-]+) -->\n.*?<!-- end: \1 -->\n", re.DOTALL)
_PREAMBLE = """# Benchmark results

Written by `benchmarks/qa.py` (answer quality) and `benchmarks/summary.py` (summaries); their docstrings say what
each part measures, and `n` counts questions or documents. Each part's section is replaced when that part is run
again, so sections may come from different runs: each says when and how.
"""


@dataclass(frozen=True)
class Row:
    """One figure of the table, with the published figures and the target beside it."""

    part: str
    split: str
    questions: int
    metric: str
    figure: str
    baseline: str = ""
    target: str = ""


@dataclass
class PartResult:
    """What one part of the benchmark measured, with notes on how (cache built, questions left out...)."""

    key: str
    title: str = ""
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def markdown_table(rows: list[Row]) -> str:
    """The rows as one markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        cells = (row.part, row.split, f"{row.questions:,}", row.metric, row.figure, row.baseline, row.target)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def notes_text(results: list[PartResult]) -> str:
    """Each part's notes and run time as a markdown list."""
    return "\n".join(f"- {result.key}: {note}" for result in results
                     for note in [*result.notes, f"ran in {result.seconds / 60:.1f} min"])


def machine() -> str:
    """A one-line description of the computer the figures were measured on."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1) if found else model
    return f"{model}, {os.cpu_count()} cores, {platform.system()}, Python {platform.python_version()}"


def update_results(results: list[PartResult], stamp: str, command: str) -> None:
    """Replace the sections of the parts just run in RESULTS.md (a skipped part keeps its last); new parts go last."""
    old = RESULTS_FILE.read_text(encoding="utf-8") if RESULTS_FILE.exists() else ""
    sections = {match.group(1): match.group(0) for match in _SECTION.finditer(old)}
    for result in results:
        if not result.rows and result.key in sections:  # a skipped part keeps its last figures
            continue
        sections[result.key] = (
            f"<!-- part: {result.key} -->\n## {result.title}\n\n{stamp} · {machine()} · `{command}`\n\n"
            f"{markdown_table(result.rows)}\n\n{notes_text([result])}\n<!-- end: {result.key} -->\n"
        )
    body = "\n".join(sections.values())
    RESULTS_FILE.write_text(f"{_PREAMBLE}\n{body}", encoding="utf-8")
