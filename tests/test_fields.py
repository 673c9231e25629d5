"""Control characters in an article's one-line fields: taken out of titles, outlets and bylines before storing."""

import json

from index import Article, Library
from index.embedder import HashingEmbedder
from index.ingest.fields import one_line, with_clean_lines
from tests.test_scopes import SETTINGS, ZOO

DIRTY = Article(id="zoo-9", title="Zebra\u0000 escapes\u001b[2J from\tzoo\u0085", text=ZOO.text,
                source="Local\u0007 Paper", author="\u0000")


def test_control_characters_become_spaces_and_clean_fields_stay_as_they_are():
    assert one_line("Zebra\u0000 escapes\u001b[2J from\tzoo\u0085") == "Zebra escapes [2J from zoo"
    assert one_line("Two  spaces kept") == "Two  spaces kept" and one_line(None) is None
    clean = with_clean_lines(DIRTY)
    assert (clean.title, clean.source, clean.author, clean.text) == (
        "Zebra escapes [2J from zoo", "Local Paper", None, ZOO.text)
    assert with_clean_lines(Article("x", "\u0000", "text")).title == "Untitled"


async def test_titles_are_stored_without_control_characters_whatever_the_front_end(tmp_path):
    library = await Library.open(tmp_path / "data", HashingEmbedder(), SETTINGS)
    try:
        path = tmp_path / "dirty.jsonl"
        path.write_text(json.dumps({"id": "zoo-8", "title": DIRTY.title, "text": DIRTY.text}) + "\n")
        assert (await library.ingest_files([path])).new == 1
        assert (await library.ingest_articles([DIRTY], scope="111")).new == 1
        shown = {(a.id, a.title, a.source) for a in await library.articles(scope="111")}
        assert shown == {("zoo-8", "Zebra escapes [2J from zoo", None),
                         ("zoo-9", "Zebra escapes [2J from zoo", "Local Paper")}
        answer = await library.ask("Where did keepers catch the zebra?", scope="111")
        assert all(source.title == "Zebra escapes [2J from zoo" for source in answer.sources)
    finally:
        await library.close()
