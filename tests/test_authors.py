"""Bylines: read from every kind of source, stored (and migrated into old libraries), shown with the sources."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.embeds import AUTHOR_LIMIT, FIELD_VALUE_LIMIT, answer_embed, source_line
from index import Answer, Citation, Library, Quote
from index.embedder import HashingEmbedder
from index.feeds.parsing import parse_feed
from index.ingest.files import article_from_record, read_file
from index.ingest.preparation import content_hash
from index.models import Article
from index.store.backends import DATABASE_FILE
from index.store.sqlite.schema import MIGRATIONS
from tests.local_site import news_page
from tests.pg import pg_library, pg_url, store_settings
from tests.test_copies import COAST_STORY, QUESTION, SETTINGS, WIRE_STORY, downgrade, ingest, library

__all__ = ["library", "pg_library", "pg_url", "store_settings"]  # the imported fixture is used by name
BYLINE_MIGRATION = next(n for n, script in enumerate(MIGRATIONS) if "articles ADD COLUMN author" in script)


def test_bylines_are_read_from_pages_front_matter_and_records(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(news_page("Harbour crane inspection", ["Inspectors found rust on three of the cranes."]))
    notes = tmp_path / "notes.md"
    notes.write_text("---\ntitle: Pier lights\nauthor:  A.  Writer \n---\nThe pier lights were switched on.\n")
    plain = tmp_path / "plain.txt"
    plain.write_text("Pier lights\n\nThe pier lights were switched on.\n")
    assert [next(read_file(path)).author for path in (page, notes, plain)] == ["Dana Reporter", "A. Writer", None]
    assert article_from_record({"text": "Winds reach 90 km/h.", "author": "Sam Writer"}, "a.jsonl:1").author == (
        "Sam Writer")
    with pytest.raises(ValueError, match='"author" is not a string'):
        article_from_record({"text": "Winds reach 90 km/h.", "author": ["Sam Writer"]}, "a.jsonl:2")


def test_feed_items_name_their_author_but_never_by_email_alone() -> None:
    rss = ('<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
           "<title>T</title>"
           "<item><title>a</title><link>http://x.example/1</link><author>jo@x.example.com (Jo Bloggs)</author></item>"
           "<item><title>b</title><link>http://x.example/2</link><dc:creator>Sam Writer</dc:creator></item>"
           "<item><title>c</title><link>http://x.example/3</link><author>desk@x.example.com</author></item>"
           "<item><title>d</title><link>http://x.example/4</link></item></channel></rss>")
    items = parse_feed(rss.encode(), "http://x.example/rss", "application/rss+xml").items
    assert [item.author for item in items] == ["Jo Bloggs", "Sam Writer", None, None]
    atom = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>a</title>'
            '<link href="http://x.example/1"/><id>1</id><author><name>Ann Atom</name><email>a@x.example</email>'
            "</author></entry></feed>")
    assert parse_feed(atom.encode(), "http://x.example/atom").items[0].author == "Ann Atom"


def test_an_article_without_a_byline_keeps_the_digest_it_was_stored_with() -> None:
    article = Article("a", "Title", "Text.", "https://example.com/a", "Wire", date(2024, 3, 5))
    before_bylines = hashlib.sha256("\x1f".join(("Title", "https://example.com/a", "Wire", "2024-03-05", "Text."))
                                    .encode()).hexdigest()
    assert content_hash(article) == before_bylines
    assert content_hash(replace(article, author="Dana Reporter")) != before_bylines


async def test_a_new_byline_on_the_same_text_is_an_update_of_the_article(library, tmp_path):
    counts = []
    for author in (None, "Dana Reporter", "Dana Reporter", "Sam Writer"):
        report = await ingest(library, tmp_path, {**WIRE_STORY, "author": author})
        counts.append((report.new, report.updated, report.unchanged))
    assert counts == [(1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 0)]
    assert [a.author for a in await library.articles()] == ["Sam Writer"]
    answer = await library.ask(QUESTION)
    assert answer.sources[0].author == "Sam Writer"


async def test_a_copy_keeps_its_byline_and_hands_it_on_when_it_takes_the_originals_place(library, tmp_path):
    await ingest(library, tmp_path, {**WIRE_STORY, "author": "Dana Reporter"}, {**COAST_STORY, "author": "Cy Coast"})
    assert await library.remove("wire")
    [coast] = await library.articles()
    assert (coast.id, coast.author, coast.sentences > 0) == ("coast", "Cy Coast", True)


async def test_a_library_made_before_bylines_opens_and_keeps_its_articles(tmp_path):
    data = tmp_path / "data"
    old = await Library.open(data, HashingEmbedder(), SETTINGS)
    await ingest(old, tmp_path, WIRE_STORY, COAST_STORY)
    await old.close()
    downgrade(data / DATABASE_FILE, BYLINE_MIGRATION)
    reopened = await Library.open(data, HashingEmbedder(), SETTINGS)
    try:
        [wire] = await reopened.articles()
        assert (wire.id, wire.author, [c.id for c in wire.also_reported]) == ("wire", None, ["coast"])
        assert (await reopened.ask(QUESTION)).sources[0].article_id == "wire"
        again = await ingest(reopened, tmp_path, WIRE_STORY, COAST_STORY)
        assert (again.new, again.updated, again.unchanged) == (0, 0, 2)  # upgrading re-embeds nothing
        signed = await ingest(reopened, tmp_path, {**WIRE_STORY, "author": "Dana Reporter"})
        assert signed.updated == 1 and (await reopened.articles())[0].author == "Dana Reporter"
    finally:
        await reopened.close()
    with sqlite3.connect(data / DATABASE_FILE) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_the_cli_shows_the_author_with_each_source(tmp_path, monkeypatch, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[embedding]\nmodel = "hashing"\n[answer]\nmin_confidence = 0.0\nmin_similarity = 0.1\n')
    monkeypatch.setenv("NEWSBOT_CONFIG", str(config))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    records = [{**WIRE_STORY, "author": "Dana Reporter"}, {**COAST_STORY, "id": "other", "text": "Fog closed the"
               " coast road on Tuesday morning.", "url": None}]
    (tmp_path / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert main(["ingest", str(tmp_path / "feed.jsonl")]) == 0
    capsys.readouterr()
    assert main(["ask", QUESTION]) == 0
    assert "[1] Port Halden terminal to close (Halden Wire) · Halden Wire · by Dana Reporter · 2024-03-05" in (
        capsys.readouterr().out)
    assert main(["ask", QUESTION, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"][0]["author"] == "Dana Reporter"
    assert main(["summary", "--json"]) == 0
    assert {s["article_id"]: s["author"] for s in json.loads(capsys.readouterr().out)["sources"]} == {
        "wire": "Dana Reporter", "other": None}
    assert main(["articles", "--json"]) == 0
    assert {a["id"]: a["author"] for a in json.loads(capsys.readouterr().out)} == {
        "wire": "Dana Reporter", "other": None}


def test_discord_source_lines_name_the_author_within_the_limits():
    citation = Citation(1, "wire", "Port closes", "https://example.com/w", "Halden Wire", date(2024, 3, 1),
                        author="Dana *Reporter*")
    assert source_line(citation) == (
        "[1] [Port closes](<https://example.com/w>) · Halden Wire · by Dana \\*Reporter\\* · 2024-03-01")
    crowd = ", ".join(f"Contributor Number {n}" for n in range(40))
    line = source_line(replace(citation, author=crowd))
    assert "Contributor Number 0" in line and "Contributor Number 39" not in line and line.endswith(" · 2024-03-01")
    assert len(line) - len(source_line(replace(citation, author=None))) <= len(" · by ") + AUTHOR_LIMIT
    sources = tuple(replace(citation, n=n, author=crowd) for n in range(1, 40))
    quote = Quote(text="The port closes.", source=1, article_id="wire", score=1.0, sentence_id=1)
    field = answer_embed(Answer(question="q", quotes=(quote,), sources=sources)).fields[0]
    assert "by Contributor Number 0" in field.value and len(field.value) <= FIELD_VALUE_LIMIT
