"""Dates named in words ("on Friday", "last week", "next spring", "30 December"), resolved against a day."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from index.ingest.dates import read_date
from index.text import one_line

WEEKDAYS = {name: n for n, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
MONTHS = {name: n for n, name in enumerate(calendar.month_name) if name} | {
    name: n for n, name in enumerate(calendar.month_abbr) if name} | {"Sept": 9}
# Northern-hemisphere seasons as (first month, last month); winter runs into the next year.
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}
# Words that put a bare weekday in the future ("talks will resume on Monday").
_FUTURE = re.compile(r"\b(?:will|'ll|shall|is due|are due|is to|are to|plans?|scheduled|expected|set to)\b", re.I)

_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH})\.?(?:,? (\d{{4}}))?\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b")
_MONTH_YEAR = re.compile(rf"\b(?:in |during |since )?({_MONTH}) (\d{{4}})\b")
_IN_MONTH = re.compile(rf"\bin ({_MONTH})\b")
_WEEKDAY = re.compile(r"\b(?:(last|next|this|on|since|by|until) )?(monday|tuesday|wednesday|thursday|friday"
                      r"|saturday|sunday)\b", re.I)
_RELATIVE = re.compile(r"\b(yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening|overnight"
                       r"|over the weekend|at the weekend|(?:earlier |later )?(?:last|this|next) "
                       r"(?:week|month|year|spring|summer|autumn|fall|winter))\b", re.I)
_AGO = re.compile(r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+) (day|week|month|year)s? ago\b",
                  re.I)


@dataclass(frozen=True)
class DateMention:
    """A span of text naming a day or a period, with the days it covers."""

    text: str
    start: int
    first: date
    last: date


def _month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift_months(day: date, months: int) -> tuple[int, int]:
    """(year, month) `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _nearest_year(month: int, day: int, anchor: date) -> int:
    """The year that puts month/day nearest the anchor (a "30 December" in a 2 January article is last year's)."""
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append((abs((date(year, month, day) - anchor).days), year))
        except ValueError:
            continue
    return min(candidates)[1] if candidates else anchor.year


def _weekday(word: str | None, name: str, sentence: str, anchor: date) -> date:
    """A weekday relative to the anchor: past by default, future after "next" or future tense."""
    target = WEEKDAYS[name.lower()]
    back = (anchor.weekday() - target) % 7
    word = (word or "").lower()
    if word == "next" or (word != "last" and _FUTURE.search(sentence)):
        return anchor + timedelta(days=(target - anchor.weekday()) % 7 or 7)
    if word == "last":
        return anchor - timedelta(days=back or 7)
    return anchor - timedelta(days=back)


def _seasons(name: str, anchor: date) -> list[tuple[date, date]]:
    """The occurrences of a season around the anchor, in order."""
    first, last = SEASONS[name]
    spans = []
    for year in range(anchor.year - 2, anchor.year + 3):
        end_year = year + 1 if last < first else year
        spans.append((date(year, first, 1), _month_end(end_year, last)))
    return spans


def _season(name: str, step: int, anchor: date) -> tuple[date, date]:
    """Last (-1), this (0) or next (+1) season of that name, seen from the anchor."""
    spans = _seasons(name, anchor)
    if step < 0:
        return [span for span in spans if span[1] < anchor][-1]
    current = [span for span in spans if span[0] <= anchor <= span[1]]
    if step == 0 and current:
        return current[0]
    return next(span for span in spans if span[0] > anchor)


def _period(phrase: str, anchor: date) -> tuple[date, date]:
    """The days a relative phrase covers."""
    words = phrase.lower().replace("earlier ", "").replace("later ", "").split()
    if words[0] in {"yesterday", "today", "tomorrow", "tonight", "this", "overnight"} and len(words) <= 2 and \
            words[-1] in {"yesterday", "today", "tomorrow", "tonight", "morning", "afternoon", "evening", "overnight"}:
        offset = {"yesterday": -1, "tomorrow": 1}.get(words[0], 0)
        return anchor + timedelta(days=offset), anchor + timedelta(days=offset)
    if words[-1] == "weekend":
        saturday = anchor - timedelta(days=(anchor.weekday() - 5) % 7)
        return saturday, saturday + timedelta(days=1)
    step = {"last": -1, "this": 0, "next": 1}[words[0]]
    unit = words[-1]
    if unit == "week":
        monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=step)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        year, month = _shift_months(anchor, step)
        return date(year, month, 1), _month_end(year, month)
    if unit == "year":
        return date(anchor.year + step, 1, 1), date(anchor.year + step, 12, 31)
    return _season(unit, step, anchor)


def _ago(count: str, unit: str, anchor: date) -> date:
    """The day `count` units before the anchor."""
    amount = NUMBERS.get(count.lower()) or int(count)
    unit = unit.lower()
    if unit in {"day", "week"}:
        return anchor - timedelta(days=amount * (7 if unit == "week" else 1))
    months = amount * (12 if unit == "year" else 1)
    year, month = _shift_months(anchor, -months)
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def _explicit(sentence: str, anchor: date) -> list[DateMention]:
    """Dates written out: "30 December 2022", "Dec. 30", "December 2022", "in March"."""
    found = []
    for match in _DAY_MONTH.finditer(sentence):
        found.append(_day_mention(match, int(match[1]), MONTHS[match[2]], match[3], anchor))
    for match in _MONTH_DAY.finditer(sentence):
        found.append(_day_mention(match, int(match[2]), MONTHS[match[1]], match[3], anchor))
    for match in _MONTH_YEAR.finditer(sentence):
        year, month = int(match[2]), MONTHS[match[1]]
        found.append(DateMention(match[0], match.start(), date(year, month, 1), _month_end(year, month)))
    for match in _IN_MONTH.finditer(sentence):
        month = MONTHS[match[1]]
        year = _nearest_year(month, 15, anchor)
        found.append(DateMention(match[0], match.start(), date(year, month, 1), _month_end(year, month)))
    return [mention for mention in found if mention is not None]


def _day_mention(match: re.Match[str], day: int, month: int, year: str | None, anchor: date) -> DateMention | None:
    """One written-out day, its year taken from the text or the nearest to the anchor."""
    chosen = int(year) if year else _nearest_year(month, day, anchor)
    try:
        resolved = date(chosen, month, day)
    except ValueError:
        return None  # "31 February": not a date
    return DateMention(match[0], match.start(), resolved, resolved)


def _relative(sentence: str, anchor: date) -> list[DateMention]:
    """Dates named relative to the anchor: weekdays, "yesterday", "last week", "two days ago"."""
    found = []
    for match in _WEEKDAY.finditer(sentence):
        day = _weekday(match[1], match[2], sentence, anchor)
        found.append(DateMention(match[0], match.start(), day, day))
    for match in _RELATIVE.finditer(sentence):
        first, last = _period(match[0], anchor)
        found.append(DateMention(match[0], match.start(), first, last))
    for match in _AGO.finditer(sentence):
        day = _ago(match[1], match[2], anchor)
        found.append(DateMention(match[0], match.start(), day, day))
    return found


def find_dates(sentence: str, anchor: date) -> list[DateMention]:
    """Every day or period a sentence names, resolved against the anchor (its article's date), in order."""
    mentions = sorted(_explicit(sentence, anchor) + _relative(sentence, anchor), key=lambda m: (m.start, -len(m.text)))
    kept: list[DateMention] = []
    for mention in mentions:  # overlapping matches: the earlier, longer one wins
        if not kept or mention.start >= kept[-1].start + len(kept[-1].text):
            kept.append(mention)
    return kept


def event_date(sentence: str, published: date) -> date:
    """The day a sentence's event happened: the first day it names, else its article's date."""
    first = dated_event(sentence, published)[0]
    return first if first is not None else published  # never None: the article's date is the fallback


def dated_event(sentence: str, published: date | None) -> tuple[date | None, date | None, str | None]:
    """(first day, last day, words) of the first date a sentence names; else its article's date and no words."""
    # Without its article's date, "on Friday" has nothing to count from.
    mentions = find_dates(sentence, published) if published else []
    if mentions:
        return mentions[0].first, mentions[0].last, mentions[0].text
    return published, published, None


_SPAN = re.compile(r"(\d+)\s*(h|hours?|d|days?|w|weeks?|m|months?)")
_PERIOD_WORDS = ("today", "yesterday", "this week", "last week", "this month", "last month", "this year", "last year")
PERIOD_HELP = "a date (2022-12-30, 30 December 2022), a span back from today (24h, 7d, 2w, 3m) or " + \
    ", ".join(_PERIOD_WORDS)


def parse_period(value: str, today: date) -> tuple[date, date]:
    """The days a --since/--until value covers; ValueError naming the accepted forms otherwise."""
    text = one_line(value.lower())
    if span := _SPAN.fullmatch(text):
        amount, unit = int(span[1]), span[2][0]
        if unit == "m":
            return _ago(str(amount), "month", today), today
        days = {"h": (amount + 23) // 24, "d": amount, "w": 7 * amount}[unit]
        return today - timedelta(days=days), today
    if text in _PERIOD_WORDS:
        return _period(text, today)
    try:
        day = read_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f'cannot read "{value}" as a date: use {PERIOD_HELP}')
    return day, day


def read_period(since: str | None, until: str | None, today: date) -> tuple[date | None, date | None]:
    """--since/--until as days: the first day of `since`'s period, the last of `until`'s; ValueError if unreadable."""
    days: list[date | None] = []
    for name, value, end in (("since", since, 0), ("until", until, 1)):
        try:
            days.append(parse_period(value, today)[end] if value and value.strip() else None)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    first, last = days
    if first and last and first > last:
        raise ValueError(f"since ({first}) is after until ({last})")
    return first, last
