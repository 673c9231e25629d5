"""--since and --until values ("7d", "last week", "2022-12-30") read as the days they cover."""

from __future__ import annotations

import re
from datetime import date, timedelta

from index.ingest.calendars import same_day_months_away
from index.ingest.dates import read_date
from index.ingest.datewords import relative_period
from index.text import one_line

_SPAN = re.compile(r"(\d+)\s*(h|hours?|d|days?|w|weeks?|m|months?)")
_PERIOD_WORDS = ("today", "yesterday", "this week", "last week", "this month", "last month", "this year", "last year")
_PERIOD_HELP = "a date (2022-12-30, 30 December 2022), a span back from today (24h, 7d, 2w, 3m) or " + \
    ", ".join(_PERIOD_WORDS)


def parse_period(value: str, today: date) -> tuple[date, date]:
    """The days a --since/--until value covers; ValueError naming the accepted forms otherwise."""
    text = one_line(value.lower())
    if span := _SPAN.fullmatch(text):
        amount, unit = int(span[1]), span[2][0]
        if unit == "m":
            return same_day_months_away(today, -amount), today
        days = {"h": (amount + 23) // 24, "d": amount, "w": 7 * amount}[unit]
        return today - timedelta(days=days), today
    if text in _PERIOD_WORDS:
        return relative_period(text, today)
    try:
        day = read_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f'cannot read "{value}" as a date: use {_PERIOD_HELP}')
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
