"""TimeML files (TimeBank, TempEval-3) read as sentences with their gold date expressions and the days they cover."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from index.ingest.calendars import month_span, quarter_span, season_span
from index.ingest.sentences import split_paragraphs, split_sentences

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_SEASON = re.compile(r"(\d{4})-(SP|SU|FA|WI)")
_SEASONS = {"SP": "spring", "SU": "summer", "FA": "autumn", "WI": "winter"}


@dataclass(frozen=True)
class GoldDate:
    """One annotated date expression: its place in its sentence and the days its TIMEX3 value covers."""

    text: str
    start: int
    first: date
    last: date


@dataclass(frozen=True)
class DatedSentence:
    """A sentence of a TimeML document, its document's creation date, and the dates annotated in it."""

    text: str
    anchor: date
    golds: tuple[GoldDate, ...]
    annotated: tuple[tuple[int, int], ...]  # (start, end) of every TIMEX3 of any type: dates, times, durations


def value_span(value: str) -> tuple[date, date] | None:
    """The days a TIMEX3 value covers (a day, ISO week, month, quarter, season or year); None if unresolved."""
    if match := _DAY.fullmatch(value):
        day = date(int(match[1]), int(match[2]), int(match[3]))
        return day, day
    if match := _WEEK.fullmatch(value):
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return monday, monday + timedelta(days=6)
    if match := _QUARTER.fullmatch(value):
        return quarter_span(int(match[1]), int(match[2]))
    if match := _SEASON.fullmatch(value):
        return season_span(_SEASONS[match[2]], int(match[1]))
    if match := _MONTH.fullmatch(value):
        return month_span(int(match[1]), int(match[2]))
    if match := _YEAR.fullmatch(value):
        return date(int(match[1]), 1, 1), date(int(match[1]), 12, 31)
    return None


def _text_and_dates(element: ElementTree.Element) -> tuple[str, list[tuple[int, str, str]]]:
    """The plain text of a TEXT element and its timexes as (offset, words, value); values of non-dates are ""."""
    parts: list[str] = [element.text or ""]
    dates: list[tuple[int, str, str]] = []
    for child in element.iter():
        if child is element:
            continue
        if child.tag == "TIMEX3":
            value = child.get("value", "") if child.get("type") == "DATE" else ""
            dates.append((sum(map(len, parts)), "".join(child.itertext()), value))
        if child.text and child.tag in {"TIMEX3", "EVENT", "SIGNAL", "ENAMEX", "NUMEX", "CARDINAL"}:
            parts.append(child.text)
        parts.append(child.tail or "")
    return "".join(parts), dates


def read_document(path: Path) -> list[DatedSentence]:
    """The sentences of one TimeML file with the resolvable DATE expressions each holds."""
    root = ElementTree.parse(path).getroot()
    anchor_value = root.find("DCT/TIMEX3")
    text_element = root.find("TEXT")
    if anchor_value is None or text_element is None:
        return []
    anchor_span = value_span(anchor_value.get("value", "")[:10])
    if anchor_span is None:
        return []
    text, dates = _text_and_dates(text_element)
    return _sentences(text, dates, anchor_span[0])


def _sentences(text: str, dates: list[tuple[int, str, str]], anchor: date) -> list[DatedSentence]:
    """Split a document's text into sentences and give each the dates that fall inside it."""
    found, cursor = [], 0
    for paragraph in split_paragraphs(text):
        for sentence in split_sentences(paragraph):
            start = text.find(sentence, cursor)
            if start < 0:  # the splitter normalised its whitespace: the sentence's dates cannot be placed
                continue
            cursor = start + len(sentence)
            inside = [(offset - start, words, value) for offset, words, value in dates if start <= offset < cursor]
            golds = [GoldDate(words, offset, *span) for offset, words, value in inside
                     if (span := value_span(value)) is not None]
            annotated = tuple((offset, offset + len(words)) for offset, words, _ in inside)
            found.append(DatedSentence(sentence, anchor, tuple(golds), annotated))
    return found


def read_folder(folder: Path) -> list[DatedSentence]:
    """Every sentence of every .tml file under a folder, in file order."""
    return [sentence for path in sorted(folder.rglob("*.tml")) if not path.name.startswith("._")
            for sentence in read_document(path)]
