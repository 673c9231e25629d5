"""The sentence splitter on news text: a table of hard cases, each sentence an exact substring."""

from __future__ import annotations

import pytest

from index.ingest.sentences import (
    MAX_SENTENCE_CHARS,
    clean_text,
    split_paragraphs,
    split_sentences,
)

# Each case: one cleaned, unwrapped paragraph -> the sentences it must split into.
SENTENCE_CASES: list[tuple[str, list[str]]] = [
    # plain sentences
    (
        "The central bank raised rates on Tuesday. Markets fell sharply.",
        ["The central bank raised rates on Tuesday.", "Markets fell sharply."],
    ),
    ("Rates rose by a quarter point.", ["Rates rose by a quarter point."]),
    # multi-sentence quotations
    (
        "“We have run out of options. Now we will take them to court,” said the mayor.",
        ["“We have run out of options.", "Now we will take them to court,” said the mayor."],
    ),
    (
        "“We have not seen the report. We will study it. Then we will respond,” a spokesman said.",
        ["“We have not seen the report.", "We will study it.", "Then we will respond,” a spokesman said."],
    ),
    (
        "“We will rebuild,” he said. “It will take years.”",
        ["“We will rebuild,” he said.", "“It will take years.”"],
    ),
    (
        "He said: “The deal is done.” Shares rose 4% in early trading.",
        ["He said: “The deal is done.”", "Shares rose 4% in early trading."],
    ),
    (
        "“It is over,” said Mr. Adams, 64. “We lost.”",
        ["“It is over,” said Mr. Adams, 64.", "“We lost.”"],
    ),
    (
        "The mayor called the plan “reckless.” Her rivals disagreed.",
        ["The mayor called the plan “reckless.”", "Her rivals disagreed."],
    ),
    (
        "He called the ruling ‘a disgrace.’ Others welcomed it.",
        ["He called the ruling ‘a disgrace.’", "Others welcomed it."],
    ),
    (
        'The coach said "It is finished." Then he left the ground.',
        ['The coach said "It is finished."', "Then he left the ground."],
    ),
    # questions and exclamations, with and without attribution
    ("“Why did it take so long?” she asked.", ["“Why did it take so long?” she asked."]),
    ("“Enough!” the protesters shouted as police moved in.", ["“Enough!” the protesters shouted as police moved in."]),
    (
        "“Who pays for this?” Harris asked. The council did not respond.",
        ["“Who pays for this?” Harris asked.", "The council did not respond."],
    ),
    ("“Can they win?” Morales asked reporters on Sunday.", ["“Can they win?” Morales asked reporters on Sunday."]),
    ("“We are ready.” Johnson said.", ["“We are ready.” Johnson said."]),
    (
        "“Where is the money?” asked Ms. Grant. No one replied.",
        ["“Where is the money?” asked Ms. Grant.", "No one replied."],
    ),
    (
        "“Stop!” he shouted. “Stop now!”",
        ["“Stop!” he shouted.", "“Stop now!”"],
    ),
    ("Is this the end? Not yet, officials say.", ["Is this the end?", "Not yet, officials say."]),
    ("What a result! The crowd stayed for an hour.", ["What a result!", "The crowd stayed for an hour."]),
    ("The question of who pays? — remains open.", ["The question of who pays? — remains open."]),
    # titles and abbreviations
    ("Mr. Smith met Dr. Jones and Prof. Li in London.", ["Mr. Smith met Dr. Jones and Prof. Li in London."]),
    (
        "Gen. Mark Hale, Lt. Col. Ana Ruiz and Sgt. Tom Bell were named.",
        ["Gen. Mark Hale, Lt. Col. Ana Ruiz and Sgt. Tom Bell were named."],
    ),
    (
        "Gov. Ellis and Sen. Ortiz spoke with Rep. Kim on Friday.",
        ["Gov. Ellis and Sen. Ortiz spoke with Rep. Kim on Friday."],
    ),
    ("Mrs. Patel and Ms. Okafor live on St. Mary's Road.", ["Mrs. Patel and Ms. Okafor live on St. Mary's Road."]),
    ("Mr. and Mrs. Chen declined to comment.", ["Mr. and Mrs. Chen declined to comment."]),
    ("Martin Luther King Jr. was born in Atlanta.", ["Martin Luther King Jr. was born in Atlanta."]),
    (
        "The order came from Acme Inc. It was signed by its chief executive.",
        ["The order came from Acme Inc.", "It was signed by its chief executive."],
    ),
    (
        "Acme Corp. and Widget Co. agreed a merger with Delta Ltd. on Monday.",
        ["Acme Corp. and Widget Co. agreed a merger with Delta Ltd. on Monday."],
    ),
    ("The Co. Durham firm cut 200 jobs.", ["The Co. Durham firm cut 200 jobs."]),
    ("St. Louis beat Chicago 3-1 on Saturday.", ["St. Louis beat Chicago 3-1 on Saturday."]),
    ("The U.S. economy grew in the third quarter.", ["The U.S. economy grew in the third quarter."]),
    ("He moved to the U.S. He later returned to Lagos.", ["He moved to the U.S.", "He later returned to Lagos."]),
    (
        "The U.K. and the E.U. signed the pact at the U.N. in New York.",
        ["The U.K. and the E.U. signed the pact at the U.N. in New York."],
    ),
    (
        "Officials from the U.S. Treasury declined to comment.",
        ["Officials from the U.S. Treasury declined to comment."],
    ),
    (
        "The group is based in the U.K. “We are growing,” its founder said.",
        ["The group is based in the U.K.", "“We are growing,” its founder said."],
    ),
    (
        "The report (published in the U.S. on Monday) was leaked.",
        ["The report (published in the U.S. on Monday) was leaked."],
    ),
    (
        "The final was Arsenal vs. Chelsea, played on a wet night.",
        ["The final was Arsenal vs. Chelsea, played on a wet night."],
    ),
    (
        "The shop sells fruit, bread, milk, etc. and closes at noon.",
        ["The shop sells fruit, bread, milk, etc. and closes at noon."],
    ),
    (
        "Some metals, e.g. copper and zinc, rose. Others, i.e. those tied to China, fell.",
        ["Some metals, e.g. copper and zinc, rose.", "Others, i.e. those tied to China, fell."],
    ),
    (
        "The prime minister returned to No. 10 on Sunday evening.",
        ["The prime minister returned to No. 10 on Sunday evening."],
    ),
    ("“No.” He walked away from the podium.", ["“No.”", "He walked away from the podium."]),
    ("The talks began on Jan. 4 and ended on Feb. 19.", ["The talks began on Jan. 4 and ended on Feb. 19."]),
    (
        "Sales rose in Aug. and Sept. but fell in Oct. and Nov.",
        ["Sales rose in Aug. and Sept. but fell in Oct. and Nov."],
    ),
    (
        "The ceasefire began at 6 a.m. and collapsed by 9 p.m. on the same day.",
        ["The ceasefire began at 6 a.m. and collapsed by 9 p.m. on the same day."],
    ),
    (
        "The polls close at 8 p.m. The result is expected before midnight.",
        ["The polls close at 8 p.m.", "The result is expected before midnight."],
    ),
    (
        "The measure passed 52-48. Sen. Lee voted against it.",
        ["The measure passed 52-48.", "Sen. Lee voted against it."],
    ),
    (
        "He studied at the University of Oxford. Prof. Reed supervised him.",
        ["He studied at the University of Oxford.", "Prof. Reed supervised him."],
    ),
    # numbers, money, percentages, versions and times
    (
        "The firm reported a $1.13bn loss, up 2.5% from £3.4m a year earlier.",
        ["The firm reported a $1.13bn loss, up 2.5% from £3.4m a year earlier."],
    ),
    (
        "Revenue was 1,234.56 million euros. Analysts had expected less.",
        ["Revenue was 1,234.56 million euros.", "Analysts had expected less."],
    ),
    (
        "The update to version 3.11 arrived at 10.30pm on Friday.",
        ["The update to version 3.11 arrived at 10.30pm on Friday."],
    ),
    ("The price is $4.50. That is a record.", ["The price is $4.50.", "That is a record."]),
    ("The storm killed 12 people. 40 more are missing.", ["The storm killed 12 people.", "40 more are missing."]),
    ("The fund lost money. $2m was later recovered.", ["The fund lost money.", "$2m was later recovered."]),
    (
        "The plan has two steps: 1. cut costs and 2. raise prices.",
        ["The plan has two steps: 1. cut costs and 2. raise prices."],
    ),
    # ellipses
    ("The minister paused... then resumed his speech.", ["The minister paused... then resumed his speech."]),
    ("Nobody answered the door... The police were called.", ["Nobody answered the door...", "The police were called."]),
    ("Her reply was brief… and pointed.", ["Her reply was brief… and pointed."]),
    ("The lights went out… Nobody moved.", ["The lights went out…", "Nobody moved."]),
    ("He said the plan was … unworkable.", ["He said the plan was … unworkable."]),
    # initials
    ("A new book by J. K. Rowling is due in May.", ["A new book by J. K. Rowling is due in May."]),
    ("George W. Bush visited the site on Monday.", ["George W. Bush visited the site on Monday."]),
    ("The letter was signed by J. A. Smith.", ["The letter was signed by J. A. Smith."]),
    # brackets
    (
        "He said the vote would be held [on Thursday]. Opponents objected.",
        ["He said the vote would be held [on Thursday].", "Opponents objected."],
    ),
    (
        "The senator [Ms. Vale] said the bill “will not pass” this year.",
        ["The senator [Ms. Vale] said the bill “will not pass” this year."],
    ),
    (
        "The company denied wrongdoing (it has done so before). Its shares fell.",
        ["The company denied wrongdoing (it has done so before).", "Its shares fell."],
    ),
    (
        "Turnout was high. (Final figures are due on Friday.) The count continues.",
        ["Turnout was high.", "(Final figures are due on Friday.)", "The count continues."],
    ),
    # URLs, e-mails, dates, brand names
    (
        "The figures were published on example.com/news on Monday.",
        ["The figures were published on example.com/news on Monday."],
    ),
    (
        "Readers can write to letters@example.org with their views.",
        ["Readers can write to letters@example.org with their views."],
    ),
    ("Details are at example.com. Entries close soon.", ["Details are at example.com.", "Entries close soon."]),
    ("The trial opened on Dec. 30, 2022, in Boston.", ["The trial opened on Dec. 30, 2022, in Boston."]),
    (
        "The deadline is 30.12.2022. After that, fines apply.",
        ["The deadline is 30.12.2022.", "After that, fines apply."],
    ),
    ("Apple cut prices. iPhone sales jumped 8%.", ["Apple cut prices.", "iPhone sales jumped 8%."]),
    # A question mark ends a sentence even after a word that is also an abbreviation ("Gen.", "Dr.")
    ("Was he ever a Dr? Nobody at the clinic knew.", ["Was he ever a Dr?", "Nobody at the clinic knew."]),
    # Mt. before a name, No. and N°. before a number, spaced ellipses mid-sentence and at its end
    ("They climbed Mt. Kenya in May. It was cold.", ["They climbed Mt. Kenya in May.", "It was cold."]),
    ("The file was N°. 5 on the list. It was lost.", ["The file was N°. 5 on the list.", "It was lost."]),
    ("Ministers said . . . Kyiv would get help. Talks ended.",
     ["Ministers said . . . Kyiv would get help.", "Talks ended."]),
    ("The talks ended without a deal . . . . Both sides left.",
     ["The talks ended without a deal . . . .", "Both sides left."]),
    # a time opening a sentence, the pronoun I, a citation after a quotation, numbered items run together,
    # and a full stop before an ellipsis that opens the next sentence (as the Golden Rules ask)
    ("At 6 a.m. Gen. Hale ordered a retreat. By noon it was over.",
     ["At 6 a.m. Gen. Hale ordered a retreat.", "By noon it was over."]),
    ("Nobody was more surprised than I. Ortiz later apologised.",
     ["Nobody was more surprised than I.", "Ortiz later apologised."]),
    ("The study calls the effect “robust in every sample.” (Nature, 2023). Others disagree.",
     ["The study calls the effect “robust in every sample.” (Nature, 2023).", "Others disagree."]),
    ("1. Cut costs. 2. Raise prices.", ["Cut costs.", "2. Raise prices."]),
    ("1.) Voters must register by Friday.", ["Voters must register by Friday."]),
    ("He read the letter aloud: “We tried everything. . . . Nothing worked.”",
     ["He read the letter aloud: “We tried everything.", ". . . Nothing worked.”"]),
    # bullets lose their marker
    ("- Schools will close on Monday.", ["Schools will close on Monday."]),
    ("* Roads remain shut", ["Roads remain shut"]),
    ("1. Voters must bring photo ID.", ["Voters must bring photo ID."]),
    (
        "• Trains will run hourly. Buses will replace them at night.",
        ["Trains will run hourly.", "Buses will replace them at night."],
    ),
]


