"""Near-duplicates in the library: kept as copies of the earliest, never quoted twice, removed sensibly."""

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.embeds import FIELD_VALUE_LIMIT, answer_embed, article_embed, source_line
from bot.render import answer_json, answer_text
from index import AlsoReported, Answer, AnswerPolicy, ArticleInfo, Citation, EngineSettings, Library, Quote
from index.embedder import HashingEmbedder
from index.ingest.duplicates import signed
from index.models import Article
from index.store.backends import DATABASE_FILE
from index.store.sqlite.schema import MIGRATIONS
from tests.pg import pg_library, pg_url, store_settings
from tests.stories import EDITED, SAME_TOPIC, WIRE

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

SETTINGS = EngineSettings(policy=AnswerPolicy(min_confidence=0.0, min_similarity=0.1,
                                              min_similarity_without_terms=0.5))
QUESTION = "How long will the northern container terminal of Port Halden close?"
ANSWER_WORDS = "close the northern container terminal for six weeks"


def story(article_id: str, text: str, outlet: str, day: str) -> dict:
    return {"id": article_id, "title": f"Port Halden terminal to close ({outlet})", "text": text, "source": outlet,
            "published": day, "url": f"https://{article_id}.example.com/port-halden"}


WIRE_STORY = story("wire", WIRE, "Halden Wire", "2024-03-05")
COAST_STORY = story("coast", EDITED, "Coast Times", "2024-03-06")
DAILY_STORY = story("daily", WIRE, "Harbour Daily", "2024-03-07")
OTHER_STORY = story("pay", SAME_TOPIC, "Halden Wire", "2024-03-08")


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def ingest(library: Library, folder: Path, *records: dict, scope: str | None = None):
    name = "-".join(r["id"] for r in records) + ".jsonl"
    return await library.ingest_files([write_jsonl(folder / name, *records)], scope=scope)


async def sentence_owners(library: Library) -> set[str]:
    return {info.id for info in await library.articles() if info.sentences}


async def test_a_copy_is_linked_to_the_original_and_none_of_its_sentences_is_stored(library, tmp_path):
    alone = await ingest(library, tmp_path, WIRE_STORY)
    before = await library.stats()
    report = await ingest(library, tmp_path, COAST_STORY, DAILY_STORY, OTHER_STORY)
    assert (report.new, report.duplicates, report.failed) == (1, 2, 0) and alone.new == 1
    stats = await library.stats()
    assert (stats.articles, stats.copies) == (2, 2)
    assert stats.sentences == before.sentences + len(SAME_TOPIC.split("\n\n"))
    assert stats.vectors == stats.passages
    [original] = [a for a in await library.articles() if a.id == "wire"]
    assert [(c.id, c.source, c.url) for c in original.also_reported] == [
        ("coast", "Coast Times", COAST_STORY["url"]), ("daily", "Harbour Daily", DAILY_STORY["url"])]
    assert str(original.also_reported[0].published) == "2024-03-06"


async def test_reingesting_copies_is_a_no_op(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY)
    before = await library.stats()
    report = await ingest(library, tmp_path, WIRE_STORY, COAST_STORY)
    assert (report.new, report.updated, report.unchanged, report.duplicates) == (0, 0, 2, 0)
    assert await library.stats() == before


async def test_an_earlier_copy_becomes_the_original_and_the_stored_one_its_copy(library, tmp_path):
    await ingest(library, tmp_path, DAILY_STORY)
    report = await ingest(library, tmp_path, COAST_STORY)
    assert (report.new, report.duplicates) == (1, 0)
    assert [(a.id, [c.id for c in a.also_reported]) for a in await library.articles()] == [("coast", ["daily"])]
    assert await sentence_owners(library) == {"coast"}
    report = await ingest(library, tmp_path, WIRE_STORY)
    assert (report.new, report.duplicates) == (1, 0)
    [original] = await library.articles()
    assert original.id == "wire" and [c.id for c in original.also_reported] == ["coast", "daily"]
    detail = await library.article("wire")
    assert detail.lead[0].startswith("The harbour authority of Port Halden said on Tuesday that it would close")
    stats = await library.stats()
    assert (stats.articles, stats.copies, stats.vectors) == (1, 2, stats.passages)


