"""Summaries and timelines as terminal text, JSON and Discord embeds (within Discord's limits)."""

from datetime import date

import pytest

from bot.embeds import DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, pack_lines, summary_embed
from bot.render import span_words, summary_json, summary_text, summary_title
from index import Citation, Summary, SummaryEntry

D = date


def citation(n: int, title: str = "Harbour wall breached") -> Citation:
    return Citation(n=n, article_id=f"a{n}", title=title, url=f"https://example.com/{n}", source="Coast Gazette",
                    published=D(2023, 1, 7))


def entry(n: int, text: str, source: int = 1, **dates: object) -> SummaryEntry:
    return SummaryEntry(text=text, source=source, article_id=f"a{source}", published=D(2023, 1, 7), score=1.0,
                        sentence_id=n, **dates)


STORM = Summary("summary", "harbour", D(2023, 1, 6), D(2023, 1, 7),
                (entry(1, "The *storm* breached the wall."), entry(2, "Sandbags were filled.", 2)),
                (citation(1), citation(2, "Volunteers work all night")))
TIMELINE = Summary("timeline", "harbour", None, None,
                   (entry(1, "A storm breached the wall on Friday.", day=D(2023, 1, 6), last_day=D(2023, 1, 6),
                          wording="on Friday"),
                    entry(2, "The wall was built long ago.", day=D(2023, 1, 7), last_day=D(2023, 1, 7))),
                   (citation(1),))


@pytest.mark.parametrize(("first", "last", "expected"), [
    (D(2023, 1, 6), D(2023, 1, 6), "2023-01-06"), (D(2022, 1, 1), D(2022, 12, 31), "2022"),
    (D(2022, 12, 1), D(2022, 12, 31), "December 2022"), (D(2023, 1, 2), D(2023, 1, 8), "2023-01-02 to 2023-01-08"),
    (None, None, "undated"),
])
def test_spans_are_shown_as_precisely_as_they_were_named(first, last, expected):
    assert span_words(first, last) == expected


def test_titles_say_what_and_when():
    assert summary_title(STORM) == "Summary: harbour · 2023-01-06 to 2023-01-07"
    assert summary_title(Summary("summary", None, D(2023, 1, 9), D(2023, 1, 10), (), (), latest=True)) == \
        "Latest news · 2023-01-09 to 2023-01-10"
    assert summary_title(Summary("summary", None, None, D(2023, 1, 1), (), ())) == "The news · up to 2023-01-01"
    assert summary_title(Summary("summary", None, None, None, STORM.entries, STORM.sources, article_id="a1")) == \
        "Summary of “Harbour wall breached”"


def test_text_quotes_each_sentence_with_its_source_number():
    lines = summary_text(STORM).splitlines()
    assert lines[:4] == ["Summary: harbour · 2023-01-06 to 2023-01-07", "", "> The *storm* breached the wall. [1]",
                         "> Sandbags were filled. [2]"]
    assert lines[-2].startswith("[1] Harbour wall breached · Coast Gazette · 2023-01-07 <https://example.com/1>")
    timeline = summary_text(TIMELINE).splitlines()
    assert timeline[2:6] == ["2023-01-06 (on Friday)", "> A storm breached the wall on Friday. [1]", "", "2023-01-07"]


def test_empty_text_is_the_reason_as_a_sentence():
    empty = Summary("summary", "football", None, None, (), (), reason="nothing found for “football”")
    assert summary_text(empty) == "Nothing found for “football”."


def test_json_has_the_sentences_under_their_kind_with_dates():
    result = summary_json(STORM)
    assert result["summary"][0] == {"text": "The *storm* breached the wall.", "source": 1, "article_id": "a1",
                                    "score": 1.0, "sentence_id": 1, "published": "2023-01-07"}
    assert (result["since"], result["until"], result["abstained"]) == ("2023-01-06", "2023-01-07", False)
    assert [s["n"] for s in result["sources"]] == [1, 2] and result["sources"][0]["published"] == "2023-01-07"
    event = summary_json(TIMELINE)["timeline"][0]
    assert (event["date"], event["date_last"], event["date_text"], event["published"]) == \
        ("2023-01-06", "2023-01-06", "on Friday", "2023-01-07")


def test_embed_quotes_escaped_sentences_and_lists_the_sources():
    embed = summary_embed(STORM)
    assert embed.description == "> The \\*storm\\* breached the wall. **[1]**\n\n> Sandbags were filled. **[2]**"
    assert embed.fields[0].name == "Sources" and "[2] [Volunteers work all night](<https://example.com/2>)" in \
        embed.fields[0].value
    assert summary_embed(TIMELINE).description.startswith("**2023-01-06 (on Friday)**\n> A storm")


def test_an_empty_embed_gives_the_reason_and_a_way_on():
    embed = summary_embed(Summary("summary", "football", None, None, (), (), reason="nothing found for “football”"))
    assert embed.description.startswith("Nothing found for “football”.") and "/sources" in embed.description


def embed_size(embed) -> int:
    return len(embed.title) + len(embed.description) + len(embed.footer.text) + \
        sum(len(f.name) + len(f.value) for f in embed.fields)


def test_a_long_summary_keeps_whole_sentences_within_every_limit():
    sentence = "The council debated the harbour budget and the repairs to the old wall until late. " * 9
    entries = tuple(entry(n, f"{n} {sentence.strip()}", source=n + 1) for n in range(12))
    sources = tuple(citation(n + 1, "A long headline about the harbour " * 5) for n in range(12))
    embed = summary_embed(Summary("summary", "harbour", None, None, entries, sources))
    assert len(embed.description) <= DESCRIPTION_LIMIT and embed_size(embed) <= EMBED_TOTAL_LIMIT
    kept = embed.description.split("\n\n")
    assert 1 < len(kept) < 12 and all(part.endswith(f"**[{n + 1}]**") for n, part in enumerate(kept))
    assert all(len(f.value) <= FIELD_VALUE_LIMIT for f in embed.fields)
    listed = "\n".join(f.value for f in embed.fields).splitlines()
    assert [line.split(" ")[0] for line in listed] == [f"[{n + 1}]" for n in range(len(kept))]
    assert embed.footer.text.endswith(f"{12 - len(kept)} more sentences did not fit.")


def test_a_single_sentence_over_the_limit_is_the_only_one_shortened():
    giant = "The harbour " + "wall " * 2000 + "held."
    embed = summary_embed(Summary("summary", "harbour", None, None, (entry(1, giant),), (citation(1),)))
    assert len(embed.description) <= DESCRIPTION_LIMIT and embed.description.endswith("…")
    assert embed_size(embed) <= EMBED_TOTAL_LIMIT


def test_lines_pack_into_values_within_the_field_limit():
    lines = [f"[{n}] " + "x" * 300 for n in range(7)]
    values = pack_lines(lines)
    assert len(values) == 3 and all(len(v) <= FIELD_VALUE_LIMIT for v in values)
    assert "\n".join(values).splitlines() == lines
