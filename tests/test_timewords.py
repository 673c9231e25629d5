"""Dates named in words, resolved against an article's publication date (a table of real news phrasings)."""

from datetime import date

import pytest

from index.ingest.datewords import dated_event, event_date, find_dates
from index.ingest.periods import parse_period, read_period

SATURDAY = date(2022, 12, 31)  # the seed article's events ran Thursday 29 to Friday 30 December 2022
MONDAY = date(2023, 1, 2)
D = date

CASES = [
    # (sentence, publication date, expected (text, first, last) of the first mention)
    ("Shelling killed three civilians on Friday.", SATURDAY, ("on Friday", D(2022, 12, 30), D(2022, 12, 30))),
    ("Russia fired 69 missiles on Thursday.", SATURDAY, ("on Thursday", D(2022, 12, 29), D(2022, 12, 29))),
    ("Crowds gathered on Saturday morning.", SATURDAY, ("on Saturday", SATURDAY, SATURDAY)),
    ("The strike happened yesterday.", SATURDAY, ("yesterday", D(2022, 12, 30), D(2022, 12, 30))),
    ("Officials said today that the grid held.", SATURDAY, ("today", SATURDAY, SATURDAY)),
    ("Markets reopen tomorrow.", SATURDAY, ("tomorrow", D(2023, 1, 1), D(2023, 1, 1))),
    ("Talks will resume on Monday.", SATURDAY, ("on Monday", MONDAY, MONDAY)),
    ("The summit is due to start on Wednesday.", SATURDAY, ("on Wednesday", D(2023, 1, 4), D(2023, 1, 4))),
    ("The minister met envoys last Monday.", SATURDAY, ("last Monday", D(2022, 12, 26), D(2022, 12, 26))),
    ("Ministers meet next Friday.", SATURDAY, ("next Friday", D(2023, 1, 6), D(2023, 1, 6))),
    ("Prices rose last week.", SATURDAY, ("last week", D(2022, 12, 19), D(2022, 12, 25))),
    ("Earlier this week the bank cut rates.", SATURDAY, ("Earlier this week", D(2022, 12, 26), D(2023, 1, 1))),
    ("A vote is planned next week.", SATURDAY, ("next week", MONDAY, D(2023, 1, 8))),
    ("Earlier this month, banks fell.", SATURDAY, ("Earlier this month", D(2022, 12, 1), D(2022, 12, 31))),
    ("Exports fell last month.", SATURDAY, ("last month", D(2022, 11, 1), D(2022, 11, 30))),
    ("Output will grow next month.", SATURDAY, ("next month", D(2023, 1, 1), D(2023, 1, 31))),
    ("Growth slowed last year.", MONDAY, ("last year", D(2022, 1, 1), D(2022, 12, 31))),
    ("He hoped Xi would visit Moscow next spring.", SATURDAY, ("next spring", D(2023, 3, 1), D(2023, 5, 31))),
    ("Last summer was the hottest on record.", SATURDAY, ("Last summer", D(2022, 6, 1), D(2022, 8, 31))),
    ("Blackouts may last all this winter.", SATURDAY, ("this winter", D(2022, 12, 1), D(2023, 2, 28))),
    ("Two days ago the port closed.", SATURDAY, ("Two days ago", D(2022, 12, 29), D(2022, 12, 29))),
    ("The plant shut three weeks ago.", SATURDAY, ("three weeks ago", D(2022, 12, 10), D(2022, 12, 10))),
    ("The law passed a year ago.", SATURDAY, ("a year ago", D(2021, 12, 31), D(2021, 12, 31))),
    ("Fighting went on over the weekend.", MONDAY, ("over the weekend", D(2022, 12, 31), D(2023, 1, 1))),
    ("On 30 December 2022 the grid held.", MONDAY, ("30 December 2022", D(2022, 12, 30), D(2022, 12, 30))),
    ("The deal was signed on December 29, 2022.", MONDAY, ("December 29, 2022", D(2022, 12, 29), D(2022, 12, 29))),
    ("The deal was signed Dec. 29.", MONDAY, ("Dec. 29", D(2022, 12, 29), D(2022, 12, 29))),
    ("Strikes began on 30th December.", MONDAY, ("30th December", D(2022, 12, 30), D(2022, 12, 30))),
    ("Sales fell in November.", SATURDAY, ("in November", D(2022, 11, 1), D(2022, 11, 30))),
    ("It began in March 2021.", SATURDAY, ("in March 2021", D(2021, 3, 1), D(2021, 3, 31))),
    ("A review is due in February.", SATURDAY, ("in February", D(2023, 2, 1), D(2023, 2, 28))),
    ("Elections were held on 5 May 1987.", MONDAY, ("5 May 1987", D(1987, 5, 5), D(1987, 5, 5))),
    # Issue 16: years, numeric dates, quarters, holidays, months by tense, spans ahead and shifted back.
    ("The plant opened in 2019.", SATURDAY, ("2019", D(2019, 1, 1), D(2019, 12, 31))),
    ("The city aims to be carbon neutral by 2035.", SATURDAY, ("2035", D(2035, 1, 1), D(2035, 12, 31))),
    ("Output recovered from mid-2021.", SATURDAY, ("2021", D(2021, 1, 1), D(2021, 12, 31))),
    ("The ruling, dated 2023-02-28, was published late.", SATURDAY, ("2023-02-28", D(2023, 2, 28), D(2023, 2, 28))),
    ("The claim was filed on 10/23/2022.", SATURDAY, ("10/23/2022", D(2022, 10, 23), D(2022, 10, 23))),
    ("The claim was filed on 23/10/2022.", SATURDAY, ("23/10/2022", D(2022, 10, 23), D(2022, 10, 23))),
    ("Profit fell in the third quarter.", MONDAY, ("the third quarter", D(2022, 7, 1), D(2022, 9, 30))),
    ("Fourth-quarter sales will be reported soon.", SATURDAY, ("Fourth-quarter", D(2022, 10, 1), D(2022, 12, 31))),
    ("Sales rose in Q3 2021.", SATURDAY, ("Q3 2021", D(2021, 7, 1), D(2021, 9, 30))),
    ("Shops shut on Christmas Day.", MONDAY, ("Christmas Day", D(2022, 12, 25), D(2022, 12, 25))),
    ("Flights were cancelled over Thanksgiving.", SATURDAY, ("Thanksgiving", D(2022, 11, 24), D(2022, 11, 24))),
    ("The company was founded in August.", D(2023, 3, 15), ("in August", D(2022, 8, 1), D(2022, 8, 31))),
    ("Elections will be held in August.", D(2023, 3, 15), ("in August", D(2023, 8, 1), D(2023, 8, 31))),
    ("In September, it announced a merger.", SATURDAY, ("In September", D(2022, 9, 1), D(2022, 9, 30))),
    ("Inflation peaked last May.", SATURDAY, ("last May", D(2022, 5, 1), D(2022, 5, 31))),
    ("The dam broke in June last year.", MONDAY, ("in June last year", D(2022, 6, 1), D(2022, 6, 30))),
    ("The strike on 5 January was the worst.", SATURDAY, ("5 January", D(2022, 1, 5), D(2022, 1, 5))),
    ("The summit opens on Thursday, November 16.", D(2023, 11, 13), ("November 16", D(2023, 11, 16), D(2023, 11, 16))),
    ("A ruling is due in two weeks' time.", SATURDAY, ("in two weeks' time", D(2023, 1, 14), D(2023, 1, 14))),
    ("Crews will inspect the damaged wall on Monday.", SATURDAY, ("on Monday", MONDAY, MONDAY)),
    ("Voters will decide in three months.", SATURDAY, ("in three months", D(2023, 3, 31), D(2023, 3, 31))),
]


