"""Discord rendering stays within Discord's limits and quotes sentences whole and exact."""

from datetime import date

import discord
import pytest

from bot.embeds import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    abstention_embed,
    answer_embed,
    articles_embed,
    fit_lines,
    shorten,
    source_line,
    split_message,
)
from index import Answer, ArticleInfo, Citation, Quote


def citation(n: int, title: str = "Drones downed", url: str | None = "https://example.com/a") -> Citation:
    return Citation(n=n, article_id=f"a{n}", title=title, url=url, source="Wire", published=date(2022, 12, 30))


def answer(*texts: str, sources: int = 1) -> Answer:
    quotes = tuple(Quote(text=t, source=1, article_id="a1", score=1.0, sentence_id=i) for i, t in enumerate(texts))
    return Answer(question="How many drones?", quotes=quotes, sources=tuple(citation(n + 1) for n in range(sources)),
                  question_id=7)


def embed_size(embed: discord.Embed) -> int:
    return len(embed)


def test_answer_embed_quotes_each_sentence_with_its_marker_and_links_sources():
    embed = answer_embed(answer("All 16 drones were shot down."))
    assert embed.description == "> All 16 drones were shot down. **[1]**"
    assert embed.fields[0].value == "[1] [Drones downed](<https://example.com/a>) · Wire · 2022-12-30"


def test_markdown_in_a_sentence_is_escaped_so_it_displays_verbatim():
    embed = answer_embed(answer("Shares rose *sharply* to $1_000 (a __record__)."))
    assert "\\*sharply\\*" in embed.description and "\\_\\_record\\_\\_" in embed.description


def test_brackets_in_titles_cannot_break_the_link():
    line = source_line(citation(1, title="Kyiv [update] live"))
    assert line.startswith("[1] [Kyiv \\[update\\] live](<https://example.com/a>)")


def test_source_without_url_is_bold_not_linked():
    assert source_line(citation(2, url=None)) == "[2] **Drones downed** · Wire · 2022-12-30"


@pytest.mark.parametrize("length", [1000, 1500, 2000, 4000, 5000])
def test_answers_at_and_over_the_limits_keep_whole_sentences(length):
    first, second = "A" * (length // 2 - 20) + ".", "B" * (length // 2) + "."
    embed = answer_embed(answer(first, second, sources=3))
    assert len(embed.description) <= DESCRIPTION_LIMIT and embed_size(embed) <= EMBED_TOTAL_LIMIT
    assert first in embed.description
    assert (second in embed.description) or ("B" not in embed.description)


def test_a_single_sentence_over_the_limit_is_shortened_with_an_ellipsis():
    embed = answer_embed(answer("word " * 1000))
    assert len(embed.description) <= DESCRIPTION_LIMIT and embed.description.endswith("…")


def test_many_sources_fit_one_field():
    many = Answer(question="q", quotes=(Quote("One.", 1, "a1", 1.0, 1),),
                  sources=tuple(citation(n, title="T" * 190) for n in range(1, 30)))
    assert len(answer_embed(many).fields[0].value) <= FIELD_VALUE_LIMIT


def test_fit_lines_keeps_whole_lines_only():
    assert fit_lines(["aaaa", "bbbb", "cccc"], 9) == "aaaa\nbbbb"
    assert fit_lines([], 10) == ""


def test_shorten_cuts_at_a_word():
    assert shorten("the quick brown fox", 12) == "the quick…"
    assert shorten("short", 10) == "short"


@pytest.mark.parametrize("size", [1999, 2000, 2001, 4500])
def test_split_message_respects_the_message_limit(size):
    text = "\n".join(["x" * 99] * (size // 100)) + "\n" + "y" * (size % 100)
    parts = split_message(text)
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_split_message_breaks_a_long_line_at_spaces():
    parts = split_message("word " * 1000)
    assert len(parts) == 3 and all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert all(not p.startswith(" ") for p in parts)


def test_abstention_says_what_is_covered():
    embed = abstention_embed(Answer("Who won?", (), (), reason="x"), 12, date(2022, 12, 29), date(2022, 12, 31))
    assert "12 articles from 2022-12-29 to 2022-12-31" in embed.description
    assert "nearest" not in embed.description
    assert "/ingest" in abstention_embed(Answer("q", (), ()), 0, None, None).description
    near = Answer("Who won?", (), (), reason="x", nearest=(citation(1), citation(2, "Grid holds")))
    description = abstention_embed(near, 12, date(2022, 12, 29), date(2022, 12, 31)).description
    assert description.endswith("The nearest articles I have:\n- [Drones downed](<https://example.com/a>) · 2022-12-30"
                                "\n- [Grid holds](<https://example.com/a>) · 2022-12-30")


def test_a_quote_that_leans_on_its_previous_sentence_follows_it_in_italics():
    quote = Quote(text="He said *all* 16 fell.", source=1, article_id="a1", score=1.0, sentence_id=1,
                  context="The spokesman spoke.")
    embed = answer_embed(Answer("q", (quote,), (citation(1),)))
    assert embed.description == "> *The spokesman spoke.* He said \\*all\\* 16 fell. **[1]**"


def test_articles_page_shows_ids_and_page_numbers():
    info = ArticleInfo(id="story-1", title="Grid holds", url=None, source="Wire", published=None, sentences=3,
                       ingested_at="")
    embed = articles_embed([info], page=1, pages=3, total=20, query="grid")
    assert "`story-1`" in embed.description and embed.footer.text == "Page 2 of 3 · 20 articles"
