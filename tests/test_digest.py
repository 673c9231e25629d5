"""Library.summarize and Library.timeline on each backend (SQLite and FAISS, PostgreSQL) with the hashing embedder."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index import AnswerPolicy, Article, EngineSettings, Library, SummaryError
from index.embedder import HashingEmbedder
from tests.pg import pg_library, pg_url, store_settings

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

D = date
SETTINGS = EngineSettings(policy=AnswerPolicy(min_similarity=0.1, min_similarity_without_terms=0.5))
COPIED = "A storm breached the harbour wall at Port Ellis on Friday, flooding twelve streets near the docks"
# Written for these tests: a storm in a made-up town, told by two outlets, then the repairs, and an older story.
ARTICLES = [
    {"id": "gazette-storm", "title": "Storm breaches Port Ellis harbour wall", "published": "2023-01-07",
     "source": "Coast Gazette", "text": f"{COPIED}. The council said 40 families had been moved to the school hall."
     " Engineers will inspect the damaged harbour wall on Monday. Fishermen said the storm was the worst in thirty"
     " years."},
    {"id": "echo-storm", "title": "Harbour wall gives way in Friday storm", "published": "2023-01-07",
     "source": "Port Ellis Echo", "text": f"{COPIED}, officials said. Volunteers filled sandbags through the night"
     " along the seafront. The lifeboat crew rescued two people from a car trapped by the water."},
    {"id": "gazette-repairs", "title": "Harbour wall repairs begin", "published": "2023-01-10",
     "source": "Coast Gazette", "text": "Repairs to the harbour wall at Port Ellis began yesterday after engineers"
     " approved the plans. The council has set aside 2 million pounds for the harbour work. The mayor said last"
     " week's storm had shown how old the harbour wall was."},
    {"id": "gazette-lights", "title": "Port Ellis lights its Christmas tree", "published": "2022-12-01",
     "source": "Coast Gazette", "text": "Hundreds of people gathered in the market square to watch the Christmas"
     " lights switched on. The choir of St Anne's school sang carols until the rain began."},
]
FERRY = {"id": "ferry", "title": "Port Ellis ferry sails again", "published": "2023-01-11", "source": "Server news",
         "text": "The island ferry sailed from Port Ellis again on Wednesday, after four days tied up by the storm."
         " Ferry tickets bought for the cancelled crossings will be honoured until the end of January."}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    await opened.ingest_files([write_jsonl(tmp_path / "port-ellis.jsonl", ARTICLES)])
    yield opened
    await opened.close()


def texts_of(*ids: str) -> str:
    return " ".join(a["text"] for a in [*ARTICLES, FERRY] if a["id"] in ids)


def cosines(texts: list[str]) -> np.ndarray:
    vectors = HashingEmbedder().embed(texts)
    return (vectors @ vectors.T)[np.triu_indices(len(texts), k=1)]


async def test_with_nothing_asked_the_latest_day_or_so_is_summarised(library):
    summary = await library.summarize()
    assert summary.latest and (summary.since, summary.until) == (D(2023, 1, 9), D(2023, 1, 10))
    assert summary.entries and {e.article_id for e in summary.entries} == {"gazette-repairs"}
    assert all(e.text in texts_of("gazette-repairs") and e.published == D(2023, 1, 10) for e in summary.entries)


async def test_a_topic_summary_drops_the_sentence_a_second_outlet_repeated(library):
    assert cosines([COPIED + ".", COPIED + ", officials said."])[0] > 0.9
    summary = await library.summarize(topic="harbour wall storm", length=8)
    texts = [e.text for e in summary.entries]
    assert sum(text.startswith(COPIED) for text in texts) == 1
    assert len(texts) > 3 and cosines(texts).max() <= 0.9
    every = texts_of(*(a["id"] for a in ARTICLES))
    assert all(text in every for text in texts)
    cited = {(s.n, s.article_id) for s in summary.sources}
    assert {(e.source, e.article_id) for e in summary.entries} == cited


async def test_a_period_keeps_to_its_articles(library):
    summary = await library.summarize(topic="harbour", since=D(2023, 1, 7), until=D(2023, 1, 7))
    assert summary.entries and all(e.published == D(2023, 1, 7) for e in summary.entries)
    everything = await library.summarize(since=D(2022, 12, 1), until=D(2022, 12, 31))
    assert {e.article_id for e in everything.entries} == {"gazette-lights"} and not everything.latest


async def test_nothing_relevant_is_said_honestly(library):
    football = await library.summarize(topic="football", since=D(2023, 1, 1), until=D(2023, 1, 31))
    assert football.empty and not football.sources
    assert football.reason == "nothing found for “football” between 2023-01-01 and 2023-01-31"
    # One shared word is not coverage: no sentence holds both words, and none is close in meaning.
    assert (await library.summarize(topic="harbour football")).empty
    assert (await library.timeline("football")).reason == "nothing found for “football”"
    assert (await library.summarize(since=D(2024, 1, 1))).reason == "no articles since 2024-01-01"


async def test_a_topic_whose_words_share_a_passage_is_covered(library):
    # No sentence holds both words, but one passage (five sentences of one article) does.
    summary = await library.summarize(topic="sandbags lifeboat")
    assert {e.article_id for e in summary.entries} == {"echo-storm"}


async def test_an_empty_library_says_so(tmp_path, store_settings):
    library = await Library.open(tmp_path / "empty", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    try:
        for result in (await library.summarize(), await library.timeline("harbour")):
            assert result.empty and "no articles yet" in result.reason
        assert (await library.ask("What happened at the harbour?")).empty_library
        await library.ingest_articles([Article("one", "Harbour", "The harbour wall held overnight.")])
        assert not (await library.ask("What happened at the harbour?")).empty_library
    finally:
        await library.close()


async def test_one_article_gives_its_key_sentences_in_its_own_order(library):
    summary = await library.summarize(article="gazette-repairs", length=2)
    assert summary.article_id == "gazette-repairs" and len(summary.entries) == 2
    text = texts_of("gazette-repairs")
    assert [text.index(e.text) for e in summary.entries] == sorted(text.index(e.text) for e in summary.entries)
    with pytest.raises(SummaryError, match="no article with id 'nope'"):
        await library.summarize(article="nope")
    with pytest.raises(SummaryError, match="takes no topic"):
        await library.summarize(article="gazette-repairs", topic="harbour")


async def test_length_is_bounded_and_kept(library):
    assert len((await library.summarize(topic="harbour", length=2)).entries) == 2
    for length in (0, 13):
        with pytest.raises(SummaryError, match="1 to 12"):
            await library.summarize(length=length)
    with pytest.raises(SummaryError, match="1 to 12"):
        await library.timeline("harbour", length=0)
    with pytest.raises(SummaryError, match="needs a topic"):
        await library.timeline("  ")


async def test_a_servers_articles_are_summarised_for_that_server_only(library, tmp_path):
    await library.ingest_files([write_jsonl(tmp_path / "ferry.jsonl", [FERRY])], scope="server-1")
    own = await library.summarize(topic="ferry tickets", scope="server-1")
    assert {e.article_id for e in own.entries} == {"ferry"} and own.sources[0].title == FERRY["title"]
    assert (await library.summarize(topic="ferry tickets", scope="server-2")).empty
    assert (await library.summarize(topic="ferry tickets")).empty
    latest = await library.summarize(scope="server-1")
    assert (latest.since, latest.until) == (D(2023, 1, 10), D(2023, 1, 11))
    assert (await library.summarize(scope="server-2")).until == D(2023, 1, 10)


async def test_a_timeline_is_in_event_order_with_relative_dates_resolved(library):
    timeline = await library.timeline("harbour wall storm", length=12)
    days = [e.day for e in timeline.entries]
    assert timeline.kind == "timeline" and days == sorted(days)
    found = {e.text.split(" ")[0]: (e.day, e.last_day, e.wording) for e in timeline.entries}
    # Published Saturday 7 January 2023: "on Friday" is the 6th; "will ... on Monday" the 9th.
    assert found["A"] == (D(2023, 1, 6), D(2023, 1, 6), "on Friday")
    assert found["Engineers"] == (D(2023, 1, 9), D(2023, 1, 9), "on Monday")
    # Published Tuesday 10 January: "yesterday" is the 9th, "last week" the week of 2 January.
    assert found["Repairs"] == (D(2023, 1, 9), D(2023, 1, 9), "yesterday")
    mayor = next(e for e in timeline.entries if e.text.startswith("The mayor"))
    assert (mayor.day, mayor.last_day, mayor.wording) == (D(2023, 1, 2), D(2023, 1, 8), "last week")


async def test_a_source_names_the_outlets_that_carried_the_same_story(library, tmp_path):
    copy = next(a for a in ARTICLES if a["id"] == "gazette-repairs") | {
        "id": "wire-repairs", "source": "County Wire", "published": "2023-01-11"}
    await library.ingest_files([write_jsonl(tmp_path / "copy.jsonl", [copy])])
    summary = await library.summarize(topic="harbour wall repairs", since=D(2023, 1, 10))
    cited = {c.article_id: c for c in summary.sources}
    assert set(cited) == {"gazette-repairs"}
    assert [(c.id, c.source) for c in cited["gazette-repairs"].also_reported] == [("wire-repairs", "County Wire")]