@pytest.mark.parametrize(("paragraph", "expected"), SENTENCE_CASES)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_table_is_large_enough() -> None:
    assert len(SENTENCE_CASES) >= 45


@pytest.mark.parametrize(("paragraph", "expected"), SENTENCE_CASES)
def test_sentences_are_exact_substrings(paragraph: str, expected: list[str]) -> None:
    cleaned = split_paragraphs(clean_text(paragraph))
    assert len(cleaned) == 1
    sentences = split_sentences(cleaned[0])
    for sentence in sentences:
        assert sentence
        assert sentence == sentence.strip()
        assert sentence in cleaned[0]
    # Sentences tile the paragraph: nothing but a list marker is dropped, nothing is reordered.
    assert cleaned[0].endswith(" ".join(sentences))


def test_split_sentences_of_empty_paragraph() -> None:
    assert split_sentences("") == []
    assert split_sentences("   ") == []


def test_split_sentences_never_returns_bare_punctuation() -> None:
    assert split_sentences("He said: “It is over. ”") == ["He said: “It is over. ”"]
    assert split_sentences("… The talks resumed. Nobody spoke.") == ["… The talks resumed.", "Nobody spoke."]


def test_a_lost_space_between_sentences_splits_only_before_a_clear_opener() -> None:
    assert split_sentences("Shares fell 3% on Monday.The company did not comment.") == [
        "Shares fell 3% on Monday.",
        "The company did not comment.",
    ]
    assert split_sentences("Customers of One.Tel were told on Monday.") == ["Customers of One.Tel were told on Monday."]
    assert split_sentences("Read it on bbc.co.uk or Gov.UK today.") == ["Read it on bbc.co.uk or Gov.UK today."]


def test_a_run_on_sentence_is_cut_at_spaces_into_bounded_verbatim_pieces() -> None:
    paragraph = "and then the list went on " * 300 + "until it ended."
    pieces = split_sentences(paragraph)
    assert len(pieces) > 1 and all(len(piece) <= MAX_SENTENCE_CHARS for piece in pieces)
    assert " ".join(pieces) == paragraph and all(piece in paragraph for piece in pieces)
    assert all(not piece.startswith(" ") and not piece.endswith("on t") for piece in pieces)


def test_a_word_of_a_million_letters_is_cut_where_it_must_be() -> None:
    pieces = split_sentences("Before. " + "A" * 1_000_000 + " After.")
    assert pieces[0] == "Before." and pieces[-1] == "After."
    assert [len(piece) for piece in pieces[1:-1]] == [MAX_SENTENCE_CHARS] * 500