@pytest.mark.parametrize("sentence, published, expected", CASES, ids=[c[0] for c in CASES])
def test_dates_in_words_resolve_against_the_publication_date(sentence, published, expected):
    mention = find_dates(sentence, published)[0]
    assert (mention.text, mention.first, mention.last) == expected
    assert sentence[mention.start:mention.start + len(mention.text)] == mention.text


@pytest.mark.parametrize("sentence", [
    "The U.S. economy grew.", "Protesters march 5 miles to the capital.", "They may agree to talks.",
    "He scored 31 points.", "The 31 February date is wrong.",
    # Issue 16: counts and decades are not years; an ambiguous numeric date is left alone; "in two years" looks back.
    "About 2000 people marched.", "The 1990s were calm.", "Prices are the highest in two years.",
    "The form was dated 03/04/2023.", "He may resign.",
])
def test_sentences_without_dates(sentence):
    assert find_dates(sentence, SATURDAY) == []


def test_tense_is_judged_in_the_clause_of_each_date():
    """A future word in another clause no longer moves a weekday forward (issue 16)."""
    sentence = "Six deaths were reported last week, and there will be more, Dr Jhung said Friday."
    friday = find_dates(sentence, D(2013, 3, 22))[-1]
    assert (friday.text, friday.first) == ("Friday", D(2013, 3, 22))