async def test_an_answer_quotes_the_story_once_and_names_the_outlets_that_also_ran_it(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY, DAILY_STORY, OTHER_STORY)
    answer = await library.ask(QUESTION)
    texts = [quote.text for quote in answer.quotes]
    assert any(ANSWER_WORDS in text for text in texts) and len(texts) == len(set(texts))
    assert sum(ANSWER_WORDS in text or "shut the northern" in text for text in texts) == 1
    source = answer.sources[answer.quotes[0].source - 1]
    assert source.article_id == "wire"
    assert [c.source for c in source.also_reported] == ["Coast Times", "Harbour Daily"]
    cited = answer_json(answer)["sources"][answer.quotes[0].source - 1]
    assert cited["also_reported"][0] == {"article_id": "coast", "title": COAST_STORY["title"],
                                         "url": COAST_STORY["url"], "outlet": "Coast Times",
                                         "published": "2024-03-06"}
    assert (f"also reported by Coast Times (2024-03-06) <{COAST_STORY['url']}>, Harbour Daily (2024-03-07)"
            in answer_text(answer))


async def test_removing_an_original_hands_the_story_to_its_first_copy(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, DAILY_STORY, COAST_STORY)
    assert await library.remove("wire")
    [original] = await library.articles()
    assert original.id == "coast" and [c.id for c in original.also_reported] == ["daily"]
    assert await sentence_owners(library) == {"coast"}
    answer = await library.ask(QUESTION)
    assert answer.sources[0].article_id == "coast" and "shut the northern" in answer.quotes[0].text
    stats = await library.stats()
    assert (stats.articles, stats.copies, stats.vectors) == (1, 1, stats.passages)


async def test_removing_a_copy_unlinks_it_and_the_last_article_empties_the_library(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY)
    assert await library.remove("coast")
    assert [a.also_reported for a in await library.articles()] == [()]
    assert not await library.remove("coast")
    assert await library.remove("wire")
    stats = await library.stats()
    assert (stats.articles, stats.copies, stats.vectors) == (0, 0, 0)


async def test_a_new_version_decides_again_whether_an_article_is_a_copy(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY, OTHER_STORY)
    rewritten = await ingest(library, tmp_path, {**COAST_STORY, "text": SAME_TOPIC.replace("Friday", "Monday")},
                             {**OTHER_STORY, "text": EDITED})
    assert (rewritten.new, rewritten.updated, rewritten.duplicates) == (0, 1, 1)
    listed = {a.id: [c.id for c in a.also_reported] for a in await library.articles()}
    assert listed == {"wire": ["pay"], "coast": []}
    stats = await library.stats()
    assert (stats.articles, stats.copies, stats.vectors) == (2, 1, stats.passages)


async def test_a_new_version_under_another_id_but_the_same_url_keeps_the_copies(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, COAST_STORY)
    newer = {**WIRE_STORY, "id": "wire-v2", "text": WIRE + "\n\nThe authority will publish the schedule on Friday."}
    report = await ingest(library, tmp_path, newer)
    assert (report.new, report.updated, report.duplicates) == (0, 1, 0)
    assert [(a.id, [c.id for c in a.also_reported]) for a in await library.articles()] == [("wire-v2", ["coast"])]


async def test_copies_are_not_merged_across_scopes(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, scope="guild-1")
    report = await ingest(library, tmp_path, COAST_STORY, scope="guild-2")
    global_report = await ingest(library, tmp_path, DAILY_STORY)
    assert (report.new, report.duplicates, global_report.new, global_report.duplicates) == (1, 0, 1, 0)
    for scope, own in (("guild-1", "wire"), ("guild-2", "coast")):
        seen = {a.id: a.also_reported for a in await library.articles(scope=scope)}
        assert seen == {own: (), "daily": ()}
    same_scope = await ingest(library, tmp_path, story("late", EDITED, "Late Post", "2024-03-09"), scope="guild-1")
    assert same_scope.duplicates == 1
    assert (await library.stats("guild-1")).copies == 1 and (await library.stats("guild-2")).copies == 0


def _columns(db: sqlite3.Connection) -> dict[str, set[str]]:
    """Each table's column names."""
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    return {name: {row[1] for row in db.execute(f"PRAGMA table_info({name})")} for name in tables}


def downgrade(path: Path, version: int) -> None:
    """Drop the tables and columns that migrations after `version` made: the schema (and data) of an earlier release."""
    with sqlite3.connect(":memory:") as old:
        for script in MIGRATIONS[:version]:
            old.executescript(script)
        kept = _columns(old)
    with sqlite3.connect(path) as db:
        for name, columns in _columns(db).items():
            if name not in kept:
                db.execute(f"DROP TABLE {name}")
                continue
            for column in columns - kept[name]:
                db.execute(f"ALTER TABLE {name} DROP COLUMN {column}")
        db.execute(f"PRAGMA user_version = {version}")


