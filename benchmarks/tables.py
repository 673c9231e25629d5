"""Benchmark results as the markdown tables their scripts print and RESULTS files keep."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def print_rows(rows: Sequence[Mapping[str, str]]) -> None:
    """Print dict rows (all with the same keys, in order) as one markdown table."""
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |")
