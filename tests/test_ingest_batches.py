"""Ingest writes in batches bounded by articles and by characters, and refuses articles that are too long."""

import json
from dataclasses import replace

import pytest

from index import EngineSettings, Library
from index.embedder import HashingEmbedder
from index.models import Article
from tests.pg import pg_library, pg_url, store_settings

__all__ = ["pg_library", "pg_url", "store_settings"]  # the imported fixtures are used by name

SETTINGS = EngineSettings(batch_articles=3, max_article_chars=5000)


def story(number: int, words: int = 30) -> dict:
    return {"id": f"s{number}", "title": f"Story {number}", "text": f"Story {number} says this. " * (words // 4)}


@pytest.fixture
async def library(tmp_path, store_settings):
    opened = await Library.open(tmp_path / "data", HashingEmbedder(), replace(SETTINGS, store=store_settings))
    yield opened
    await opened.close()


async def test_an_article_over_the_limit_costs_one_line_and_the_rest_are_stored(library, tmp_path):
    records = [story(1), story(2, words=2000), story(3)]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    report = await library.ingest_files([path])
    assert (report.new, report.failed) == (2, 1)
    assert report.errors == (f"{path}:2: the text is 9,499 characters, over the 5,000 limit for one article "
                             "(ingest.max_article_chars)",)
    assert {info.id for info in await library.articles()} == {"s1", "s3"}
    report = await library.ingest_articles([Article("long", "Long", "Too long by far. " * 400)])
    assert report.failed == 1 and "over the 5,000 limit" in report.errors[0]


async def test_one_file_is_committed_a_batch_at_a_time_so_a_crash_keeps_the_batches_before(
        library, tmp_path, monkeypatch):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(story(n)) + "\n" for n in range(10)))
    written = []
    backend = type(library._store)
    original = backend.write_articles

    async def crash_on_the_third_batch(self, prepared, *args, **kwargs):
        written.append(len(prepared))
        if len(written) == 3:
            raise OSError("the machine went down")
        return await original(self, prepared, *args, **kwargs)

    monkeypatch.setattr(backend, "write_articles", crash_on_the_third_batch)
    with pytest.raises(OSError):
        await library.ingest_files([path])
    assert written == [3, 3, 3]
    assert len(await library.articles()) == 6
    monkeypatch.setattr(backend, "write_articles", original)
    report = await library.ingest_files([path])  # run again: it resumes
    assert (report.new, report.unchanged) == (4, 6)


async def test_long_articles_make_smaller_batches(tmp_path, monkeypatch):
    settings = replace(SETTINGS, batch_articles=10, max_article_chars=2000)
    library = await Library.open(tmp_path / "data", HashingEmbedder(), settings)
    sizes = []
    backend = type(library._store)
    original = backend.write_articles

    async def count(self, prepared, *args, **kwargs):
        sizes.append(len(prepared))
        return await original(self, prepared, *args, **kwargs)

    monkeypatch.setattr(backend, "write_articles", count)
    try:
        report = await library.ingest_articles([Article(f"a{n}", "T", f"Sentence {n} is here. " * 55)
                                               for n in range(6)])
    finally:
        await library.close()
    assert report.new == 6 and sizes == [2, 2, 2]  # 1,100 characters each: two fill 2,000
