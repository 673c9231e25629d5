"""Tests for cleaning, paragraph splitting, whole-article segmentation and windows."""

from __future__ import annotations

import textwrap
from itertools import pairwise

import pytest

from index.ingest.sentences import (
    clean_text,
    make_windows,
    segment_article,
    split_paragraphs,
)
from index.models import Segment
from tests.test_sentences import SENTENCE_CASES


def test_clean_text_whitespace_and_controls() -> None:
    raw = "Line\u00a0one \t with  gaps   \r\nsecond\x07 line\rthird\u200b\n\n\n\n\nfourth"
    assert clean_text(raw) == "Line one with gaps\nsecond line\nthird\n\nfourth"


def test_clean_text_nfc_and_punctuation_kept() -> None:
    raw = "Cafe\u0301 owners said “no” – again\u2026 ‘twice’"
    assert clean_text(raw) == "Café owners said “no” – again… ‘twice’"


def test_clean_text_keeps_indentation_and_trims_blank_edges() -> None:
    assert clean_text("\n \n    Indented\t\ttext.  \n  \n\n") == "    Indented text."


def test_split_paragraphs_blank_lines() -> None:
    text = "First paragraph here.\n\nSecond paragraph here.\n\nThird."
    assert split_paragraphs(text) == ["First paragraph here.", "Second paragraph here.", "Third."]


def test_split_paragraphs_one_per_line() -> None:
    text = (
        "The council approved the budget on Tuesday after a long debate.\n"
        "Spending on roads will rise by a tenth.\n"
        "Opposition members said the plan was unaffordable."
    )
    assert split_paragraphs(text) == text.split("\n")


WIRE_PARAGRAPHS = [
    "LONDON, March 3 (Newswire) - Britain's largest port operator said on "
    "Friday it would cut 300 jobs, blaming weaker trade with Europe and a sharp "
    "rise in energy costs over the winter.",
    "The company, which runs terminals in Felixstowe and Liverpool, said the "
    "cuts would fall mainly on office staff. Unions said they would fight them.",
    "“This is a sad day for the town,” said local councillor Jane Moss.",
]


def test_split_paragraphs_hard_wrapped_blank_lines() -> None:
    text = "\n\n".join(textwrap.fill(p, 66) for p in WIRE_PARAGRAPHS)
    assert split_paragraphs(text) == WIRE_PARAGRAPHS


def test_split_paragraphs_hard_wrapped_indented_first_lines() -> None:
    text = "\n".join(textwrap.fill(p, 66, initial_indent="    ") for p in WIRE_PARAGRAPHS)
    assert split_paragraphs(clean_text(text)) == WIRE_PARAGRAPHS


def test_split_paragraphs_bullets() -> None:
    text = (
        "Key measures:\n"
        "- Schools close on Monday.\n"
        "* Trains run hourly\n"
        "• Shops may open\n"
        "1. Voters must bring photo ID.\n"
        "2. Polls open at 7am."
    )
    assert split_paragraphs(text) == text.split("\n")


def test_split_paragraphs_wrapped_bullet_continues_item() -> None:
    text = (
        "The plan includes:\n"
        "- new cycle lanes along the river, to be built\n"
        "  over the next two years\n"
        "- a ban on cars near schools"
    )
    assert split_paragraphs(text) == [
        "The plan includes:",
        "- new cycle lanes along the river, to be built over the next two years",
        "- a ban on cars near schools",
    ]


STRIKE = (
    "{} workers in the northern port, the biggest group of strikers - and the angriest - voted on Friday "
    "to stay out until pay talks resume, probably on Feb. 19. The union said turnout was high."
)


@pytest.mark.parametrize(("subject", "width", "line_start"), [("The", 63, "\n- "), ("Striking dock", 55, "\n19. ")])
def test_split_paragraphs_wrapped_dash_or_number_is_not_a_bullet(subject: str, width: int, line_start: str) -> None:
    paragraph = STRIKE.format(subject)
    text = textwrap.fill(paragraph, width, break_on_hyphens=False)
    assert line_start in text
    assert split_paragraphs(text) == [paragraph]


def test_split_paragraphs_wrapped_after_title() -> None:
    text = "The bill was drafted by aides to Gov.\nEllis and passed on Friday."
    assert split_paragraphs(text) == ["The bill was drafted by aides to Gov. Ellis and passed on Friday."]


