"""Dates in words on public temporal corpora: newsbot's find_dates against dateparser, and the two combined.

Usage: python benchmarks/dates.py --timeml FOLDER [--timeml FOLDER ...] [--no-dateparser] [--export TSV]

Each FOLDER holds TimeML files (for instance TimeBank 1.2 as cleaned for TempEval-3, or the TempEval-3 platinum
test set, both from the TempEval-3 task's release, of which public copies sit in the GitHub repositories of
TempEval-3 systems); they are read at run time and never copied into the project. Every TIMEX3 of type DATE whose value
names a day, week, month, quarter, season or year is a gold date; its sentence is given to each checker with the
document's creation date as the anchor. A gold date counts as right when a date the checker finds overlaps its
words and covers exactly its days ("exact"), or lies inside them ("inside": a day within a gold month counts).
dateparser (`search_dates`; installed with trafilatura's date extraction, and declared in the dev extra for this
benchmark) finds days, never periods; the combined row asks it only about sentences in which find_dates finds
nothing, the fallback the issue asked to be measured.
--export writes the test table of tests/data/timebank_dates.tsv: each distinct annotated expression with its
document's creation date and the days of its value, and no other text of the articles.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from tables import print_rows
from timeml import DatedSentence, GoldDate, read_folder

from index.ingest.datewords import find_dates

Found = list[tuple[int, int, date, date]]  # (start, end, first, last) of each date a checker finds
Checker = Callable[[str, date], Found]


def newsbot(sentence: str, anchor: date) -> Found:
    """find_dates, as the engine calls it."""
    return [(m.start, m.start + len(m.text), m.first, m.last) for m in find_dates(sentence, anchor)]


def dateparser_dates(sentence: str, anchor: date) -> Found:
    """dateparser.search_dates with the anchor as its base, each found date placed back in the sentence."""
    from dateparser.search import search_dates  # imported only when measured: it takes a second to load

    settings = {"RELATIVE_BASE": datetime(anchor.year, anchor.month, anchor.day)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = search_dates(sentence, languages=["en"], settings=settings) or []
    found, cursor = [], 0
    for words, moment in results:
        start = sentence.find(words, cursor)
        if start >= 0:
            cursor = start + len(words)
            found.append((start, cursor, moment.date(), moment.date()))
    return found


def combined(sentence: str, anchor: date) -> Found:
    """find_dates, and dateparser only where find_dates finds nothing."""
    return newsbot(sentence, anchor) or dateparser_dates(sentence, anchor)


def judge(gold: GoldDate, found: Found) -> tuple[bool, bool]:
    """(exact, inside) for one gold date against what a checker found in its sentence."""
    end = gold.start + len(gold.text)
    spans = [(first, last) for start, stop, first, last in found if start < end and gold.start < stop]
    exact = (gold.first, gold.last) in spans
    inside = any(gold.first <= first and last <= gold.last for first, last in spans)
    return exact, inside


def unannotated(sentence: DatedSentence, found: Found) -> int:
    """How many found dates overlap no annotated time expression at all (false alarms, or the annotators' miss)."""
    return sum(not any(start < end and first < stop for first, end in sentence.annotated)
               for start, stop, _, _ in found)


def score(checker: Checker, sentences: list[DatedSentence]) -> dict[str, float]:
    """Exact and inside counts over every gold date, found dates nobody annotated, and the time per sentence."""
    exact = inside = golds = stray = 0
    elapsed = 0.0
    for sentence in sentences:
        began = time.perf_counter()
        found = checker(sentence.text, sentence.anchor)
        elapsed += time.perf_counter() - began
        stray += unannotated(sentence, found)
        for gold in sentence.golds:
            right = judge(gold, found)
            exact, inside, golds = exact + right[0], inside + right[1], golds + 1
    return {"exact": exact, "inside": inside, "golds": golds, "stray": stray,
            "ms": 1000 * elapsed / max(len(sentences), 1)}


def _row(corpus: str, name: str, result: dict[str, float]) -> dict[str, str]:
    """One table row."""
    golds = int(result["golds"])
    return {"corpus": corpus, "checker": name, "gold dates": str(golds),
            "exact": f"{int(result['exact'])} ({result['exact'] / golds:.0%})",
            "inside": f"{int(result['inside'])} ({result['inside'] / golds:.0%})",
            "found, not annotated": str(int(result["stray"])),
            "ms per sentence": f"{result['ms']:.3f}"}


def export(sentences: list[DatedSentence], path: Path) -> None:
    """Write each distinct (creation date, expression, first day, last day) as one TSV row under a source note."""
    rows = sorted({(str(s.anchor), g.text, str(g.first), str(g.last)) for s in sentences for g in s.golds
                   if "\t" not in g.text and "\n" not in g.text})
    note = ("# TIMEX3 date expressions of TimeBank 1.2 (Pustejovsky et al. 2006, LDC2006T08) and the AQUAINT\n"
            "# TimeML corpus, as cleaned for TempEval-3 (UzZaman et al. 2013, TBAQ-cleaned). Only each expression\n"
            "# (a few words), its document's creation date and the days its annotated value covers are kept; none\n"
            "# of the articles' text. Written by benchmarks/dates.py --export.\n")
    path.write_text(note + "".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")


def main() -> None:
    """Score each checker on each folder and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeml", type=Path, action="append", required=True, help="a folder of TimeML files")
    parser.add_argument("--no-dateparser", action="store_true", help="score find_dates alone")
    parser.add_argument("--export", type=Path, help="write the expressions of all folders as a test table")
    args = parser.parse_args()
    if args.export:
        export([s for folder in args.timeml for s in read_folder(folder)], args.export)
        return
    checkers: dict[str, Checker] = {"newsbot find_dates": newsbot}
    if not args.no_dateparser:
        checkers |= {"dateparser search_dates": dateparser_dates, "find_dates, then dateparser": combined}
    rows = []
    for folder in args.timeml:
        sentences = read_folder(folder)
        for name, checker in checkers.items():
            rows.append(_row(folder.name, name, score(checker, sentences)))
    print_rows(rows)


if __name__ == "__main__":
    main()