async def test_a_library_made_before_duplicates_were_detected_is_migrated_and_signed(tmp_path):
    data = tmp_path / "data"
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    await ingest(library, tmp_path, WIRE_STORY)
    await library.close()
    before = next(n for n, script in enumerate(MIGRATIONS) if "CREATE TABLE copies" in script)
    downgrade(data / DATABASE_FILE, before)
    library = await Library.open(data, HashingEmbedder(), SETTINGS)
    try:
        report = await ingest(library, tmp_path, COAST_STORY)
        assert (report.new, report.duplicates) == (0, 1)
        assert [c.id for c in (await library.articles())[0].also_reported] == ["coast"]
    finally:
        await library.close()
    with sqlite3.connect(data / DATABASE_FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("SELECT count(*) FROM signatures").fetchone()[0] == 1


def test_the_cli_counts_copies_apart_and_shows_them_with_their_original(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[embedding]\nmodel = "hashing"\n[answer]\nmin_confidence = 0.0\nmin_similarity = 0.1\n')
    monkeypatch.setenv("NEWSBOT_CONFIG", str(config))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    feed = write_jsonl(tmp_path / "feed.jsonl", WIRE_STORY, COAST_STORY, OTHER_STORY)
    assert main(["ingest", str(feed)]) == 0
    assert ("2 new, 0 updated, 0 unchanged, 0 failed; 1 near-duplicate kept as also reported."
            in capsys.readouterr().out)
    assert main(["ask", QUESTION, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["outlet"] for c in result["sources"][0]["also_reported"]] == ["Coast Times"]
    assert main(["articles"]) == 0
    listing = capsys.readouterr().out
    assert "also reported by Coast Times (2024-03-06)" in listing and "2 articles (+1 also reported)" in listing
    assert main(["stats"]) == 0
    assert "articles     2 (+1 also reported)" in capsys.readouterr().out
    assert main(["remove", "coast"]) == 0 and "removed coast" in capsys.readouterr().out


def test_discord_source_lines_name_the_copies_within_limits():
    copies = tuple(AlsoReported(f"c{n}", f"Title {n}", f"https://example.com/{'x' * 300}/{n}", f"Outlet {n}",
                                date(2024, 3, n + 2)) for n in range(5))
    citation = Citation(1, "wire", "Port closes", "https://example.com/w", "Halden Wire", date(2024, 3, 1),
                        also_reported=copies)
    first, second = source_line(citation).split("\n")
    assert first == "[1] [Port closes](<https://example.com/w>) · Halden Wire · 2024-03-01"
    assert second == "-# also reported by **Outlet 0**, **Outlet 1**, **Outlet 2** and 2 more"  # urls too long
    one = replace(citation, also_reported=(AlsoReported("c", "Port shut", "https://c.example.com/p", None, None),))
    assert source_line(one).endswith("\n-# also reported by [Port shut](<https://c.example.com/p>)")
    quote = Quote(text="The port closes.", source=1, article_id="wire", score=1.0, sentence_id=1)
    embed = answer_embed(Answer(question="q", quotes=(quote,), sources=(citation,)))
    assert "also reported by" in embed.fields[0].value and len(embed.fields[0].value) <= FIELD_VALUE_LIMIT
    info = ArticleInfo("wire", "Port closes", None, "Halden Wire", None, 6, "", also_reported=copies * 20)
    field = article_embed(info, ["The port closes."]).fields[-1]
    assert field.name == "Also reported by" and field.value.startswith("[Outlet 0](<https://example.com/xxx")
    assert len(field.value) <= FIELD_VALUE_LIMIT


async def test_a_newcomer_is_compared_only_with_articles_sharing_a_band(library, tmp_path):
    await ingest(library, tmp_path, WIRE_STORY, OTHER_STORY)
    await ingest(library, tmp_path, WIRE_STORY, scope="guild-1")
    copies = library._store.copies
    found = await copies.candidates([signed(Article("new", "Port shut", EDITED))], None)
    in_scope = await copies.candidates([signed(Article("new", "Port shut", EDITED))], "guild-1")
    assert [item.id for item in found] == ["wire"] and [item.id for item in in_scope] == ["wire"]
    assert found[0].size == signed(Article("wire", WIRE_STORY["title"], WIRE)).size