def test_split_paragraphs_headline_over_wrapped_body() -> None:
    body = textwrap.fill(WIRE_PARAGRAPHS[0], 66)
    assert split_paragraphs("Port operator cuts 300 jobs\n" + body) == [
        "Port operator cuts 300 jobs",
        WIRE_PARAGRAPHS[0],
    ]


def test_split_paragraphs_headline_over_unwrapped_body() -> None:
    text = "Storm batters coast\nHeavy rain fell across the region on Tuesday."
    assert split_paragraphs(text) == text.split("\n")


def test_split_paragraphs_short_lines_are_not_taken_for_wrapping() -> None:
    text = "Port operator cuts 300 jobs after slump\nJobs will go by June.\nUnions object."
    assert split_paragraphs(text) == text.split("\n")


def test_split_paragraphs_two_wrapped_lines() -> None:
    assert split_paragraphs("The president said the\nGovernment would act.") == [
        "The president said the Government would act."
    ]


def test_split_paragraphs_wrapped_short_last_line_ends_paragraph() -> None:
    lines = textwrap.wrap(WIRE_PARAGRAPHS[1], 66) + textwrap.wrap(WIRE_PARAGRAPHS[0], 66)
    assert split_paragraphs("\n".join(lines)) == [WIRE_PARAGRAPHS[1], WIRE_PARAGRAPHS[0]]


def test_segment_article_wrapped_wire_copy() -> None:
    text = "\r\n\r\n".join(textwrap.fill(p, 62) for p in WIRE_PARAGRAPHS)
    assert segment_article(text) == [
        Segment(WIRE_PARAGRAPHS[0], 0),
        Segment(
            "The company, which runs terminals in Felixstowe and Liverpool, "
            "said the cuts would fall mainly on office staff.",
            1,
        ),
        Segment("Unions said they would fight them.", 1),
        Segment(WIRE_PARAGRAPHS[2], 2),
    ]


def test_segment_article_headline_bullets_and_indices() -> None:
    text = (
        "Flood warning for the valley\n"
        "Residents were told to leave their homes on Sunday. Dr. Ann Cole led the response.\n"
        "\n\n\n"
        "Advice:\n"
        "- Move valuables upstairs.\n"
        "- Avoid driving\n"
    )
    assert segment_article(text) == [
        Segment("Flood warning for the valley", 0),
        Segment("Residents were told to leave their homes on Sunday.", 1),
        Segment("Dr. Ann Cole led the response.", 1),
        Segment("Advice:", 2),
        Segment("Move valuables upstairs.", 3),
        Segment("Avoid driving", 4),
    ]


def test_segment_article_empty() -> None:
    assert segment_article("") == []
    assert segment_article(" \n\n\t\n") == []


def test_segments_are_substrings_of_their_paragraph() -> None:
    text = "\n\n".join(textwrap.fill(p, 60, break_on_hyphens=False) for p, _ in SENTENCE_CASES)
    paragraphs = split_paragraphs(clean_text(text))
    segments = segment_article(text)
    assert {s.paragraph for s in segments} == set(range(len(SENTENCE_CASES)))
    for segment in segments:
        assert segment.text in paragraphs[segment.paragraph]


def test_large_generated_text() -> None:
    paragraph = (
        "Mr. Reed said the U.S. economy grew 2.5% in Q3, beating forecasts of $1.2bn. "
        "“We are cautious. Growth may slow,” he said. Is that a risk? Analysts think so… "
        "The next report is due on Jan. 12 at 10 a.m."
    )
    text = "\n\n".join(f"{paragraph} Item {n}." for n in range(2000))
    segments = segment_article(text)
    assert len(segments) == 2000 * 6
    assert segments[-1] == Segment("The next report is due on Jan. 12 at 10 a.m. Item 1999.", 1999)


def test_make_windows() -> None:
    assert make_windows(12, 5, 1) == [(0, 5), (4, 9), (8, 12)]
    assert make_windows(3, 5, 1) == [(0, 3)]
    assert make_windows(0, 5, 1) == []
    assert make_windows(5, 5, 2) == [(0, 5)]
    assert make_windows(6, 2, 0) == [(0, 2), (2, 4), (4, 6)]
    assert make_windows(4, 1, 0) == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_make_windows_cover_every_position() -> None:
    for count in range(30):
        windows = make_windows(count, 4, 2)
        covered = {i for start, end in windows for i in range(start, end)}
        assert covered == set(range(count))
        assert all(b[0] == a[1] - 2 for a, b in pairwise(windows))


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (-1, 0), (5, 5), (5, 6), (5, -1)])
def test_make_windows_rejects_bad_arguments(size: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        make_windows(10, size, overlap)

