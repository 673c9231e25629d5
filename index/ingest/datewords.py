"""Dates named in words ("on Friday", "last May", "the third quarter", "30 December") resolved against a day."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from index.ingest.calendars import (
    HOLIDAYS,
    SEASONS,
    Span,
    Tense,
    day_of,
    holiday_of,
    month_end,
    month_span,
    pick_year,
    quarter_of,
    quarter_span,
    season_span,
    season_step,
    shift_months,
    shift_span,
)
from index.ingest.tense import tense_at

WEEKDAYS = {name: n for n, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
MONTHS = {name: n for n, name in enumerate(calendar.month_name) if name} | {
    name: n for n, name in enumerate(calendar.month_abbr) if name} | {"Sept": 9}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_COUNT = r"(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
_UNIT = r"(day|week|month|year)s?"

_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_FULL_MONTH = "|".join(name for name in calendar.month_name if name)
_YEAR = r"(?:19|20)\d\d"
_ISO_DAY = re.compile(rf"\b({_YEAR})-(\d\d)-(\d\d)\b")
_SLASH_DAY = re.compile(rf"\b(\d{{1,2}})/(\d{{1,2}})/({_YEAR})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH})\.?(?:,? ({_YEAR}))?\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? ({_YEAR})\b)?")
_MONTH_YEAR = re.compile(rf"\b(?:(?i:in|during|since) )?({_MONTH})\.?,? ({_YEAR}|(?i:this|last|next) year)\b")
# A month alone; "May" only after a word that makes it a month ("in May", "last May"), never the verb.
_LEAD = r"in|since|by|until|till|through|during|from|before|after|last|this|next|early|late|mid"
_BARE_MONTH = re.compile(rf"(?<!\d )(?<!\d(?:st|nd|rd|th) )\b(?:(?i:({_LEAD}))[ -])?\b({_FULL_MONTH})\b(?!\.? \d)")
_QUARTER = re.compile(rf"\b(?:(?i:the) )?(?:({_YEAR}) )?(?:(?i:fiscal|calendar) )?(?i:(first|second|third|fourth"
                      rf"|1st|2nd|3rd|4th)[- ]quarter)(?: (?i:of) ({_YEAR}))?\b|\bQ([1-4])(?:,? ({_YEAR}))?\b")
_SEASON_YEAR = re.compile(rf"\b(?i:(spring|summer|autumn|fall|winter)) (?:(?i:of) )?({_YEAR})\b")
# A year alone, unless it counts something ("some 2000 people", "1990 points", "the 1990s", "$2000").
_BARE_YEAR = re.compile(rf"(?<![$\u00a3\u20ac#\d,./])\b({_YEAR})\b(?![,./]?\d|s\b|%| ?(?i:percent|points?|people|troops"
                        rf"|miles|km|kilometres|metres|feet|tonnes|tons|barrels|shares|jobs|workers|votes)\b)")
_COUNTING = re.compile(r"\b(?:about|above|under|nearly|almost|than|least|around|over|some|roughly|only|just) $", re.I)
_HOLIDAY = re.compile(r"\b(?i:" + "|".join(sorted((re.escape(name).replace("'", "['\u2019]") for name in HOLIDAYS),
                                                key=len, reverse=True)) + r")\b")
_WEEKDAY = re.compile(r"\b(?:(last|next|this|on|since|by|until) )?(monday|tuesday|wednesday|thursday|friday"
                      r"|saturday|sunday)\b", re.I)
_RELATIVE = re.compile(r"\b(yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening|overnight"
                       r"|over the weekend|at the weekend|(?:earlier |later )?(?:last|this|next) "
                       r"(?:week|month|year|spring|summer|autumn|fall|winter))\b", re.I)
_AGO = re.compile(rf"\b{_COUNT} {_UNIT} ago\b", re.I)
_IN_TIME = re.compile(rf"\b(?:in|within) {_COUNT} {_UNIT}(?:'s?|\u2019s?)?( time)?\b", re.I)
_SHIFTED = re.compile(rf"\b{_COUNT} {_UNIT} (earlier|later)\b", re.I)
# Every pattern above needs a digit or one of these words: most sentences are passed over after one search.
_DATE_WORDS = ["yesterday", "today", "tomorrow", "tonight", "overnight", "weekend", "day", "week", "month", "year",
               "spring", "summer", "autumn", "fall", "winter", "quarter", "morning", "afternoon", "evening"]
_HOLIDAY_WORDS = [name.split()[0] for name in HOLIDAYS]
_ANY_DATE = re.compile(r"\d|\b(?:" + "|".join([_MONTH, *WEEKDAYS, *_HOLIDAY_WORDS, *_DATE_WORDS]) + ")", re.IGNORECASE)
_GLUE = re.compile(r",? (?:the )?")  # between a weekday and the date that follows it


@dataclass(frozen=True)
class DateMention:
    """A span of text naming a day or a period, with the days it covers."""

    text: str
    start: int
    first: date
    last: date


def _mention(match: re.Match[str], span: Span | None) -> Iterator[DateMention]:
    """The match as a mention, when its span is a real period."""
    if span is not None:
        yield DateMention(match[0], match.start(), span[0], span[1])


def _day(year: int, month: int, day: int) -> Span | None:
    """One day as a period; None for "31 February"."""
    try:
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None


def _tense(sentence: str, match: re.Match[str]) -> Tense:
    """The tense of the clause a match sits in."""
    return tense_at(sentence, match.start(), match.end())


def _numeric(sentence: str) -> Iterator[DateMention]:
    """2023-02-28, and 23/10/2023 or 10/23/2023 when only one reading is a date (03/04/2023 is left alone)."""
    for match in _ISO_DAY.finditer(sentence):
        yield from _mention(match, _day(int(match[1]), int(match[2]), int(match[3])))
    for match in _SLASH_DAY.finditer(sentence):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        if first == second or first > 12 or second > 12:
            yield from _mention(match, _day(year, min(first, second) if first > 12 else first,
                                            first if first > 12 else second))


def _named_days(sentence: str, anchor: date) -> Iterator[DateMention]:
    """Days with a month name ("30 December 2022", "Dec. 29"); without a year, the one the tense points to."""
    for pattern, day_group, month_group in ((_DAY_MONTH, 1, 2), (_MONTH_DAY, 2, 1)):
        for match in pattern.finditer(sentence):
            month, day = MONTHS[match[month_group]], int(match[day_group])
            if match[3]:
                yield from _mention(match, _day(int(match[3]), month, day))
            else:
                yield from _mention(match, pick_year(day_of(month, day), anchor, _tense(sentence, match)))


def _months(sentence: str, anchor: date) -> Iterator[DateMention]:
    """Months with a year ("March 2021", "June last year") or alone ("last May", "in August")."""
    for match in _MONTH_YEAR.finditer(sentence):
        year_words = match[2].lower()
        year = int(year_words) if year_words.isdigit() else \
            anchor.year + {"last": -1, "this": 0, "next": 1}[year_words.split()[0]]
        yield from _mention(match, month_span(year, MONTHS[match[1]]))
    for match in _BARE_MONTH.finditer(sentence):
        lead, month = (match[1] or "").lower(), MONTHS[match[2]]
        if match[2] == "May" and not lead:
            continue
        yield from _mention(match, _month_occurrence(month, lead, anchor, _tense(sentence, match)))


def _month_occurrence(month: int, lead: str, anchor: date, tense: Tense) -> Span | None:
    """Which month of that name: "last" is the one before this month, "next" the one after, else by tense."""
    spans = [month_span(year, month) for year in range(anchor.year - 1, anchor.year + 2)]
    if lead == "last":
        return [span for span in spans if span[1] < anchor.replace(day=1)][-1]
    if lead == "next":
        return next(span for span in spans if span[0] > month_end(anchor.year, anchor.month))
    if lead == "this":
        return month_span(anchor.year, month)
    return pick_year(lambda year: month_span(year, month), anchor, tense)


def _periods(sentence: str, anchor: date) -> Iterator[DateMention]:
    """Quarters ("the third quarter", "Q3 2022"), seasons with a year, years alone, and holidays."""
    for match in _QUARTER.finditer(sentence):
        quarter = _ORDINALS[match[2].lower()] if match[2] else int(match[4])
        year = match[1] or match[3] or match[5]
        yield from _mention(match, quarter_span(int(year), quarter) if year else
                            pick_year(quarter_of(quarter), anchor, _tense(sentence, match)))
    for match in _SEASON_YEAR.finditer(sentence):
        yield from _mention(match, season_span(match[1].lower(), int(match[2])))
    for match in _BARE_YEAR.finditer(sentence):
        if _COUNTING.search(sentence, max(0, match.start() - 12), match.start()):
            continue
        yield from _mention(match, (date(int(match[1]), 1, 1), date(int(match[1]), 12, 31)))
    for match in _HOLIDAY.finditer(sentence):
        yield from _mention(match, pick_year(holiday_of(match[0]), anchor, _tense(sentence, match)))


def _weekday(word: str | None, name: str, tense: Tense, anchor: date) -> date:
    """A weekday relative to the anchor: past by default, future after "next" or in a future-tense clause."""
    target = WEEKDAYS[name.lower()]
    back = (anchor.weekday() - target) % 7
    word = (word or "").lower()
    if word == "next" or (word != "last" and tense == "future"):
        return anchor + timedelta(days=(target - anchor.weekday()) % 7 or 7)
    if word == "last":
        return anchor - timedelta(days=back or 7)
    return anchor - timedelta(days=back)


def relative_period(phrase: str, anchor: date) -> Span:
    """The days a relative phrase covers ("yesterday", "over the weekend", "earlier this month", "next spring")."""
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
        return month_span(*shift_months(anchor, step))
    if unit == "year":
        return date(anchor.year + step, 1, 1), date(anchor.year + step, 12, 31)
    return season_step(unit, step, anchor) if unit in SEASONS else (anchor, anchor)


def _count(word: str) -> int:
    """A small count in words or digits."""
    return NUMBERS.get(word.lower()) or int(word)


def _relative(sentence: str, anchor: date) -> Iterator[DateMention]:
    """Dates named relative to the anchor: weekdays, "yesterday", "last week", "two days ago", "in two weeks"."""
    for match in _WEEKDAY.finditer(sentence):
        day = _weekday(match[1], match[2], _tense(sentence, match), anchor)
        yield DateMention(match[0], match.start(), day, day)
    for match in _RELATIVE.finditer(sentence):
        yield from _mention(match, relative_period(match[0], anchor))
    for match in _AGO.finditer(sentence):
        yield from _mention(match, shift_span((anchor, anchor), -_count(match[1]), match[2].lower()))
    for match in _IN_TIME.finditer(sentence):
        # "the highest in two years" looks back: only "in two weeks' time" or a future clause looks ahead
        if match[3] or _tense(sentence, match) == "future":
            yield from _mention(match, shift_span((anchor, anchor), _count(match[1]), match[2].lower()))


def _without_overlaps(sentence: str, mentions: list[DateMention]) -> list[DateMention]:
    """Overlapping matches resolved: the earlier, longer one wins; a weekday gives way to the date after it."""
    ordered = sorted(mentions, key=lambda m: (m.start, -len(m.text)))
    kept: list[DateMention] = []
    for mention in ordered:
        if kept and mention.start < kept[-1].start + len(kept[-1].text):
            continue
        if kept and _weekday_before_its_date(sentence, kept[-1], mention):
            kept.pop()  # "on Thursday, November 16": the date says which Thursday
        kept.append(mention)
    return kept


def _weekday_before_its_date(sentence: str, weekday: DateMention, following: DateMention) -> bool:
    """Whether a weekday is followed, past only a comma or "the", by the day it falls on."""
    between = sentence[weekday.start + len(weekday.text):following.start]
    return weekday.text.lower().split()[-1] in WEEKDAYS and following.first == following.last and \
        (following.text[0].isdigit() or following.text.split()[0].rstrip(".,") in MONTHS) and \
        _GLUE.fullmatch(between) is not None


def _shifted(sentence: str, kept: list[DateMention], anchor: date) -> list[DateMention]:
    """"A year earlier" moves the date named before it in the sentence (else the anchor) by that much."""
    found = list(kept)
    for match in _SHIFTED.finditer(sentence):
        if any(m.start <= match.start() < m.start + len(m.text) for m in kept):
            continue
        before = [m for m in kept if m.start + len(m.text) <= match.start()]
        span = (before[-1].first, before[-1].last) if before else (anchor, anchor)
        count = _count(match[1]) * (-1 if match[3].lower() == "earlier" else 1)
        found.extend(_mention(match, shift_span(span, count, match[2].lower())))
    return sorted(found, key=lambda m: m.start)


def find_dates(sentence: str, anchor: date) -> list[DateMention]:
    """Every day or period a sentence names, resolved against the anchor (its article's date), in order."""
    if not _ANY_DATE.search(sentence):
        return []
    mentions = [*_numeric(sentence), *_named_days(sentence, anchor), *_months(sentence, anchor),
                *_periods(sentence, anchor), *_relative(sentence, anchor)]
    return _shifted(sentence, _without_overlaps(sentence, mentions), anchor)


def event_date(sentence: str, published: date) -> date:
    """The day a sentence's event happened: the first day it names, else its article's date."""
    first = dated_event(sentence, published)[0]
    return first if first is not None else published  # never None: the article's date is the fallback


def dated_event(sentence: str, published: date | None) -> tuple[date | None, date | None, str | None]:
    """(first day, last day, words) of the date a sentence's event is placed on; else its article's date."""
    # Without its article's date, "on Friday" has nothing to count from.
    mentions = find_dates(sentence, published) if published else []
    # A year or a quarter only frames the event when nothing narrower is named ("In 2022, on Friday, ...").
    narrow = [m for m in mentions if (m.last - m.first).days <= 31]
    chosen = (narrow or mentions)[:1]
    if chosen:
        return chosen[0].first, chosen[0].last, chosen[0].text
    return published, published, None