def test_a_shift_moves_the_date_before_it():
    mentions = find_dates("Profit rose in the third quarter from $5 million a year earlier.", MONDAY)
    assert [(m.text, m.first, m.last) for m in mentions] == [
        ("the third quarter", D(2022, 7, 1), D(2022, 9, 30)), ("a year earlier", D(2021, 7, 1), D(2021, 9, 30))]
    assert find_dates("The port closed two days earlier.", SATURDAY)[0].first == D(2022, 12, 29)


def test_an_event_is_placed_on_its_narrowest_date():
    assert dated_event("In 2022, shelling killed three on Friday.", SATURDAY)[2] == "on Friday"
    assert dated_event("Output fell in 2021.", SATURDAY)[:2] == (D(2021, 1, 1), D(2021, 12, 31))


def test_several_mentions_in_order_and_the_event_date():
    mentions = find_dates("Talks failed on Thursday and will resume next week.", SATURDAY)
    assert [m.text for m in mentions] == ["on Thursday", "next week"]
    assert event_date("Talks failed on Thursday.", SATURDAY) == D(2022, 12, 29)
    assert event_date("The grid held.", SATURDAY) == SATURDAY


@pytest.mark.parametrize("value, expected", [
    ("7d", (D(2022, 12, 24), SATURDAY)), ("24h", (D(2022, 12, 30), SATURDAY)), ("2w", (D(2022, 12, 17), SATURDAY)),
    ("1m", (D(2022, 11, 30), SATURDAY)), ("today", (SATURDAY, SATURDAY)), ("yesterday", (D(2022, 12, 30),) * 2),
    ("this week", (D(2022, 12, 26), D(2023, 1, 1))), ("Last Week", (D(2022, 12, 19), D(2022, 12, 25))),
    ("2022-12-30", (D(2022, 12, 30),) * 2), ("30 December 2022", (D(2022, 12, 30),) * 2),
])
def test_since_and_until_values(value, expected):
    assert parse_period(value, SATURDAY) == expected


@pytest.mark.parametrize("value", ["soonish", "7 fortnights", ""])
def test_unreadable_periods_say_what_works(value):
    with pytest.raises(ValueError, match=r"use a date .*24h, 7d"):
        parse_period(value, SATURDAY)


def test_an_event_keeps_the_words_and_the_span_that_dated_it():
    assert dated_event("Prices rose last week.", SATURDAY) == (D(2022, 12, 19), D(2022, 12, 25), "last week")
    assert dated_event("The grid held.", SATURDAY) == (SATURDAY, SATURDAY, None)
    # An undated article gives "on Friday" nothing to count from.
    assert dated_event("Shelling killed three civilians on Friday.", None) == (None, None, None)


def test_since_starts_and_until_ends_its_period():
    assert read_period("last week", "this week", D(2023, 1, 9)) == (D(2023, 1, 2), D(2023, 1, 15))
    assert read_period(None, " ", SATURDAY) == (None, None)
    assert read_period("2022-12-29", None, SATURDAY) == (D(2022, 12, 29), None)


@pytest.mark.parametrize(("since", "until", "message"), [
    ("soonish", None, r"^since: cannot read \"soonish\" as a date: use a date"),
    (None, "later", r"^until: cannot read \"later\""),
    ("2022-12-31", "2022-12-29", r"since \(2022-12-31\) is after until \(2022-12-29\)"),
])
def test_unreadable_or_reversed_periods_name_the_option(since, until, message):
    with pytest.raises(ValueError, match=message):
        read_period(since, until, SATURDAY)
