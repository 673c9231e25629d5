"""Dates in words against a public table: every DATE expression of TimeBank 1.2 and AQUAINT (TempEval-3's cleaned
copies), resolved from its words alone against its document's creation date (tests/data/timebank_dates.tsv)."""

from datetime import date
from pathlib import Path

from index.ingest.datewords import find_dates

TABLE = Path(__file__).parent / "data" / "timebank_dates.tsv"
# Resolved right on 2026-12-03 (442 before issue 16's date work). Sentence by sentence, with each clause's tense,
# benchmarks/dates.py does better (RESULTS.md): alone, "Friday" and "March" can only take their default direction.
RESOLVED = 656


def read_table() -> list[tuple[date, str, date, date]]:
    """(creation date, expression, first day, last day) rows, the source note skipped."""
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            anchor, words, first, last = line.split("\t")
            rows.append((date.fromisoformat(anchor), words, date.fromisoformat(first), date.fromisoformat(last)))
    return rows


def resolved(anchor: date, words: str, first: date, last: date) -> bool:
    """Whether the first date found in the words lies inside the annotated days (a day inside a gold month counts)."""
    mentions = find_dates(words, anchor)
    return bool(mentions) and first <= mentions[0].first and mentions[0].last <= last


def test_the_table_is_whole():
    rows = read_table()
    assert len(rows) == 846 and len({words for _, words, _, _ in rows}) > 350


def test_the_count_resolved_is_pinned():
    """Exact, so that a regression fails and an improvement is noticed and pinned."""
    rows = read_table()
    right = sum(resolved(*row) for row in rows)
    assert right == RESOLVED, f"{right} of {len(rows)} resolved (pinned: {RESOLVED})"
