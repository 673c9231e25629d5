"""Parse the many ways news sources write a publication date into a calendar date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from dateutil import parser

EARLIEST = date(1800, 1, 1)
# Sources in time zones ahead of ours can legitimately publish "tomorrow".
FUTURE_SLACK = timedelta(days=2)

_YEAR_FIRST = re.compile(r"\s*\d{4}\b")
# Two defaults that differ in year, month and day: a part missing from the text
# shows up as a difference between the two parses.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def parse_date(value: str | int | float | None) -> date | None:
    """Return the calendar date a value names, None for no value, or raise ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_bad(value))
    if isinstance(value, int | float):
        parsed = _from_timestamp(value)
    elif isinstance(value, str):
        parsed = _from_text(value)
    else:
        raise ValueError(_bad(value))
    if parsed < EARLIEST:
        raise ValueError(f"{_bad(value)} (before {EARLIEST.year})")
    if parsed > date.today() + FUTURE_SLACK:
        raise ValueError(f"{_bad(value)} (in the future)")
    return parsed


def _from_timestamp(value: int | float) -> date:
    """Read a unix timestamp in seconds as a UTC calendar date."""
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


def _bad(value: object) -> str:
    """Format the one-line error for a value that is not a usable date."""
    text = " ".join(str(value).split())
    if len(text) > 40:
        text = text[:39] + "…"
    return f'bad date "{text}"'
