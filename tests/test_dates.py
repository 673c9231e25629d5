"""Tests for parsing the dates articles carry, in the formats news sources use."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from index.ingest.dates import parse_date, read_date

# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (None, None),
    ("", None),
    ("   ", None),
    ("2022-12-30", date(2022, 12, 30)),
    ("2022-12-30T14:05:00Z", date(2022, 12, 30)),
    ("2022-12-30T23:05:00-05:00", date(2022, 12, 30)),
    ("2022-12-31T01:00:00+02:00", date(2022, 12, 31)),
    ("2003-09-10", date(2003, 9, 10)),
    ("2022-01-02 14:05:00 +0200", date(2022, 1, 2)),
    ("30 December 2022", date(2022, 12, 30)),
    ("December 30, 2022", date(2022, 12, 30)),
    ("Dec. 30, 2022", date(2022, 12, 30)),
    ("Sept. 3, 2021", date(2021, 9, 3)),
    ("Fri, 30 Dec 2022 10:00:00 GMT", date(2022, 12, 30)),
    ("Fri, 30 Dec 2022 23:00:00 EST", date(2022, 12, 30)),
    ("30/12/2022", date(2022, 12, 30)),
    ("12/30/2022", date(2022, 12, 30)),
    ("05/06/2022", date(2022, 6, 5)),
    ("30.12.2022", date(2022, 12, 30)),
    ("2022/12/30", date(2022, 12, 30)),
    ("8-APR-1987 00:38:26.78", date(1987, 4, 8)),
    (1672531200, date(2023, 1, 1)),
    (1672531200.5, date(2023, 1, 1)),
    (10**8, date(1973, 3, 3)),
    ("1800-01-01", date(1800, 1, 1)),
    ("2022-12-30T10:00:00+14:00", date(2022, 12, 30)),
    ("2022-12-30T10:00:00-12:30", date(2022, 12, 30)),
    ("Fri, 30 Dec 2022 10:00:00 GMT-3", date(2022, 12, 30)),
])
@pytest.mark.filterwarnings("error")  # dateutil warns about time zone names it does not know
def test_parse_date(value: str | int | float | None, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(("value", "message"), [
    ("yesterday-ish", 'bad date "yesterday-ish"'),
    ("March 2022", 'bad date "March 2022"'),
    ("2022", 'bad date "2022"'),
    ("5", 'bad date "5"'),
    ("31/02/2022", 'bad date "31/02/2022"'),
    ("1799-12-31", 'bad date "1799-12-31" (before 1800)'),
    ("2999-01-01", 'bad date "2999-01-01" (in the future)'),
    (10**10, 'bad date "10000000000" (in the future)'),
    (10**12, 'bad date "1000000000000"'),
    (0, 'bad date "0" (as a unix time, before 1973: a placeholder, not a date)'),
    ("0", 'bad date "0"'),
    (-86400, 'bad date "-86400" (as a unix time, before 1973: a placeholder, not a date)'),
    (20230105, 'bad date "20230105" (as a unix time, before 1973: a placeholder, not a date)'),
    ("2022-12-30T10:00:00+25:00", 'bad date "2022-12-30T10:00:00+25:00" (no time zone is +25:00 from UTC)'),
    ("Fri, 30 Dec 2022 10:00:00 -1500", 'bad date "Fri, 30 Dec 2022 10:00:00 -1500" (no time zone is -15:00 from UTC)'),
    ("2022-12-30 10:00 +05:75", 'bad date "2022-12-30 10:00 +05:75" (no time zone is +05:75 from UTC)'),
    (float("nan"), 'bad date "nan"'),
    (True, 'bad date "True"'),
    ("x" * 100, f'bad date "{"x" * 39}…"'),
])
def test_parse_date_rejects(value: object, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(value)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_parse_date_future_slack() -> None:
    today = date.today()
    assert parse_date((today + timedelta(days=1)).isoformat()) == today + timedelta(days=1)
    with pytest.raises(ValueError, match="in the future"):
        parse_date((today + timedelta(days=10)).isoformat())


def test_a_day_of_a_period_may_be_in_the_future_or_long_ago() -> None:
    assert read_date("2999-01-01") == date(2999, 1, 1) and read_date("1700-06-01") == date(1700, 6, 1)
    with pytest.raises(ValueError, match="no time zone"):
        read_date("2999-01-01T10:00:00+25:00")
