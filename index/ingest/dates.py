"""Parse the many ways news sources write a publication date into a calendar date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dateutil import parser

from index.text import one_line

EARLIEST = date(1800, 1, 1)
# Sources in time zones ahead of ours can legitimately publish "tomorrow".
FUTURE_SLACK = timedelta(days=2)

_YEAR_FIRST = re.compile(r"\s*\d{4}\b")
# Two defaults that differ in year, month and day: a part missing from the text
# shows up as a difference between the two parses.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))
# Unix times below 10^8 (before March 1973, long before news went online) are placeholders (0) or numbers that are
# no time at all (20230105, a day written as digits): refused rather than read as days of 1970.
_EARLIEST_UNIX_TIME = 10**8
# A numeric UTC offset after a time of day: "10:00:00+02:00", "10:00:00 +0200", "10:00 GMT-3".
_OFFSET = re.compile(r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:[a-z]{1,5})?\s*([+-])(\d{1,2}):?(\d\d)?\s*$", re.IGNORECASE)
_FURTHEST_OFFSET = 14 * 60  # minutes: Kiribati's +14:00 is the furthest any zone is from UTC


def parse_date(value: str | int | float | None) -> date | None:
    """The day an article was published, None for no value; ValueError if unreadable, too early or in the future."""
    parsed = read_date(value)
    if parsed is None:
        return None
    if parsed < EARLIEST:
        raise ValueError(f"{_bad(value)} (before {EARLIEST.year})")
    if parsed > date.today() + FUTURE_SLACK:
        raise ValueError(f"{_bad(value)} (in the future)")
    return parsed


def read_date(value: str | int | float | None) -> date | None:
    """The calendar date a value names, past or future, None for no value, or raise ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_bad(value))
    if isinstance(value, int | float):
        return _from_timestamp(value)
    if isinstance(value, str):
        return _from_text(value)
    raise ValueError(_bad(value))


def _from_timestamp(value: int | float) -> date:
    """Read a unix timestamp in seconds as a UTC calendar date."""
    if value < _EARLIEST_UNIX_TIME:
        raise ValueError(f"{_bad(value)} (as a unix time, before 1973: a placeholder, not a date)")
    try:
        return datetime.fromtimestamp(value, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        raise ValueError(_bad(value)) from None


def _from_text(value: str) -> date:
    """Read a written date; the calendar date is taken as written, ignoring any time zone."""
    # Ambiguous numeric dates are read day first ("05/06/2022" is 5 June), as in
    # most of the world's news; dateutil still reads "12/30/2022" as 30 December
    # because 30 cannot be a month. ISO dates start with the year and must not be
    # read day first ("2003-09-10" would become 9 October).
    dayfirst = not _YEAR_FIRST.match(value)
    if offset := _impossible_offset(value):
        raise ValueError(f"{_bad(value)} (no time zone is {offset} from UTC)")
    try:
        first, second = (
            parser.parse(value, dayfirst=dayfirst, default=default, ignoretz=True) for default in _DEFAULTS
        )
    except (ValueError, OverflowError):
        raise ValueError(_bad(value)) from None
    if first.date() != second.date():
        # A day, month or year was missing ("March 2022"), so dateutil made one up.
        raise ValueError(_bad(value))
    return first.date()


def _impossible_offset(value: str) -> str | None:
    """A written UTC offset that no time zone has ("+25:00", "+05:75"), as +HH:MM; None if there is none such."""
    # The zone itself is ignored (the day is taken as written), but such an offset marks a value that is no real time.
    offset = _OFFSET.search(value)
    if offset is None:
        return None
    hours, minutes = int(offset[2]), int(offset[3] or 0)
    return f"{offset[1]}{offset[2]}:{minutes:02d}" if minutes >= 60 or hours * 60 + minutes > _FURTHEST_OFFSET else None


def _bad(value: object) -> str:
    """Format the one-line error for a value that is not a usable date."""
    text = one_line(str(value))
    if len(text) > 40:
        text = text[:39] + "…"
    return f'bad date "{text}"'
